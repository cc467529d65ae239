// receive_override_options parsing (see receive_overrides.hpp).
#include "cleanup/receive_overrides.hpp"

#include <fmt/format.h>

#include "base/strings.hpp"

namespace correio::cleanup {

Result<ReceiveOverrides> ReceiveOverrides::parse(std::string_view value) {
  ReceiveOverrides o;
  // input_transp_mask(): Postfix's name_mask() table, names matched as written.
  for (const auto& name : base::split_any(value, ", \t\r\n")) {
    if (name.empty()) continue;
    if (name == "no_unknown_recipient_checks")
      o.no_unknown_recipient_checks = true;
    else if (name == "no_address_mappings")
      o.no_address_mappings = true;
    else if (name == "no_header_body_checks")
      o.no_header_body_checks = true;
    else if (name == "no_milters")
      o.no_milters = true;
    else
      return Error{fmt::format("unknown receive_override_options value \"{}\" in \"{}\"", name,
                               base::trim(value))};
  }
  return o;
}

Result<ReceiveOverrides> ReceiveOverrides::from_config(const config::Config& config) {
  auto parsed = parse(config.get("receive_override_options"));
  if (parsed) return parsed;
  std::string where = config.location("receive_override_options");
  return Error{where.empty() ? parsed.error().message : where + ": " + parsed.error().message};
}

}  // namespace correio::cleanup
