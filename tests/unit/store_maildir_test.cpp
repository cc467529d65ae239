// Maildir++ delivery: Dovecot's names and S=/W= sizes, tmp -> new, uniqueness under
// concurrency, failures that leave nothing behind, and virtual mailbox paths.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/mailbox_path.hpp"
#include "store/maildir.hpp"
#include "store/maildir_name.hpp"

namespace fs = std::filesystem;
using namespace correio::store;

namespace {

class MaildirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "correio-maildir.XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
  }
  void TearDown() override {
    fs::permissions(root_, fs::perms::owner_all, fs::perm_options::add);
    fs::remove_all(root_);
  }
  std::vector<fs::path> files(const fs::path& dir) const {
    std::vector<fs::path> out;
    if (!fs::exists(dir)) return out;
    for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path());
    return out;
  }
  static std::string read(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), {}};
  }
  fs::path root_;
};

MaildirOptions options() {
  MaildirOptions o;
  o.host_part = "mail.example.org";
  return o;
}

}  // namespace

TEST(MaildirName, HostPartEscapesSlashAndColon) {
  EXPECT_EQ(maildir_host_part("mail.example.org"), "mail.example.org");
  EXPECT_EQ(maildir_host_part("a/b:c"), "a\\057b\\072c");
}

TEST(MaildirName, UniqueNameHasDovecotForm) {
  EXPECT_EQ(maildir_unique_name(1700000000, 123456, 4242, 7, "host"),
            "1700000000.M123456P4242Q7.host");
  std::string a = maildir_unique_name("host"), b = maildir_unique_name("host");
  EXPECT_NE(a, b);
  EXPECT_TRUE(std::regex_match(a, std::regex(R"(\d+\.M\d+P\d+Q\d+\.host)"))) << a;
  EXPECT_EQ(maildir_sized_name("1.M2P3Q4.h", 120, 125), "1.M2P3Q4.h,S=120,W=125");
}

TEST(MaildirName, DeliveryOrderComparesTimesAsNumbers) {
  // Same second: 99999 microseconds is earlier than 100000, though it sorts after as text.
  EXPECT_TRUE(maildir_name_before("1700000000.M99999P1Q1.h", "1700000000.M100000P1Q2.h"));
  EXPECT_FALSE(maildir_name_before("1700000000.M100000P1Q2.h", "1700000000.M99999P1Q1.h"));
  EXPECT_TRUE(maildir_name_before("999999999.M500P1Q1.h", "1000000000.M1P1Q1.h"));
  // Same time: the whole names decide, so the order is total.
  EXPECT_TRUE(maildir_name_before("1.M2P3Q4.a", "1.M2P3Q4.b"));
  EXPECT_FALSE(maildir_name_before("1.M2P3Q4.a", "1.M2P3Q4.a"));
  // Names of other programs (no ".M"): by seconds, then as text.
  EXPECT_TRUE(maildir_name_before("1700000000.12345_1.host", "1700000001.1_1.host"));
  std::vector<std::string> names = {"5.M100000P1Q3.h", "5.M99999P1Q2.h", "4.M7P1Q1.h"};
  std::sort(names.begin(), names.end(), maildir_name_before);
  EXPECT_EQ(names, (std::vector<std::string>{"4.M7P1Q1.h", "5.M99999P1Q2.h", "5.M100000P1Q3.h"}));
}

TEST_F(MaildirTest, DeliversIntoNewWithSizesInTheName) {
  fs::path md = root_ / "example.org" / "bob";
  std::string prefix = "Return-Path: <a@example.org>\nDelivered-To: bob@example.org\n";
  std::string body = "Subject: hi\n\nline one\nline two\n";
  auto name = deliver_to_maildir(md, prefix, {body}, options());
  ASSERT_TRUE(name.ok()) << name.error().message;
  auto in_new = files(md / "new");
  ASSERT_EQ(in_new.size(), 1u);
  EXPECT_EQ(in_new[0].filename().string(), *name);
  EXPECT_TRUE(files(md / "tmp").empty());
  EXPECT_TRUE(files(md / "cur").empty());
  std::string content = read(in_new[0]);
  EXPECT_EQ(content, prefix + body);
  size_t lf = static_cast<size_t>(std::count(content.begin(), content.end(), '\n'));
  std::smatch m;
  ASSERT_TRUE(std::regex_match(
      *name, m, std::regex(R"(\d+\.M\d+P\d+Q\d+\.mail\.example\.org,S=(\d+),W=(\d+))")))
      << *name;
  EXPECT_EQ(std::stoul(m[1]), content.size());
  EXPECT_EQ(std::stoul(m[2]), content.size() + lf);
  for (const char* sub : {"", "cur", "new", "tmp"}) {
    struct stat st {};
    ASSERT_EQ(::stat((md / sub).c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u) << sub;
  }
}

TEST_F(MaildirTest, ContentIsStoredUnchangedAfterThePrefix) {
  fs::path md = root_ / "md";
  std::string body = "Subject: x\n\nbody\nbare\rCR\n";
  auto name = deliver_to_maildir(md, "Delivered-To: x@y\n", {body}, options());
  ASSERT_TRUE(name.ok()) << name.error().message;
  std::string expected = "Delivered-To: x@y\nSubject: x\n\nbody\nbare\rCR\n";
  EXPECT_EQ(read(md / "new" / *name), expected);
  EXPECT_NE(name->find(",S=" + std::to_string(expected.size()) +
                       ",W=" + std::to_string(expected.size() + 5)),
            std::string::npos)
      << *name;
}

TEST_F(MaildirTest, ConcurrentDeliveriesGetDistinctNames) {
  fs::path md = root_ / "md";
  constexpr int kThreads = 4, kEach = 50;
  std::vector<std::thread> threads;
  std::vector<int> failures(kThreads, 0);
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i)
        if (!deliver_to_maildir(md, "", {"x\n"}, options()).ok()) ++failures[t];
    });
  for (auto& t : threads) t.join();
  for (int f : failures) EXPECT_EQ(f, 0);
  auto in_new = files(md / "new");
  std::set<std::string> names;
  for (const auto& p : in_new) names.insert(p.filename().string());
  EXPECT_EQ(names.size(), size_t{kThreads * kEach});
  EXPECT_TRUE(files(md / "tmp").empty());
}

