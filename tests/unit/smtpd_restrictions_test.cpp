// Postfix restriction lists: parsing, list semantics, relay control, sender login maps.
#include <gtest/gtest.h>

#include "config/main_cf.hpp"
#include "smtpd/restrictions.hpp"
#include "smtpd_restrictions_helpers.hpp"

namespace correio::smtpd {
namespace {

using access::Stage;

resolve::Resolver example_org_resolver() {
  auto main_cf = config::MainCf::parse("virtual_mailbox_domains = example.org\n", "main.cf");
  auto config = config::Config::from_main_cf(*main_cf, "/nonexistent");
  return *resolve::Resolver::open(*config);
}

struct Fixture {
  base::Logger log{base::Logger::Options{"correio", "smtpd", "/dev/null", "mx"}};
  resolve::Resolver resolver = example_org_resolver();
  Restrictions::Options options() {
    Restrictions::Options o;
    o.lists[int(Stage::relay)] =
        "permit_mynetworks, permit_sasl_authenticated, defer_unauth_destination";
    o.mynetworks = *ClientNetworks::parse("10.0.0.0/8");
    o.resolver = &resolver;
    return o;
  }
};

Facts facts(std::string_view client, std::string_view rcpt, std::string_view user = "",
            std::string_view sender = "a@remote.example") {
  Facts f;
  f.has_sender = true;
  f.client_address = client;
  f.helo = "client.example";
  f.sender = sender;
  f.recipient = rcpt;
  f.sasl_username = user;
  return f;
}

TEST(RestrictionList, ParsesKnownNamesAndRejectsUnknown) {
  auto ok = access::parse_restriction_list("permit_mynetworks,  reject_unauth_destination Permit");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->size(), 3u);
  EXPECT_EQ((*ok)[2].name, "permit");
  Fixture f;
  auto o = f.options();
  o.lists[int(Stage::recipient)] = "permit_mynetworks, check_fancy_access";
  Restrictions r(o, f.log);
  ASSERT_TRUE(r.configuration_error());
  EXPECT_EQ(*r.configuration_error(),
            "smtpd_recipient_restrictions: unknown smtpd restriction: \"check_fancy_access\"");
}

TEST(Restrictions, PostfixDefaultRelayControl) {
  Fixture f;
  Restrictions r(f.options(), f.log);
  EXPECT_FALSE(check_rcpt(r, facts("192.0.2.1", "bob@example.org")));               // ours
  EXPECT_FALSE(check_rcpt(r, facts("10.1.2.3", "x@elsewhere.example")));            // mynetworks
  EXPECT_FALSE(check_rcpt(r, facts("192.0.2.1", "x@elsewhere.example", "alice")));  // SASL
  auto denied = check_rcpt(r, facts("192.0.2.1", "x@elsewhere.example"));
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->to_wire(), "454 4.7.1 <x@elsewhere.example>: Relay access denied\r\n");
}

TEST(Restrictions, RejectUnauthDestinationIs554) {
  Fixture f;
  auto o = f.options();
  o.lists[int(Stage::relay)] = "permit_mynetworks, reject_unauth_destination";
  Restrictions r(o, f.log);
  EXPECT_EQ(check_rcpt(r, facts("192.0.2.1", "x@elsewhere.example"))->code, 554);
}

// Relay control judges the address as resolved (Postfix's permit_auth_destination):
// user%elsewhere@ a local domain is mail for elsewhere, and a local part that still has
// routing operators is not ours either (allow_untrusted_routing = no).
TEST(Restrictions, SourceRoutedAddressesAreNotOurs) {
  auto open = [](const std::string& text) {
    auto main_cf = config::MainCf::parse("mydestination = localhost\n" + text, "main.cf");
    return *resolve::Resolver::open(*config::Config::from_main_cf(*main_cf, "/nonexistent"));
  };
  Fixture f;
  for (const char* extra : {"", "allow_percent_hack = no\nswap_bangpath = no\n"}) {
    f.resolver = open(extra);
    Restrictions r(f.options(), f.log);
    EXPECT_FALSE(check_rcpt(r, facts("192.0.2.1", "user@localhost")));
    EXPECT_TRUE(check_rcpt(r, facts("192.0.2.1", "user%evil.example@localhost"))) << extra;
    EXPECT_TRUE(check_rcpt(r, facts("192.0.2.1", "evil.example!user@localhost"))) << extra;
    EXPECT_TRUE(check_rcpt(r, facts("192.0.2.1", "\"u@evil.example\"@localhost"))) << extra;
    EXPECT_FALSE(check_rcpt(r, facts("10.1.2.3", "user%evil.example@localhost")));
  }
}

TEST(Restrictions, PermitEndsOnlyItsOwnList) {
  Fixture f;
  auto o = f.options();
  o.lists[int(Stage::client)] = "permit_mynetworks";  // permits 10/8 in the client list...
  o.lists[int(Stage::recipient)] = "reject";          // ...but the recipient list still runs
  Restrictions r(o, f.log);
  auto denied = check_rcpt(r, facts("10.1.2.3", "bob@example.org"));
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->to_wire(),
            "554 5.7.1 <bob@example.org>: Recipient address rejected: Access denied\r\n");
}

