#pragma once
// An output named on the command line: a file, or stdout for "-".

#include <fstream>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>

namespace fwbench {

class Output {
public:
    explicit Output(const std::string& path) {
        if (path != "-") {
            file_ = std::make_unique<std::ofstream>(path);
            if (!*file_) throw std::runtime_error("cannot write " + path);
        }
    }
    std::ostream& stream() { return file_ ? *file_ : std::cout; }

private:
    std::unique_ptr<std::ofstream> file_;
};

}  // namespace fwbench
