// cleanup's address rewriting: Postfix's lookup order, extensions, "@domain" results,
// canonical classes and order, masquerading with exceptions, virtual alias recursion,
// one-to-many, self-reference, loops and both limits, bcc copies, header addresses with
// display names and comments, the duplicate filter, and relocated_maps in the resolver.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "cleanup/address_rewrite.hpp"
#include "cleanup/duplicate_filter.hpp"
#include "cleanup/generic_maps.hpp"
#include "cleanup/header_address.hpp"
#include "cleanup/masquerade.hpp"
#include "config/config.hpp"
#include "config/main_cf.hpp"
#include "resolve/resolver.hpp"

namespace correio::cleanup {
namespace {

namespace fs = std::filesystem;

class AddressRewrite : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("cleanup_rw_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A texthash: table with these lines.
  std::string table(const std::string& name, const std::string& lines) {
    fs::path p = dir_ / name;
    std::ofstream(p) << lines;
    return "texthash:" + p.string();
  }

  AddressRewriter open(const std::string& extra, const ReceiveOverrides& overrides = {}) {
    std::string text =
        "myhostname = mail.example.com\nmydomain = example.com\nmyorigin = example.com\n"
        "mydestination = example.com, localhost\nrecipient_delimiter = +\n" +
        extra;
    auto main_cf = config::MainCf::parse(text, "main.cf");
    EXPECT_TRUE(main_cf.ok());
    auto config = config::Config::from_main_cf(*main_cf, "/nonexistent");
    EXPECT_TRUE(config.ok());
    auto r = AddressRewriter::open(*config, overrides);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return std::move(*r);
  }

  static std::vector<std::string> rcpt(AddressRewriter& r, std::string_view a) {
    auto got = r.recipient(a);
    EXPECT_TRUE(got.ok()) << got.error().message;
    return got->addresses;
  }
  static std::string sender(AddressRewriter& r, std::string_view a) {
    auto got = r.sender(a);
    EXPECT_TRUE(got.ok()) << got.error().message;
    return *got;
  }

  fs::path dir_;
};

using V = std::vector<std::string>;

// canonical(5): user+ext@domain, user@domain, user+ext, user (local domains), @domain.
// Each round removes the key that answered and shows the next one answers.
TEST_F(AddressRewrite, LookupOrderFollowsPostfix) {
  std::vector<std::string> lines = {"joe+x@example.com full@example.net",
                                    "joe@example.com bare@example.net",
                                    "joe+x localext@example.net", "joe localuser@example.net",
                                    "@example.com catchall@example.net"};
  for (size_t first = 0; first < lines.size(); ++first) {
    std::string text;
    for (size_t i = first; i < lines.size(); ++i) text += lines[i] + "\n";
    auto r = open("recipient_canonical_maps = " + table("t" + std::to_string(first), text) +
                  "\npropagate_unmatched_extensions =\n");
    std::string want = lines[first].substr(lines[first].find(' ') + 1);
    EXPECT_EQ(rcpt(r, "joe+x@example.com"), V{want}) << lines[first];
  }
}

TEST_F(AddressRewrite, UserKeysOnlyForLocalDomains) {
  auto r = open("recipient_canonical_maps = " + table("t", "joe joe@local.example\n"));
  EXPECT_EQ(rcpt(r, "joe@example.com"), V{"joe@local.example"});
  EXPECT_EQ(rcpt(r, "joe@elsewhere.example"), V{"joe@elsewhere.example"});
  // A bare address is completed with $myorigin first.
  EXPECT_EQ(rcpt(r, "joe"), V{"joe@local.example"});
  EXPECT_EQ(rcpt(r, "ann"), V{"ann@example.com"});
  // A result without a domain is completed too (Postfix's mail_addr_crunch()).
  auto bare = open("canonical_maps = " + table("b", "bob bobby\n"));
  EXPECT_EQ(rcpt(bare, "bob@example.com"), V{"bobby@example.com"});
}

TEST_F(AddressRewrite, UnmatchedExtensionIsPropagated) {
  std::string t = table("t", "joe@example.com joseph@example.org\n");
  auto on = open("canonical_maps = " + t);
  EXPECT_EQ(rcpt(on, "joe+news@example.com"), V{"joseph+news@example.org"});
  EXPECT_EQ(sender(on, "joe+news@example.com"), "joseph+news@example.org");
  auto off = open("canonical_maps = " + t + "\npropagate_unmatched_extensions = virtual\n");
  EXPECT_EQ(rcpt(off, "joe+news@example.com"), V{"joseph@example.org"});
}

TEST_F(AddressRewrite, AtDomainResultKeepsTheUser) {
  auto r = open("sender_canonical_maps = " + table("t", "@old.example @new.example\n"));
  EXPECT_EQ(sender(r, "ann@old.example"), "ann@new.example");
  EXPECT_EQ(sender(r, ""), "");  // <> is never rewritten
  // recipient_canonical_maps is not sender_canonical_maps.
  EXPECT_EQ(rcpt(r, "ann@old.example"), V{"ann@old.example"});
}

TEST_F(AddressRewrite, CanonicalClassesAndOrder) {
  std::string sc = table("sc", "ann@example.com a.first@example.com\n");
  std::string c =
      table("c", "a.first@example.com final@example.com\nbob@example.com b@example.com\n");
  auto r = open("sender_canonical_maps = " + sc + "\ncanonical_maps = " + c +
                "\ncanonical_classes = envelope_sender\n");
  EXPECT_EQ(sender(r, "ann@example.com"), "final@example.com");
  EXPECT_EQ(rcpt(r, "bob@example.com"), V{"bob@example.com"});  // not envelope_recipient
  auto bad = config::MainCf::parse("canonical_classes = envelope_sender, bogus\n", "main.cf");
  auto config = config::Config::from_main_cf(*bad, "/nonexistent");
  auto refused = AddressRewriter::open(*config, {});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("canonical_classes: unknown address class: bogus"),
            std::string::npos);
}

TEST_F(AddressRewrite, SenderAndRecipientCanonicalClassesAreTheirOwn) {
  // postconf(5): sender_canonical_classes and recipient_canonical_classes govern their
  // tables alone; canonical_classes governs canonical_maps.
  std::string sc = table("sc", "ann@example.com a.first@example.com\n");
  std::string rc = table("rc", "bob@example.com b.second@example.com\n");
  std::string c = table("c", "ann@example.com canon@example.com\n");
  auto r = open("sender_canonical_maps = " + sc + "\nrecipient_canonical_maps = " + rc +
                "\ncanonical_maps = " + c +
                "\nsender_canonical_classes = header_sender"
                "\nrecipient_canonical_classes = envelope_recipient\n");
  // The envelope sender skips sender_canonical_maps but still meets canonical_maps.
  EXPECT_EQ(sender(r, "ann@example.com"), "canon@example.com");
  EXPECT_EQ(rcpt(r, "bob@example.com"), V{"b.second@example.com"});
  for (const char* bad :
       {"sender_canonical_classes = envelope_recipient\n",
        "recipient_canonical_classes = header_sender\n", "sender_canonical_classes = bogus\n"}) {
    auto parsed = config::MainCf::parse(bad, "main.cf");
    auto config = config::Config::from_main_cf(*parsed, "/nonexistent");
    auto refused = AddressRewriter::open(*config, {});
    EXPECT_FALSE(refused.ok()) << bad;
  }
}

TEST(Masquerade, ParentsExceptionsAndOrder) {
  Masquerade m({"!sub.example.com", "example.com"}, {"root"});
  EXPECT_EQ(m.apply("joe@host.example.com"), "joe@example.com");
  EXPECT_EQ(m.apply("joe@a.b.example.com"), "joe@example.com");
  EXPECT_EQ(m.apply("joe@example.com"), "joe@example.com");
  EXPECT_EQ(m.apply("joe@host.sub.example.com"), "joe@host.sub.example.com");
  EXPECT_EQ(m.apply("root@host.example.com"), "root@host.example.com");
  EXPECT_EQ(m.apply("joe@notexample.com"), "joe@notexample.com");
  Masquerade first({"example.com", "!sub.example.com"}, {});
  EXPECT_EQ(first.apply("joe@host.sub.example.com"), "joe@example.com");  // first item wins
}

TEST_F(AddressRewrite, MasqueradeClasses) {
  auto r = open("masquerade_domains = example.com\n");
  EXPECT_EQ(sender(r, "joe@host.example.com"), "joe@example.com");
  // Not in the default masquerade_classes: envelope recipients stay.
  EXPECT_EQ(rcpt(r, "joe@host.example.com"), V{"joe@host.example.com"});
  auto all = open("masquerade_domains = example.com\nmasquerade_classes = envelope_recipient\n");
  EXPECT_EQ(rcpt(all, "joe@host.example.com"), V{"joe@example.com"});
  EXPECT_EQ(sender(all, "joe@host.example.com"), "joe@host.example.com");
}

TEST_F(AddressRewrite, VirtualAliasOneToManyRecursiveSelfAndCatchAll) {
  auto r = open("virtual_alias_maps = " +
                table("v",
                      "sales@virt.example ann@virt.example, bob@other.example\n"
                      "ann@virt.example ann@virt.example, ann@mbox.example\n"
                      "bob@other.example robert@mbox.example\n"
                      "@catch.example postmaster@mbox.example\n"
                      "joe@virt.example joseph@mbox.example\n") +
                "\nvirtual_alias_domains = virt.example catch.example\n");
  auto got = r.recipient("sales@virt.example");
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->virtual_match);
  EXPECT_EQ(got->addresses, (V{"ann@virt.example", "robert@mbox.example", "ann@mbox.example"}));
  EXPECT_EQ(rcpt(r, "anyone@catch.example"), V{"postmaster@mbox.example"});
  EXPECT_EQ(rcpt(r, "joe+x@virt.example"), V{"joseph+x@mbox.example"});
  auto unknown = r.recipient("nobody@virt.example");
  ASSERT_TRUE(unknown.ok());
  EXPECT_FALSE(unknown->virtual_match);
  EXPECT_EQ(unknown->addresses, V{"nobody@virt.example"});
}

