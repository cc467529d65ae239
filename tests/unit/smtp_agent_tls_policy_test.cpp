// The smtp agent's TLS policy (delivery/smtp/tls_policy.hpp): Postfix's policy table syntax,
// the lookup order of TLS_README (verbatim nexthop, then ".parent" domains for a bare
// domain), and the names each match strategy yields.
#include <gtest/gtest.h>

#include "delivery/smtp/dane.hpp"
#include "delivery/smtp/tls_policy.hpp"
#include "tls/dane.hpp"

namespace correio::delivery::smtp_agent {
namespace {

using smtp::TlsLevel;

TEST(SmtpAgentTlsPolicy, EntrySyntax) {
  auto e = parse_policy_entry(
      "verify match=hostname:dot-nexthop protocols=TLSv1.2:TLSv1.3, "
      "ciphers=high exclude=3DES");
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_EQ(e->level, TlsLevel::verify);
  ASSERT_TRUE(e->match);
  EXPECT_EQ(*e->match, (std::vector<std::string>{"hostname", "dot-nexthop"}));
  EXPECT_EQ(e->protocols.value_or(""), "TLSv1.2:TLSv1.3");
  EXPECT_EQ(e->ciphers.value_or(""), "high");
  EXPECT_EQ(e->exclude.value_or(""), "3DES");

  EXPECT_EQ(parse_policy_entry("  SECURE ")->level, TlsLevel::secure);
  EXPECT_EQ(parse_policy_entry("none")->level, TlsLevel::none);
  EXPECT_EQ(parse_policy_entry("encrypt ciphers=high")->level, TlsLevel::encrypt);
  // RFC 7672: the DANE levels, settled per MX host (dane.hpp); mandatory TLS meanwhile.
  auto dane = parse_policy_entry("DANE protocols=TLSv1.3");
  ASSERT_TRUE(dane);
  EXPECT_EQ(dane->dane, DaneMode::dane);
  EXPECT_EQ(dane->level, TlsLevel::encrypt);
  EXPECT_EQ(parse_policy_entry("dane-only")->dane, DaneMode::dane_only);
  EXPECT_EQ(parse_policy_entry("verify")->dane, DaneMode::off);
}

TEST(SmtpAgentTlsPolicy, EntryErrors) {
  auto message = [](std::string_view v) {
    auto e = parse_policy_entry(v);
    return e ? std::string("accepted") : e.error().message;
  };
  EXPECT_EQ(message(""), "empty TLS policy");
  EXPECT_EQ(message("bogus"), "unknown TLS security level \"bogus\"");
  EXPECT_EQ(message("dane match=nexthop"),
            "attribute \"match\" is invalid at security level \"dane\"");
  EXPECT_EQ(message("dane-only match=hostname"),
            "attribute \"match\" is invalid at security level \"dane-only\"");
  EXPECT_NE(message("half-dane").find("not supported"), std::string::npos);
  EXPECT_NE(message("fingerprint match=AB:CD").find("not supported"), std::string::npos);
  EXPECT_EQ(message("may match=nexthop"),
            "attribute \"match\" is invalid at security level \"may\"");
  EXPECT_EQ(message("none ciphers=high"),
            "attribute \"ciphers\" is invalid at security level \"none\"");
  EXPECT_EQ(message("verify ciphers=high ciphers=medium"), "duplicate attribute \"ciphers\"");
  EXPECT_EQ(message("verify colour=blue"), "unknown attribute \"colour\"");
  EXPECT_EQ(message("verify high"), "malformed attribute \"high\" (expected name=value)");
  EXPECT_NE(message("secure tafile=/etc/ta.pem").find("tafile"), std::string::npos);
  EXPECT_NE(message("encrypt protocols=TLSv9").find("unknown TLS protocol"), std::string::npos);
  EXPECT_NE(message("encrypt ciphers=superb").find("unknown cipher grade"), std::string::npos);
  EXPECT_NE(message("encrypt exclude=!RC4").find("invalid operator"), std::string::npos);
}

TlsPolicyEntry at(TlsLevel level) {
  TlsPolicyEntry e;
  e.level = level;
  return e;
}

TlsSettings settings_with(std::string_view table) {
  TlsSettings s;
  s.defaults.level = TlsLevel::may;
  s.verify_match = {"hostname"};
  s.secure_match = {"nexthop", "dot-nexthop"};
  s.protocols = s.mandatory_protocols = ">=TLSv1.2";
  s.ciphers = s.mandatory_ciphers = "medium";
  s.lists = {"HIGH", "HIGH:MEDIUM", "eNULL"};
  auto maps = maps::open_maps(table);
  EXPECT_TRUE(maps.ok());
  s.policy_maps = std::move(*maps);
  return s;
}

TEST(SmtpAgentTlsPolicy, LookupOrder) {
  TlsSettings s = settings_with(
      "inline:{ example.com=secure, .example.com=verify, [mail.example.org]:587=encrypt, "
      "example.org=none }");
  EXPECT_EQ(policy_for(s, "example.com")->level, TlsLevel::secure);
  EXPECT_EQ(policy_for(s, "a.b.example.com")->level, TlsLevel::verify);
  EXPECT_EQ(policy_for(s, "[mail.example.org]:587")->level, TlsLevel::encrypt);
  // Brackets and ports are verbatim keys: no parent-domain walk, main.cf's level.
  EXPECT_EQ(policy_for(s, "[mail.example.org]")->level, TlsLevel::may);
  EXPECT_EQ(policy_for(s, "[x.example.com]")->level, TlsLevel::may);
  EXPECT_EQ(policy_for(s, "example.org")->level, TlsLevel::none);
  EXPECT_EQ(policy_for(s, "other.test")->level, TlsLevel::may);
}

TEST(SmtpAgentTlsPolicy, InvalidEntryNamesTableAndKey) {
  TlsSettings s = settings_with("inline:{ example.com=maybe }");
  auto p = policy_for(s, "example.com");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().message,
            "smtp_tls_policy_maps, next-hop destination \"example.com\": unknown TLS security "
            "level \"maybe\"");
}

TEST(SmtpAgentTlsPolicy, MatchStrategiesGiveNames) {
  TlsSettings s = settings_with("inline:{ }");
  TlsPolicyEntry verify = at(TlsLevel::verify);
  auto v = peer_check(s, verify, "MX1.Example.COM", "example.com");
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->require_match);
  EXPECT_EQ(v->names, std::vector<std::string>{"mx1.example.com"});
  EXPECT_NE(v->policy.cipher_list.find(":!aNULL"), std::string::npos);

