#pragma once
// The error every input parser throws: where (file:line:column) and what was expected.

#include <stdexcept>
#include <string>

namespace fwbench {

class ParseError : public std::runtime_error {
public:
    ParseError(std::string file, int line, int column, std::string message)
        : std::runtime_error(file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message),
          file_(std::move(file)),
          line_(line),
          column_(column),
          message_(std::move(message)) {}

    const std::string& file() const { return file_; }
    int line() const { return line_; }
    int column() const { return column_; }
    const std::string& message() const { return message_; }

private:
    std::string file_;
    int line_, column_;
    std::string message_;
};

}  // namespace fwbench
