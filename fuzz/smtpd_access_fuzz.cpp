// libFuzzer target for smtpd's access-control parsers: a restriction list as main.cf or
// a table result gives it, an access(5) table result, a DNS list with its "=d.d.d.d"
// filter matched against the input, an rbl reply template expanded, and
// check_policy_service's "{ server, name=value }" argument.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "smtpd/access/access_action.hpp"
#include "smtpd/access/dns_lists.hpp"
#include "smtpd/access/policy_settings.hpp"
#include "smtpd/access/restriction_list.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace access = correio::smtpd::access;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)access::parse_restriction_list(text);
  (void)access::parse_access_action(text);
  if (auto list = access::parse_dns_list(text)) (void)list->matches(text);
  (void)access::reversed_address(text);
  std::map<std::string, std::string> vars = {{"rbl_code", "554"}, {"rbl_reason", "x"}};
  (void)access::expand_template(text, vars);
  (void)access::parse_policy_service(text, {});
  return 0;
}
