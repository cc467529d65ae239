// The few parts of a DNS message (RFC 1035 §4.1) that c-ares 1.18 does not give us: a
// query with the EDNS DO bit (RFC 3225) and the AD bit (RFC 6840 §5.7) set, and, in an
// answer, the header's AD flag and the RDATA of the answer records of one type (TLSA).
// Pure functions on bytes; the answer parser takes network input and has a fuzz target.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace correio::dns {

// RFC 1035 §3.2.2 and RFC 6698 §7.1.
inline constexpr uint16_t kTypeA = 1, kTypeCname = 5, kTypeMx = 15, kTypeAaaa = 28, kTypeTlsa = 52;

// A recursion-desired query for `name` and `type` (class IN) with an EDNS0 OPT record
// (1232-byte UDP payload) whose DO bit asks for DNSSEC records, and the AD bit set so that
// the resolver reports whether it validated the answer. The ID is left 0: c-ares' ares_send
// sets its own. Errors: a name that is not a valid DNS name (a label over 63 bytes, a name
// over 255 bytes, an empty label).
Result<std::vector<uint8_t>> secure_query(std::string_view name, uint16_t type);

struct AnswerHeader {
  unsigned rcode = 0;         // RFC 1035 §4.1.1: 0 no error, 2 server failure, 3 no such name
  bool authentic = false;     // AD: the resolver validated every record (RFC 4035 §3.2.3)
  bool truncated = false;     // TC
  uint16_t answer_count = 0;  // ANCOUNT
};

// The header of a response. Errors: shorter than a header, or not a response (QR clear).
Result<AnswerHeader> read_header(std::span<const uint8_t> message);

// The RDATA of every record of `type` and class IN in the answer section (owner names are
// not compared: the resolver's answer to one question holds that name and its CNAME
// chain). Errors: a message that ends inside a name or record, a compression loop.
Result<std::vector<std::vector<uint8_t>>> answer_rdata(std::span<const uint8_t> message,
                                                       uint16_t type);

// The end of the CNAME chain that starts at `name` in the answer section (RFC 1034 §3.6.2;
// RFC 7672 §2.2.2's "fully CNAME-expanded" host name), in lower case without a final dot;
// `name` itself (lower case) when the answer has no CNAME for it. Errors: answer_rdata's,
// a name pointer loop, a name over 255 bytes, a chain of more than 16 aliases.
Result<std::string> cname_expansion(std::span<const uint8_t> message, std::string_view name);

// RFC 6698 §2.1: one TLSA record's fields.
struct TlsaRecord {
  uint8_t usage = 0;     // 0 PKIX-TA, 1 PKIX-EE, 2 DANE-TA, 3 DANE-EE (RFC 7218)
  uint8_t selector = 0;  // 0 whole certificate, 1 SubjectPublicKeyInfo
  uint8_t mtype = 0;     // 0 exact, 1 SHA2-256, 2 SHA2-512
  std::vector<uint8_t> data;
};

// The TLSA records of a response. Errors: answer_rdata's, or a record shorter than its
// three fixed fields.
Result<std::vector<TlsaRecord>> tlsa_records(std::span<const uint8_t> message);

}  // namespace correio::dns
