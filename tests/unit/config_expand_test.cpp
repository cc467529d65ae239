// Parameter expansion: $name ${name} $(name) ${name?x} ${name:x} ${name?{a}:{b}} $$,
// loops, defaults, overrides and the typed getters.
#include <gtest/gtest.h>

#include <cstdlib>

#include "base/strings.hpp"
#include "config/config.hpp"
#include "config/parameters.hpp"

namespace correio::config {
namespace {

Config make(std::string_view text, std::vector<std::string>* warnings = nullptr) {
  auto m = MainCf::parse(text, "/etc/correio/main.cf");
  EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().message);
  auto c = Config::from_main_cf(m.value(), "/etc/correio", warnings);
  EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().message);
  return c.value();
}

std::string load_error(std::string_view text) {
  auto m = MainCf::parse(text, "/etc/correio/main.cf");
  EXPECT_TRUE(m.ok());
  auto c = Config::from_main_cf(m.value(), "/etc/correio");
  EXPECT_FALSE(c.ok());
  return c.ok() ? "" : c.error().message;
}

TEST(Expand, AllReferenceForms) {
  auto c = make("a = x\nb = [$a] [${a}] [$(a)] [$a.y] [$a_z]\n");
  // $a_z is a different name ('_' is a name character) and is unknown: empty.
  EXPECT_EQ(c.get("b"), "[x] [x] [x] [x.y] []");
}

TEST(Expand, DollarDollarIsLiteral) {
  auto c = make("a = x\nb = cost $$a and $$$a\n");
  EXPECT_EQ(c.get("b"), "cost $a and $x");
}

TEST(Expand, LoneDollarIsLiteral) {
  auto c = make("b = end$\nc = $ space\n");
  EXPECT_EQ(c.get("b"), "end$");
  EXPECT_EQ(c.get("c"), "$ space");
}

TEST(Expand, Recursive) {
  auto c = make("a = $b\nb = ${c}-x\nc = deep\n");
  EXPECT_EQ(c.get("a"), "deep-x");
  EXPECT_EQ(c.raw("a"), "$b");
}

TEST(Expand, Conditionals) {
  auto c = make(
      "set = yes\nempty =\n"
      "q1 = ${set?on}\nq2 = ${empty?on}\nq3 = ${unknown?on}\n"
      "c1 = ${set:off}\nc2 = ${empty:off}\nc3 = ${unknown:off}\n"
      "b1 = ${set?{with $set}}\nb2 = ${empty:{was empty}}\n"
      "t1 = ${set?{A}:{B}}\nt2 = ${empty?{A}:{B}}\n"
      "n1 = ${set?${empty:inner}}\n");
  EXPECT_EQ(c.get("q1"), "on");
  EXPECT_EQ(c.get("q2"), "");
  EXPECT_EQ(c.get("q3"), "");
  EXPECT_EQ(c.get("c1"), "");
  EXPECT_EQ(c.get("c2"), "off");
  EXPECT_EQ(c.get("c3"), "off");
  EXPECT_EQ(c.get("b1"), "with yes");
  EXPECT_EQ(c.get("b2"), "was empty");
  EXPECT_EQ(c.get("t1"), "A");
  EXPECT_EQ(c.get("t2"), "B");
  EXPECT_EQ(c.get("n1"), "inner");
}

// Postfix 3.6 relational conditionals, as its own compatibility_level defaults use them.
TEST(Expand, RelationalConditionals) {
  auto c = make(
      "x = 5\n"
      "eq = ${{$x} == {5} ? {same} : {different}}\n"
      "ne = ${{$x} != {5} ? {different} : {same}}\n"
      "lt = ${{$x} < {10} ? {less}}\n"
      "ge = ${{$x} >= {10} : {not ge}}\n"
      "lvl = ${{3.6} <level {3.10} ? {older} : {newer}}\n"
      "lvl2 = ${{2} >=level {1.9.9} ? {yes} : {no}}\n");
  EXPECT_EQ(c.get("eq"), "same");
  EXPECT_EQ(c.get("ne"), "same");
  EXPECT_EQ(c.get("lt"), "less");
  EXPECT_EQ(c.get("ge"), "not ge");
  EXPECT_EQ(c.get("lvl"), "older");  // 3.6 < 3.10: levels compare part by part
  EXPECT_EQ(c.get("lvl2"), "yes");
}

