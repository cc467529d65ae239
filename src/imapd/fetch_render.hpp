// The FETCH item renderers (RFC 9051 §7.5.2 FETCH response): one function per item kind,
// in a table, each appending "NAME value" for one message. Private to imapd.
#pragma once

#include <optional>
#include <string>

#include "imapd/fetch_items.hpp"
#include "mail/mime_parser.hpp"
#include "mailbox/mailbox.hpp"

namespace correio::imapd {

// One message as the renderers see it. The message's bytes are loaded by the caller when
// the plan says an item needs them; the MIME structure is parsed at the first use.
struct FetchMessage {
  FetchMessage(mailbox::Mailbox& b, const mailbox::MessageInfo& i, const std::string* r)
      : box(b), info(i), raw(r) {}
  mailbox::Mailbox& box;
  const mailbox::MessageInfo& info;
  const std::string* raw;    // null: not needed, or unreadable (expunged meanwhile)
  bool unknown_cte = false;  // set by BINARY of a part we cannot decode
  const mail::MimePart& structure();

 private:
  std::optional<mail::MimePart> root_;
};

// Appends `item` of `message` to `line` ("ENVELOPE (...)", "BODY[1] {12}\r\n...").
void render_fetch_item(FetchMessage& message, const FetchItem& item, std::string& line);

}  // namespace correio::imapd
