// RFC 8970 PREVIEW text (mail/preview.hpp); test_imap_vs_dovecot.py compares the same
// rules with Dovecot's output.
#include <gtest/gtest.h>

#include "mail/preview.hpp"

namespace correio::mail {
namespace {

std::string preview_of(std::string_view message) {
  return message_preview(message, parse_mime(message));
}

TEST(MailPreview, SkipsQuotationsAndFoldsWhitespace) {
  EXPECT_EQ(preview_of("Subject: x\n\nHi,\n\n> quoted\n  > kept\nsome\t\ttext  \n"),
            "Hi, > kept some text");
}

TEST(MailPreview, HtmlTextWithoutStyleOrScript) {
  EXPECT_EQ(html_to_text("<p>a&amp;b&#233;</p><style>x</style><script>y</script>c"),
            " a&b\xC3\xA9   c");  // each tag (and skipped element) is one space
  EXPECT_EQ(preview_of("Content-Type: text/html\n\n<b>Bold</b> text"), "Bold text");
}

TEST(MailPreview, AtMostTwoHundredCharactersNeverSplittingOne) {
  std::string body;
  for (int i = 0; i < 300; ++i) body += "\xC3\xA9";  // é, two bytes each
  std::string p = preview_of("Content-Type: text/plain; charset=utf-8\n\n" + body);
  EXPECT_EQ(p.size(), 400u);  // 200 characters
}

TEST(MailPreview, NoTextPartIsEmpty) {
  EXPECT_EQ(preview_of("Content-Type: image/png\nContent-Transfer-Encoding: base64\n\nAAAA\n"), "");
}

}  // namespace
}  // namespace correio::mail
