// delivery::VirtualMailboxes: virtual_mailbox_maps results as paths under
// virtual_mailbox_base (Maildir when ending in "/"), lookup order, refusals.
#include <gtest/gtest.h>

#include "delivery/virtual_mailboxes.hpp"

namespace correio::delivery {
namespace {

TEST(VirtualMailboxes, ResultsBecomePathsUnderTheBase) {
  auto box = mailbox_from_result("/var/vmail", "example.com/bob/");
  ASSERT_TRUE(box.ok());
  EXPECT_EQ(box->path, "/var/vmail/example.com/bob");
  EXPECT_TRUE(box->maildir);
  box = mailbox_from_result("/var/vmail", " /example.com/bob ");
  ASSERT_TRUE(box.ok());
  EXPECT_EQ(box->path, "/var/vmail/example.com/bob");
  EXPECT_FALSE(box->maildir);
  EXPECT_FALSE(mailbox_from_result("/var/vmail", "").ok());
  EXPECT_FALSE(mailbox_from_result("/var/vmail", "/").ok());
  EXPECT_FALSE(mailbox_from_result("/var/vmail", "example.com/../../etc/").ok());
  EXPECT_FALSE(mailbox_from_result("/var/vmail", "./").ok());
  EXPECT_FALSE(mailbox_from_result("/var/vmail", "a/./../").ok());
  EXPECT_TRUE(mailbox_from_result("/var/vmail", "a..b/").ok());
}

TEST(VirtualMailboxes, LookupOrderAndCatchAll) {
  auto opened = VirtualMailboxes::open(
      "inline:{ bob@example.com=example.com/bob/, @example.com=example.com/catchall, "
      "evil@example.com=../x/ }",
      "/var/vmail", "+");
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  auto& boxes = **opened;
  auto bob = boxes.find("Bob+news@Example.com");
  ASSERT_TRUE(bob.ok());
  ASSERT_TRUE(bob->has_value());
  EXPECT_EQ((*bob)->path, "/var/vmail/example.com/bob");
  auto other = boxes.find("anyone@example.com");
  ASSERT_TRUE(other.ok() && other->has_value());
  EXPECT_FALSE((*other)->maildir);
  EXPECT_EQ((*other)->key, "@example.com");
  auto none = boxes.find("bob@other.com");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  EXPECT_FALSE(boxes.find("evil@example.com").ok());
}

TEST(VirtualMailboxes, NotSetOrRelativeBase) {
  auto none = VirtualMailboxes::open("", "", "");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->get(), nullptr);
  auto relative = VirtualMailboxes::open("static:x/", "vmail", "");
  ASSERT_FALSE(relative.ok());
  EXPECT_NE(relative.error().message.find("virtual_mailbox_base"), std::string::npos);
}

}  // namespace
}  // namespace correio::delivery
