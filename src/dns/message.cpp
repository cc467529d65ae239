// DNS message building and reading for DNSSEC-aware lookups (see message.hpp). Every read
// is bounds-checked against the message; names are skipped, and expanded only to follow
// a CNAME chain.
#include "dns/message.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace correio::dns {
namespace {

constexpr size_t kHeaderSize = 12;
constexpr uint16_t kClassIn = 1;
constexpr uint16_t kTypeOpt = 41;
constexpr uint16_t kUdpPayload = 1232;  // the DNS flag day 2020 size; no fragmentation

void put16(std::vector<uint8_t>& out, uint16_t value) {
  out.push_back(static_cast<uint8_t>(value >> 8));
  out.push_back(static_cast<uint8_t>(value & 0xff));
}

uint16_t get16(std::span<const uint8_t> m, size_t at) {
  return static_cast<uint16_t>((m[at] << 8) | m[at + 1]);
}

// RFC 1035 §4.1.4: the offset just after the name at `at`; a pointer ends the name. A
// pointer is two bytes and nothing follows it, so no loop can be entered here.
Result<size_t> skip_name(std::span<const uint8_t> m, size_t at) {
  while (true) {
    if (at >= m.size()) return Error{"message ends inside a name"};
    uint8_t length = m[at];
    if ((length & 0xc0) == 0xc0) {
      if (at + 2 > m.size()) return Error{"message ends inside a name pointer"};
      return at + 2;
    }
    if ((length & 0xc0) != 0) return Error{"unknown label type"};
    if (length == 0) return at + 1;
    at += 1 + length;
  }
}

// RFC 1035 §4.1.4: the name at `at`, its pointers followed, in lower case without a final
// dot. At most 127 pointers (a longer chain loops) and 255 bytes.
Result<std::string> read_name(std::span<const uint8_t> m, size_t at) {
  std::string name;
  size_t wire_length = 1;
  for (int jumps = 0;;) {
    if (at >= m.size()) return Error{"message ends inside a name"};
    uint8_t length = m[at];
    if ((length & 0xc0) == 0xc0) {
      if (at + 2 > m.size()) return Error{"message ends inside a name pointer"};
      if (++jumps > 127) return Error{"name pointer loop"};
      at = static_cast<size_t>(((length & 0x3f) << 8) | m[at + 1]);
      continue;
    }
    if ((length & 0xc0) != 0) return Error{"unknown label type"};
    if (length == 0) return name;
    if (at + 1 + length > m.size()) return Error{"message ends inside a label"};
    wire_length += 1 + length;
    if (wire_length > 255) return Error{"name longer than 255 bytes"};
    if (!name.empty()) name += '.';
    for (size_t i = at + 1; i < at + 1 + length; ++i) {
      char c = static_cast<char>(m[i]);
      name += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
    at += 1 + length;
  }
}

std::string lower_name(std::string_view name) {
  if (name.ends_with('.')) name.remove_suffix(1);
  std::string out(name);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace

Result<std::vector<uint8_t>> secure_query(std::string_view name, uint16_t type) {
  if (name.ends_with('.')) name.remove_suffix(1);
  std::vector<uint8_t> out;
  out.reserve(kHeaderSize + name.size() + 2 + 4 + 11);
  put16(out, 0);        // ID: ares_send replaces it
  out.push_back(0x01);  // QR=0, opcode 0, RD=1
  out.push_back(0x20);  // AD=1 (RFC 6840 §5.7: "tell me whether you validated")
  put16(out, 1);        // QDCOUNT
  put16(out, 0);        // ANCOUNT
  put16(out, 0);        // NSCOUNT
  put16(out, 1);        // ARCOUNT: the OPT record
  size_t name_start = out.size();
  size_t begin = 0;
  while (!name.empty() && begin <= name.size()) {
    size_t dot = name.find('.', begin);
    if (dot == std::string_view::npos) dot = name.size();
    size_t length = dot - begin;
    if (length == 0 || length > 63) return Error{fmt::format("invalid DNS name \"{}\"", name)};
    out.push_back(static_cast<uint8_t>(length));
    out.insert(out.end(), name.begin() + begin, name.begin() + dot);
    begin = dot + 1;
  }
  out.push_back(0);
  if (out.size() - name_start > 255) return Error{fmt::format("DNS name too long \"{}\"", name)};
  put16(out, type);
  put16(out, kClassIn);
  // RFC 6891 §6.1.2 OPT: root owner, type 41, CLASS = UDP payload size, TTL = extended
  // RCODE 0, version 0, flags with DO (RFC 3225 §3: the top bit), RDLENGTH 0.
  out.push_back(0);
  put16(out, kTypeOpt);
  put16(out, kUdpPayload);
  out.push_back(0);
  out.push_back(0);
  out.push_back(0x80);
  out.push_back(0);
  put16(out, 0);
  return out;
}

Result<AnswerHeader> read_header(std::span<const uint8_t> m) {
  if (m.size() < kHeaderSize) return Error{"DNS message shorter than its header"};
  if ((m[2] & 0x80) == 0) return Error{"DNS message is not a response"};
  AnswerHeader h;
  h.truncated = (m[2] & 0x02) != 0;
  h.authentic = (m[3] & 0x20) != 0;
  h.rcode = m[3] & 0x0f;
  h.answer_count = get16(m, 6);
  return h;
}

namespace {

// One resource record of the answer section, as offsets into the message.
struct AnswerRecord {
  size_t owner_at = 0;  // where its (possibly compressed) owner name starts
  uint16_t type = 0, rr_class = 0;
  size_t data_at = 0;  // where RDATA starts
  uint16_t length = 0;
};

// Walks the question section (RFC 1035 §4.1.2: a name, then type and class), then calls
// `visit(const AnswerRecord&)` -> Status for each answer record (§4.1.3: TYPE, CLASS,
// TTL, RDLENGTH, RDATA); stops at the first error.
template <class Visit>
Status for_each_answer(std::span<const uint8_t> m, Visit visit) {
  auto header = read_header(m);
  if (!header) return header.error();
  size_t at = kHeaderSize;
  for (uint16_t q = get16(m, 4); q > 0; --q) {
    auto end = skip_name(m, at);
    if (!end) return end.error();
    at = *end + 4;
    if (at > m.size()) return Error{"message ends inside a question"};
  }
  for (uint16_t a = header->answer_count; a > 0; --a) {
    AnswerRecord record;
    record.owner_at = at;
    auto end = skip_name(m, at);
    if (!end) return end.error();
    at = *end;
    if (at + 10 > m.size()) return Error{"message ends inside a record header"};
    record.type = get16(m, at);
    record.rr_class = get16(m, at + 2);
    record.length = get16(m, at + 8);
    at += 10;
    if (at + record.length > m.size()) return Error{"message ends inside a record's data"};
    record.data_at = at;
    if (Status s = visit(record); !s) return s;
    at += record.length;
  }
  return {};
}

}  // namespace

Result<std::vector<std::vector<uint8_t>>> answer_rdata(std::span<const uint8_t> m, uint16_t type) {
  std::vector<std::vector<uint8_t>> out;
  Status walked = for_each_answer(m, [&](const AnswerRecord& r) -> Status {
    if (r.type == type && r.rr_class == kClassIn)
      out.emplace_back(m.begin() + static_cast<std::ptrdiff_t>(r.data_at),
                       m.begin() + static_cast<std::ptrdiff_t>(r.data_at + r.length));
    return {};
  });
  if (!walked) return walked.error();
  return out;
}

Result<std::string> cname_expansion(std::span<const uint8_t> m, std::string_view name) {
  // (owner, target) of every CNAME record in the answer section.
  std::vector<std::pair<std::string, std::string>> aliases;
  Status walked = for_each_answer(m, [&](const AnswerRecord& r) -> Status {
    if (r.type != kTypeCname || r.rr_class != kClassIn) return {};
    auto owner = read_name(m, r.owner_at);
    if (!owner) return owner.error();
    // The target may point back into the message (RFC 1035 §4.1.4 compression).
    auto target = read_name(m, r.data_at);
    if (!target) return target.error();
    aliases.emplace_back(std::move(*owner), std::move(*target));
    return {};
  });
  if (!walked) return walked.error();
  // RFC 1034 §3.6.2: follow owner -> target from the queried name; a chain longer than
  // the resolver would follow (or a loop) is an error, not an answer.
  std::string current = lower_name(name);
  for (int links = 0;; ++links) {
    auto next = std::find_if(aliases.begin(), aliases.end(),
                             [&](const auto& alias) { return alias.first == current; });
    if (next == aliases.end()) return current;
    if (links >= 16) return Error{"CNAME chain longer than 16 aliases"};
    current = next->second;
  }
}

Result<std::vector<TlsaRecord>> tlsa_records(std::span<const uint8_t> message) {
  auto rdata = answer_rdata(message, kTypeTlsa);
  if (!rdata) return rdata.error();
  std::vector<TlsaRecord> out;
  for (auto& bytes : *rdata) {
    // RFC 6698 §2.1: usage, selector, matching type, then the association data.
    if (bytes.size() < 3) return Error{"TLSA record shorter than 3 bytes"};
    out.push_back({bytes[0], bytes[1], bytes[2], {bytes.begin() + 3, bytes.end()}});
  }
  return out;
}

}  // namespace correio::dns
