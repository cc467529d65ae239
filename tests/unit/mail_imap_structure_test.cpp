// IMAP ENVELOPE / BODY / BODYSTRUCTURE (src/mail/imap_structure.hpp). Expected strings are
// what Dovecot 2.3.19 printed for the same messages (FETCH after APPEND), except where
// docs/mime.md records a deliberate difference (lowercase types, quoted display names).
#include <gtest/gtest.h>

#include "mail/imap_structure.hpp"

namespace correio::mail {
namespace {

const std::string kNested =
    "From: \"Joe Q. Public\" <john.q.public@example.com>, Undisclosed recipients:;, A Group:Ed "
    "Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;\n"
    "To: =?utf-8?q?J=C3=B6rg?= <jorg@x.de>\n"
    "Subject: =?iso-8859-1?q?caf=E9?= test\n"
    "Date: Tue, 1 Jul 2003 10:52:37 +0200\n"
    "Message-ID: <1234@local.machine.example>\n"
    "In-Reply-To: <abc@x>\n"
    "MIME-Version: 1.0\n"
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
    "--inner\n"
    "Content-Type: text/html; charset=\"utf-8\"\n"
    "Content-Language: en, de\n"
    "Content-Location: http://x/y\n"
    "Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==\n"
    "\n"
    "<p>x</p>\n"
    "--inner--\n"
    "--outer\n"
    "Content-Type: application/pdf; name*0*=utf-8''%E2%82%AC; name*1*=%20rates.pdf\n"
    "Content-Disposition: attachment; filename*=utf-8''%E2%82%AC%20rates.pdf; size=3\n"
    "Content-Transfer-Encoding: base64\n"
    "Content-ID: <part3@x>\n"
    "Content-Description: the rates\n"
    "\n"
    "aGVsbG8=\n"
    "--outer\n"
    "Content-Type: message/rfc822\n"
    "\n"
    "From: x@y\n"
    "Subject: inner\n"
    "\n"
    "inner body\n"
    "--outer\n"
    "Content-Type: text/plain; name=\"a \\\"q\\\" b\"; x=(comment) y\n"
    "\n"
    "tail no final boundary\n";

TEST(MailImapStructure, NestedMessageMatchesDovecot) {
  EXPECT_EQ(imap_message_size(kNested), 1191u);
  EXPECT_EQ(
      imap_body_structure(kNested, true),
      "(((\"text\" \"plain\" (\"charset\" \"UTF-8\") NIL NIL \"quoted-printable\" 9 0 NIL NIL NIL "
      "NIL)(\"text\" \"html\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 8 0 "
      "\"Q2hlY2sgSW50ZWdyaXR5IQ==\" NIL (\"en\" \"de\") \"http://x/y\") \"alternative\" "
      "(\"boundary\" \"inner\") NIL NIL NIL)(\"application\" \"pdf\" (\"name*\" "
      "\"utf-8''%E2%82%AC%20rates.pdf\") \"<part3@x>\" \"the rates\" \"base64\" 8 NIL "
      "(\"attachment\" (\"size\" \"3\" \"filename*\" \"utf-8''%E2%82%AC%20rates.pdf\")) NIL "
      "NIL)(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 39 (NIL \"inner\" ((NIL NIL \"x\" "
      "\"y\")) ((NIL NIL \"x\" \"y\")) ((NIL NIL \"x\" \"y\")) NIL NIL NIL NIL NIL) (\"text\" "
      "\"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 10 0 NIL NIL NIL NIL) 3 NIL NIL "
      "NIL NIL)(\"text\" \"plain\" (\"name\" \"a \\\"q\\\" b\" \"x\" \"y\" \"charset\" "
      "\"us-ascii\") NIL NIL \"7bit\" 24 1 NIL NIL NIL NIL) \"mixed\" (\"boundary\" \"outer\") "
      "NIL NIL NIL)");
  EXPECT_EQ(
      imap_body_structure(kNested, false),
      "(((\"text\" \"plain\" (\"charset\" \"UTF-8\") NIL NIL \"quoted-printable\" 9 "
      "0)(\"text\" \"html\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 8 0) "
      "\"alternative\")(\"application\" \"pdf\" (\"name*\" \"utf-8''%E2%82%AC%20rates.pdf\") "
      "\"<part3@x>\" \"the rates\" \"base64\" 8)(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 39 "
      "(NIL \"inner\" ((NIL NIL \"x\" \"y\")) ((NIL NIL \"x\" \"y\")) ((NIL NIL \"x\" \"y\")) "
      "NIL NIL NIL NIL NIL) (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 10 "
      "0) 3)(\"text\" \"plain\" (\"name\" \"a \\\"q\\\" b\" \"x\" \"y\" \"charset\" "
      "\"us-ascii\") NIL NIL \"7bit\" 24 1) \"mixed\")");
}

TEST(MailImapStructure, EnvelopeWithGroupsMatchesDovecot) {
  std::string header = kNested.substr(0, kNested.find("\n\n") + 2);
  std::string from =
      "((\"Joe Q. Public\" NIL \"john.q.public\" \"example.com\")(NIL NIL \"Undisclosed "
      "recipients\" NIL)(NIL NIL NIL NIL)(NIL NIL \"A Group\" NIL)(\"Ed Jones\" NIL \"c\" "
      "\"a.test\")(NIL NIL \"joe\" \"where.test\")(\"John\" NIL \"jdoe\" \"one.test\")(NIL NIL "
      "NIL NIL))";
  EXPECT_EQ(imap_envelope(header),
            "(\"Tue, 1 Jul 2003 10:52:37 +0200\" \"=?iso-8859-1?q?caf=E9?= test\" " + from + " " +
                from + " " + from +
                " ((\"=?utf-8?q?J=C3=B6rg?=\" NIL \"jorg\" \"x.de\")) NIL NIL \"<abc@x>\" "
                "\"<1234@local.machine.example>\")");
}

TEST(MailImapStructure, EnvelopeOfBrokenAddressesMatchesDovecot) {
  std::string header =
      "From: john@x.example (John Doe)\n"
      "Sender: \"a b\"@x.y, Bad Person <bad>, <@route1,@route2:r@x.z>, \"Mary  Smith\"   "
      "<mary@x>, plain\n"
      "Reply-To: undisclosed-recipients:;\n"
      "To: Joe   Q.   Public <j@x>, =?utf-8?b?w6k=?= <e@x>, foo@, @bar, \"\" <empty@x>\n"
      "Cc: group: a@b, c@d; , after@x\n"
      "Bcc: <>\n"
      "Subject: Re: [list] Fwd: hello (fwd)\n"
      "Message-ID: \n"
      "\n";
  // Dovecot sends "Mary Smith" as a literal {10} because it collapsed whitespace; we send
  // the same text quoted.
  EXPECT_EQ(imap_envelope(header),
            "(NIL \"Re: [list] Fwd: hello (fwd)\" ((\"John Doe\" NIL \"john\" \"x.example\")) "
            "((NIL NIL \"a b\" \"x.y\")(\"Bad Person\" NIL \"bad\" \"MISSING_DOMAIN\")(NIL "
            "\"@route1,@route2\" \"r\" \"x.z\")(\"Mary Smith\" NIL \"mary\" \"x\")(NIL NIL "
            "\"plain\" \"MISSING_DOMAIN\")) ((NIL NIL \"undisclosed-recipients\" NIL)(NIL NIL NIL "
            "NIL)) ((\"Joe Q. Public\" NIL \"j\" \"x\")(\"=?utf-8?b?w6k=?=\" NIL \"e\" \"x\")(NIL "
            "NIL \"foo\" \"MISSING_DOMAIN\")(NIL NIL \"MISSING_MAILBOX\" \"bar\")(NIL NIL "
            "\"empty\" \"x\")) ((NIL NIL \"group\" NIL)(NIL NIL \"a\" \"b\")(NIL NIL \"c\" "
            "\"d\")(NIL NIL NIL NIL)(NIL NIL \"after\" \"x\")) ((NIL NIL \"MISSING_MAILBOX\" "
            "\"MISSING_DOMAIN\")) NIL \"\")");
}

TEST(MailImapStructure, DegenerateMultipartsMatchDovecot) {
  const std::string empty_text =
      "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0 NIL NIL NIL NIL)";
  // No boundary parameter, and a boundary that never appears: one empty text/plain child.
  EXPECT_EQ(imap_body_structure("Content-Type: multipart/mixed\n\nhello\n", true),
            "(" + empty_text + " \"mixed\" NIL NIL NIL NIL)");
  EXPECT_EQ(
      imap_body_structure("Content-Type: multipart/mixed; boundary=zz\n\nhello\n--yy\n", true),
      "(" + empty_text + " \"mixed\" (\"boundary\" \"zz\") NIL NIL NIL)");
  // The longest matching boundary wins ("--abc" delimits "ab", not "a").
  EXPECT_EQ(imap_body_structure(
                "Content-Type: multipart/mixed; boundary=a\n\n--a\nContent-Type: "
                "multipart/mixed; boundary=ab\n\n--ab\n\nx\n--abc\n\ny\n--a\n\nz\n--a--\n",
                false),
            "(((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 1 0)(\"text\" "
            "\"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 1 0) \"mixed\")(\"text\" "
            "\"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 1 0) \"mixed\")");
  // A message/rfc822 top level with a header-only embedded message.
  EXPECT_EQ(imap_body_structure("Content-Type: message/rfc822\n\nSubject: y\n", true),
            "(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 12 (NIL \"y\" NIL NIL NIL NIL NIL NIL "
            "NIL NIL) " +
                empty_text + " 1 NIL NIL NIL NIL)");
  // No header/body separator at all.
  EXPECT_EQ(imap_body_structure("Subject: x\r\n", false),
            "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0)");
  EXPECT_EQ(imap_body_structure("", false),
            "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0)");
}

TEST(MailImapStructure, CrlfAndBareLfGiveTheSameSizes) {
  std::string lf = "Content-Type: text/plain\n\nline1\nline2\n";
  std::string crlf = "Content-Type: text/plain\r\n\r\nline1\r\nline2\r\n";
  EXPECT_EQ(imap_body_structure(lf, true), imap_body_structure(crlf, true));
  EXPECT_EQ(imap_message_size(lf), crlf.size());
}

TEST(MailImapStructure, DeepNestingIsCutOff) {
  std::string msg;
  for (int i = 0; i < 500; ++i)
    msg += "Content-Type: multipart/mixed; boundary=b" + std::to_string(i) + "\n\n--b" +
           std::to_string(i) + "\n";
  msg += "\nleaf\n";
  std::string bs = imap_body_structure(msg, true);
  EXPECT_EQ(bs.front(), '(');
  EXPECT_EQ(bs.back(), ')');
  // The innermost parsed multipart has Dovecot's placeholder child.
  EXPECT_NE(bs.find("\"7bit\" 0 0"), std::string::npos);
  std::size_t depth = 0, max_depth = 0;
  for (char c : bs) {
    if (c == '(') max_depth = std::max(max_depth, ++depth);
    if (c == ')') --depth;
  }
  EXPECT_LE(max_depth, static_cast<std::size_t>(kMaxMimeDepth) + 3);
}

TEST(MailImapStructure, StringQuoting) {
  EXPECT_EQ(imap_string("plain"), "\"plain\"");
  EXPECT_EQ(imap_string("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(imap_string("caf\xC3\xA9"), "{5}\r\ncaf\xC3\xA9");
  EXPECT_EQ(imap_string("a\r\nb"), "{4}\r\na\r\nb");
  EXPECT_EQ(imap_string(std::string(1024, 'x')).substr(0, 8), "{1024}\r\n");
  EXPECT_EQ(imap_nstring(nullptr), "NIL");
  EXPECT_EQ(imap_nstring("", true), "\"\"");
  EXPECT_EQ(imap_nstring("x", false), "NIL");
}

}  // namespace
}  // namespace correio::mail