TEST(Restrictions, SubmissionClientRestrictions) {
  Fixture f;
  auto o = f.options();
  o.lists[int(Stage::client)] = "permit_sasl_authenticated, reject";
  Restrictions r(o, f.log);
  auto denied = check_rcpt(r, facts("10.1.2.3", "bob@example.org"));
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->to_wire(),
            "554 5.7.1 <unknown[10.1.2.3]>: Client host rejected: Access denied\r\n");
  EXPECT_FALSE(check_rcpt(r, facts("10.1.2.3", "x@elsewhere.example", "alice")));
}

TEST(Restrictions, DeferAndNonFqdn) {
  Fixture f;
  auto o = f.options();
  o.lists[int(Stage::helo)] = "reject_non_fqdn_helo_hostname";
  o.lists[int(Stage::sender)] = "reject_non_fqdn_sender";
  o.lists[int(Stage::recipient)] = "reject_non_fqdn_recipient, defer";
  Restrictions r(o, f.log);
  auto f1 = facts("10.1.2.3", "bob@example.org", "", "user@localhost");
  EXPECT_EQ(check_rcpt(r, f1)->to_wire(),
            "504 5.5.2 <user@localhost>: Sender address rejected: need fully-qualified "
            "address\r\n");
  auto f2 = facts("10.1.2.3", "bob@example.org", "", "");  // null sender is fine
  EXPECT_EQ(check_rcpt(r, f2)->to_wire(),
            "450 4.3.2 <bob@example.org>: Recipient address rejected: Try again later\r\n");
  auto f3 = f2;
  f3.helo = "pc";
  EXPECT_EQ(check_rcpt(r, f3)->code, 504);
}

TEST(Restrictions, ConfigurationErrorsGive451) {
  Fixture f;
  auto o = f.options();
  o.lists[int(Stage::sender)] = "check_sender_access hash:/nowhere";
  Restrictions r(o, f.log);
  ASSERT_TRUE(r.configuration_error());
  EXPECT_EQ(check_rcpt(r, facts("10.1.2.3", "bob@example.org"))->to_wire(),
            "451 4.3.5 Server configuration error\r\n");
  // An open relay by mistake is refused too.
  auto open = f.options();
  open.lists[int(Stage::relay)] = "permit_mynetworks";
  Restrictions r2(open, f.log);
  EXPECT_TRUE(r2.configuration_error());
}

TEST(Restrictions, SenderLoginMismatch) {
  Fixture f;
  auto o = f.options();
  o.lists[int(Stage::sender)] = "reject_sender_login_mismatch";
  o.sender_login_maps = "inline:{ alice@example.org=alice@example.org, @shared.example=bob }";
  Restrictions r(o, f.log);
  ASSERT_FALSE(r.configuration_error()) << *r.configuration_error();
  // The owner.
  EXPECT_FALSE(check_rcpt(
      r, facts("192.0.2.1", "x@elsewhere.example", "alice@example.org", "alice@example.org")));
  // Logged in as someone else.
  auto other = check_rcpt(
      r, facts("192.0.2.1", "x@elsewhere.example", "mallory@example.org", "alice@example.org"));
  ASSERT_TRUE(other);
  EXPECT_EQ(other->to_wire(),
            "553 5.7.1 <alice@example.org>: Sender address rejected: not owned by user "
            "mallory@example.org\r\n");
  // Not logged in, but the address has an owner.
  auto anon = check_rcpt(r, facts("10.1.2.3", "bob@example.org", "", "alice@example.org"));
  ASSERT_TRUE(anon);
  EXPECT_EQ(anon->to_wire(),
            "553 5.7.1 <alice@example.org>: Sender address rejected: not logged in\r\n");
  // Domain-wide owner through "@domain".
  EXPECT_FALSE(
      check_rcpt(r, facts("192.0.2.1", "x@elsewhere.example", "bob", "any@shared.example")));
  // Logged in, sender owned by nobody: a mismatch too.
  EXPECT_TRUE(check_rcpt(
      r, facts("192.0.2.1", "x@elsewhere.example", "alice@example.org", "x@nobody.example")));
}

TEST(Restrictions, AuthenticatedMismatchIgnoresAnonymousClients) {
  Fixture f;
  auto o = f.options();
  o.lists[int(Stage::sender)] = "reject_authenticated_sender_login_mismatch";
  o.sender_login_maps = "inline:{ alice@example.org=alice@example.org }";
  Restrictions r(o, f.log);
  EXPECT_FALSE(check_rcpt(r, facts("10.1.2.3", "bob@example.org", "", "alice@example.org")));
  EXPECT_TRUE(check_rcpt(
      r, facts("192.0.2.1", "x@elsewhere.example", "carol@example.org", "alice@example.org")));
}

}  // namespace
}  // namespace correio::smtpd
