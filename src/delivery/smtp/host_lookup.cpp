// Reading smtp_host_lookup (see host_lookup.hpp).
#include "delivery/smtp/host_lookup.hpp"

#include "base/strings.hpp"

namespace correio::delivery::smtp_agent {

Result<std::pair<bool, bool>> host_lookup_from_config(const config::Config& config,
                                                      bool dns_allowed) {
  bool dns = false, native = false;
  for (const auto& word : config.get_list("smtp_host_lookup")) {
    std::string w = base::to_lower(word);
    if (w == "dns")
      dns = true;
    else if (w == "native")
      native = true;
    else {
      std::string where = config.location("smtp_host_lookup");
      return Error{(where.empty() ? "" : where + ": ") + "smtp_host_lookup: unknown lookup \"" +
                   word + "\" (dns, native)"};
    }
  }
  if (!dns && !native) dns = true;  // an empty value: Postfix's default
  // postconf(5) disable_dns_lookups: "hosts are looked up with getaddrinfo()".
  if (!dns_allowed) return std::pair{false, true};
  return std::pair{dns, native};
}

}  // namespace correio::delivery::smtp_agent
