// smtpd access control: access(5) result parsing, the key search orders of
// check_*_access, DNS list filters and templates, and the engine's list semantics
// (classes, table results that are lists, warn_if_reject, DEFER_IF_*, delay_reject).
#include <gtest/gtest.h>

#include <cstdio>

#include "config/main_cf.hpp"
#include "smtpd/access/access_action.hpp"
#include "smtpd/access/access_table.hpp"
#include "smtpd/access/dns_lists.hpp"
#include "smtpd/restrictions.hpp"
#include "smtpd_restrictions_helpers.hpp"

namespace correio::smtpd {
namespace {

using access::ActionKind;
using access::parse_access_action;
using access::Stage;

TEST(AccessAction, Keywords) {
  EXPECT_EQ(parse_access_action("OK")->kind, ActionKind::ok);
  EXPECT_EQ(parse_access_action("ok")->kind, ActionKind::ok);
  EXPECT_EQ(parse_access_action("12345")->kind, ActionKind::ok);  // all digits: OK
  EXPECT_EQ(parse_access_action("450")->kind, ActionKind::ok);
  auto reject = parse_access_action("REJECT go away  ");
  EXPECT_EQ(reject->kind, ActionKind::reject);
  EXPECT_EQ(reject->text, "go away");
  EXPECT_EQ(parse_access_action("defer_if_permit")->kind, ActionKind::defer_if_permit);
  EXPECT_EQ(parse_access_action("DEFER_IF_REJECT x")->kind, ActionKind::defer_if_reject);
  EXPECT_EQ(parse_access_action("DUNNO")->kind, ActionKind::dunno);
  EXPECT_EQ(parse_access_action("REDIRECT a@b.example")->text, "a@b.example");
  EXPECT_EQ(parse_access_action("PREPEND X-Tag: yes")->text, "X-Tag: yes");
  auto list = parse_access_action("permit_mynetworks, reject");
  EXPECT_EQ(list->kind, ActionKind::restrictions);
  EXPECT_EQ(list->text, "permit_mynetworks, reject");
}

TEST(AccessAction, NumericReplies) {
  auto a = parse_access_action("550 5.7.2 not here");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->kind, ActionKind::reply);
  EXPECT_EQ(a->code, 550);
  EXPECT_EQ(a->enhanced, "5.7.2");
  EXPECT_EQ(a->text, "not here");
  auto b = parse_access_action("451 try later");
  EXPECT_EQ(b->code, 451);
  EXPECT_EQ(b->enhanced, "");
  EXPECT_EQ(b->text, "try later");
  EXPECT_FALSE(parse_access_action("250 fine"));         // not 4NN/5NN
  EXPECT_FALSE(parse_access_action("550 4.7.1 mixed"));  // class mismatch
  EXPECT_FALSE(parse_access_action("REDIRECT"));         // needs an address
  EXPECT_FALSE(parse_access_action("PREPEND no header"));
  // Postfix compares only the first word of OK and DUNNO: the text is ignored.
  EXPECT_EQ(parse_access_action("OK then")->kind, ActionKind::ok);
  EXPECT_EQ(parse_access_action("DUNNO not this one")->kind, ActionKind::dunno);
  // dsn_split(): REJECT and DEFER take a leading RFC 3463 code from their text.
  auto coded = parse_access_action("REJECT 5.7.9 go away");
  EXPECT_EQ(coded->enhanced, "5.7.9");
  EXPECT_EQ(coded->text, "go away");
  EXPECT_EQ(parse_access_action("DEFER_IF_PERMIT 4.2.0")->enhanced, "4.2.0");
  EXPECT_EQ(parse_access_action("REJECT 5.7 not a code")->text, "5.7 not a code");
}

std::unique_ptr<access::AccessTable> table(std::string_view spec) {
  auto t = access::AccessTable::open(spec);
  EXPECT_TRUE(t) << t.error().message;
  return std::move(*t);
}

TEST(AccessTable, DomainOrderParentStyle) {
  auto t = table("inline:{ example.com=A, .example.net=B, sub.example.org=C }");
  EXPECT_EQ((*t->find_domain("host.sub.example.com", true))->key, "example.com");
  EXPECT_FALSE(*t->find_domain("host.example.com", false));  // needs ".example.com"
  EXPECT_EQ((*t->find_domain("host.example.net", false))->key, ".example.net");
  EXPECT_FALSE(*t->find_domain("example.net", false));  // ".example.net" is subdomains only
  EXPECT_EQ((*t->find_domain("SUB.example.org", true))->value, "C");
}

TEST(AccessTable, AddressPrefixes) {
  auto t = table("inline:{ 10.1=NET, 192.0.2.7=HOST, 2001:db8=V6 }");
  EXPECT_EQ((*t->find_address("10.1.2.3"))->key, "10.1");
  EXPECT_EQ((*t->find_address("192.0.2.7"))->value, "HOST");
  EXPECT_FALSE(*t->find_address("192.0.2.8"));
  EXPECT_EQ((*t->find_address("2001:db8::1"))->key, "2001:db8");
}

TEST(AccessTable, MailOrder) {
  auto t = table(
      "inline:{ user+tag@a.example=1, user@b.example=2, c.example=3, .d.example=4, user@=5 }");
  EXPECT_EQ((*t->find_mail("user+tag@a.example", "+", true))->value, "1");
  EXPECT_EQ((*t->find_mail("user+x@b.example", "+", true))->value, "2");  // extension off
  EXPECT_EQ((*t->find_mail("x@c.example", "+", true))->value, "3");
  EXPECT_EQ((*t->find_mail("x@host.c.example", "+", true))->value, "3");  // parent
  EXPECT_EQ((*t->find_mail("x@host.d.example", "+", false))->value, "4");
  EXPECT_EQ((*t->find_mail("user@z.example", "+", true))->key, "user@");
  EXPECT_EQ((*t->find_mail("user+q@z.example", "+", true))->key, "user@");
}

TEST(AccessTable, PatternTablesSeeOnlyTheWholeString) {
  std::string path = ::testing::TempDir() + "access_test.regexp";
  FILE* f = std::fopen(path.c_str(), "w");
  ASSERT_TRUE(f);
  std::fputs("/^example\\.com$/ REJECT\n/^10\\.1$/ REJECT\n", f);
  std::fclose(f);
  auto t = table("regexp:" + path);
  EXPECT_FALSE(*t->find_domain("host.example.com", true));
  EXPECT_TRUE(*t->find_domain("example.com", true));
  EXPECT_FALSE(*t->find_address("10.1.2.3"));
  auto cidr = table("inline:{ 10.1=NET }");
  EXPECT_TRUE(*cidr->find_address("10.1.9.9"));
}

TEST(DnsList, FiltersAndNames) {
  auto plain = access::parse_dns_list("zen.example");
  ASSERT_TRUE(plain);
  EXPECT_TRUE(plain->matches("127.0.0.9"));
  auto exact = access::parse_dns_list("zen.example=127.0.0.2");
  EXPECT_TRUE(exact->matches("127.0.0.2"));
  EXPECT_FALSE(exact->matches("127.0.0.3"));
  auto range = access::parse_dns_list("zen.example=127.0.[0..1].[2..4;10]");
  EXPECT_TRUE(range->matches("127.0.1.3"));
  EXPECT_TRUE(range->matches("127.0.0.10"));
  EXPECT_FALSE(range->matches("127.0.0.5"));
  EXPECT_FALSE(access::parse_dns_list("zen.example=127.0.0"));
  EXPECT_FALSE(access::parse_dns_list("zen.example=127.0.0.[4..2]"));
  EXPECT_EQ(access::reversed_address("192.0.2.1"), "1.2.0.192");
  EXPECT_EQ(access::reversed_address("2001:db8::1").substr(0, 8), "1.0.0.0.");
  EXPECT_EQ(access::reversed_address("nope"), "");
  std::map<std::string, std::string> vars = {{"rbl_code", "554"}, {"rbl_reason", ""}};
  EXPECT_EQ(access::expand_template("$rbl_code x${rbl_reason?; $rbl_reason}${rbl_reason:!}", vars),
            "554 x!");
  vars["rbl_reason"] = "spam";
  EXPECT_EQ(access::expand_template("${rbl_code}${rbl_reason?; $rbl_reason}", vars), "554; spam");
}

struct Engine {
  base::Logger log{base::Logger::Options{"correio", "smtpd", "/dev/null", "mx"}};
  Restrictions::Options options;
  Engine() {
    options.lists[int(Stage::relay)] = "permit_mynetworks, reject_unauth_destination";
    options.mynetworks = *ClientNetworks::parse("10.0.0.0/8");
  }
};

Facts rcpt_facts(std::string_view client, std::string_view sender, std::string_view rcpt) {
  Facts f;
  f.client_address = client;
  f.helo = "client.example";
  f.has_sender = true;
  f.sender = sender;
  f.recipient = rcpt;
  f.where = "RCPT";
  return f;
}

std::string wire(const std::optional<smtp::Reply>& r) {
  return r ? r->to_wire() : "accepted";
}

TEST(AccessEngine, TableActionsAndClasses) {
  Engine e;
  e.options.classes = {{"strict", "reject_non_fqdn_sender, permit"}};
  e.options.lists[int(Stage::recipient)] =
      "check_sender_access inline:{ { a@x.example = REJECT no thanks }, "
      "{ b@x.example = 550 5.7.9 go }, c@x.example=strict, "
      "{ f@x.example = REJECT 4.1.8 bad domain }, { g@x.example = DEFER 5.3.0 later }, "
      "{ d@x.example = permit_mynetworks, reject }, e@x.example=OK }, "
      "check_client_access inline:{ { 10.9 = DEFER busy } }, reject_unauth_destination";
  e.options.lists[int(Stage::relay)] = "";
  Restrictions r(e.options, e.log);
  ASSERT_FALSE(r.configuration_error()) << *r.configuration_error();
  EXPECT_EQ(wire(check_rcpt(r, rcpt_facts("10.1.1.1", "a@x.example", "u@y.example"))),
            "554 5.7.1 <a@x.example>: Sender address rejected: no thanks\r\n");
  EXPECT_EQ(wire(check_rcpt(r, rcpt_facts("10.1.1.1", "b@x.example", "u@y.example"))),
            "550 5.7.9 <b@x.example>: Sender address rejected: go\r\n");
  EXPECT_EQ(wire(check_rcpt(r, rcpt_facts("10.1.1.1", "c@x.example", "u@y.example"))), "accepted");
  // The table's own status, in the class of the reply (Postfix: 554 5.1.8, 450 4.3.0).
  EXPECT_EQ(wire(check_rcpt(r, rcpt_facts("10.1.1.1", "f@x.example", "u@y.example"))),
            "554 5.1.8 <f@x.example>: Sender address rejected: bad domain\r\n");
  EXPECT_EQ(wire(check_rcpt(r, rcpt_facts("10.1.1.1", "g@x.example", "u@y.example"))),
            "450 4.3.0 <g@x.example>: Sender address rejected: later\r\n");
  EXPECT_EQ(wire(check_rcpt(r, rcpt_facts("10.1.1.1", "d@x.example", "u@y.example"))), "accepted");
  EXPECT_EQ(wire(check_rcpt(r, rcpt_facts("192.0.2.1", "d@x.example", "u@y.example"))),
            "554 5.7.1 <d@x.example>: Sender address rejected: Access denied\r\n");
  EXPECT_EQ(wire(check_rcpt(r, rcpt_facts("10.9.1.1", "z@x.example", "u@y.example"))),
            "450 4.7.1 <unknown[10.9.1.1]>: Client host rejected: busy\r\n");
}

TEST(AccessEngine, WarnIfRejectAndDeferIf) {
  Engine e;
  e.options.lists[int(Stage::recipient)] = "warn_if_reject, reject, permit";
  Restrictions warn(e.options, e.log);
  EXPECT_EQ(wire(check_rcpt(warn, rcpt_facts("10.1.1.1", "a@x.example", "u@y.example"))),
            "accepted");
  e.options.lists[int(Stage::recipient)] = "defer_if_permit, permit";
  Restrictions dip(e.options, e.log);
  EXPECT_EQ(wire(check_rcpt(dip, rcpt_facts("10.1.1.1", "a@x.example", "u@y.example"))),
            "450 4.7.1 <u@y.example>: Recipient address rejected: defer_if_permit requested\r\n");
  e.options.lists[int(Stage::recipient)] = "defer_if_reject, reject";
  Restrictions dir(e.options, e.log);
  EXPECT_EQ(wire(check_rcpt(dir, rcpt_facts("10.1.1.1", "a@x.example", "u@y.example"))),
            "450 4.7.1 <u@y.example>: Recipient address rejected: defer_if_reject requested\r\n");
}

TEST(AccessEngine, DelayRejectNoMovesTheLists) {
  Engine e;
  e.options.delay_reject = false;
  e.options.lists[int(Stage::client)] = "reject";
  Restrictions r(e.options, e.log);
  Facts f = rcpt_facts("10.1.1.1", "a@x.example", "u@y.example");
  Effects effects;
  EXPECT_EQ(wire(run_check(r, Restrictions::Event::connect, f, effects)),
            "554 5.7.1 <unknown[10.1.1.1]>: Client host rejected: Access denied\r\n");
  EXPECT_EQ(wire(run_check(r, Restrictions::Event::rcpt, f, effects)), "accepted");
  e.options.delay_reject = true;
  Restrictions delayed(e.options, e.log);
  EXPECT_EQ(wire(run_check(delayed, Restrictions::Event::connect, f, effects)), "accepted");
  EXPECT_EQ(run_check(delayed, Restrictions::Event::rcpt, f, effects)->code, 554);
}

TEST(AccessEngine, SideEffects) {
  Engine e;
  e.options.lists[int(Stage::recipient)] =
      "check_recipient_access inline:{ { r@y.example = REDIRECT other@y.example }, "
      "{ p@y.example = PREPEND X-Seen: yes }, d@y.example=DISCARD, "
      "{ f@y.example = FILTER scan:[127.0.0.1]:10024 }, h@y.example=HOLD, "
      "{ b@y.example = BCC copy@y.example }, { b2@y.example = BCC last@y.example }, "
      "{ nf@y.example = FILTER nocolon } }";
  Restrictions r(e.options, e.log);
  Effects effects;
  Facts f = rcpt_facts("10.1.1.1", "a@x.example", "r@y.example");
  EXPECT_EQ(wire(run_check(r, Restrictions::Event::rcpt, f, effects)), "accepted");
  EXPECT_EQ(effects.redirect, "other@y.example");
  f.recipient = "p@y.example";
  EXPECT_EQ(wire(run_check(r, Restrictions::Event::rcpt, f, effects)), "accepted");
  ASSERT_EQ(effects.prepend.size(), 1u);
  EXPECT_EQ(effects.prepend[0], "X-Seen: yes");
  f.recipient = "d@y.example";
  EXPECT_EQ(wire(run_check(r, Restrictions::Event::rcpt, f, effects)), "accepted");
  EXPECT_TRUE(effects.discard);
  f.recipient = "f@y.example";
  EXPECT_EQ(wire(run_check(r, Restrictions::Event::rcpt, f, effects)), "accepted");
  EXPECT_EQ(effects.filter, "scan:[127.0.0.1]:10024");
  f.recipient = "h@y.example";
  EXPECT_EQ(wire(run_check(r, Restrictions::Event::rcpt, f, effects)), "accepted");
  EXPECT_TRUE(effects.hold);
  // access(5) BCC: one copy; the last action wins.
  f.recipient = "b@y.example";
  EXPECT_EQ(wire(run_check(r, Restrictions::Event::rcpt, f, effects)), "accepted");
  f.recipient = "b2@y.example";
  EXPECT_EQ(wire(run_check(r, Restrictions::Event::rcpt, f, effects)), "accepted");
  EXPECT_EQ(effects.bcc, "last@y.example");
  // FILTER without transport:destination: Postfix's "Server configuration error".
  f.recipient = "nf@y.example";
  EXPECT_EQ(wire(run_check(r, Restrictions::Event::rcpt, f, effects)),
            "451 4.3.5 Server configuration error\r\n");
  effects.reset_transaction();
  EXPECT_TRUE(effects.bcc.empty() && effects.filter.empty() && !effects.hold);
}

TEST(AccessEngine, NameChecks) {
  Engine e;
  e.options.lists[int(Stage::helo)] = "reject_invalid_helo_hostname";
  e.options.lists[int(Stage::client)] = "reject_unknown_reverse_client_hostname";
  Restrictions r(e.options, e.log);
  Facts f = rcpt_facts("10.1.1.1", "a@x.example", "u@y.example");
  f.reverse_name = "host.example";
  f.helo = "bad_name!";
  EXPECT_EQ(wire(check_rcpt(r, f)),
            "501 5.5.2 <bad_name!>: Helo command rejected: Invalid name\r\n");
  f.helo = "[192.0.2.1]";
  EXPECT_EQ(wire(check_rcpt(r, f)), "accepted");
  f.reverse_name = "unknown";
  EXPECT_EQ(wire(check_rcpt(r, f)),
            "450 4.7.25 Client host rejected: cannot find your reverse hostname, [10.1.1.1]\r\n");
}

// postconf(5) smtpd_etrn_restrictions: check_etrn_access looks up the ETRN domain and its
// parents; with smtpd_delay_reject the client list runs first (Postfix's smtpd_check_etrn).
TEST(AccessEngine, EtrnRestrictions) {
  Engine e;
  e.options.lists[int(Stage::etrn)] =
      "check_etrn_access inline:{ { ok.example = OK }, { no.example = REJECT not here } }, "
      "permit_mynetworks, reject";
  Restrictions r(e.options, e.log);
  ASSERT_FALSE(r.configuration_error()) << *r.configuration_error();
  auto etrn = [&](std::string_view client, std::string_view domain) {
    Facts f;
    f.client_address = client;
    f.helo = "client.example";
    f.etrn_domain = domain;
    f.where = "ETRN";
    Effects effects;
    return wire(run_check(r, Restrictions::Event::etrn, f, effects));
  };
  EXPECT_EQ(etrn("192.0.2.1", "ok.example"), "accepted");
  EXPECT_EQ(etrn("192.0.2.1", "sub.ok.example"), "accepted");
  EXPECT_EQ(etrn("10.1.1.1", "no.example"),
            "554 5.7.1 <no.example>: Etrn command rejected: not here\r\n");
  EXPECT_EQ(etrn("10.1.1.1", "other.example"), "accepted");
  EXPECT_EQ(etrn("192.0.2.1", "other.example"),
            "554 5.7.1 <other.example>: Etrn command rejected: Access denied\r\n");
  e.options.lists[int(Stage::client)] = "check_client_access inline:{ { 10.2 = REJECT } }";
  Restrictions delayed(e.options, e.log);
  Facts f;
  f.client_address = "10.2.0.1";
  f.etrn_domain = "ok.example";
  f.where = "ETRN";
  Effects effects;
  EXPECT_EQ(wire(run_check(delayed, Restrictions::Event::etrn, f, effects)),
            "554 5.7.1 <unknown[10.2.0.1]>: Client host rejected: Access denied\r\n");
}

}  // namespace
}  // namespace correio::smtpd