TEST(Expand, CompatibilityLevelDrivesPostfixDefaults) {
  auto now = make("mydestination = a.example\n");
  EXPECT_EQ(now.get("relay_domains"), "");
  EXPECT_EQ(now.get("smtputf8_enable"), "yes");
  EXPECT_EQ(now.get("smtpd_relay_restrictions"),
            "permit_mynetworks, permit_sasl_authenticated, defer_unauth_destination");
  auto old = make("compatibility_level = 0\nmydestination = a.example\n");
  EXPECT_EQ(old.get("relay_domains"), "a.example");
  EXPECT_EQ(old.get("append_dot_mydomain"), "yes");
  EXPECT_EQ(old.get("smtpd_relay_restrictions"), "");
  EXPECT_EQ(old.get("mynetworks_style"), "subnet");
}

TEST(Expand, BadRelationalConditionalsAreErrors) {
  EXPECT_NE(load_error("a = ${{1} ~ {2} ? {x}}\n").find("unknown relational operator"),
            std::string::npos);
  EXPECT_NE(load_error("a = ${{x} < {2} ? {x}}\n").find("bad numerical argument"),
            std::string::npos);
  EXPECT_NE(load_error("a = ${{3.x} <level {2} ? {x}}\n").find("bad compatibility level"),
            std::string::npos);
  EXPECT_NE(load_error("a = ${{1} == {1} {x}}\n").find("'?' or ':' expected"), std::string::npos);
  EXPECT_NE(load_error("a = ${{1} == {1} ? {x} junk}\n").find("unexpected text"),
            std::string::npos);
}

TEST(Expand, DefaultsWithStressConditional) {
  auto c = make("");
  EXPECT_EQ(c.raw("smtpd_timeout"), "${stress?{10}:{300}}s");
  EXPECT_EQ(c.get("smtpd_timeout"), "300s");
  EXPECT_EQ(c.get_time("smtpd_timeout").count(), 300);
  EXPECT_EQ(c.get_int("smtpd_hard_error_limit"), 20);
  auto stressed = c.with_overrides({{"stress", "yes"}});
  ASSERT_TRUE(stressed.ok());
  EXPECT_EQ(stressed->get_time("smtpd_timeout").count(), 10);
  EXPECT_EQ(stressed->get_int("smtpd_hard_error_limit"), 1);
}

TEST(Expand, UnknownNamesExpandToNothing) {
  auto c = make("a = <$nosuch>\n");
  EXPECT_EQ(c.get("a"), "<>");
  EXPECT_EQ(c.get("nosuch"), "");
  EXPECT_FALSE(c.raw("nosuch").has_value());
}

TEST(Expand, LoopIsAnErrorNamingParameterAndLine) {
  std::string e = load_error("x = 1\na = $b\nb = ${a}\n");
  EXPECT_EQ(e, "/etc/correio/main.cf:2: error: parameter a: recursion: a -> b -> a");
  e = load_error("self = x$self\n");
  EXPECT_EQ(e, "/etc/correio/main.cf:1: error: parameter self: recursion: self -> self");
}

TEST(Expand, LoopInsideConditionalIsAnError) {
  std::string e = load_error("a = ${a?x}\n");
  EXPECT_NE(e.find("parameter a: recursion"), std::string::npos) << e;
}

TEST(Expand, UnbalancedBraceIsAnError) {
  std::string e = load_error("a = ${b\n");
  EXPECT_EQ(e.rfind("/etc/correio/main.cf:1: error: parameter a: unbalanced '{'", 0), 0u) << e;
}

