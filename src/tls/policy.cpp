// Postfix's protocol lists and cipher grades, and their translation into OpenSSL settings.
#include "tls/policy.hpp"

#include <fmt/format.h>
#include <openssl/err.h>

#include <vector>

#include "base/strings.hpp"

namespace correio::tls {
namespace {

// Postfix's CHARS_COMMA_SP plus ":" (tls_misc.c splits protocol and exclusion lists so).
constexpr std::string_view kSeparators = " \t\r\n,:";

// Every name Postfix knows, oldest first. SSLv2 and SSLv3 take part in ranges and
// exclusions but map to no bit: nothing here can enable them.
struct ProtocolName {
  std::string_view name;
  unsigned bit;
};
constexpr ProtocolName kProtocols[] = {
    {"SSLv2", 0},
    {"SSLv3", 0},
    {"TLSv1", ProtocolSet::kTls1},
    {"TLSv1.1", ProtocolSet::kTls1_1},
    {"TLSv1.2", ProtocolSet::kTls1_2},
    {"TLSv1.3", ProtocolSet::kTls1_3},
};
constexpr int kProtocolCount = static_cast<int>(std::size(kProtocols));

// The index in kProtocols, -1 for an unknown name (case matters, as in Postfix).
int protocol_index(std::string_view name) {
  for (int i = 0; i < kProtocolCount; ++i)
    if (kProtocols[i].name == name) return i;
  return -1;
}

std::vector<std::string_view> split(std::string_view value) {
  std::vector<std::string_view> words;
  size_t pos = 0;
  while (pos < value.size()) {
    size_t start = value.find_first_not_of(kSeparators, pos);
    if (start == std::string_view::npos) break;
    size_t end = value.find_first_of(kSeparators, start);
    if (end == std::string_view::npos) end = value.size();
    words.push_back(value.substr(start, end - start));
    pos = end;
  }
  return words;
}

struct VersionBit {
  unsigned bit;
  int version;
  uint64_t disable;  // the SSL_OP_NO_* that switches this version off inside a range
};
constexpr VersionBit kVersions[] = {
    {ProtocolSet::kTls1, TLS1_VERSION, SSL_OP_NO_TLSv1},
    {ProtocolSet::kTls1_1, TLS1_1_VERSION, SSL_OP_NO_TLSv1_1},
    {ProtocolSet::kTls1_2, TLS1_2_VERSION, SSL_OP_NO_TLSv1_2},
    {ProtocolSet::kTls1_3, TLS1_3_VERSION, SSL_OP_NO_TLSv1_3},
};

}  // namespace

int ProtocolSet::min_version() const {
  for (const auto& v : kVersions)
    if (bits_ & v.bit) return v.version;
  return 0;
}

int ProtocolSet::max_version() const {
  int highest = 0;
  for (const auto& v : kVersions)
    if (bits_ & v.bit) highest = v.version;
  return highest;
}

std::string ProtocolSet::describe() const {
  std::string out;
  for (const auto& p : kProtocols)
    if (p.bit & bits_) out += (out.empty() ? "" : " ") + std::string(p.name);
  return out.empty() ? "(none)" : out;
}

Result<ProtocolSet> parse_protocols(std::string_view value) {
  // Masks over kProtocols indexes (bit i = kProtocols[i]), then folded into ProtocolSet.
  unsigned include = 0, exclude = 0;
  int floor = 0, ceiling = kProtocolCount - 1;
  for (std::string_view word : split(value)) {
    std::string_view name = word;
    char kind = '=';
    if (name.starts_with("!")) {
      kind = '!';
      name.remove_prefix(1);
    } else if (name.starts_with(">=") || name.starts_with("<=")) {
      kind = name[0];
      name.remove_prefix(2);
    }
    int index = protocol_index(name);
    if (index < 0)
      return Error{
          fmt::format("unknown TLS protocol \"{}\" (known: SSLv2, SSLv3, TLSv1, "
                      "TLSv1.1, TLSv1.2, TLSv1.3)",
                      name)};
    switch (kind) {
      case '!':
        exclude |= 1u << index;
        break;
      case '>':
        floor = index;
        break;
      case '<':
        ceiling = index;
        break;
      default:
        include |= 1u << index;
    }
  }
  // Postfix: with an include list, everything not included is excluded too.
  unsigned candidates = include ? include : (1u << kProtocolCount) - 1;
  unsigned enabled = 0;
  for (int i = floor; i <= ceiling; ++i)
    if ((candidates & ~exclude) & (1u << i)) enabled |= kProtocols[i].bit;
  if (enabled == 0)
    return Error{
        fmt::format("\"{}\" leaves no TLS protocol enabled (Correio speaks TLSv1 "
                    "to TLSv1.3)",
                    base::trim(value))};
  return ProtocolSet(enabled);
}

Result<std::string> cipher_list(std::string_view grade, std::string_view exclude,
                                const CipherLists& lists) {
  std::string_view g = base::trim(grade);
  std::string list;
  if (g == "high")
    list = lists.high;
  else if (g == "medium" || g == "low" || g == "export")
    list = lists.medium;
  else if (g == "null")
    list = lists.null;
  else
    return Error{
        fmt::format("unknown cipher grade \"{}\" (known: high, medium, low, export, null)", g)};
  for (std::string_view word : split(exclude)) {
    // An operator here would turn the exclusion into something else ("!+X" is nonsense,
    // "@STRENGTH" reorders): Postfix refuses them, so do we.
    if (std::string_view("!+-@").find(word.front()) != std::string_view::npos)
      return Error{
          fmt::format("invalid operator '{}' in cipher exclusion \"{}\"", word.front(), word)};
    list += ":!";
    list += word;
  }
  return list;
}

namespace {

// The SSL_OP_NO_* switches for the gaps inside `p`'s range ("!TLSv1.2" with 1.1 and 1.3 on).
uint64_t gap_options(const ProtocolSet& p) {
  uint64_t disable = 0;
  for (const auto& v : kVersions)
    if (v.version > p.min_version() && v.version < p.max_version() && !(p.bits() & v.bit))
      disable |= v.disable;
  return disable;
}

// One body for SSL_CTX and SSL: OpenSSL names each setter twice.
template <typename Handle, typename Ops>
Status apply(Handle* handle, const ServerPolicy& policy, Ops ops) {
  const ProtocolSet& p = policy.protocols;
  if (p.bits() == 0) return Error{"no TLS protocol enabled"};
  ops.min(handle, p.min_version());
  ops.max(handle, p.max_version());
  if (uint64_t disable = gap_options(p)) ops.options(handle, disable);
  ERR_clear_error();
  // OpenSSL ignores names it does not know and fails only when nothing at all is selected.
  if (ops.ciphers(handle, policy.cipher_list.c_str()) != 1) {
    ERR_clear_error();
    return Error{fmt::format("no TLS cipher matches \"{}\"", policy.cipher_list)};
  }
  return {};
}

}  // namespace

Status apply_policy(SSL_CTX* ctx, const ServerPolicy& policy) {
  struct {
    static void min(SSL_CTX* c, int v) { SSL_CTX_set_min_proto_version(c, v); }
    static void max(SSL_CTX* c, int v) { SSL_CTX_set_max_proto_version(c, v); }
    static void options(SSL_CTX* c, uint64_t o) { SSL_CTX_set_options(c, o); }
    static int ciphers(SSL_CTX* c, const char* l) { return SSL_CTX_set_cipher_list(c, l); }
  } ops;
  return apply(ctx, policy, ops);
}

Status apply_policy(SSL* ssl, const ServerPolicy& policy) {
  struct {
    static void min(SSL* s, int v) { SSL_set_min_proto_version(s, v); }
    static void max(SSL* s, int v) { SSL_set_max_proto_version(s, v); }
    static void options(SSL* s, uint64_t o) { SSL_set_options(s, o); }
    static int ciphers(SSL* s, const char* l) { return SSL_set_cipher_list(s, l); }
  } ops;
  return apply(ssl, policy, ops);
}

}  // namespace correio::tls
