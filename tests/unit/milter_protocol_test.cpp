// The milter packet codec (milter/protocol.hpp) fed a byte at a time, the negotiation and
// reply decoders, and the header and body edits of milter/message_edits.hpp.
#include <gtest/gtest.h>

#include "milter/message_edits.hpp"
#include "milter/protocol.hpp"

namespace correio::milter {
namespace {

TEST(MilterProtocol, PacketRoundTripByteByByte) {
  std::string wire = encode(cmd::kHelo, nul_joined({"client.example"})) + encode(cmd::kData);
  PacketReader reader;
  std::vector<Packet> packets;
  for (char c : wire) {
    reader.feed(std::string_view(&c, 1));
    auto next = reader.next();
    ASSERT_TRUE(next);
    if (*next) packets.push_back(**next);
  }
  ASSERT_EQ(packets.size(), 2u);
  EXPECT_EQ(packets[0].command, 'H');
  EXPECT_EQ(packets[0].data, std::string("client.example\0", 15));
  EXPECT_EQ(packets[1].command, 'T');
  EXPECT_TRUE(packets[1].data.empty());
  EXPECT_EQ(wire.substr(0, 4), std::string("\0\0\0\x10", 4));
}

TEST(MilterProtocol, RefusesZeroAndHugeLengths) {
  PacketReader zero;
  zero.feed(std::string("\0\0\0\0", 4));
  EXPECT_FALSE(zero.next());
  PacketReader huge;
  huge.feed(std::string("\x7f\0\0\0c", 5));
  EXPECT_FALSE(huge.next());
}

TEST(MilterProtocol, NegotiationWithMacroLists) {
  Negotiation n;
  n.version = 6;
  n.actions = action::kAddHeaders | action::kQuarantine;
  n.steps = step::kNoConnect | step::kNoReplyHeader;
  std::string data = encode_negotiation(n);
  data += std::string("\0\0\0\x02", 4) + "{mail_addr} i" + '\0';
  auto decoded = decode_negotiation(data);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->version, 6u);
  EXPECT_EQ(decoded->actions, n.actions);
  EXPECT_EQ(decoded->steps, n.steps);
  EXPECT_EQ(decoded->macros[static_cast<size_t>(Stage::mail)], "{mail_addr} i");
  EXPECT_FALSE(decode_negotiation(data.substr(0, 11)));
  EXPECT_FALSE(decode_negotiation(encode_negotiation(n) + std::string("\0\0\0\x09x\0", 6)));
  EXPECT_FALSE(decode_negotiation(encode_negotiation(n) + std::string("\0\0\0\x01x", 5)));
}

TEST(MilterProtocol, ConnectAndMacros) {
  EXPECT_EQ(encode_connect("host", '4', 25, "127.0.0.1"), std::string("host\0"
                                                                      "4\0\x19"
                                                                      "127.0.0.1\0",
                                                                      18));
  EXPECT_EQ(encode_connect("unknown", 'U', 0, ""), std::string("unknown\0U", 9));
  EXPECT_EQ(encode_macros('C', {{"j", "mx"}, {"{daemon_name}", "d"}}),
            std::string("Cj\0mx\0{daemon_name}\0d\0", 22));
}

TEST(MilterProtocol, HeaderEditsAndReplyCodes) {
  auto change = decode_header_edit(rep::kChangeHeader, std::string("\0\0\0\x02Subject\0new\0", 16));
  ASSERT_TRUE(change);
  EXPECT_EQ(change->index, 2u);
  EXPECT_EQ(change->name, "Subject");
  EXPECT_EQ(change->value, "new");
  auto del = decode_header_edit(rep::kChangeHeader, std::string("\0\0\0\x01X-Spam\0", 11));
  ASSERT_TRUE(del);
  EXPECT_TRUE(del->value.empty());
  EXPECT_FALSE(decode_header_edit(rep::kAddHeader, std::string("Bad Name\0v\0", 11)));
  EXPECT_FALSE(decode_header_edit(rep::kAddHeader, "unterminated"));
  EXPECT_FALSE(decode_header_edit(rep::kInsHeader, "\0\0"));
  auto code = decode_reply_code(std::string("554 5.7.1 go away\0", 18));
  ASSERT_TRUE(code);
  EXPECT_EQ(*code, "554 5.7.1 go away");
  EXPECT_TRUE(decode_reply_code("421-4.7.0 a\r\n421 4.7.0 b"));
  EXPECT_FALSE(decode_reply_code("250 ok"));
  EXPECT_FALSE(decode_reply_code("550-a\r\n451 b"));
  EXPECT_FALSE(decode_reply_code("55x nope"));
}

TEST(MilterMessage, ParseAndEdit) {
  Message m =
      Message::parse("Received: from x\n\tby y\nSubject: hi\nX-Spam: yes\nX-Spam: no\n\nbody\n");
  ASSERT_EQ(m.headers.size(), 4u);
  EXPECT_EQ(header_name(m.headers[0]), "Received");
  EXPECT_EQ(header_value_for_milter(m.headers[0], false), "from x\r\n\tby y");
  EXPECT_EQ(header_value_for_milter(m.headers[1], true), " hi");
  add_header(m, "X-Added", "one", false);
  insert_header(m, 0, "DKIM-Signature", "v=1;\r\n\tb=abc", false);
  change_header(m, 2, "x-spam", "", false);  // deletes the second X-Spam
  change_header(m, 1, "Subject", "changed", false);
  change_header(m, 1, "X-Missing", "added", false);  // absent: added
  EXPECT_EQ(m.text(),
            "DKIM-Signature: v=1;\n\tb=abc\nReceived: from x\n\tby y\nSubject: changed\n"
            "X-Spam: yes\nX-Added: one\nX-Missing: added\n\nbody\n");
  // A value whose second line does not start with a blank cannot start a new field.
  add_header(m, "X-Two", "a\nB: c", false);
  EXPECT_EQ(m.headers.back(), "X-Two: a\n\tB: c\n");
  insert_header(m, 999, "X-Last", "z", true);
  EXPECT_EQ(m.headers.back(), "X-Last:z\n");
}

TEST(MilterMessage, BodyLineEndsAndAddresses) {
  EXPECT_EQ(body_for_milter("a\nb\n"), "a\r\nb\r\n");
  EXPECT_EQ(body_from_milter("a\r\nb\r\n"), "a\nb\n");
  EXPECT_EQ(strip_angle_brackets("<a@b>"), "a@b");
  EXPECT_EQ(strip_angle_brackets("a@b"), "a@b");
  Message headers_only = Message::parse("Subject: x\n");
  EXPECT_EQ(headers_only.headers.size(), 1u);
  EXPECT_TRUE(headers_only.body.empty());
  Message no_blank = Message::parse("Subject: x\nthis is body\n");
  EXPECT_EQ(no_blank.body, "this is body\n");
}

}  // namespace
}  // namespace correio::milter
