// The unix: user directory: system accounts from passwd and, as root, their shadow
// hashes verified with crypt(3). As root the test creates (and removes) its own account.
#include <gtest/gtest.h>
#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "auth/password.hpp"
#include "auth/unix_directory.hpp"
#include "auth/user_directory.hpp"

using namespace correio::auth;

TEST(UnixDirectory, FindsRootWithAndWithoutADomain) {
  UnixDirectory dir;
  for (std::string key : {"root", "ROOT", "root@example.org"}) {
    auto found = dir.lookup(key);
    ASSERT_TRUE(found.ok()) << found.error().message;
    ASSERT_TRUE(found->has_value()) << key;
    EXPECT_EQ((*found)->user, "root");
    EXPECT_EQ((*found)->uid, 0u);
    EXPECT_EQ((*found)->gid, 0u);
    EXPECT_EQ((*found)->home, ::getpwnam("root")->pw_dir);
  }
}

TEST(UnixDirectory, UnknownAccountsAreNotErrors) {
  UnixDirectory dir;
  for (std::string key : {"no-such-account-correio", "@example.org", ""}) {
    auto found = dir.lookup(key);
    ASSERT_TRUE(found.ok()) << key;
    EXPECT_FALSE(found->has_value()) << key;
  }
}

TEST(UnixDirectory, ListsAccountsAndIsReachableByItsType) {
  auto dir = open_user_directory("unix:");
  ASSERT_TRUE(dir.ok());
  auto users = (*dir)->list_users();
  ASSERT_TRUE(users.ok());
  EXPECT_NE(std::find(users->begin(), users->end(), "root"), users->end());
}

// Needs root: useradd with a known SHA512-CRYPT hash, then the shadow password must
// verify; a locked account must have no usable password.
TEST(UnixDirectory, ShadowPasswordOfACreatedAccountVerifies) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to create an account";
  if (std::system("command -v useradd >/dev/null 2>&1") != 0) GTEST_SKIP() << "no useradd";
  std::string name = "correiot" + std::to_string(::getpid() % 100000);
  auto hash = hash_password("SHA512-CRYPT", "unix-pw");
  ASSERT_TRUE(hash.ok());
  std::string crypt_hash = split_password_scheme(*hash).second.data();
  std::string add =
      "useradd -M -N -d /nonexistent -s /usr/sbin/nologin -p '" + crypt_hash + "' " + name;
  ASSERT_EQ(std::system(add.c_str()), 0);
  struct Cleanup {
    std::string name;
    ~Cleanup() { (void)std::system(("userdel " + name + " 2>/dev/null").c_str()); }
  } cleanup{name};

  UnixDirectory dir;
  auto found = dir.lookup(name + "@example.org");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->password, "{CRYPT}" + crypt_hash);
  EXPECT_TRUE(verify_password((*found)->password, "unix-pw"));
  EXPECT_FALSE(verify_password((*found)->password, "wrong"));
  EXPECT_EQ((*found)->home, "/nonexistent");

  ASSERT_EQ(std::system(("usermod -L " + name).c_str()), 0);
  found = dir.lookup(name);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->password, "");  // locked: "!$6$...": no password login
}
