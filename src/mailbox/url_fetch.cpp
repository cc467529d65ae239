// Resolving an IMAP URL in a user's store (see url_fetch.hpp).
#include "mailbox/url_fetch.hpp"

#include "mail/imap_section.hpp"
#include "mail/mime_parser.hpp"

namespace correio::mailbox {

std::optional<std::string> fetch_url_bytes(MailUser& user, const mail::ImapUrl& url) {
  auto box = user.open_mailbox(url.mailbox, true);
  if (!box || !(*box)->sync()) return std::nullopt;
  if (url.uid_validity && *url.uid_validity != (*box)->uid_validity()) return std::nullopt;
  if ((*box)->find(url.uid) == nullptr) return std::nullopt;
  auto raw = (*box)->read_message(url.uid);
  if (!raw) return std::nullopt;
  auto spec = mail::parse_section(url.section);
  if (!spec) return std::nullopt;
  mail::MimePart root = mail::parse_mime(*raw);
  std::string bytes = mail::section_bytes(*raw, root, *spec);
  if (url.partial_offset) {
    if (*url.partial_offset >= bytes.size()) return std::string();
    bytes = bytes.substr(*url.partial_offset, url.partial_length.value_or(std::string::npos));
  }
  return bytes;
}

}  // namespace correio::mailbox