TEST_F(AddressRewrite, VirtualAliasLoopAndLimits) {
  auto loop = open(
      "virtual_alias_maps = " + table("v", "a@x.example b@x.example\nb@x.example a@x.example\n") +
      "\nvirtual_alias_recursion_limit = 50\n");
  auto got = loop.recipient("a@x.example");
  ASSERT_TRUE(got.ok());
  EXPECT_NE(got->limit_error.find("unreasonable virtual_alias_maps map nesting for a@x.example"),
            std::string::npos);
  EXPECT_TRUE(got->addresses.empty());

  std::string many;
  for (int i = 0; i < 20; ++i) many += (i ? ", u" : "u") + std::to_string(i) + "@y.example";
  auto wide = open("virtual_alias_maps = " + table("w", "list@x.example " + many + "\n") +
                   "\nvirtual_alias_expansion_limit = 10\n");
  got = wide.recipient("list@x.example");
  ASSERT_TRUE(got.ok());
  EXPECT_NE(got->limit_error.find("unreasonable virtual_alias_maps map expansion size"),
            std::string::npos);
  auto enough = open("virtual_alias_maps = " + table("w2", "list@x.example " + many + "\n"));
  EXPECT_EQ(rcpt(enough, "list@x.example").size(), 20u);
}

TEST_F(AddressRewrite, BccCopies) {
  auto r = open("always_bcc = archive@example.com\nsender_bcc_maps = " +
                table("s", "boss@example.com boss-copy@example.com\n") + "\nrecipient_bcc_maps = " +
                table("r", "@example.org incoming@example.com\n") + "\nvirtual_alias_maps = " +
                table("v", "boss-copy@example.com eve@example.com, frank@example.com\n"));
  auto copies = r.sender_copies("boss@example.com");
  ASSERT_TRUE(copies.ok());
  EXPECT_EQ(*copies, (V{"archive@example.com", "eve@example.com", "frank@example.com"}));
  auto one = r.recipient("x@example.org");
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->copies, V{"incoming@example.com"});
}

