// Restriction list syntax (restriction_list.hpp). The words that take an argument are
// Postfix's: check_*_access, check_policy_service, the DNS list tests and sleep.
#include "smtpd/access/restriction_list.hpp"

#include "base/strings.hpp"
#include "maps/map.hpp"

namespace correio::smtpd::access {

bool takes_argument(std::string_view name) {
  constexpr std::string_view kWithArgument[] = {
      "check_client_access",
      "check_reverse_client_hostname_access",
      "check_client_a_access",
      "check_reverse_client_hostname_a_access",
      "check_helo_access",
      "check_sender_access",
      "check_recipient_access",
      "check_sender_mx_access",
      "check_sender_ns_access",
      "check_recipient_mx_access",
      "check_recipient_ns_access",
      "check_helo_mx_access",
      "check_helo_ns_access",
      "check_client_mx_access",
      "check_client_ns_access",
      "check_policy_service",
      "reject_rbl_client",
      "reject_rhsbl_client",
      "reject_rhsbl_sender",
      "reject_rhsbl_helo",
      "reject_rhsbl_recipient",
      "reject_rhsbl_reverse_client",
      "permit_dnswl_client",
      "permit_rhswl_client",
      "sleep",
      "check_etrn_access",
  };
  for (std::string_view w : kWithArgument)
    if (w == name) return true;
  return false;
}

Result<std::vector<Restriction>> parse_restriction_list(std::string_view list) {
  // split_map_list keeps "inline:{ a=b, c=d }" in one piece.
  std::vector<std::string> words = maps::split_map_list(list);
  std::vector<Restriction> out;
  for (size_t i = 0; i < words.size(); ++i) {
    Restriction r;
    r.text = words[i];
    r.name = base::to_lower(words[i]);
    if (takes_argument(r.name)) {
      if (i + 1 == words.size())
        return Error{"restriction " + r.name + " needs an argument (a table, domain or number)"};
      r.argument = words[++i];
      r.text += " " + r.argument;
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace correio::smtpd::access
