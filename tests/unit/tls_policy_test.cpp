// Postfix's TLS protocol lists and cipher grades (tls/policy.hpp), and what apply_policy()
// leaves in a real OpenSSL context.
#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <memory>
#include <string>

#include "tls/policy.hpp"

namespace correio::tls {
namespace {

constexpr unsigned k12 = ProtocolSet::kTls1_2, k13 = ProtocolSet::kTls1_3;
constexpr unsigned k10 = ProtocolSet::kTls1, k11 = ProtocolSet::kTls1_1;

unsigned bits(std::string_view value) {
  auto set = parse_protocols(value);
  EXPECT_TRUE(set) << value << ": " << set.error().message;
  return set ? set->bits() : 0xffff;
}

std::string error_of(std::string_view value) {
  auto set = parse_protocols(value);
  EXPECT_FALSE(set) << value << " parsed as " << (set ? set->describe() : "");
  return set ? "" : set.error().message;
}

TEST(ProtocolList, FloorsAndCeilings) {
  EXPECT_EQ(bits(">=TLSv1"), k10 | k11 | k12 | k13);
  EXPECT_EQ(bits(">=TLSv1.2"), k12 | k13);
  EXPECT_EQ(bits(">=TLSv1.3"), k13);
  EXPECT_EQ(bits("<=TLSv1.2"), k10 | k11 | k12);
  EXPECT_EQ(bits(">=TLSv1.1, <=TLSv1.2"), k11 | k12);
  EXPECT_EQ(bits(">=SSLv3"), k10 | k11 | k12 | k13);
}

TEST(ProtocolList, ExclusionsAndInclusions) {
  EXPECT_EQ(bits("!SSLv2, !SSLv3"), k10 | k11 | k12 | k13);
  EXPECT_EQ(bits("!SSLv2:!SSLv3:!TLSv1:!TLSv1.1"), k12 | k13);
  EXPECT_EQ(bits("TLSv1.2 TLSv1.3"), k12 | k13);
  EXPECT_EQ(bits("TLSv1.3"), k13);
  // Postfix: with an include list the rest is excluded, then exclusions apply too.
  EXPECT_EQ(bits("TLSv1.1 TLSv1.2 TLSv1.3 !TLSv1.2"), k11 | k13);
  EXPECT_EQ(bits("TLSv1.2, >=TLSv1.3, TLSv1.3"), k13);
}

TEST(ProtocolList, EmptyMeansEverything) {
  EXPECT_EQ(bits(""), k10 | k11 | k12 | k13);
  EXPECT_EQ(bits("  ,  "), k10 | k11 | k12 | k13);
}

TEST(ProtocolList, UnknownNamesAreErrors) {
  EXPECT_NE(error_of(">=TLSv9").find("unknown TLS protocol \"TLSv9\""), std::string::npos);
  EXPECT_NE(error_of("!TLSv1.4").find("\"TLSv1.4\""), std::string::npos);
  // Case matters, as in Postfix; so does the operator's spelling.
  EXPECT_NE(error_of("tlsv1.2").find("\"tlsv1.2\""), std::string::npos);
  EXPECT_NE(error_of("=>TLSv1.2").find("\"=>TLSv1.2\""), std::string::npos);
  EXPECT_NE(error_of(">=").find("unknown TLS protocol \"\""), std::string::npos);
}

TEST(ProtocolList, NothingLeftIsAnError) {
  EXPECT_NE(error_of(">=TLSv1.3 <=TLSv1.2").find("leaves no TLS protocol"), std::string::npos);
  EXPECT_NE(error_of("SSLv3").find("leaves no TLS protocol"), std::string::npos);
  EXPECT_NE(error_of("!TLSv1 !TLSv1.1 !TLSv1.2 !TLSv1.3").find("leaves no"), std::string::npos);
}

TEST(ProtocolSet, VersionsAndDescription) {
  ProtocolSet set(k11 | k13);
  EXPECT_EQ(set.min_version(), TLS1_1_VERSION);
  EXPECT_EQ(set.max_version(), TLS1_3_VERSION);
  EXPECT_EQ(set.describe(), "TLSv1.1 TLSv1.3");
  EXPECT_EQ(ProtocolSet(0).describe(), "(none)");
  EXPECT_EQ(ProtocolSet(0).min_version(), 0);
}

const CipherLists kLists{"aNULL:-aNULL:HIGH:@STRENGTH", "aNULL:-aNULL:HIGH:MEDIUM:+RC4:@STRENGTH",
                         "eNULL:!aNULL"};

TEST(CipherGrade, GradesAndExclusions) {
  EXPECT_EQ(*cipher_list("high", "", kLists), kLists.high);
  EXPECT_EQ(*cipher_list(" medium ", "", kLists), kLists.medium);
  EXPECT_EQ(*cipher_list("low", "", kLists), kLists.medium);
  EXPECT_EQ(*cipher_list("export", "", kLists), kLists.medium);
  EXPECT_EQ(*cipher_list("null", "", kLists), kLists.null);
  EXPECT_EQ(*cipher_list("high", "aNULL, MD5 :RC4\tDES", kLists),
            kLists.high + ":!aNULL:!MD5:!RC4:!DES");
}

TEST(CipherGrade, BadGradesAndOperatorsAreErrors) {
  auto unknown = cipher_list("strong", "", kLists);
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("unknown cipher grade \"strong\""), std::string::npos);
  EXPECT_FALSE(cipher_list("HIGH", "", kLists));  // Postfix: grade names are lower case
  EXPECT_FALSE(cipher_list("", "", kLists));
  for (const char* bad : {"!RC4", "+RC4", "-RC4", "@STRENGTH"}) {
    auto r = cipher_list("high", bad, kLists);
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().message.find("invalid operator"), std::string::npos);
  }
}

