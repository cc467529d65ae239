// The order in which the smtp agent tries a destination's server addresses (Postfix's
// smtp_addr.c): MX preference first; among equal preferences the addresses are shuffled
// (smtp_randomize_addresses) and the family of smtp_address_preference goes first. Pure.
#pragma once

#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "dns/mail_exchangers.hpp"

namespace correio::delivery::smtp_agent {

// smtp_address_preference (postconf(5)): which family to try first among equal MX
// preferences; "any" keeps the (shuffled) order.
enum class AddressPreference { any, ipv4, ipv6 };

// "any", "ipv4", "ipv6" (case-insensitive); anything else is an error naming `parameter`
// and the value.
Result<AddressPreference> parse_address_preference(
    std::string_view value, std::string_view parameter = "smtp_address_preference");

struct AddressAttempt {
  const dns::MailHost* host;  // into the caller's list, which must outlive the attempts
  std::string address;
};

// Every address of `hosts` (sorted by preference, as dns::mail_hosts returns them) in the
// order to try.
std::vector<AddressAttempt> order_addresses(const std::vector<dns::MailHost>& hosts,
                                            AddressPreference preference, bool randomize,
                                            std::mt19937& random);

}  // namespace correio::delivery::smtp_agent