TEST(Expand, ExponentialExpansionIsBounded) {
  std::string text = "p0 = xxxxxxxxxxxxxxxx\n";
  for (int i = 1; i < 40; ++i)
    text += "p" + std::to_string(i) + " = $p" + std::to_string(i - 1) + "$p" +
            std::to_string(i - 1) + "\n";
  std::string e = load_error(text);
  EXPECT_NE(e.find("expansion longer than"), std::string::npos) << e;
}

TEST(Expand, ManyEmptyReferencesAreFast) {
  // Memoized: 2^40 references to empty values must not take 2^40 steps.
  std::string text = "p0 =\n";
  for (int i = 1; i < 40; ++i)
    text += "p" + std::to_string(i) + " = $p" + std::to_string(i - 1) + "$p" +
            std::to_string(i - 1) + "\n";
  auto c = make(text);
  EXPECT_EQ(c.get("p39"), "");
}

TEST(Expand, ExpandArbitraryText) {
  auto c = make("myhostname = mx.example.org\n");
  auto r = c.expand("$myhostname ESMTP $mail_name");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "mx.example.org ESMTP Correio");
  EXPECT_EQ(c.get("smtpd_banner"), "mx.example.org ESMTP Correio");
}

TEST(Expand, DerivedMydomainFollowsConfiguredHostname) {
  EXPECT_EQ(make("myhostname = mx.example.org\n").get("mydomain"), "example.org");
  EXPECT_EQ(make("myhostname = localhost\n").get("mydomain"), "localdomain");
  EXPECT_EQ(make("myhostname = a.b.c\nmydomain = z\n").get("mydomain"), "z");
  auto c = make("myhostname = mx.example.org\n");
  EXPECT_EQ(c.get("mydestination"), "mx.example.org, localhost.example.org, localhost");
  EXPECT_EQ(c.get("myorigin"), "mx.example.org");
}

TEST(Expand, DynamicDefaults) {
  auto c = make("");
  std::string host = c.get("myhostname");
  EXPECT_NE(host.find('.'), std::string::npos) << host;
  EXPECT_EQ(c.get("mydomain"), domain_of_hostname(host));
  EXPECT_EQ(c.get("config_directory"), "/etc/correio");
  EXPECT_EQ(c.get("mail_version"), CORREIO_VERSION);
  std::string nets = c.get("mynetworks");
  EXPECT_EQ(nets.rfind("127.0.0.0/8 [::1]/128", 0), 0u) << nets;
}

TEST(Expand, DomainOfHostname) {
  EXPECT_EQ(domain_of_hostname("mx.example.org"), "example.org");
  EXPECT_EQ(domain_of_hostname("host"), "localdomain");
  EXPECT_EQ(domain_of_hostname("host."), "localdomain");
}

TEST(Expand, OverridesWin) {
  auto c = make("syslog_name = correio\nsmtpd_tls_security_level = may\n");
  auto o = c.with_overrides(
      {{"syslog_name", "correio/submission"}, {"smtpd_tls_security_level", "encrypt"}});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->get("syslog_name"), "correio/submission");
  EXPECT_EQ(o->get("smtpd_tls_security_level"), "encrypt");
  EXPECT_EQ(c.get("syslog_name"), "correio");  // the original is unchanged
}

TEST(Expand, OverrideLoopIsAnError) {
  auto c = make("a = $b\n");
  auto o = c.with_overrides({{"b", "$a"}});
  ASSERT_FALSE(o.ok());
  EXPECT_NE(o.error().message.find("recursion"), std::string::npos) << o.error().message;
}