struct CtxDeleter {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};

TEST(ApplyPolicy, SetsTheRangeAndSwitchesOffGaps) {
  std::unique_ptr<SSL_CTX, CtxDeleter> ctx(SSL_CTX_new(TLS_server_method()));
  ServerPolicy policy;
  policy.protocols = ProtocolSet(k11 | k13);
  policy.cipher_list = kLists.high;
  ASSERT_TRUE(apply_policy(ctx.get(), policy));
  EXPECT_EQ(SSL_CTX_get_min_proto_version(ctx.get()), TLS1_1_VERSION);
  EXPECT_EQ(SSL_CTX_get_max_proto_version(ctx.get()), TLS1_3_VERSION);
  EXPECT_TRUE(SSL_CTX_get_options(ctx.get()) & SSL_OP_NO_TLSv1_2);
  EXPECT_FALSE(SSL_CTX_get_options(ctx.get()) & SSL_OP_NO_TLSv1_3);
}

TEST(ApplyPolicy, ExclusionsReachOpenSsl) {
  std::unique_ptr<SSL_CTX, CtxDeleter> ctx(SSL_CTX_new(TLS_server_method()));
  ServerPolicy policy;
  policy.cipher_list = *cipher_list("high", "ECDHE-RSA-AES256-GCM-SHA384", kLists);
  ASSERT_TRUE(apply_policy(ctx.get(), policy));
  bool found_other = false;
  STACK_OF(SSL_CIPHER)* ciphers = SSL_CTX_get_ciphers(ctx.get());
  for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i) {
    std::string name = SSL_CIPHER_get_name(sk_SSL_CIPHER_value(ciphers, i));
    EXPECT_NE(name, "ECDHE-RSA-AES256-GCM-SHA384");
    found_other = found_other || name == "ECDHE-RSA-AES128-GCM-SHA256";
  }
  EXPECT_TRUE(found_other);
}

TEST(ApplyPolicy, ACipherListSelectingNothingIsAnError) {
  std::unique_ptr<SSL_CTX, CtxDeleter> ctx(SSL_CTX_new(TLS_server_method()));
  ServerPolicy policy;
  policy.cipher_list = "NO-SUCH-CIPHER";
  auto st = apply_policy(ctx.get(), policy);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().message, "no TLS cipher matches \"NO-SUCH-CIPHER\"");
}

TEST(ApplyPolicy, TheDefaultIsTls12AndUp) {
  std::unique_ptr<SSL_CTX, CtxDeleter> ctx(SSL_CTX_new(TLS_server_method()));
  ASSERT_TRUE(apply_policy(ctx.get(), ServerPolicy{}));
  EXPECT_EQ(SSL_CTX_get_min_proto_version(ctx.get()), TLS1_2_VERSION);
  EXPECT_EQ(SSL_CTX_get_max_proto_version(ctx.get()), TLS1_3_VERSION);
}

}  // namespace
}  // namespace correio::tls
