// The smtp agent's TLS policy per destination (Postfix's smtp_tls_security_level and
// smtp_tls_policy_maps, TLS_README "TLS policy table"): main.cf's defaults, the policy
// table entry of the nexthop ("example.com verify ciphers=high", ".example.com secure",
// "[mail.example.org]:587 secure match=nexthop"), and the ClientOptions TLS part of one
// connection (level, SNI, protocols, ciphers, names to match). Parsing is pure; the table
// is read through maps::Map. Not thread-safe (the table is); one per agent.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "config/config.hpp"
#include "maps/map.hpp"
#include "smtp/client_session.hpp"
#include "tls/peer_verification.hpp"

namespace correio::delivery::smtp_agent {

// Postfix's DANE levels (TLS_README "dane", RFC 7672), decided per MX host by dane.hpp.
enum class DaneMode { off, dane, dane_only };

// One policy: main.cf's level, or a table entry's level with its attributes (unset: the
// main.cf parameter applies).
struct TlsPolicyEntry {
  // At dane and dane-only `level` is encrypt until dane.hpp settles the host's level.
  smtp::TlsLevel level = smtp::TlsLevel::none;
  DaneMode dane = DaneMode::off;
  std::optional<std::vector<std::string>> match;  // match=a:b (verify, secure only)
  std::optional<std::string> protocols;           // protocols=!SSLv2:!SSLv3
  std::optional<std::string> ciphers;             // ciphers=high
  std::optional<std::string> exclude;             // exclude=3DES:RC4
  std::optional<std::string> servername;          // servername=hostname (Postfix 3.4)
};

// Parses a level name ("none", "may", "encrypt", "verify", "secure", "dane", "dane-only")
// into an entry without attributes. "fingerprint" and "half-dane" are Postfix levels
// Correio refuses by name; anything else is unknown. Case-insensitive.
Result<TlsPolicyEntry> parse_tls_level(std::string_view name);

// A table value: a level, then name=value attributes separated by spaces or commas.
// Errors say what is wrong ("unknown attribute \"foo\"", "attribute \"match\" is invalid at
// security level \"may\"", "duplicate attribute \"ciphers\"", "tafile= is not supported").
Result<TlsPolicyEntry> parse_policy_entry(std::string_view value);

// main.cf's smtp_tls_* parameters, read once.
struct TlsSettings {
  TlsPolicyEntry defaults;                              // smtp_tls_security_level (or smtp_use_tls)
  std::vector<std::string> verify_match, secure_match;  // smtp_tls_{verify,secure}_cert_match
  std::string protocols, mandatory_protocols;           // smtp_tls_[mandatory_]protocols
  std::string ciphers, mandatory_ciphers;               // smtp_tls_[mandatory_]ciphers
  std::string exclude, mandatory_exclude;               // smtp_tls_[mandatory_]exclude_ciphers
  std::string servername;                               // smtp_tls_servername
  tls::CipherLists lists;                               // tls_{high,medium,null}_cipherlist
  tls::ClientTrust trust;                               // smtp_tls_CAfile, smtp_tls_CApath
  std::shared_ptr<maps::Map> policy_maps;               // smtp_tls_policy_maps; null: none
  std::vector<uint8_t> dane_digests{2, 1};              // tls_dane_digests (tls/dane.hpp)
  bool force_insecure_host_tlsa = false;                // smtp_tls_force_insecure_host_tlsa_lookup
  // Set when smtp_tls_security_level names a level Correio refuses (fingerprint):
  // every delivery is deferred with this text, never sent with less protection.
  std::string refused;
};

// Reads the parameters and checks every value once, so that a typo stops the agent at
// start ("smtp_tls_mandatory_ciphers: unknown cipher grade ...") instead of each delivery.
Result<TlsSettings> tls_settings_from_config(const config::Config& config);

// What TLS a delivery to one nexthop asks for: main.cf's level unless the policy table has
// an entry for the nexthop (verbatim key "[host]:port" or "domain", then for a bare domain
// its parents ".example.com", ".com", as TLS_README says). Errors: a table lookup failure
// or an invalid entry; the caller defers with 4.7.5.
Result<TlsPolicyEntry> policy_for(const TlsSettings& settings, const std::string& nexthop_text);

// The TLS part of ClientOptions for a connection to `host` (the MX or bracketed host name)
// for `nexthop_domain` under `entry`: protocols, ciphers (with "eNULL" excluded at encrypt
// and "aNULL" from verify up, as Postfix does), SNI, and the reference names from the
// match strategies: "hostname" the host, "nexthop" the nexthop domain, "dot-nexthop" its
// sub-domains, any other word that name (".domain": its sub-domains).
// At level secure, `secure_mx` (the host came from a DNSSEC-validated MX answer, with
// smtp_dns_support_level = dnssec) adds the host name to the names: Postfix's secure MX
// rule (TLS_README "secure"), since DNSSEC vouches for that name.
// Errors: a protocol list, cipher grade or exclusion that is not valid.
Result<tls::PeerCheck> peer_check(const TlsSettings& settings, const TlsPolicyEntry& entry,
                                  const std::string& host, const std::string& nexthop_domain,
                                  bool secure_mx = false);

}  // namespace correio::delivery::smtp_agent
