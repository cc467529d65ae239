// FETCH BODY[section] / BINARY[section] (src/mail/imap_section.hpp). Expected bytes are what
// Dovecot 2.3.19 returned for the same messages and sections.
#include <gtest/gtest.h>

#include "mail/imap_section.hpp"

namespace correio::mail {
namespace {

const std::string kMessage =
    "To: =?utf-8?q?J=C3=B6rg?= <jorg@x.de>\n"
    "Subject: =?iso-8859-1?q?caf=E9?= test\n"
    "From: a@b\n"
    "Content-Type: multipart/mixed; boundary=\"outer\"\n"
    "\n"
    "preamble\n"
    "--outer\n"
    "Content-Type: multipart/alternative; boundary=inner\n"
    "\n"
    "--inner\n"
    "Content-Type: text/plain; charset=UTF-8\n"
    "Content-Transfer-Encoding: quoted-printable\n"
    "\n"
    "caf=C3=A9\n"
    "--inner--\n"
    "--outer\n"
    "Content-Type: application/octet-stream\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "aGVs\n"
    "bG8A\n"
    "--outer\n"
    "Content-Type: message/rfc822\n"
    "\n"
    "From: x@y\n"
    "Subject: inner\n"
    "\n"
    "inner body\n"
    "--outer\n"
    "Content-Type: text/plain\n"
    "Content-Transfer-Encoding: x-uuencode\n"
    "\n"
    "tail without a final boundary\n";

class MailImapSection : public ::testing::Test {
 protected:
  std::string bytes(std::string_view section) {
    std::optional<SectionSpec> spec = parse_section(section);
    EXPECT_TRUE(spec) << section;
    return spec ? section_bytes(kMessage, root_, *spec) : "?";
  }
  BinaryContent binary(std::string_view section) {
    return binary_section(kMessage, root_, *parse_section(section));
  }
  MimePart root_ = parse_mime(kMessage);
};

TEST_F(MailImapSection, ResolvesPartsLikeDovecot) {
  std::string whole = bytes("");
  EXPECT_EQ(whole.size(), kMessage.size() + 33);  // its 33 LFs became CRLF
  EXPECT_EQ(whole.find("\n"), whole.find("\r\n") + 1);
  EXPECT_EQ(bytes("1.1"), "caf=C3=A9");
  EXPECT_EQ(bytes("1.1.MIME"),
            "Content-Type: text/plain; charset=UTF-8\r\n"
            "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
  EXPECT_EQ(bytes("3.MIME"), "Content-Type: message/rfc822\r\n\r\n");
  EXPECT_EQ(bytes("3"), "From: x@y\r\nSubject: inner\r\n\r\ninner body");
  EXPECT_EQ(bytes("3.HEADER"), "From: x@y\r\nSubject: inner\r\n\r\n");
  EXPECT_EQ(bytes("3.TEXT"), "inner body");
  EXPECT_EQ(bytes("3.1"), "inner body");
  EXPECT_EQ(bytes("3.HEADER.FIELDS.NOT (From)"), "Subject: inner\r\n\r\n");
  EXPECT_EQ(bytes("4"), "tail without a final boundary\r\n");
  // HEADER/TEXT of a part that is not message/rfc822, and parts that do not exist: empty.
  EXPECT_EQ(bytes("4.HEADER.FIELDS.NOT (From)"), "");
  EXPECT_EQ(bytes("4.TEXT"), "");
  EXPECT_EQ(bytes("9"), "");
  EXPECT_EQ(bytes("1.1.7.2"), "");
  EXPECT_EQ(bytes("TEXT").substr(0, 19), "preamble\r\n--outer\r\n");
}

TEST_F(MailImapSection, HeaderFieldsKeepMessageOrderAndEndWithBlankLine) {
  EXPECT_EQ(bytes("HEADER.FIELDS (subject \"to\")"),
            "To: =?utf-8?q?J=C3=B6rg?= <jorg@x.de>\r\n"
            "Subject: =?iso-8859-1?q?caf=E9?= test\r\n\r\n");
  EXPECT_EQ(bytes("HEADER.FIELDS (X-None)"), "\r\n");
  EXPECT_EQ(bytes("HEADER.FIELDS.NOT (To Subject Content-Type)"), "From: a@b\r\n\r\n");
}

TEST_F(MailImapSection, BinaryDecodesLeafParts) {
  BinaryContent qp = binary("1.1");
  EXPECT_EQ(qp.status, BinaryContent::Status::kOk);
  EXPECT_EQ(qp.data, "caf\xC3\xA9");
  EXPECT_TRUE(qp.has_8bit);
  EXPECT_FALSE(qp.has_nul);
  BinaryContent b64 = binary("2");
  EXPECT_EQ(b64.data, std::string("hello\0", 6));
  EXPECT_TRUE(b64.has_nul);
  EXPECT_EQ(binary("3").data, "From: x@y\r\nSubject: inner\r\n\r\ninner body");
  EXPECT_EQ(binary("4").status, BinaryContent::Status::kUnknownCte);
  EXPECT_EQ(binary("8").status, BinaryContent::Status::kNoSuchPart);
}

TEST(MailImapSectionSpec, ParsesAndEchoes) {
  auto echo = [](std::string_view s) {
    std::optional<SectionSpec> spec = parse_section(s);
    return spec ? section_to_string(*spec) : std::string("BAD");
  };
  EXPECT_EQ(echo(""), "");
  EXPECT_EQ(echo("header"), "HEADER");
  EXPECT_EQ(echo("1.2.mime"), "1.2.MIME");
  EXPECT_EQ(echo("2.header.fields.not (from \"x y\")"), "2.HEADER.FIELDS.NOT (FROM \"X Y\")");
  EXPECT_EQ(echo("HEADER.FIELDS (From To)"), "HEADER.FIELDS (FROM TO)");
  for (std::string_view bad : {"MIME", "0", "1.", "1..2", "01", "HEADER.FIELDS", "HEADER.FIELDS ()",
                               "HEADER.FIELDS (a", "TEXTX", "1.BOGUS", "99999999999"})
    EXPECT_EQ(echo(bad), "BAD") << bad;
}

TEST(MailImapSectionSpec, TopLevelSinglePartMessage) {
  std::string msg = "Subject: x\n\nbody\n";
  MimePart root = parse_mime(msg);
  EXPECT_EQ(section_bytes(msg, root, *parse_section("1")), "body\r\n");
  EXPECT_EQ(section_bytes(msg, root, *parse_section("1.MIME")), "Subject: x\r\n\r\n");
  EXPECT_EQ(section_bytes(msg, root, *parse_section("2")), "");
  EXPECT_EQ(section_bytes(msg, root, *parse_section("HEADER")), "Subject: x\r\n\r\n");
}

}  // namespace
}  // namespace correio::mail
