// passwd-file user directories: Dovecot's line format, every error path, case-insensitive
// lookup, reload when the file changes, and the user_directory TYPE:NAME dispatch.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "auth/passwd_file.hpp"
#include "auth/user_directory.hpp"

namespace fs = std::filesystem;
using namespace correio::auth;

namespace {

class PasswdFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "correio-users.XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    path_ = root_ / "users";
  }
  void TearDown() override { fs::remove_all(root_); }
  void write(const std::string& text) { std::ofstream(path_, std::ios::trunc) << text; }
  fs::path root_, path_;
};

PasswdFileDirectory::Options always_check() {
  PasswdFileDirectory::Options o;
  o.check_interval = std::chrono::seconds(0);
  return o;
}

}  // namespace

TEST(PasswdFileParse, FullLine) {
  auto c = parse_passwd_file(
      "alice@example.org:{PLAIN}pw:1000:1001:Alice A:/home/alice:/bin/false:"
      "userdb_quota_rule=*:storage=1G nopassword\n",
      "users");
  ASSERT_TRUE(c.warnings.empty()) << c.warnings[0];
  ASSERT_EQ(c.users.size(), 1u);
  const UserRecord& u = c.users[0];
  EXPECT_EQ(u.user, "alice@example.org");
  EXPECT_EQ(u.password, "{PLAIN}pw");
  EXPECT_EQ(u.uid, 1000u);
  EXPECT_EQ(u.gid, 1001u);
  EXPECT_EQ(u.gecos, "Alice A");
  EXPECT_EQ(u.home, "/home/alice");
  EXPECT_EQ(u.shell, "/bin/false");
  ASSERT_EQ(u.extra_fields.size(), 2u);
  EXPECT_EQ(u.extra("userdb_quota_rule"), "*:storage=1G");
  EXPECT_EQ(u.extra("nopassword"), "");
  EXPECT_FALSE(u.extra("missing").has_value());
}

TEST(PasswdFileParse, FewerFieldsCommentsBlankLinesAndCrlf) {
  auto c = parse_passwd_file(
      "# users\n\n   \nbob@example.org:{PLAIN}x\r\n  # indented\ncarol:\n"
      "dave@example.org:pw::::\n",
      "users");
  ASSERT_TRUE(c.warnings.empty()) << c.warnings[0];
  ASSERT_EQ(c.users.size(), 3u);
  EXPECT_EQ(c.users[0].user, "bob@example.org");
  EXPECT_EQ(c.users[0].password, "{PLAIN}x");
  EXPECT_FALSE(c.users[0].uid.has_value());
  EXPECT_EQ(c.users[1].user, "carol");
  EXPECT_EQ(c.users[1].password, "");
  EXPECT_EQ(c.users[2].home, "");
}

TEST(PasswdFileParse, EveryBadLineIsSkippedWithFileAndLine) {
  std::string text =
      "good@example.org:pw\n"                                             // 1
      "nocolon\n"                                                         // 2
      ":pw\n"                                                             // 3
      "bad uid@example.org:pw\n"                                          // 4
      "u1@example.org:pw:abc\n"                                           // 5
      "u2@example.org:pw:1:-1\n"                                          // 6
      "u3@example.org:pw:1:1::home/rel\n"                                 // 7
      "GOOD@example.org:other\n"                                          // 8
      "u4@example.org:pw:1:1:::: =x\n"                                    // 9
      "u5@example.org:pw:4294967295\n"                                    // 10
      + std::string("u6@example.org:p\0w\n", 19) +                        // 11
      "u7@example.org:" + std::string(kMaxPasswdLineLength, 'x') + "\n";  // 12
  auto c = parse_passwd_file(text, "/etc/correio/users");
  ASSERT_EQ(c.users.size(), 1u);
  EXPECT_EQ(c.users[0].user, "good@example.org");
  std::vector<std::string> expected = {
      "/etc/correio/users:2: missing ':' after the user name",
      "/etc/correio/users:3: empty user name",
      "/etc/correio/users:4: invalid character in user name \"bad uid@example.org\"",
      "/etc/correio/users:5: invalid uid \"abc\"",
      "/etc/correio/users:6: invalid gid \"-1\"",
      "/etc/correio/users:7: home directory is not absolute: \"home/rel\"",
      "/etc/correio/users:8: duplicate user \"GOOD@example.org\" (line 1 is used)",
      "/etc/correio/users:9: extra field without a name: \"=x\"",
      "/etc/correio/users:10: invalid uid \"4294967295\"",
      "/etc/correio/users:11: NUL character in line",
      "/etc/correio/users:12: line too long",
  };
  EXPECT_EQ(c.warnings, expected);
}

