// MIME parsing and decoding for SEARCH and SORT: RFC 2231 parameters, RFC 2047 words,
// transfer encodings, body text, case folding, addresses (src/mail/*).
#include <gtest/gtest.h>

#include "mail/address.hpp"
#include "mail/encoded_words.hpp"
#include "mail/header_fields.hpp"
#include "mail/message_search.hpp"
#include "mail/mime_parser.hpp"
#include "mail/transfer_encoding.hpp"

namespace correio::mail {
namespace {

TEST(MailMimeParser, Rfc2231ContinuationsAndCharsets) {
  std::string msg =
      "Content-Type: application/pdf;\n"
      " name*1*=%20rates.pdf; name*0*=utf-8'en'%E2%82%AC;\n"
      " title*0=\"first \"; title*1=second; x*2=orphan\n"
      "Content-Disposition: attachment; filename*=iso-8859-1''caf%E9.txt\n"
      "\n"
      "data\n";
  MimePart root = parse_mime(msg);
  ASSERT_NE(root.type_param("name"), nullptr);
  EXPECT_EQ(root.type_param("name")->value, "\xE2\x82\xAC rates.pdf");
  EXPECT_EQ(root.type_param("name")->charset, "utf-8");
  EXPECT_EQ(root.type_param("name")->language, "en");
  EXPECT_EQ(root.type_param("name")->wire_name, "name*");
  EXPECT_EQ(root.type_param("name")->wire_value, "utf-8'en'%E2%82%AC%20rates.pdf");
  ASSERT_NE(root.type_param("title"), nullptr);
  EXPECT_EQ(root.type_param("title")->value, "first second");
  EXPECT_FALSE(root.type_param("title")->extended);
  ASSERT_NE(root.type_param("x*2"), nullptr);  // no *0: kept under its written name
  ASSERT_EQ(root.disposition_params.size(), 1u);
  EXPECT_EQ(root.disposition_params[0].value, "caf\xC3\xA9.txt");
}

TEST(MailMimeParser, OffsetsSizesAndDefaults) {
  std::string msg =
      "Content-Type: multipart/digest; boundary=d\r\n\r\n"
      "--d\r\n\r\nFrom: a@b\r\n\r\nx\r\n"
      "--d\r\nContent-Type: text/plain\r\n\r\nline1\r\nline2\r\n"
      "--d--\r\n";
  MimePart root = parse_mime(msg);
  ASSERT_TRUE(root.is_multipart());
  ASSERT_EQ(root.children.size(), 2u);
  const MimePart& digest_part = root.children[0];
  EXPECT_TRUE(digest_part.is_message_rfc822());  // multipart/digest default
  ASSERT_EQ(digest_part.children.size(), 1u);
  EXPECT_EQ(msg.substr(digest_part.body_offset, digest_part.body_size), "From: a@b\r\n\r\nx");
  const MimePart& text = root.children[1];
  // The CRLF before the delimiter belongs to the delimiter (RFC 2046 §5.1.1).
  EXPECT_EQ(msg.substr(text.body_offset, text.body_size), "line1\r\nline2");
  EXPECT_EQ(text.body_lines, 1u);
  EXPECT_EQ(msg.substr(text.header_offset, text.header_size), "Content-Type: text/plain\r\n\r\n");
  EXPECT_EQ(find_part(root, {2}), &text);
  EXPECT_EQ(find_part(root, {1, 1}), &digest_part.children[0]);
  EXPECT_EQ(find_part(root, {3}), nullptr);
  EXPECT_EQ(find_part(root, {}), &root);
}

TEST(MailMimeParser, BoundaryInPreambleAndFoldedHeaders) {
  std::string msg =
      "Content-Type: multipart/mixed;\n"
      "\tboundary=\"b b\"\n"
      "\n"
      "--b bx is not ours... but prefix matching makes it a delimiter, as in Dovecot\n"
      "\n"
      "one\n"
      "--b b\n"
      "\n"
      "two\n";
  MimePart root = parse_mime(msg);
  ASSERT_EQ(root.children.size(), 2u);
  EXPECT_EQ(msg.substr(root.children[1].body_offset, root.children[1].body_size), "two\n");
}

TEST(MailEncodedWords, DecodesRfc2047) {
  EXPECT_EQ(decode_encoded_words("=?iso-8859-1?q?caf=E9?= test"), "caf\xC3\xA9 test");
  EXPECT_EQ(decode_encoded_words("=?UTF-8?B?w6k=?= =?UTF-8?B?w6k=?="), "\xC3\xA9\xC3\xA9");
  EXPECT_EQ(decode_encoded_words("a =?utf-8?q?b_c?= d"), "a b c d");
  EXPECT_EQ(decode_encoded_words("=?utf-8*fr?q?x?="), "x");
  EXPECT_EQ(decode_encoded_words("=?koi8-r?b?8NLJ18XU?="),
            "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82");
  EXPECT_EQ(decode_encoded_words("=?bogus-charset?q?abc?="), "abc");
  EXPECT_EQ(decode_encoded_words("=?utf-8?x?abc?= =?broken"), "=?utf-8?x?abc?= =?broken");
  EXPECT_EQ(decode_encoded_words("raw \xFF byte"), "raw \xEF\xBF\xBD byte");
}

TEST(MailTransferEncoding, DecodesLeniently) {
  EXPECT_EQ(decode_base64("aGVs\r\nbG8=\r\n"), "hello");
  EXPECT_EQ(decode_base64("aG!!VsbG8"), "hello");
  EXPECT_EQ(decode_quoted_printable("soft=\nbreak=20\ntrail   \n=3D=ZZ"),
            "softbreak \r\ntrail\r\n==ZZ");
  EXPECT_EQ(classify_transfer_encoding(" Base64 "), TransferEncoding::kBase64);
  EXPECT_EQ(classify_transfer_encoding(""), TransferEncoding::kIdentity);
  EXPECT_EQ(classify_transfer_encoding("8BIT"), TransferEncoding::kIdentity);
  EXPECT_EQ(classify_transfer_encoding("x-uuencode"), TransferEncoding::kUnknown);
  EXPECT_FALSE(decode_transfer_encoding("x", "x-uuencode"));
}

TEST(MailSearch, DecodedHeadersAndBodyText) {
  std::string msg =
      "Subject: =?iso-8859-1?q?R=E9sum=E9?=\n"
      "Content-Type: multipart/mixed; boundary=b\n"
      "\n"
      "--b\n"
      "Content-Type: text/plain; charset=iso-8859-1\n"
      "Content-Transfer-Encoding: quoted-printable\n"
      "\n"
      "Gr=FC=DFe\n"
      "--b\n"
      "Content-Type: image/png\n"
      "Content-Transfer-Encoding: base64\n"
      "\n"
      "c2VjcmV0\n"
      "--b\n"
      "Content-Type: text/html; charset=utf-8\n"
      "Content-Transfer-Encoding: base64\n"
      "\n"
      "PHA+SGVsbG88L3A+\n"
      "--b--\n";
  MimePart root = parse_mime(msg);
  std::string header = msg.substr(0, root.header_size);
  EXPECT_EQ(decoded_header_values(header, "subject"),
            std::vector<std::string>{"R\xC3\xA9sum\xC3\xA9"});
  std::string body = decoded_body_text(msg, root);
  EXPECT_NE(body.find("Gr\xC3\xBC\xC3\x9F"
                      "e"),
            std::string::npos);
  EXPECT_NE(body.find("<p>Hello</p>"), std::string::npos);
  EXPECT_EQ(body.find("secret"), std::string::npos);  // not a text part
  EXPECT_TRUE(utf8_contains_ci(body, "GRÜ"));
  EXPECT_TRUE(utf8_contains_ci(decoded_header_text(header), "subject: résumé"));
}

TEST(MailSearch, CaseFolding) {
  EXPECT_EQ(utf8_casefold("HeLLo ÀÉÎÕÜ ŁŚŽ ΑΒΓ ЖЁ"), "hello àéîõü łśž αβγ жё");
  EXPECT_TRUE(utf8_contains_ci("Straße", "STRASSE") == false);  // no full folding of ß
  EXPECT_TRUE(utf8_contains_ci("x", ""));
  EXPECT_FALSE(utf8_contains_ci("abc", "abd"));
  EXPECT_EQ(utf8_casefold("\xFF"), "\xEF\xBF\xBD");
}

TEST(MailAddress, SortKeys) {
  EXPECT_EQ(sort_key_mailbox("\"Joe\" <JOE@x.org>, b@c"), "JOE");
  EXPECT_EQ(sort_key_mailbox("group: a@b;"), "group");  // as ENVELOPE and Dovecot have it
  EXPECT_EQ(sort_key_mailbox(""), "");
  EXPECT_EQ(sort_key_display("=?utf-8?q?J=C3=B6rg?= <j@x>"), "J\xC3\xB6rg");
  EXPECT_EQ(sort_key_display("j@x (Comment Name)"), "Comment Name");
  EXPECT_EQ(sort_key_display("<j@x>"), "j@x");
  EXPECT_EQ(sort_key_display("undisclosed-recipients:;"), "undisclosed-recipients");
}

TEST(MailHeaderFields, SplitsUnfoldsAndFinds) {
  std::string header = "A: 1\r\nB: two\r\n  lines\r\nNoColon\r\nA:3\r\n\r\nbody";
  HeaderExtent e = find_header_end(header);
  EXPECT_TRUE(e.has_blank_line);
  EXPECT_EQ(header.substr(e.header_size), "body");
  EXPECT_EQ(header_values(header, "a"), (std::vector<std::string>{"1", "3"}));
  std::string b;
  EXPECT_TRUE(first_header_value(header, "B", b));
  EXPECT_EQ(b, "two  lines");
  EXPECT_FALSE(first_header_value(header, "C", b));
  EXPECT_EQ(to_crlf("a\nb\r\nc"), "a\r\nb\r\nc");
  EXPECT_EQ(count_lines("a\nb\n"), 2u);
}

}  // namespace
}  // namespace correio::mail