TEST(Typed, Getters) {
  auto c = make(
      "smtpd_helo_required = yes\ndisable_vrfy_command = no\nmessage_size_limit = 5000\n"
      "maximal_queue_lifetime = 2\nminimal_backoff_time = 5m\ndelay_warning_time = 1w\n"
      "mydestination = a, b  c,,d\n");
  EXPECT_TRUE(c.get_bool("smtpd_helo_required"));
  EXPECT_FALSE(c.get_bool("disable_vrfy_command"));
  EXPECT_TRUE(c.get_bool("biff"));
  EXPECT_EQ(c.get_int("message_size_limit"), 5000);
  // A bare number takes the default's unit: maximal_queue_lifetime is in days.
  EXPECT_EQ(c.get_time("maximal_queue_lifetime").count(), 2 * 86400);
  EXPECT_EQ(c.get_time("minimal_backoff_time").count(), 300);
  EXPECT_EQ(c.get_time("delay_warning_time").count(), 7 * 86400);
  EXPECT_EQ(c.get_list("mydestination"), (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_EQ(c.get_int("virtual_destination_concurrency_limit"), 20);
  EXPECT_TRUE(c.validate().ok());
}

TEST(Typed, ValidateReportsFileAndLine) {
  auto c = make("a = 1\nmessage_size_limit = 10MB\n");
  auto s = c.validate();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message,
            "/etc/correio/main.cf:2: error: bad numerical configuration: message_size_limit = "
            "10MB");
  s = make("biff = maybe\n").validate();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message,
            "/etc/correio/main.cf:1: error: bad boolean configuration: biff = maybe");
  s = make("smtpd_timeout = 5x\n").validate();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("bad time configuration: smtpd_timeout = 5x"),
            std::string::npos);
}

TEST(Typed, ValidateOverride) {
  auto c = make("").with_overrides({{"smtpd_timeout", "never"}});
  ASSERT_TRUE(c.ok());
  auto s = c->validate();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "error: bad time configuration: smtpd_timeout = never");
}

TEST(Unused, WarningsUnlessReferenced) {
  std::vector<std::string> warnings;
  make(
      "virtual_alias_map = hash:/x\nmy_list = a b\nrelay_domains = $my_list\n"
      "relay_destination_concurrency_limit = 2\n",
      &warnings);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0],
            "/etc/correio/main.cf:1: warning: unused parameter: virtual_alias_map=hash:/x");
}

TEST(Unused, ReferencesInsideConditionalsCount) {
  auto refs = referenced_parameters("${a?{$b}:{${c}}} $(d) $$e ${f:x}");
  EXPECT_EQ(refs, (std::set<std::string>{"a", "b", "c", "d", "f"}));
}

TEST(Unused, ServiceDependentNames) {
  EXPECT_TRUE(is_service_dependent_name("relay_destination_concurrency_limit", {}));
  EXPECT_TRUE(is_service_dependent_name("relay_destination_concurrency_limit", {"relay"}));
  EXPECT_FALSE(is_service_dependent_name("bogus_destination_concurrency_limit", {"relay"}));
  EXPECT_FALSE(is_service_dependent_name("virtual_alias_map", {}));
}

TEST(ResolveConfigDir, Order) {
  ::unsetenv("MAIL_CONFIG");
  EXPECT_EQ(resolve_config_dir(nullptr), "/etc/correio");
  ::setenv("MAIL_CONFIG", "/from/env", 1);
  EXPECT_EQ(resolve_config_dir(nullptr), "/from/env");
  EXPECT_EQ(resolve_config_dir("/from/dash-c"), "/from/dash-c");
  ::unsetenv("MAIL_CONFIG");
}

TEST(Parameters, TableIsSortedUniqueAndDocumented) {
  auto table = parameter_table();
  ASSERT_GT(table.size(), 150u);
  for (size_t i = 1; i < table.size(); ++i)
    EXPECT_LT(table[i - 1].name, table[i].name) << table[i].name;
  for (const auto& p : table) {
    EXPECT_FALSE(p.description.empty()) << p.name;
    EXPECT_TRUE(is_valid_parameter_name(p.name)) << p.name;
  }
}

