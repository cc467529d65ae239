// URLAUTH (RFC 4467): URLAUTH URL parsing (mail/urlauth_url.hpp), the key file, the
// INTERNAL token and the access checks (mailbox/urlauth_keys.hpp).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <vector>

#include "mail/urlauth_url.hpp"
#include "mailbox/urlauth_keys.hpp"
#include "mailbox_test_support.hpp"

namespace correio {
namespace {

using mail::parse_rfc3339;
using mail::parse_urlauth_url;

TEST(UrlauthUrl, FullUrlWithEveryPart) {
  // RFC 4467 §3's example, with an expiry.
  auto u = parse_urlauth_url(
      "imap://joe@example.com/INBOX/;uid=20/;section=1.2;EXPIRE=2026-12-07T10:00:00Z"
      ";urlauth=submit+fred:internal:91354a473744909de610943775f92038",
      true);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->url.user, "joe");
  EXPECT_EQ(u->url.host, "example.com");
  EXPECT_EQ(u->url.mailbox, "INBOX");
  EXPECT_EQ(u->url.uid, 20u);
  EXPECT_EQ(u->url.section, "1.2");
  EXPECT_EQ(u->access, "submit+fred");
  EXPECT_EQ(u->mechanism, "INTERNAL");
  EXPECT_EQ(u->token, "91354a473744909de610943775f92038");
  EXPECT_EQ(u->expire, parse_rfc3339("2026-12-07T10:00:00Z"));
  // The rump is what was signed: up to and with the access identifier, as written.
  EXPECT_EQ(u->rump,
            "imap://joe@example.com/INBOX/;uid=20/;section=1.2;EXPIRE=2026-12-07T10:00:00Z"
            ";urlauth=submit+fred");
}

TEST(UrlauthUrl, RumpAndAccessIdentifiers) {
  auto rump = parse_urlauth_url(
      "imap://a%40b.example@h:143/Drafts/;UID=3;URLAUTH=user+a%40b.example", false);
  ASSERT_TRUE(rump);
  EXPECT_EQ(rump->url.user, "a@b.example");
  EXPECT_EQ(rump->url.host, "h:143");
  EXPECT_EQ(rump->access, "user+a@b.example");
  EXPECT_TRUE(rump->token.empty());
  EXPECT_EQ(parse_urlauth_url("imap://u@h/INBOX/;uid=1;urlauth=AuthUser", false)->access,
            "authuser");
  EXPECT_EQ(parse_urlauth_url("imap://u@h/INBOX/;uid=1;urlauth=ANONYMOUS", false)->access,
            "anonymous");
}

TEST(UrlauthUrl, Refused) {
  const std::string token = ":internal:0123456789abcdef0123456789abcdef";
  const std::vector<std::string> refused = {
      "imap://u@h/INBOX/;uid=1;urlauth=anonymous",                // full wanted, rump given
      "imap://u@h/INBOX/;uid=1;urlauth=anonymous:internal:0123",  // token too short
      "imap://u@h/INBOX/;uid=1;urlauth=anonymous:internal:0123456789abcdef0123456789abcdeg",
      "imap://u@h/INBOX/;uid=1;urlauth=nobody" + token,   // unknown access
      "imap://u@h/INBOX/;uid=1;urlauth=user+" + token,    // user+ without a user
      "imap://h/INBOX/;uid=1;urlauth=anonymous" + token,  // no user
      "/INBOX/;uid=1;urlauth=anonymous" + token,          // relative
      "imap://u@h/INBOX;urlauth=anonymous" + token,       // no message
      "imap://u@h/INBOX/;uid=1;expire=2026-13-01T00:00:00Z;urlauth=anonymous" + token,
      "imap://u@h/INBOX/;uid=1;urlauth=anonymous:int ernal:0123456789abcdef0123456789abcdef",
  };
  for (const auto& bad : refused) {
    EXPECT_FALSE(parse_urlauth_url(bad, true)) << bad;
  }
  EXPECT_FALSE(parse_urlauth_url("imap://u@h/INBOX/;uid=1;urlauth=anonymous" + token, false));
  EXPECT_FALSE(parse_urlauth_url(std::string(9000, 'a'), true));
}

TEST(UrlauthUrl, HostMatches) {
  EXPECT_TRUE(mail::urlauth_host_matches("Mail.Example.test", "mail.example.test"));
  EXPECT_TRUE(mail::urlauth_host_matches("mail.example.test:143", "mail.example.test"));
  EXPECT_TRUE(mail::urlauth_host_matches("[2001:db8::1]:143", "[2001:db8::1]"));
  EXPECT_FALSE(mail::urlauth_host_matches("other.test", "mail.example.test"));
  EXPECT_FALSE(mail::urlauth_host_matches("mail.example.test", ""));  // URLAUTH off
}

TEST(Rfc3339, Forms) {
  EXPECT_EQ(parse_rfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_rfc3339("1970-01-01T01:00:00+01:00"), 0);
  EXPECT_EQ(parse_rfc3339("1969-12-31T23:00:00.123-01:00"), 0);
  EXPECT_EQ(parse_rfc3339("2026-12-07t10:00:00z"), parse_rfc3339("2026-12-07T10:00:00Z"));
  for (const char* bad :
       {"", "2026-12-07", "2026-12-07T10:00:00", "2026-12-07T24:00:00Z", "2026-12-07T10:00:00+1:00",
        "2026-12-07T10:00:00Zjunk", "2026-12-07T10:00:00."}) {
    EXPECT_FALSE(parse_rfc3339(bad)) << bad;
  }
}

class UrlauthKeys : public mailbox_test::TempRoot {};

TEST_F(UrlauthKeys, FileRoundTripAndRefusals) {
  mailbox::UrlauthKeys keys{{"INBOX", std::string(64, 'a')}, {"A folder", std::string(64, '0')}};
  EXPECT_EQ(mailbox::parse_urlauth_keys(mailbox::format_urlauth_keys(keys)), keys);
  EXPECT_EQ(mailbox::parse_urlauth_keys(""), mailbox::UrlauthKeys{});
  EXPECT_FALSE(mailbox::parse_urlauth_keys("correio-urlauth-keys 1\nabc INBOX\n"));
  EXPECT_FALSE(mailbox::parse_urlauth_keys("junk\n"));
  EXPECT_FALSE(
      mailbox::parse_urlauth_keys("correio-urlauth-keys 1\n" + std::string(64, 'a') + " INBOX"));
}

TEST_F(UrlauthKeys, KeysTokensAndChecks) {
  auto user = mailbox::MailUser::open(root_);
  ASSERT_TRUE(user);
  auto none = mailbox::urlauth_key(*user, "INBOX", false);
  ASSERT_TRUE(none);
  EXPECT_EQ(*none, "");
  auto key = mailbox::urlauth_key(*user, "INBOX", true);
  ASSERT_TRUE(key);
  EXPECT_EQ(key->size(), 64u);
  EXPECT_EQ(*mailbox::urlauth_key(*user, "INBOX", true), *key);  // kept, not made again
  struct stat st {};
  ASSERT_EQ(::stat((root_ / "correio-urlauth-keys").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  const std::string rump = "imap://fred@h/INBOX/;uid=1;urlauth=submit+fred";
  std::string token = mailbox::urlauth_token(*key, rump);
  EXPECT_EQ(token.size(), 64u);
  EXPECT_NE(token, mailbox::urlauth_token(*key, rump + "x"));
  auto url = parse_urlauth_url(rump + ":INTERNAL:" + token, true);
  ASSERT_TRUE(url);
  using V = mailbox::UrlauthVerdict;
  mailbox::UrlauthRequester submit{"fred", true}, imap{"fred", false}, other{"joe", true};
  EXPECT_EQ(mailbox::check_urlauth(*user, *url, submit, 0), V::ok);
  EXPECT_EQ(mailbox::check_urlauth(*user, *url, imap, 0), V::not_permitted);
  EXPECT_EQ(mailbox::check_urlauth(*user, *url, other, 0), V::not_permitted);
  auto wrong = *url;
  wrong.token[0] = wrong.token[0] == '0' ? '1' : '0';
  EXPECT_EQ(mailbox::check_urlauth(*user, wrong, submit, 0), V::bad_token);
  auto expiring = *url;
  expiring.expire = 100;
  EXPECT_EQ(mailbox::check_urlauth(*user, expiring, submit, 99), V::ok);
  EXPECT_EQ(mailbox::check_urlauth(*user, expiring, submit, 100), V::expired);
  auto mech = *url;
  mech.mechanism = "XSAMPLE";
  EXPECT_EQ(mailbox::check_urlauth(*user, mech, submit, 0), V::bad_mechanism);
  // RESETKEY: the old token no longer verifies.
  ASSERT_TRUE(mailbox::reset_urlauth_keys(*user, "INBOX"));
  EXPECT_EQ(mailbox::check_urlauth(*user, *url, submit, 0), V::bad_token);
  EXPECT_NE(*mailbox::urlauth_key(*user, "INBOX", true), *key);
  // A corrupt key file is an error, not "no key".
  mailbox_test::TempRoot::spit(root_ / "correio-urlauth-keys", "garbage");
  EXPECT_FALSE(mailbox::urlauth_key(*user, "INBOX", false));
  EXPECT_EQ(mailbox::check_urlauth(*user, *url, submit, 0), V::unavailable);
}

}  // namespace
}  // namespace correio
