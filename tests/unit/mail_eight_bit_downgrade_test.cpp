// The 8BITMIME downgrade (mail/eight_bit_downgrade.hpp): quoted-printable per RFC 2045
// §6.7, and which parts of a MIME tree are converted.
#include <gtest/gtest.h>

#include "mail/eight_bit_downgrade.hpp"
#include "mail/transfer_encoding.hpp"

namespace correio::mail {
namespace {

TEST(MailEightBitDowngrade, QuotedPrintableRules) {
  EXPECT_EQ(encode_quoted_printable("caf\xc3\xa9 = ok\n"), "caf=C3=A9 =3D ok\n");
  // Trailing white space is encoded, inner white space is not.
  EXPECT_EQ(encode_quoted_printable("a b \r\nc\t\n"), "a b=20\nc=09\n");
  std::string long_line(100, 'x');
  std::string encoded = encode_quoted_printable(long_line + "\n");
  EXPECT_EQ(encoded.find('\n'), 76u);  // 75 characters and the soft break "="
  EXPECT_EQ(encoded[75], '=');
  EXPECT_EQ(decode_quoted_printable(encoded), long_line + "\r\n");
  std::string bytes = "\xff\xfe\x80 mixed ====\n";
  // The decoder ends hard line breaks in CRLF (RFC 2045 §6.7 rule 4).
  EXPECT_EQ(decode_quoted_printable(encode_quoted_printable(bytes)), "\xff\xfe\x80 mixed ====\r\n");
}

TEST(MailEightBitDowngrade, SinglePartGetsItsHeaderRelabelled) {
  std::string message =
      "Subject: x\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n"
      "\ncaf\xc3\xa9\n";
  EXPECT_EQ(downgrade_8bit_bodies(message),
            "Subject: x\nContent-Type: text/plain; charset=utf-8\nMIME-Version: 1.0\n"
            "Content-Transfer-Encoding: quoted-printable\n\ncaf=C3=A9\n");
}

TEST(MailEightBitDowngrade, OnlyEightBitLeavesOfAMultipart) {
  std::string message =
      "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n"
      "--b\nContent-Type: text/plain\n\nplain ascii\n"
      "--b\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
      "na\xc3\xafve\n"
      "--b\nContent-Transfer-Encoding: base64\n\nAAAA\n"
      "--b--\n";
  std::string out = downgrade_8bit_bodies(message);
  EXPECT_NE(out.find("--b\nContent-Type: text/plain\n\nplain ascii\n--b\n"), std::string::npos)
      << out;
  EXPECT_NE(out.find("Content-Type: text/plain; charset=utf-8\n"
                     "Content-Transfer-Encoding: quoted-printable\n\nna=C3=AFve\n--b\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("Content-Transfer-Encoding: base64\n\nAAAA\n--b--\n"), std::string::npos);
  for (unsigned char c : out) EXPECT_LT(c, 0x80);
}

}  // namespace
}  // namespace correio::mail