TEST_F(MaildirTest, ReadOnlyMaildirFailsAndLeavesNothing) {
  if (::geteuid() == 0) GTEST_SKIP() << "root ignores permissions";
  fs::path md = root_ / "md";
  ASSERT_TRUE(ensure_maildir(md).ok());
  // Neither the unnamed file in new/ nor the tmp/ file can be created.
  fs::permissions(md / "new", fs::perms::owner_read | fs::perms::owner_exec);
  fs::permissions(md / "tmp", fs::perms::owner_read | fs::perms::owner_exec);
  MaildirFailure failure;
  auto name = deliver_to_maildir(md, "", {"x\n"}, options(), &failure);
  fs::permissions(md / "tmp", fs::perms::owner_all);
  fs::permissions(md / "new", fs::perms::owner_all);
  ASSERT_FALSE(name.ok());
  EXPECT_NE(name.error().message.find("create maildir file"), std::string::npos);
  EXPECT_EQ(failure.dsn, "4.2.0");
  EXPECT_FALSE(failure.permanent);
  EXPECT_TRUE(files(md / "new").empty());
}

TEST_F(MaildirTest, UnwritableMaildirFailsEvenForRoot) {
  // new/ is a file: creating the message file fails whoever we are.
  fs::path md = root_ / "md";
  fs::create_directories(md / "tmp");
  fs::create_directories(md / "cur");
  std::ofstream(md / "new") << "not a directory";
  MaildirFailure failure;
  auto name = deliver_to_maildir(md, "", {"x\n"}, options(), &failure);
  ASSERT_FALSE(name.ok());
  EXPECT_EQ(name.error().message.rfind("maildir delivery failed: ", 0), 0u) << name.error().message;
  EXPECT_EQ(failure.dsn[0], '4');
  EXPECT_FALSE(failure.permanent);
  EXPECT_TRUE(files(md / "tmp").empty());
}

TEST_F(MaildirTest, MessageOverLimitBouncesWithoutWriting) {
  fs::path md = root_ / "md";
  MaildirOptions o = options();
  o.size_limit = 10;
  MaildirFailure failure;
  auto name = deliver_to_maildir(md, "Delivered-To: a@b\n", {"0123456789\n"}, o, &failure);
  ASSERT_FALSE(name.ok());
  EXPECT_EQ(name.error().message, "maildir delivery failed: message file too big");
  EXPECT_EQ(failure.dsn, "5.2.2");
  EXPECT_TRUE(failure.permanent);
  EXPECT_TRUE(files(md / "new").empty());
  EXPECT_TRUE(files(md / "tmp").empty());

  o.size_limit = 100;
  EXPECT_TRUE(deliver_to_maildir(md, "", {"0123456789\n"}, o).ok());
}

TEST(MailboxPath, UnderTheBaseByDomainAndLocalPart) {
  auto p = virtual_maildir_path("/var/mail/vhosts", "Bob@Example.ORG", "");
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(*p, fs::path("/var/mail/vhosts/example.org/bob"));
}

TEST(MailboxPath, HomeWins) {
  auto p = virtual_maildir_path("/var/mail/vhosts", "bob@example.org", "/home/bob");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(*p, fs::path("/home/bob/Maildir"));
  EXPECT_FALSE(virtual_maildir_path("/b", "bob@example.org", "home/bob").ok());
}

TEST(MailboxPath, RefusesPathsThatLeaveTheBase) {
  EXPECT_FALSE(virtual_maildir_path("", "bob@example.org", "").ok());
  EXPECT_FALSE(virtual_maildir_path("relative", "bob@example.org", "").ok());
  EXPECT_FALSE(virtual_maildir_path("/b", "bob", "").ok());
  EXPECT_FALSE(virtual_maildir_path("/b", "..@example.org", "").ok());
  EXPECT_FALSE(virtual_maildir_path("/b", "a/b@example.org", "").ok());
  EXPECT_FALSE(virtual_maildir_path("/b", "bob@..", "").ok());
  EXPECT_FALSE(virtual_maildir_path("/b", "@example.org", "").ok());
}