TEST(Parameters, DefaultsOfTheSeedParameters) {
  auto def = [](std::string_view n) {
    const ParameterInfo* p = find_parameter(n);
    EXPECT_NE(p, nullptr) << n;
    return p ? default_value(*p, "/etc/correio") : std::string("?");
  };
  EXPECT_EQ(def("mydestination"), "$myhostname, localhost.$mydomain, localhost");
  EXPECT_EQ(def("myorigin"), "$myhostname");
  EXPECT_EQ(def("smtpd_banner"), "$myhostname ESMTP $mail_name");
  EXPECT_EQ(def("mail_name"), "Correio");
  EXPECT_EQ(def("syslog_name"), "correio");
  EXPECT_EQ(def("disable_vrfy_command"), "no");
  EXPECT_EQ(def("inet_interfaces"), "all");
  EXPECT_EQ(def("relay_domains"), "${{$compatibility_level} <level {2} ? {$mydestination} : {}}");
  EXPECT_EQ(def("message_size_limit"), "10240000");
  EXPECT_EQ(def("smtp_sasl_security_options"), "noplaintext, noanonymous");
  EXPECT_EQ(def("virtual_alias_domains"), "$virtual_alias_maps");
  EXPECT_EQ(def("smtpd_forbid_bare_newline_exclusions"), "$mynetworks");
  EXPECT_EQ(def("imapd_tls_cert_file"), "$smtpd_tls_cert_file");
  EXPECT_EQ(def("compatibility_level"), "3.6");
  EXPECT_EQ(def("config_directory"), "/etc/correio");
  EXPECT_EQ(find_parameter("no_such_parameter"), nullptr);
  for (std::string_view n : {"alias_database",
                             "alias_maps",
                             "command_directory",
                             "daemon_directory",
                             "data_directory",
                             "debug_peer_level",
                             "debugger_command",
                             "html_directory",
                             "inet_protocols",
                             "mail_owner",
                             "mailq_path",
                             "manpage_directory",
                             "newaliases_path",
                             "queue_directory",
                             "readme_directory",
                             "sample_directory",
                             "sendmail_path",
                             "setgid_group",
                             "unknown_local_recipient_reject_code",
                             "myhostname",
                             "mydomain",
                             "relayhost",
                             "mynetworks",
                             "sender_canonical_maps",
                             "smtpd_use_tls",
                             "smtpd_tls_auth_only",
                             "smtpd_tls_cert_file",
                             "smtpd_tls_key_file",
                             "smtp_sasl_auth_enable",
                             "smtp_sasl_password_maps",
                             "smtp_use_tls",
                             "smtp_sender_dependent_authentication",
                             "sender_dependent_relayhost_maps",
                             "virtual_mailbox_domains",
                             "virtual_mailbox_maps",
                             "virtual_alias_maps"})
    EXPECT_NE(find_parameter(n), nullptr) << n;
}

}  // namespace
}  // namespace correio::config

// mynetworks_style (postconf(5)): host = the machine's own addresses, subnet = their
// subnets, class = their whole class A/B/C networks (IPv4; IPv6 keeps the subnet).
TEST(OwnNetworks, StylesHostSubnetAndClass) {
  for (std::string_view style : {"host", "subnet", "class"}) {
    std::string nets = correio::config::own_networks(style);
    EXPECT_EQ(nets.rfind("127.0.0.0/8 [::1]/128", 0), 0u) << nets;
    for (const auto& net : correio::base::split_list(nets)) {
      if (net.starts_with('[') || net == "127.0.0.0/8") continue;
      auto slash = net.find('/');
      ASSERT_NE(slash, std::string::npos) << net;
      int prefix = std::stoi(net.substr(slash + 1));
      int first = std::stoi(net.substr(0, net.find('.')));
      if (style == "host") {
        EXPECT_EQ(prefix, 32) << net;
      }
      if (style == "class" && first < 224) {
        EXPECT_EQ(prefix, first < 128 ? 8 : first < 192 ? 16 : 24) << net;
      }
    }
  }
}
