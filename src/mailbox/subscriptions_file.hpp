// The `subscriptions` file in the Maildir root, in Dovecot's format (subscription-file.c):
// "V\t2\n\n", then one name per line with the hierarchy levels separated by TAB and each
// level tab-escaped (\001 -> \0011, \t -> \001t, \r -> \001r, \n -> \001n). Files without
// the header (Dovecot 1.x) hold one name per line with the separator as is. Pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace correio::mailbox {

// Names with levels joined by `separator`; empty lines skipped; order kept.
std::vector<std::string> parse_subscriptions(std::string_view text, char separator = '.');
std::string format_subscriptions(const std::vector<std::string>& names, char separator = '.');

}  // namespace correio::mailbox