TEST(PasswdFileParse, NoFinalNewlineAndEmptyInput) {
  EXPECT_EQ(parse_passwd_file("a:b", "f").users.size(), 1u);
  auto empty = parse_passwd_file("", "f");
  EXPECT_TRUE(empty.users.empty());
  EXPECT_TRUE(empty.warnings.empty());
}

TEST_F(PasswdFileTest, LookupIsCaseInsensitive) {
  write("Alice@Example.ORG:{PLAIN}pw:::::\nbob@example.org:x\n");
  auto dir = PasswdFileDirectory::open(path_);
  ASSERT_TRUE(dir.ok()) << dir.error().message;
  auto a = (*dir)->lookup("alice@example.org");
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(a->has_value());
  EXPECT_EQ((*a)->user, "Alice@Example.ORG");
  auto b = (*dir)->lookup("BOB@EXAMPLE.ORG");
  ASSERT_TRUE(b.ok() && b->has_value());
  auto none = (*dir)->lookup("nobody@example.org");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TEST_F(PasswdFileTest, MissingFileFailsToOpen) {
  auto dir = PasswdFileDirectory::open(path_);
  ASSERT_FALSE(dir.ok());
  EXPECT_NE(dir.error().message.find(path_.string()), std::string::npos);
  auto d2 = PasswdFileDirectory::open(root_);  // a directory, not a file
  ASSERT_FALSE(d2.ok());
  EXPECT_NE(d2.error().message.find("not a regular file"), std::string::npos) << d2.error().message;
}

TEST_F(PasswdFileTest, ReloadsWhenTheFileChanges) {
  write("a@example.org:x\n");
  auto dir = PasswdFileDirectory::open(path_, always_check());
  ASSERT_TRUE(dir.ok());
  auto& d = **dir;
  EXPECT_FALSE(d.lookup("b@example.org")->has_value());
  EXPECT_EQ(d.load_count(), 1u);
  write("a@example.org:x\nb@example.org:y\nbroken\n");
  auto b = d.lookup("b@example.org");
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(b->has_value());
  EXPECT_EQ(d.load_count(), 2u);
  // Warnings are handed out once.
  auto w = d.take_warnings();
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0], path_.string() + ":3: missing ':' after the user name");
  EXPECT_TRUE(d.take_warnings().empty());
  // Unchanged file: no re-read.
  EXPECT_TRUE(d.lookup("a@example.org")->has_value());
  EXPECT_EQ(d.load_count(), 2u);
}

TEST_F(PasswdFileTest, VanishedFileIsATemporaryErrorUntilItReturns) {
  write("a@example.org:x\n");
  auto dir = PasswdFileDirectory::open(path_, always_check());
  ASSERT_TRUE(dir.ok());
  fs::remove(path_);
  auto r = (*dir)->lookup("a@example.org");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("stat"), std::string::npos);
  write("a@example.org:x\n");
  auto again = (*dir)->lookup("a@example.org");
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->has_value());
}

TEST_F(PasswdFileTest, ChecksAtMostOncePerInterval) {
  write("a@example.org:x\n");
  PasswdFileDirectory::Options o;
  o.check_interval = std::chrono::hours(1);
  auto dir = PasswdFileDirectory::open(path_, o);
  ASSERT_TRUE(dir.ok());
  write("a@example.org:x\nb@example.org:y\n");
  EXPECT_FALSE((*dir)->lookup("b@example.org")->has_value());
  EXPECT_EQ((*dir)->load_count(), 1u);
}

TEST_F(PasswdFileTest, OpenUserDirectoryDispatchesOnType) {
  write("a@example.org:x\n");
  auto dir = open_user_directory("passwd-file:" + path_.string());
  ASSERT_TRUE(dir.ok()) << dir.error().message;
  EXPECT_TRUE((*dir)->lookup("a@example.org")->has_value());
  auto unknown = open_user_directory("ldap:/etc/x");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("unsupported type \"ldap\""), std::string::npos);
  EXPECT_FALSE(open_user_directory("no-colon").ok());
  EXPECT_FALSE(open_user_directory("passwd-file:" + (root_ / "missing").string()).ok());
}
