#pragma once
// std::visit over a variant with one lambda per alternative: Overloaded{[](const A&) {...}, ...}.

namespace fwbench {

template <class... Fs>
struct Overloaded : Fs... {
    using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

}  // namespace fwbench