// receive_override_options = no_address_mappings (input_transp_cleanup()): no canonical,
// virtual alias, masquerading or automatic BCC; completion to standard form remains.
TEST_F(AddressRewrite, NoAddressMappingsLeavesOnlyTheStandardForm) {
  std::string settings = "always_bcc = archive@example.com\nsender_bcc_maps = " +
                         table("s", "boss@example.com boss-copy@example.com\n") +
                         "\ncanonical_maps = " + table("c", "joe jane\n") +
                         "\nvirtual_alias_maps = " + table("v", "ann@example.com bob@x.example\n") +
                         "\nmasquerade_domains = example.com\n";
  auto overrides = ReceiveOverrides::parse("no_header_body_checks, no_address_mappings");
  ASSERT_TRUE(overrides.ok());
  EXPECT_TRUE(overrides->no_address_mappings);
  EXPECT_FALSE(overrides->no_unknown_recipient_checks);
  auto r = open(settings, *overrides);
  EXPECT_EQ(rcpt(r, "joe"), V{"joe@example.com"});
  EXPECT_EQ(rcpt(r, "ann@example.com"), V{"ann@example.com"});
  EXPECT_EQ(rcpt(r, "ann@example.com."), V{"ann@example.com"});  // trailing dot dropped
  EXPECT_EQ(sender(r, "joe@host.example.com"), "joe@host.example.com");
  auto copies = r.sender_copies("boss@example.com");
  ASSERT_TRUE(copies.ok());
  EXPECT_TRUE(copies->empty());
  auto mapped = open(settings);
  EXPECT_EQ(rcpt(mapped, "joe"), V{"jane@example.com"});
  EXPECT_EQ(rcpt(mapped, "ann@example.com"), V{"bob@x.example"});
  EXPECT_EQ(sender(mapped, "joe@host.example.com"), "joe@example.com");
}

