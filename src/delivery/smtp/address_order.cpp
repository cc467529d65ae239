// Address order for the smtp agent (see address_order.hpp).
#include "delivery/smtp/address_order.hpp"

#include <algorithm>

#include "base/strings.hpp"

namespace correio::delivery::smtp_agent {

Result<AddressPreference> parse_address_preference(std::string_view value,
                                                   std::string_view parameter) {
  std::string word = base::to_lower(base::trim(value));
  if (word == "any") return AddressPreference::any;
  if (word == "ipv4") return AddressPreference::ipv4;
  if (word == "ipv6") return AddressPreference::ipv6;
  return Error{std::string(parameter) + ": unknown value \"" + std::string(value) +
               "\" (ipv4, ipv6 or any)"};
}

std::vector<AddressAttempt> order_addresses(const std::vector<dns::MailHost>& hosts,
                                            AddressPreference preference, bool randomize,
                                            std::mt19937& random) {
  std::vector<AddressAttempt> out;
  for (size_t first = 0; first < hosts.size();) {
    // One group: the hosts of one MX preference (consecutive: the list is sorted).
    size_t end = first;
    std::vector<AddressAttempt> group;
    for (; end < hosts.size() && hosts[end].preference == hosts[first].preference; ++end)
      for (const auto& address : hosts[end].addresses) group.push_back({&hosts[end], address});
    // postconf(5) smtp_randomize_addresses: equal-preference addresses in random order.
    if (randomize) std::shuffle(group.begin(), group.end(), random);
    // postconf(5) smtp_address_preference: the preferred family first, each family's
    // order kept.
    if (preference != AddressPreference::any) {
      bool want_v6 = preference == AddressPreference::ipv6;
      std::stable_partition(group.begin(), group.end(), [&](const AddressAttempt& a) {
        return (a.address.find(':') != std::string::npos) == want_v6;
      });
    }
    for (auto& a : group) out.push_back(std::move(a));
    first = end;
  }
  return out;
}

}  // namespace correio::delivery::smtp_agent