  TlsPolicyEntry secure = at(TlsLevel::secure);
  auto sec = peer_check(s, secure, "mx1.example.com", "example.com");
  EXPECT_EQ(sec->names, (std::vector<std::string>{"example.com", ".example.com"}));

  secure.match = std::vector<std::string>{"example.net", ".example.net"};
  sec = peer_check(s, secure, "mx1.example.com", "example.com");
  EXPECT_EQ(sec->names, (std::vector<std::string>{"example.net", ".example.net"}));

  TlsPolicyEntry encrypt = at(TlsLevel::encrypt);
  auto enc = peer_check(s, encrypt, "mx1.example.com", "example.com");
  EXPECT_FALSE(enc->require_match);
  EXPECT_TRUE(enc->names.empty());
  EXPECT_NE(enc->policy.cipher_list.find(":!eNULL"), std::string::npos);
}

TEST(SmtpAgentTlsPolicy, ServerNameAndProtocols) {
  TlsSettings s = settings_with("inline:{ }");
  TlsPolicyEntry e = at(TlsLevel::encrypt);
  EXPECT_EQ(peer_check(s, e, "mx1.example.com", "example.com")->sni, "");
  s.servername = "hostname";
  EXPECT_EQ(peer_check(s, e, "mx1.example.com", "example.com")->sni, "mx1.example.com");
  s.servername = "nexthop";
  EXPECT_EQ(peer_check(s, e, "mx1.example.com", "example.com")->sni, "example.com");
  // An address literal is never sent as SNI (RFC 6066 §3).
  s.servername = "hostname";
  EXPECT_EQ(peer_check(s, e, "192.0.2.1", "192.0.2.1")->sni, "");

  e.protocols = "TLSv1.3";
  EXPECT_EQ(peer_check(s, e, "h", "d")->policy.protocols.describe(), "TLSv1.3");
  e.protocols = "TLSv9";
  EXPECT_FALSE(peer_check(s, e, "h", "d").ok());
  e.protocols.reset();
  e.ciphers = "superb";
  EXPECT_FALSE(peer_check(s, e, "h", "d").ok());
}

}  // namespace
}  // namespace correio::delivery::smtp_agent

