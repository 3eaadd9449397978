#pragma once
// An engine from its name, as --engine spells it. Lives on the acl floor because it is the one
// floor that sees all three engines; floors below take a Classifier they are given.

#include <memory>
#include <string_view>

#include "fwbench/classifier.hpp"
#include "fwbench/host_view.hpp"

namespace fwbench {

inline constexpr const char* classifier_names[] = {"linear", "compiled", "acl"};

// linear: the reference walk; compiled: the box-index engine; acl: rte_acl where it applies
// (needs an initialised EAL). Throws std::invalid_argument for another name. The engine refers
// to `rs`, `host` and `ipsets`, which must outlive it.
std::unique_ptr<Classifier> make_classifier(std::string_view name, const Ruleset& rs, const HostView& host, const IpsetRegistry* ipsets = nullptr);

}  // namespace fwbench
