// libFuzzer target for the Dovecot mailbox files Correio reads: dovecot-uidlist,
// dovecot-keywords, subscriptions, the METADATA and URLAUTH key files and the flags of Maildir file
// names. Whatever parses must format and parse again to the same thing.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "mailbox/keywords_file.hpp"
#include "mailbox/metadata_file.hpp"
#include "mailbox/subscriptions_file.hpp"
#include "mailbox/uidlist.hpp"
#include "mailbox/urlauth_keys.hpp"

using namespace correio::mailbox;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto list = parse_uidlist(text)) {
    auto again = parse_uidlist(format_uidlist(*list));
    if (!again || again->records.size() != list->records.size()) std::abort();
  }
  auto keywords = parse_keywords_file(text);
  if (keywords.size() > kMaxKeywords) std::abort();
  format_keywords_file(keywords);
  auto subs = parse_subscriptions(text);
  format_subscriptions(subs);
  if (auto entries = parse_metadata(text)) {
    if (parse_metadata(format_metadata(*entries)) != entries) std::abort();
  }
  if (auto keys = parse_urlauth_keys(text)) {
    if (parse_urlauth_keys(format_urlauth_keys(*keys)) != keys) std::abort();
  }
  FilenameFlags flags = parse_filename_flags(text);
  if (parse_filename_flags(format_filename_info(flags)).keywords != flags.keywords) std::abort();
  return 0;
}
