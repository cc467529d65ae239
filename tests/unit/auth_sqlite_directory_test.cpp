// The sqlite: user directory and its editor: the schema created on first use, lookups
// (case-insensitive, NULL columns, extra columns as userdb_ fields), add/passwd/del in
// transactions, list, and the errors for a missing file or a file without the table.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>

#include "auth/password.hpp"
#include "auth/sqlite_directory.hpp"
#include "auth/user_directory.hpp"
#include "auth/user_editor.hpp"
#include "sql/sqlite_db.hpp"

namespace fs = std::filesystem;
using namespace correio::auth;

namespace {

class SqliteDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "correio-sqlite.XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    path_ = root_ / "users.db";
    spec_ = "sqlite:" + path_.string();
  }
  void TearDown() override { fs::remove_all(root_); }

  std::unique_ptr<UserEditor> editor() {
    auto e = open_user_editor(spec_, EditorOptions{});
    EXPECT_TRUE(e.ok()) << (e ? "" : e.error().message);
    return e ? std::move(e).value() : nullptr;
  }
  std::unique_ptr<UserDirectory> directory() {
    auto d = open_user_directory(spec_);
    EXPECT_TRUE(d.ok()) << (d ? "" : d.error().message);
    return d ? std::move(d).value() : nullptr;
  }

  fs::path root_, path_;
  std::string spec_;
};

UserRecord make_user(std::string name, std::string password) {
  UserRecord u;
  u.user = std::move(name);
  u.password = std::move(password);
  return u;
}

}  // namespace

TEST_F(SqliteDirectoryTest, EditorCreatesTheFileWithTheSchemaAndMode0640) {
  ASSERT_FALSE(fs::exists(path_));
  auto e = editor();
  ASSERT_TRUE(e);
  struct stat st {};
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  auto db = correio::sql::SqliteDb::open(path_, correio::sql::SqliteDb::Mode::read_only);
  ASSERT_TRUE(db.ok());
  auto columns = db->query("SELECT name FROM pragma_table_info('users') ORDER BY cid");
  ASSERT_TRUE(columns.ok());
  std::vector<std::string> names;
  for (const auto& row : *columns) names.push_back(*row[0].second);
  EXPECT_EQ(names,
            (std::vector<std::string>{"user", "password", "uid", "gid", "home", "quota_rule"}));
}

TEST_F(SqliteDirectoryTest, AddLookupPasswdDelete) {
  auto e = editor();
  UserRecord alice = make_user("alice@example.org", *hash_password("SHA512-CRYPT", "pw1"));
  alice.uid = 5000;
  alice.gid = 5001;
  alice.home = "/srv/mail/alice";
  alice.extra_fields = {{"userdb_quota_rule", "*:storage=1G"}};
  ASSERT_TRUE(e->add(alice).ok());
  ASSERT_TRUE(e->add(make_user("bob@example.org", "{PLAIN}pw2")).ok());
  auto again = e->add(make_user("ALICE@example.org", "{PLAIN}x"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().message, "user ALICE@example.org exists already");

  auto d = directory();
  auto found = d->lookup("Alice@Example.ORG");
  ASSERT_TRUE(found.ok()) << found.error().message;
  ASSERT_TRUE(found->has_value());
  const UserRecord& a = **found;
  EXPECT_EQ(a.user, "alice@example.org");
  EXPECT_EQ(a.uid, 5000u);
  EXPECT_EQ(a.gid, 5001u);
  EXPECT_EQ(a.home, "/srv/mail/alice");
  EXPECT_EQ(a.extra("userdb_quota_rule"), "*:storage=1G");
  EXPECT_TRUE(verify_password(a.password, "pw1"));

  auto bob = d->lookup("bob@example.org");
  ASSERT_TRUE(bob.ok() && bob->has_value());
  EXPECT_FALSE((*bob)->uid);  // NULL columns are left out
  EXPECT_TRUE((*bob)->home.empty());
  EXPECT_TRUE((*bob)->extra_fields.empty());

  // The directory sees changes made while it is open.
  ASSERT_TRUE(e->set_password("BOB@example.org", "{PLAIN}new").ok());
  bob = d->lookup("bob@example.org");
  ASSERT_TRUE(bob.ok() && bob->has_value());
  EXPECT_EQ((*bob)->password, "{PLAIN}new");
  ASSERT_TRUE(e->remove("bob@example.org").ok());
  bob = d->lookup("bob@example.org");
  ASSERT_TRUE(bob.ok());
  EXPECT_FALSE(bob->has_value());

  EXPECT_EQ(e->remove("bob@example.org").error().message, "no such user: bob@example.org");
  EXPECT_EQ(e->set_password("nobody", "{PLAIN}x").error().message, "no such user: nobody");
  auto list = d->list_users();
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(*list, std::vector<std::string>{"alice@example.org"});
}

TEST_F(SqliteDirectoryTest, ColumnsAnAdministratorAddsBecomeExtraFields) {
  ASSERT_TRUE(editor()->add(make_user("carol@example.org", "{PLAIN}x")).ok());
  auto db = correio::sql::SqliteDb::open(path_, correio::sql::SqliteDb::Mode::read_write);
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(db->exec("ALTER TABLE users ADD COLUMN mail TEXT;"
                       "UPDATE users SET mail = 'maildir:~/Mail'")
                  .ok());
  auto found = directory()->lookup("carol@example.org");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->extra("userdb_mail"), "maildir:~/Mail");
}

TEST_F(SqliteDirectoryTest, BadRowsAndBadFilesAreErrors) {
  ASSERT_TRUE(editor()->add(make_user("dave@example.org", "{PLAIN}x")).ok());
  auto db = correio::sql::SqliteDb::open(path_, correio::sql::SqliteDb::Mode::read_write);
  ASSERT_TRUE(db->exec("UPDATE users SET home = 'relative/path'").ok());
  auto found = directory()->lookup("dave@example.org");
  ASSERT_FALSE(found.ok());  // a temporary error, not "unknown user"
  EXPECT_NE(found.error().message.find("home directory is not absolute"), std::string::npos);

  EXPECT_FALSE(open_user_directory("sqlite:" + (root_ / "missing.db").string()).ok());
  auto empty =
      correio::sql::SqliteDb::open(root_ / "empty.db", correio::sql::SqliteDb::Mode::create);
  ASSERT_TRUE(empty->exec("CREATE TABLE other (x)").ok());
  auto no_table = open_user_directory("sqlite:" + (root_ / "empty.db").string());
  ASSERT_FALSE(no_table.ok());
  EXPECT_NE(no_table.error().message.find("no such table: users"), std::string::npos);
}

TEST_F(SqliteDirectoryTest, EditorRefusesServerDirectoriesAndBadNames) {
  for (std::string spec : {"pgsql:/etc/x.cf", "mysql:/etc/x.cf", "unix:"}) {
    auto e = open_user_editor(spec, EditorOptions{});
    ASSERT_FALSE(e.ok()) << spec;
    EXPECT_NE(e.error().message.find("own tools"), std::string::npos);
  }
  EXPECT_FALSE(editor()->add(make_user("bad user", "{PLAIN}x")).ok());
  EXPECT_FALSE(editor()->add(make_user("bad:user", "{PLAIN}x")).ok());
  EXPECT_FALSE(editor()->add(make_user("", "{PLAIN}x")).ok());
}
