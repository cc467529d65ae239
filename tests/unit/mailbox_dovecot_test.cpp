// Interoperability with a real Dovecot: its imap binary runs in PREAUTH mode over
// stdin/stdout on the same Maildir. A Maildir written by Correio must open in Dovecot with
// the same UIDs, UIDVALIDITY, flags, keywords, folders and subscriptions, and the other way
// round. Skipped only when /usr/lib/dovecot/imap is not installed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <regex>

#include "mailbox/mailbox.hpp"
#include "mailbox_test_support.hpp"

using namespace correio::mailbox;
namespace fs = std::filesystem;

namespace {

constexpr const char* kDovecotImap = "/usr/lib/dovecot/imap";

class MailboxDovecotTest : public mailbox_test::TempRoot {
 protected:
  void SetUp() override {
    if (::access(kDovecotImap, X_OK) != 0) GTEST_SKIP() << kDovecotImap << " not installed";
    TempRoot::SetUp();
    spit(base_ / "dovecot.conf", "mail_location = maildir:" + root_.string() +
                                     "\n"
                                     "namespace inbox {\n  inbox = yes\n}\n"
                                     "first_valid_uid = 0\nfirst_valid_gid = 0\n"
                                     "log_path = /dev/stderr\n");
  }

  // Runs one IMAP script through Dovecot and returns what it answered. Dovecot refuses
  // to touch mail as root, so as root the Maildir is handed to nobody for the run.
  std::string dovecot(const std::string& script) {
    spit(base_ / "script", script);
    // stdin must be a pipe: Dovecot's ioloop cannot poll a regular file.
    std::string run =
        "cat " + (base_ / "script").string() + " | env -i HOME=" + base_.string() + " USER=test ";
    if (::geteuid() == 0) {
      std::string chown = "chown -R 65534:65534 " + base_.string();
      EXPECT_EQ(std::system(chown.c_str()), 0);
      run += "setpriv --reuid=65534 --regid=65534 --clear-groups ";
    }
    run += std::string(kDovecotImap) + " -c " + (base_ / "dovecot.conf").string() + " > " +
           (base_ / "out").string() + " 2>&1";
    EXPECT_EQ(std::system(run.c_str()), 0) << slurp(base_ / "out");
    return slurp(base_ / "out");
  }

