// Address masquerading (see masquerade.hpp).
#include "cleanup/masquerade.hpp"

#include "base/strings.hpp"

namespace correio::cleanup {

Masquerade::Masquerade(std::vector<std::string> domains, std::vector<std::string> exceptions) {
  for (auto& d : domains) {
    std::string lower = base::to_lower(d);
    if (lower.size() > 1 && lower[lower.size() - 1] == '.') lower.pop_back();
    if (!lower.empty() && lower != "!") domains_.push_back(std::move(lower));
  }
  for (auto& e : exceptions) exceptions_.push_back(base::to_lower(e));
}

std::string Masquerade::apply(std::string_view address) const {
  size_t at = address.rfind('@');
  if (domains_.empty() || at == std::string_view::npos) return std::string(address);
  std::string local = base::to_lower(address.substr(0, at));
  for (const auto& e : exceptions_)
    if (e == local) return std::string(address);  // masquerade_exceptions: "root"
  std::string domain = base::to_lower(address.substr(at + 1));
  for (const std::string& item : domains_) {
    bool exclude = item.front() == '!';
    std::string_view masq = exclude ? std::string_view(item).substr(1) : std::string_view(item);
    if (masq == domain) return std::string(address);  // the domain itself: nothing to strip
    if (masq.size() < domain.size() && domain.ends_with(masq) &&
        domain[domain.size() - masq.size() - 1] == '.') {
      if (exclude) return std::string(address);  // "!sub.example.com" listed first
      return std::string(address.substr(0, at + 1)) + std::string(masq);
    }
  }
  return std::string(address);
}

}  // namespace correio::cleanup