TEST(ReceiveOverrides, NamesAsPostfixWritesThem) {
  auto all = ReceiveOverrides::parse(
      " no_unknown_recipient_checks,no_address_mappings\tno_header_body_checks no_milters ");
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->no_unknown_recipient_checks && all->no_address_mappings &&
              all->no_header_body_checks && all->no_milters);
  auto none = ReceiveOverrides::parse("");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->no_unknown_recipient_checks || none->no_address_mappings ||
               none->no_header_body_checks || none->no_milters);
  auto bad = ReceiveOverrides::parse("no_header_body_checks, No_Milters");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message,
            "unknown receive_override_options value \"No_Milters\" in "
            "\"no_header_body_checks, No_Milters\"");
}

TEST_F(AddressRewrite, HeadersKeepNamesAndComments) {
  auto r = open("canonical_maps = " +
                table("c", "joe@example.com Joe.Bloggs@example.com\n@old.example @new.example\n") +
                "\nmasquerade_domains = example.com\n");
  auto h = [&](const std::string& in) {
    auto got = r.header(in);
    EXPECT_TRUE(got.ok());
    return *got;
  };
  EXPECT_EQ(h("From: \"Bloggs, Joe\" <joe@example.com>\n"),
            "From: \"Bloggs, Joe\" <Joe.Bloggs@example.com>\n");
  EXPECT_EQ(h("To: joe@example.com (Joe at work), ann@host.example.com,\n\tbob\n"),
            "To: Joe.Bloggs@example.com (Joe at work), ann@example.com,\n\tbob@example.com\n");
  EXPECT_EQ(h("Cc: team: x@old.example, <y@old.example>;, z@other.example\n"),
            "Cc: team: x@new.example, <y@new.example>;, z@other.example\n");
  EXPECT_EQ(h("Subject: joe@example.com\n"), "Subject: joe@example.com\n");
  EXPECT_EQ(h("Reply-To: <@relay.example:joe@example.com>\n"),
            "Reply-To: <@relay.example:Joe.Bloggs@example.com>\n");
  EXPECT_EQ(h("To: undisclosed-recipients:;\n"), "To: undisclosed-recipients:;\n");
  EXPECT_EQ(h("To: \"joe\"@example.com\n"), "To: Joe.Bloggs@example.com\n");
  EXPECT_EQ(h("To: <broken@example.com\n"), "To: <broken@example.com\n");
}

