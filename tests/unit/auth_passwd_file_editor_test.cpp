// Editing a passwd-file: lines other than the one changed stay byte for byte, the file's
// mode survives the rename, duplicates and missing users are refused, and the readers
// see the result.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "auth/passwd_file.hpp"
#include "auth/user_editor.hpp"

namespace fs = std::filesystem;
using namespace correio::auth;

namespace {

class PasswdFileEditorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "correio-edit.XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    path_ = root_ / "users";
    auto e = open_user_editor("passwd-file:" + path_.string(), EditorOptions{});
    ASSERT_TRUE(e.ok());
    editor_ = std::move(e).value();
  }
  void TearDown() override { fs::remove_all(root_); }
  void write(const std::string& text) { std::ofstream(path_, std::ios::trunc) << text; }
  std::string read() {
    std::ifstream in(path_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  fs::path root_, path_;
  std::unique_ptr<UserEditor> editor_;
};

UserRecord make_user(std::string name, std::string password) {
  UserRecord u;
  u.user = std::move(name);
  u.password = std::move(password);
  return u;
}

}  // namespace

TEST_F(PasswdFileEditorTest, AddCreatesTheFileWithMode0640) {
  UserRecord u = make_user("alice@example.org", "{PLAIN}pw");
  u.uid = 1000;
  u.home = "/home/alice";
  u.extra_fields = {{"userdb_quota_rule", "*:storage=1G"}, {"nodelay", ""}};
  ASSERT_TRUE(editor_->add(u).ok());
  EXPECT_EQ(read(),
            "alice@example.org:{PLAIN}pw:1000:::/home/alice::userdb_quota_rule=*:storage=1G "
            "nodelay\n");
  struct stat st {};
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  // What we wrote parses back to the same user.
  auto parsed = parse_passwd_file(read(), "users");
  ASSERT_EQ(parsed.users.size(), 1u);
  EXPECT_TRUE(parsed.warnings.empty());
  EXPECT_EQ(parsed.users[0].uid, 1000u);
  EXPECT_EQ(parsed.users[0].extra("userdb_quota_rule"), "*:storage=1G");
}

TEST_F(PasswdFileEditorTest, EditsKeepOtherLinesAndTheMode) {
  write(
      "# the users\n"
      "bob@example.org:{PLAIN}old:::::: userdb_quota_rule=*:storage=2G\n"
      "\n"
      "carol@example.org:{PLAIN}c\n"
      "# end, no newline");
  ::chmod(path_.c_str(), 0604);
  ASSERT_TRUE(editor_->set_password("BOB@example.org", "{PLAIN}new").ok());
  ASSERT_TRUE(editor_->set_password("carol@example.org", "{PLAIN}c2").ok());
  ASSERT_TRUE(editor_->add(make_user("dave@example.org", "{PLAIN}d")).ok());
  EXPECT_EQ(read(),
            "# the users\n"
            "bob@example.org:{PLAIN}new:::::: userdb_quota_rule=*:storage=2G\n"
            "\n"
            "carol@example.org:{PLAIN}c2\n"
            "# end, no newline\n"
            "dave@example.org:{PLAIN}d::::::\n");
  ASSERT_TRUE(editor_->remove("bob@example.org").ok());
  EXPECT_EQ(read().substr(0, 14), "# the users\n\nc");
  struct stat st {};
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0604u);
  EXPECT_FALSE(fs::exists(root_ / "users.tmp"));
}

TEST_F(PasswdFileEditorTest, RefusesDuplicatesMissingUsersAndColons) {
  write("alice@example.org:{PLAIN}a\n");
  EXPECT_EQ(editor_->add(make_user("Alice@Example.org", "{PLAIN}x")).error().message,
            "user Alice@Example.org exists already");
  EXPECT_EQ(editor_->remove("zed@example.org").error().message, "no such user: zed@example.org");
  EXPECT_FALSE(editor_->set_password("alice@example.org", "a:b").ok());
  UserRecord u = make_user("x@example.org", "{PLAIN}x");
  u.home = "/a\nb";
  EXPECT_FALSE(editor_->add(u).ok());
  EXPECT_EQ(read(), "alice@example.org:{PLAIN}a\n");  // nothing changed
}

TEST_F(PasswdFileEditorTest, ARunningDirectorySeesTheChange) {
  write("alice@example.org:{PLAIN}a\n");
  PasswdFileDirectory::Options o;
  o.check_interval = std::chrono::seconds(0);
  auto dir = PasswdFileDirectory::open(path_, o);
  ASSERT_TRUE(dir.ok());
  ASSERT_TRUE(editor_->add(make_user("bob@example.org", "{PLAIN}b")).ok());
  auto found = (*dir)->lookup("bob@example.org");
  ASSERT_TRUE(found.ok() && found->has_value());
  auto list = (*dir)->list_users();
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(*list, (std::vector<std::string>{"alice@example.org", "bob@example.org"}));
}