  static std::string literal(const std::string& text) {
    return "{" + std::to_string(text.size()) + "+}\r\n" + text;
  }
  static std::string match(const std::string& text, const std::string& re) {
    std::smatch m;
    if (!std::regex_search(text, m, std::regex(re))) return "";
    return m.size() > 1 ? m[1].str() : m[0].str();
  }
};

TEST_F(MailboxDovecotTest, MaildirWrittenByCorreioOpensInDovecot) {
  auto user = MailUser::open(root_, MailUserOptions{"Sent=\\Sent", "test.host"});
  ASSERT_TRUE(user) << user.error().message;
  uint32_t inbox_validity = 0, projects_validity = 0;
  {
    auto inbox = user->open_mailbox("INBOX");
    ASSERT_TRUE(inbox);
    ASSERT_TRUE((*inbox)->append("Subject: one\r\n\r\nfirst\r\n", Flags{kSeen, {"Work"}}));
    ASSERT_TRUE((*inbox)->append("Subject: two\r\n\r\nsecond\r\n", Flags{kFlagged, {}}));
    ASSERT_TRUE((*inbox)->sync());
    ASSERT_TRUE((*inbox)->store_flags(std::vector<uint32_t>{2}, StoreMode::kAdd,
                                      Flags{kAnswered, {"$Forwarded"}}));
    inbox_validity = (*inbox)->uid_validity();
    ASSERT_TRUE(user->create_folder("Projects.2024"));
    auto projects = user->open_mailbox("Projects.2024");
    ASSERT_TRUE(projects);
    ASSERT_TRUE((*projects)->append("Subject: p\r\n\r\np\r\n", Flags{kDraft, {}}));
    ASSERT_TRUE((*projects)->sync());
    projects_validity = (*projects)->uid_validity();
    ASSERT_TRUE(user->subscribe("Projects.2024"));
  }
  std::string out = dovecot(
      "a SELECT INBOX\r\n"
      "b UID FETCH 1:* (FLAGS RFC822.SIZE)\r\n"
      "c LSUB \"\" \"*\"\r\n"
      "d STATUS Projects.2024 (MESSAGES UIDNEXT UIDVALIDITY)\r\n"
      "e LIST \"\" \"*\"\r\n"
      "f LOGOUT\r\n");
  EXPECT_EQ(match(out, R"(\[UIDVALIDITY (\d+)\])"), std::to_string(inbox_validity)) << out;
  std::string one = match(out, R"(\* \d+ FETCH \(UID 1 [^\r]*)");
  std::string two = match(out, R"(\* \d+ FETCH \(UID 2 [^\r]*)");
  EXPECT_NE(one.find("\\Seen"), std::string::npos) << out;
  EXPECT_NE(one.find("Work"), std::string::npos) << out;
  EXPECT_NE(one.find("RFC822.SIZE 23"), std::string::npos) << out;
  EXPECT_NE(two.find("\\Flagged"), std::string::npos) << out;
  EXPECT_NE(two.find("\\Answered"), std::string::npos) << out;
  EXPECT_NE(two.find("$Forwarded"), std::string::npos) << out;
  EXPECT_EQ(two.find("Work"), std::string::npos) << out;
  EXPECT_NE(out.find("* LSUB () \".\" Projects.2024"), std::string::npos) << out;
  EXPECT_NE(out.find("* STATUS Projects.2024 (MESSAGES 1 UIDNEXT 2 UIDVALIDITY " +
                     std::to_string(projects_validity) + ")"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("\".\" Sent"), std::string::npos) << out;
  EXPECT_NE(out.find("f OK"), std::string::npos) << out;
}

TEST_F(MailboxDovecotTest, MaildirWrittenByDovecotOpensInCorreio) {
  std::string out =
      dovecot("a APPEND INBOX (\\Flagged foo) " + literal("Subject: one\r\n\r\nhello\r\n") +
              "\r\n" + "b APPEND INBOX () " + literal("Subject: two\r\n\r\nworld\r\n") + "\r\n" +
              "c CREATE Lists.rust\r\n"
              "d SUBSCRIBE Lists.rust\r\n"
              "e SELECT INBOX\r\n"
              "f STORE 2 +FLAGS (bar \\Seen)\r\n"
              "g LOGOUT\r\n");
  ASSERT_NE(out.find("f OK"), std::string::npos) << out;
  std::string validity = match(out, R"(\[UIDVALIDITY (\d+)\])");

  auto user = MailUser::open(root_, MailUserOptions{"", "test.host"});
  ASSERT_TRUE(user) << user.error().message;
  auto inbox = user->open_mailbox("INBOX");
  ASSERT_TRUE(inbox);
  auto sync = (*inbox)->sync();
  ASSERT_TRUE(sync) << sync.error().message;
  EXPECT_EQ(std::to_string((*inbox)->uid_validity()), validity);
  const auto& msgs = (*inbox)->messages();
  ASSERT_EQ(msgs.size(), 2u);
  EXPECT_EQ(msgs[0].uid, 1u);
  EXPECT_EQ(msgs[1].uid, 2u);
  EXPECT_TRUE(msgs[0].flags.has(kFlagged));
  EXPECT_TRUE(msgs[0].flags.has_keyword("foo"));
  EXPECT_TRUE(msgs[1].flags.has(kSeen));
  EXPECT_TRUE(msgs[1].flags.has_keyword("bar"));
  EXPECT_FALSE(msgs[1].flags.has_keyword("foo"));
  EXPECT_EQ(msgs[0].vsize, 23u);
  auto body = (*inbox)->read_message(1);
  ASSERT_TRUE(body);
  EXPECT_EQ(*body, "Subject: one\n\nhello\n");

  auto folders = user->list_folders();
  ASSERT_TRUE(folders);
  bool found = false;
  for (const auto& f : *folders) found |= f.name == "Lists.rust" && f.exists;
  EXPECT_TRUE(found);
  auto subs = user->subscriptions();
  ASSERT_TRUE(subs);
  EXPECT_EQ(*subs, std::vector<std::string>{"Lists.rust"});

  // And back: Correio changes flags and appends, Dovecot sees it with the same UIDs.
  ASSERT_TRUE(
      (*inbox)->store_flags(std::vector<uint32_t>{1}, StoreMode::kAdd, Flags{kSeen, {"Later"}}));
  auto third = (*inbox)->append("Subject: three\r\n\r\n!\r\n", {});
  ASSERT_TRUE(third);
  EXPECT_EQ(*third, 3u);
  out = dovecot("a SELECT INBOX\r\nb UID FETCH 1:* (FLAGS)\r\nc LOGOUT\r\n");
  std::string one = match(out, R"(\* \d+ FETCH \(UID 1 [^\r]*)");
  EXPECT_NE(one.find("\\Seen"), std::string::npos) << out;
  EXPECT_NE(one.find("Later"), std::string::npos) << out;
  EXPECT_NE(one.find("foo"), std::string::npos) << out;
  EXPECT_NE(out.find("FETCH (UID 3 "), std::string::npos) << out;
  EXPECT_EQ(match(out, R"(\[UIDVALIDITY (\d+)\])"), validity);
}

}  // namespace
