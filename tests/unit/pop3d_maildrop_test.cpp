// The POP3 maildrop over a real Maildir: numbering, CRLF sizes, Dovecot UIDLs, the
// session lock, deletions only with UPDATE, \Seen for retrieved messages.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "pop3d/maildrop.hpp"

namespace correio::pop3d {
namespace {

namespace fs = std::filesystem;

class MaildropTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/pop3d-maildrop-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    for (const char* d : {"cur", "new", "tmp"}) fs::create_directories(root_ / d);
    write("new/1700000001.M1P1.host", "Subject: a\n\nhello\n");
    write("new/1700000002.M2P1.host", "Subject: b\n\nworld\nagain\n");
  }
  void TearDown() override { fs::remove_all(root_); }
  void write(const std::string& name, const std::string& text) {
    std::ofstream(root_ / name, std::ios::binary) << text;
  }
  std::unique_ptr<Maildrop> open(Maildrop::Failure* failure = nullptr) {
    Maildrop::Failure ignored;
    auto drop = Maildrop::open(root_, {}, failure ? failure : &ignored);
    if (!drop) return nullptr;
    return std::move(drop.value());
  }
  fs::path root_;
};

TEST_F(MaildropTest, NumbersSizesAndUidls) {
  auto drop = open();
  ASSERT_TRUE(drop);
  ASSERT_EQ(drop->count(), 2u);
  EXPECT_EQ(drop->find(1)->size, 18u + 3u);  // bytes + one CR per line
  EXPECT_EQ(drop->find(2)->size, 24u + 4u);
  EXPECT_EQ(drop->live_size(), 21u + 28u);
  EXPECT_EQ(drop->find(3), nullptr);
  EXPECT_EQ(drop->find(0), nullptr);
  std::string uidl = drop->uidl(*drop->find(2));
  EXPECT_TRUE(std::regex_match(uidl, std::regex("00000002[0-9a-f]{8}"))) << uidl;
  auto bytes = drop->read(*drop->find(1));
  ASSERT_TRUE(bytes);
  EXPECT_EQ(*bytes, "Subject: a\n\nhello\n");
}

TEST_F(MaildropTest, SecondSessionIsRefusedWhileTheFirstIsOpen) {
  auto first = open();
  ASSERT_TRUE(first);
  Maildrop::Failure failure = Maildrop::Failure::none;
  EXPECT_FALSE(open(&failure));
  EXPECT_EQ(failure, Maildrop::Failure::in_use);
  first.reset();
  EXPECT_TRUE(open());
}

TEST_F(MaildropTest, DeletionsNeedUpdateAndRetrievedMessagesGetSeen) {
  {
    auto drop = open();
    drop->find(1)->deleted = true;
    drop->find(2)->retrieved = true;
    auto removed = drop->finish(/*update=*/false);
    ASSERT_TRUE(removed);
    EXPECT_EQ(*removed, 0u);
  }
  {
    auto drop = open();
    ASSERT_EQ(drop->count(), 2u);
    drop->find(1)->deleted = true;
    EXPECT_EQ(drop->live_count(), 1u);
    drop->undelete_all();
    EXPECT_EQ(drop->live_count(), 2u);
    drop->find(1)->deleted = true;
    auto removed = drop->finish(/*update=*/true);
    ASSERT_TRUE(removed);
    EXPECT_EQ(*removed, 1u);
  }
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(root_ / "cur")) names.push_back(e.path().filename());
  ASSERT_EQ(names.size(), 1u);
  EXPECT_TRUE(names[0].starts_with("1700000002.M2P1.host")) << names[0];
  EXPECT_TRUE(names[0].ends_with(":2,S")) << names[0];
}

}  // namespace
}  // namespace correio::pop3d
