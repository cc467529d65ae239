// resolve::RecipientTables: each address class's table searched in Postfix's order, the
// unix:passwd.byname table, a table that cannot be opened failing (never "unknown").
#include <gtest/gtest.h>

#include "maps_test_support.hpp"
#include "resolve/recipient_tables.hpp"

namespace correio::resolve {
namespace {

class RecipientTablesTest : public maps::testing::TempDirTest {};

std::optional<bool> known(RecipientTables& t, AddressClass c, std::string_view address) {
  auto r = t.known(c, address);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? *r : std::nullopt;
}

TEST_F(RecipientTablesTest, EmptyListsCheckNothing) {
  auto tables = RecipientTables::open({});
  EXPECT_TRUE(tables.open_errors().empty());
  for (auto c : {AddressClass::kLocal, AddressClass::kVirtualMailbox, AddressClass::kRelay}) {
    EXPECT_FALSE(tables.has_table(c));
    EXPECT_EQ(known(tables, c, "x@example.com"), std::nullopt);
  }
}

TEST_F(RecipientTablesTest, VirtualAndRelayUseFullAddressThenCatchAll) {
  RecipientTableSettings s;
  s.virtual_mailbox_maps = "texthash:" + write("vmail", "bob@v.test v.test/bob/\n@any.test x\n");
  s.relay_recipient_maps = "inline:{ carol@r.test=OK }";
  s.recipient_delimiter = "+";
  auto tables = RecipientTables::open(s);
  EXPECT_EQ(known(tables, AddressClass::kVirtualMailbox, "bob@v.test"), true);
  EXPECT_EQ(known(tables, AddressClass::kVirtualMailbox, "Bob+tag@V.test"), true);
  EXPECT_EQ(known(tables, AddressClass::kVirtualMailbox, "eve@v.test"), false);
  EXPECT_EQ(known(tables, AddressClass::kVirtualMailbox, "whoever@any.test"), true);
  // The bare local part is not a key outside local domains.
  EXPECT_EQ(known(tables, AddressClass::kVirtualMailbox, "bob@elsewhere.test"), false);
  EXPECT_EQ(known(tables, AddressClass::kRelay, "carol@r.test"), true);
  EXPECT_EQ(known(tables, AddressClass::kRelay, "dave@r.test"), false);
  EXPECT_EQ(known(tables, AddressClass::kLocal, "dave@r.test"), std::nullopt);
}

TEST_F(RecipientTablesTest, LocalMatchesPasswdAndAliasesByLocalPart) {
  RecipientTableSettings s;
  s.alias_maps = "texthash:" + write("aliases", "info: root\n");
  s.local_recipient_maps = "proxy:unix:passwd.byname " + s.alias_maps;
  s.recipient_delimiter = "+";
  auto tables = RecipientTables::open(s);
  EXPECT_TRUE(tables.open_errors().empty());
  EXPECT_EQ(known(tables, AddressClass::kLocal, "root@localhost"), true);
  EXPECT_EQ(known(tables, AddressClass::kLocal, "ROOT+x@localhost"), true);
  EXPECT_EQ(known(tables, AddressClass::kLocal, "info@localhost"), true);  // aliases(5) syntax
  EXPECT_EQ(known(tables, AddressClass::kLocal, "no-such-user-xyz@localhost"), false);
}

TEST_F(RecipientTablesTest, MissingTableFailsLookupsThatReachIt) {
  RecipientTableSettings s;
  s.local_recipient_maps = "unix:passwd.byname hash:" + (root_ / "missing").string();
  s.relay_recipient_maps = "hash:" + (root_ / "missing").string();
  auto tables = RecipientTables::open(s);
  ASSERT_EQ(tables.open_errors().size(), 2u);
  EXPECT_NE(tables.open_errors()[0].find("local_recipient_maps: "), std::string::npos);
  // passwd answers before the broken table is reached.
  EXPECT_EQ(known(tables, AddressClass::kLocal, "root@localhost"), true);
  EXPECT_FALSE(tables.known(AddressClass::kLocal, "nobody-xyz@localhost").ok());
  EXPECT_FALSE(tables.known(AddressClass::kRelay, "a@r.test").ok());
}

TEST(UnixMap, PasswdAndGroupLinesAsPostfixFormatsThem) {
  auto passwd = maps::open_map("unix:passwd.byname");
  ASSERT_TRUE(passwd.ok());
  auto root = (*passwd)->lookup("Root");
  ASSERT_TRUE(root.ok());
  ASSERT_TRUE(root->has_value());
  EXPECT_EQ(root->value().rfind("root:", 0), 0u);
  EXPECT_NE(root->value().find(":0:0:"), std::string::npos);
  auto none = (*passwd)->lookup("no-such-user-xyz");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  auto group = maps::open_map("unix:group.byname");
  ASSERT_TRUE(group.ok());
  auto g = (*group)->lookup("root");
  ASSERT_TRUE(g.ok() && g->has_value());
  EXPECT_EQ(g->value().rfind("root:", 0), 0u);
  EXPECT_FALSE(maps::open_map("unix:shadow.byname").ok());
}

}  // namespace
}  // namespace correio::resolve
