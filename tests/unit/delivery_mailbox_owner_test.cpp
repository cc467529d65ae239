// virtual_uid_maps / virtual_gid_maps / virtual_minimum_uid lookups (the file ownership
// itself is checked as root in tests/integration/test_virtual_owner.py).
#include <gtest/gtest.h>

#include "delivery/mailbox_owner.hpp"

namespace correio::delivery {
namespace {

TEST(MailboxOwners, EmptyMapsMeanNoSwitch) {
  auto owners = MailboxOwners::open("", "", 100, "+");
  ASSERT_TRUE(owners.ok());
  EXPECT_FALSE((*owners)->configured());
}

TEST(MailboxOwners, BothMapsAreNeeded) {
  EXPECT_FALSE(MailboxOwners::open("static:5000", "", 100, "").ok());
  EXPECT_FALSE(MailboxOwners::open("", "static:5000", 100, "").ok());
}

TEST(MailboxOwners, StaticAndPerAddressLookups) {
  auto owners = MailboxOwners::open("inline:{ demo@example.test=5001, @example.test=5000 }",
                                    "static:6000", 100, "+");
  ASSERT_TRUE(owners.ok()) << owners.error().message;
  auto demo = (*owners)->owner_of("demo@example.test");
  ASSERT_TRUE(demo.ok()) << demo.error().message;
  EXPECT_EQ(demo->uid, 5001u);
  EXPECT_EQ(demo->gid, 6000u);
  auto extension = (*owners)->owner_of("demo+box@example.test");  // recipient_delimiter
  ASSERT_TRUE(extension.ok());
  EXPECT_EQ(extension->uid, 5001u);
  auto other = (*owners)->owner_of("someone@example.test");  // @domain
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->uid, 5000u);
  auto missing = (*owners)->owner_of("x@elsewhere.test");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message, "recipient x@elsewhere.test: not found in virtual_uid_maps");
}

TEST(MailboxOwners, MinimumUidAndBadValues) {
  auto owners = MailboxOwners::open(
      "inline:{ low@x.test=99, ok@x.test=100, bad@x.test=abc, "
      "root@x.test=0 }",
      "inline:{ @x.test=100, root@x.test=0 }", 100, "");
  ASSERT_TRUE(owners.ok()) << owners.error().message;
  auto low = (*owners)->owner_of("low@x.test");
  ASSERT_FALSE(low.ok());
  EXPECT_EQ(low.error().message, "recipient low@x.test: bad uid 99 in virtual_uid_maps");
  EXPECT_TRUE((*owners)->owner_of("ok@x.test").ok());
  EXPECT_FALSE((*owners)->owner_of("bad@x.test").ok());
  EXPECT_FALSE((*owners)->owner_of("root@x.test").ok());
  // A root group is refused even when the uid is fine.
  auto zero_gid =
      MailboxOwners::open("static:5000", "static:0", 100, "").value()->owner_of("a@x.test");
  ASSERT_FALSE(zero_gid.ok());
  EXPECT_EQ(zero_gid.error().message, "recipient a@x.test: bad gid 0 in virtual_gid_maps");
}

}  // namespace
}  // namespace correio::delivery
