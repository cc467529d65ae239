// libFuzzer target for what a milter controls: the packet stream (lengths, commands) and
// each reply's payload decoder, and the header edits applied to a message.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "milter/message_edits.hpp"
#include "milter/protocol.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace correio::milter;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  PacketReader reader;
  // Fed in uneven pieces, as a socket delivers them.
  for (size_t at = 0; at < input.size(); at += 7) reader.feed(input.substr(at, 7));
  Message message = Message::parse("Subject: s\nX-A: 1\n\nbody\n");
  for (int i = 0; i < 64; ++i) {
    auto next = reader.next();
    if (!next || !*next) break;
    const Packet& p = **next;
    switch (p.command) {
      case rep::kOptneg:
        (void)decode_negotiation(p.data);
        break;
      case rep::kReplyCode:
        (void)decode_reply_code(p.data);
        break;
      case rep::kAddHeader:
      case rep::kInsHeader:
      case rep::kChangeHeader: {
        auto edit = decode_header_edit(p.command, p.data);
        if (!edit) break;
        if (p.command == rep::kAddHeader) add_header(message, edit->name, edit->value, false);
        if (p.command == rep::kInsHeader)
          insert_header(message, edit->index, edit->name, edit->value, true);
        if (p.command == rep::kChangeHeader)
          change_header(message, edit->index, edit->name, edit->value, false);
        break;
      }
      case rep::kReplaceBody:
        message.body = body_from_milter(p.data);
        break;
      default:
        (void)split_nul(p.data);
        break;
    }
  }
  Message reparsed = Message::parse(message.text());
  (void)reparsed;
  return 0;
}