TEST_F(AddressRewrite, GenericMapsOnTheWayOut) {
  std::string text =
      "myhostname = mail.example.com\nmyorigin = example.com\nmydestination = example.com\n"
      "smtp_generic_maps = " +
      table("g", "joe joe.public@isp.example\n@lan.example @isp.example\n") + "\n";
  auto main_cf = config::MainCf::parse(text, "main.cf");
  auto config = config::Config::from_main_cf(*main_cf, "/nonexistent");
  auto generic = GenericMaps::open(*config);
  ASSERT_TRUE(generic.ok()) << generic.error().message;
  ASSERT_TRUE(generic->has_value());
  GenericMaps& g = **generic;
  EXPECT_EQ(*g.address("joe@example.com"), "joe.public@isp.example");
  EXPECT_EQ(*g.address("ann@lan.example"), "ann@isp.example");
  EXPECT_EQ(*g.address("joe@elsewhere.example"), "joe@elsewhere.example");
  EXPECT_EQ(*g.address(""), "");
  auto content = g.content(
      "Received: from x\n\tby y\nFrom: Joe <joe@example.com>\nCc: a@lan.example,\n b@lan.example\n"
      "Subject: joe@example.com\n\nFrom: joe@example.com\n");
  ASSERT_TRUE(content.ok());
  EXPECT_EQ(*content,
            "Received: from x\n\tby y\nFrom: Joe <joe.public@isp.example>\n"
            "Cc: a@isp.example,\n b@isp.example\nSubject: joe@example.com\n\n"
            "From: joe@example.com\n");
  auto none = config::MainCf::parse("", "main.cf");
  auto empty = GenericMaps::open(*config::Config::from_main_cf(*none, "/nonexistent"));
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(empty->has_value());
}

TEST(HeaderAddress, QuotedLocalPartsStayQuoted) {
  std::string out = rewrite_address_list(
      " \"john doe\"@a.example, Ann <ann@a.example>",
      [](const std::string& a) { return a.substr(0, a.find('@')) + "@b.example"; });
  EXPECT_EQ(out, " \"john doe\"@b.example, Ann <ann@b.example>");
}

TEST(DuplicateFilter, PerOriginalOrPerMessage) {
  DuplicateFilter by_original(true);
  EXPECT_TRUE(by_original.first("u@x", "a@x", "", 0));
  EXPECT_FALSE(by_original.first("U@X", "a@x", "", 0));
  EXPECT_TRUE(by_original.first("u@x", "b@x", "", 0));
  DuplicateFilter once(false);
  EXPECT_TRUE(once.first("u@x", "a@x", "", 0));
  EXPECT_FALSE(once.first("u@x", "b@x", "", 0));
  EXPECT_TRUE(once.first("u@x", "b@x", "", 8));  // another NOTIFY is another record
}

TEST_F(AddressRewrite, RelocatedGoesToTheErrorTransport) {
  std::string text =
      "myhostname = mail.example.com\nmydestination = example.com\nrelocated_maps = " +
      table("r",
            "gone@example.com gone@new.example\nold joe@new.example\n@moved.example "
            "someone@new.example\n") +
      "\nrecipient_delimiter = +\n";
  auto main_cf = config::MainCf::parse(text, "main.cf");
  auto config = config::Config::from_main_cf(*main_cf, "/nonexistent");
  auto resolver = resolve::Resolver::open(*config);
  ASSERT_TRUE(resolver.ok()) << resolver.error().message;
  auto route = resolver->resolve("gone+x@example.com", "");
  ASSERT_TRUE(route.ok());
  EXPECT_EQ(route->transport, "error");
  EXPECT_EQ(route->nexthop, "5.1.6 User has moved to gone@new.example");
  route = resolver->resolve("old@example.com", "");
  EXPECT_EQ(route->nexthop, "5.1.6 User has moved to joe@new.example");
  route = resolver->resolve("x@moved.example", "");
  EXPECT_EQ(route->nexthop, "5.1.6 User has moved to someone@new.example");
  route = resolver->resolve("here@example.com", "");
  EXPECT_NE(route->transport, "error");
}

}  // namespace
}  // namespace correio::cleanup
