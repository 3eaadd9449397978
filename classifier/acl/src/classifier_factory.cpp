#include "fwbench/classifier_factory.hpp"

#include <stdexcept>
#include <string>

#include "fwbench/acl_classifier.hpp"
#include "fwbench/compiled_engine.hpp"

namespace fwbench {

std::unique_ptr<Classifier> make_classifier(std::string_view name, const Ruleset& rs, const HostView& host, const IpsetRegistry* ipsets) {
    if (name == "linear") return std::make_unique<LinearEngine>(rs, host, ipsets);
    if (name == "compiled") return std::make_unique<CompiledEngine>(rs, host, ipsets);
    if (name == "acl") return std::make_unique<AclClassifier>(rs, host, ipsets);
    throw std::invalid_argument("unknown engine '" + std::string(name) + "' (linear, compiled or acl)");
}

}  // namespace fwbench
