// dns/message.hpp: the DNSSEC query (DO and AD bits where RFC 3225 and RFC 6840 put them)
// and the reading of responses: AD, RCODE, TLSA records, and malformed messages refused
// rather than read past their end. Answers from a real validating resolver: unbound in
// tests/integration/test_mail_out_dane.py.
#include <gtest/gtest.h>

#include <string>

#include "dns/message.hpp"

namespace correio::dns {
namespace {

std::vector<uint8_t> encode_name(const std::string& name) {
  std::vector<uint8_t> out;
  size_t begin = 0;
  while (begin < name.size()) {
    size_t dot = name.find('.', begin);
    if (dot == std::string::npos) dot = name.size();
    out.push_back(static_cast<uint8_t>(dot - begin));
    out.insert(out.end(), name.begin() + begin, name.begin() + dot);
    begin = dot + 1;
  }
  out.push_back(0);
  return out;
}

// A response to "_25._tcp.mx.example TLSA" with `records` (RDATA each), AD as given.
std::vector<uint8_t> response(bool ad, const std::vector<std::vector<uint8_t>>& records,
                              uint8_t rcode = 0) {
  std::vector<uint8_t> m = {0x12, 0x34, 0x81, static_cast<uint8_t>((ad ? 0xa0 : 0x80) | rcode),
                            0,    1,    0,    static_cast<uint8_t>(records.size()),
                            0,    0,    0,    0};
  auto q = encode_name("_25._tcp.mx.example");
  m.insert(m.end(), q.begin(), q.end());
  m.insert(m.end(), {0, 52, 0, 1});
  for (const auto& rd : records) {
    m.insert(m.end(), {0xc0, 0x0c, 0, 52, 0, 1, 0, 0, 1, 0x2c, 0, static_cast<uint8_t>(rd.size())});
    m.insert(m.end(), rd.begin(), rd.end());
  }
  return m;
}

TEST(DnsMessage, SecureQueryHasDoAndAdBits) {
  auto q = secure_query("_25._tcp.MX.example.", kTypeTlsa);
  ASSERT_TRUE(q);
  const auto& m = *q;
  EXPECT_EQ(m[2], 0x01);  // RD
  EXPECT_EQ(m[3], 0x20);  // AD (RFC 6840 §5.7)
  EXPECT_EQ(m[11], 1);    // ARCOUNT: the OPT record
  auto name = encode_name("_25._tcp.MX.example");
  ASSERT_EQ(m.size(), 12 + name.size() + 4 + 11);
  EXPECT_TRUE(std::equal(name.begin(), name.end(), m.begin() + 12));
  size_t opt = 12 + name.size() + 4;
  EXPECT_EQ(m[opt + 2], 41);    // TYPE OPT
  EXPECT_EQ(m[opt + 7], 0x80);  // DO (RFC 3225 §3)
}

TEST(DnsMessage, SecureQueryRefusesBadNames) {
  EXPECT_FALSE(secure_query("a..b", kTypeA));
  EXPECT_FALSE(secure_query(std::string(64, 'x') + ".example", kTypeA));
  std::string long_name;
  for (int i = 0; i < 50; ++i) long_name += "abcde.";
  EXPECT_FALSE(secure_query(long_name, kTypeA));
}

TEST(DnsMessage, ReadsTlsaRecordsAndTheAdFlag) {
  std::vector<uint8_t> ee = {3, 1, 1};
  ee.resize(3 + 32, 0xab);
  auto m = response(true, {ee, {2, 0, 0, 0x30, 0x82}});
  auto header = read_header(m);
  ASSERT_TRUE(header);
  EXPECT_TRUE(header->authentic);
  EXPECT_EQ(header->rcode, 0u);
  auto records = tlsa_records(m);
  ASSERT_TRUE(records);
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[0].usage, 3);
  EXPECT_EQ((*records)[0].data.size(), 32u);
  EXPECT_EQ((*records)[1].usage, 2);
  EXPECT_EQ((*records)[1].data, (std::vector<uint8_t>{0x30, 0x82}));
  EXPECT_FALSE(read_header(response(false, {}))->authentic);
  EXPECT_EQ(read_header(response(true, {}, 3))->rcode, 3u);
}

TEST(DnsMessage, MalformedResponsesAreErrors) {
  std::vector<uint8_t> ee = {3, 1, 1, 9, 9};
  auto m = response(true, {ee});
  for (size_t cut = 0; cut < m.size(); ++cut) {
    std::vector<uint8_t> part(m.begin(), m.begin() + static_cast<std::ptrdiff_t>(cut));
    EXPECT_FALSE(tlsa_records(part)) << "cut at " << cut;
  }
  EXPECT_FALSE(tlsa_records(response(true, {{3, 1}})));  // shorter than its fixed fields
  auto query = secure_query("example", kTypeA);
  EXPECT_FALSE(read_header(*query));  // not a response
}

// RFC 7672 §2.2.2: the end of the CNAME chain from the queried name, names compressed.
TEST(DnsMessage, CnameExpansionFollowsTheChain) {
  // "MX1.example A": mx1.example CNAME a.example (pointer into the question),
  // a.example CNAME b.other, b.other A 192.0.2.1.
  std::vector<uint8_t> m = {0x12, 0x34, 0x81, 0xa0, 0, 1, 0, 3, 0, 0, 0, 0};
  auto q = encode_name("MX1.example");
  m.insert(m.end(), q.begin(), q.end());
  m.insert(m.end(), {0, 1, 0, 1});
  // Record 1: owner -> question (offset 12); RDATA "a" + pointer to "example" (offset 16).
  m.insert(m.end(), {0xc0, 0x0c, 0, 5, 0, 1, 0, 0, 1, 0x2c, 0, 4, 1, 'a', 0xc0, 16});
  size_t a_at = m.size() - 4;
  // Record 2: owner -> "a.example" (offset a_at); RDATA "b.other".
  auto b = encode_name("b.other");
  m.insert(m.end(), {0xc0, static_cast<uint8_t>(a_at), 0, 5, 0, 1, 0, 0, 1, 0x2c, 0,
                     static_cast<uint8_t>(b.size())});
  size_t b_at = m.size();
  m.insert(m.end(), b.begin(), b.end());
  m.insert(m.end(),
           {0xc0, static_cast<uint8_t>(b_at), 0, 1, 0, 1, 0, 0, 1, 0x2c, 0, 4, 192, 0, 2, 1});
  auto expanded = cname_expansion(m, "mx1.EXAMPLE.");
  ASSERT_TRUE(expanded) << expanded.error().message;
  EXPECT_EQ(*expanded, "b.other");
  // No CNAME for the name: the name itself.
  EXPECT_EQ(*cname_expansion(m, "elsewhere.example"), "elsewhere.example");
  EXPECT_EQ(*cname_expansion(response(true, {}), "Mx.Example"), "mx.example");
  // A pointer to itself is a loop, not a name.
  std::vector<uint8_t> loop = {0x12, 0x34, 0x81, 0xa0, 0, 0, 0, 1, 0, 0,    0, 0,
                               0xc0, 12,   0,    5,    0, 1, 0, 0, 1, 0x2c, 0, 0};
  EXPECT_FALSE(cname_expansion(loop, "x.example"));
  // Truncated inside a record.
  m.resize(m.size() - 3);
  EXPECT_FALSE(cname_expansion(m, "mx1.example"));
}

}  // namespace
}  // namespace correio::dns
