// APPEND ... CATENATE (RFC 4469): a message put together from literal text and parts of
// messages the user already has, named by IMAP URLs (mail/imap_url.hpp). Called by cmd_append
// for each message it appends.
#include "imapd/session.hpp"
#include "mail/imap_url.hpp"
#include "mailbox/url_fetch.hpp"

namespace correio::imapd {
std::optional<std::string> Session::catenate(const Command& c, Parser& p) {
  // "CATENATE" SP "(" cat-part *(SP cat-part) ")"; cat-part = "TEXT" SP literal / "URL" SP astring
  if (!p.space() || !p.consume('(')) {
    bad(c, "Error in IMAP command APPEND: Invalid CATENATE arguments.");
    return std::nullopt;
  }
  std::string message;
  bool first = true;
  while (!p.consume(')')) {
    if (!first && !p.space()) {
      bad(c, "Error in IMAP command APPEND: Invalid CATENATE arguments.");
      return std::nullopt;
    }
    first = false;
    if (p.consume_word("TEXT")) {
      auto text = p.space() ? p.string(true) : std::nullopt;
      if (!text) {
        bad(c, "Error in IMAP command APPEND: Invalid CATENATE TEXT.");
        return std::nullopt;
      }
      message += *text;
    } else if (p.consume_word("URL")) {
      auto text = p.space() ? p.astring() : std::nullopt;
      if (!text) {
        bad(c, "Error in IMAP command APPEND: Invalid CATENATE URL.");
        return std::nullopt;
      }
      auto url = mail::parse_imap_url(*text, username_);
      auto bytes = url ? mailbox::fetch_url_bytes(*user_, *url) : std::nullopt;
      if (!bytes) {
        // RFC 4469 §5: a URL that does not resolve fails the APPEND with BADURL.
        std::string shown = *text;
        std::erase_if(shown, [](char ch) { return ch == ']' || ch == '\r' || ch == '\n'; });
        no(c, "[BADURL " + shown + "] Invalid URL or message part.");
        return std::nullopt;
      }
      message += *bytes;
    } else {
      bad(c, "Error in IMAP command APPEND: Unknown CATENATE part.");
      return std::nullopt;
    }
    if (message.size() > settings_.append_limit) {
      no(c, "[TOOBIG] Message is larger than APPENDLIMIT.");
      return std::nullopt;
    }
  }
  if (first) {
    bad(c, "Error in IMAP command APPEND: Empty CATENATE list.");
    return std::nullopt;
  }
  return message;
}

}  // namespace correio::imapd