namespace correio::delivery::smtp_agent {
namespace {

// RFC 7672 §3.1: which TLSA records SMTP may use.
TEST(SmtpAgentDane, UsableTlsaRecords) {
  auto record = [](uint8_t u, uint8_t s, uint8_t m, size_t n) {
    return dns::TlsaRecord{u, s, m, std::vector<uint8_t>(n, 1)};
  };
  EXPECT_TRUE(usable_tlsa(record(3, 1, 1, 32)));
  EXPECT_TRUE(usable_tlsa(record(2, 0, 2, 64)));
  EXPECT_TRUE(usable_tlsa(record(3, 0, 0, 300)));
  EXPECT_FALSE(usable_tlsa(record(0, 1, 1, 32)));  // PKIX-TA
  EXPECT_FALSE(usable_tlsa(record(1, 1, 1, 32)));  // PKIX-EE
  EXPECT_FALSE(usable_tlsa(record(3, 2, 1, 32)));  // unknown selector
  EXPECT_FALSE(usable_tlsa(record(3, 1, 3, 32)));  // unknown matching type
  EXPECT_FALSE(usable_tlsa(record(3, 1, 1, 31)));  // SHA2-256 of the wrong length
  EXPECT_FALSE(usable_tlsa(record(3, 1, 2, 32)));
  EXPECT_FALSE(usable_tlsa(record(3, 1, 0, 0)));
  // tls_dane_digests = sha512: SHA2-256 records are unusable, exact ones still count.
  const std::vector<uint8_t> sha512_only{2};
  EXPECT_FALSE(usable_tlsa(record(3, 1, 1, 32), sha512_only));
  EXPECT_TRUE(usable_tlsa(record(3, 1, 2, 64), sha512_only));
  EXPECT_TRUE(usable_tlsa(record(3, 0, 0, 300), sha512_only));
}

// postconf(5) tls_dane_digests: names (optionally "=type"), most preferred first.
TEST(SmtpAgentDane, DaneDigests) {
  EXPECT_EQ(*tls::parse_dane_digests("sha512 sha256"), (std::vector<uint8_t>{2, 1}));
  EXPECT_EQ(*tls::parse_dane_digests("SHA256, sha512=2"), (std::vector<uint8_t>{1, 2}));
  EXPECT_EQ(*tls::parse_dane_digests("sha512"), (std::vector<uint8_t>{2}));
  EXPECT_FALSE(tls::parse_dane_digests(""));
  EXPECT_FALSE(tls::parse_dane_digests("md5"));
  EXPECT_FALSE(tls::parse_dane_digests("sha256=2"));
  EXPECT_FALSE(tls::parse_dane_digests("sha256 sha256"));
}

// Postfix's secure MX rule: a validated MX answer's host name is a match name at secure.
TEST(SmtpAgentTlsPolicy, SecureMxRule) {
  TlsSettings s = settings_with("inline:{ }");
  TlsPolicyEntry secure = at(TlsLevel::secure);
  auto sec = peer_check(s, secure, "MX1.Provider.NET", "example.com", true);
  EXPECT_EQ(sec->names,
            (std::vector<std::string>{"example.com", ".example.com", "mx1.provider.net"}));
  sec = peer_check(s, secure, "mx1.provider.net", "example.com", false);
  EXPECT_EQ(sec->names, (std::vector<std::string>{"example.com", ".example.com"}));
  // Not at verify: its names are the administrator's alone.
  TlsPolicyEntry verify = at(TlsLevel::verify);
  verify.match = std::vector<std::string>{"nexthop"};
  EXPECT_EQ(peer_check(s, verify, "mx1.provider.net", "example.com", true)->names,
            std::vector<std::string>{"example.com"});
}

}  // namespace
}  // namespace correio::delivery::smtp_agent
