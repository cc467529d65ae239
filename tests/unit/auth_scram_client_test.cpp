// The client side of SCRAM-SHA-256 (auth/scram_client.hpp) against RFC 7677 §3's example
// exchange, and the server answers a client must refuse.
#include <gtest/gtest.h>

#include "auth/scram_client.hpp"

namespace correio::auth {
namespace {

constexpr std::string_view kServerFirst =
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";

TEST(ScramClient, Rfc7677Example) {
  ScramClient client("user", "pencil", "rOprNGfwEbeRWgbNEkqO");
  EXPECT_EQ(client.first().value(), "n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
  auto final = client.final(kServerFirst);
  ASSERT_TRUE(final.ok()) << final.error().message;
  EXPECT_EQ(*final,
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
            "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
  EXPECT_TRUE(client.verify("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=").ok());
  EXPECT_FALSE(client.verify("v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=").ok());
  EXPECT_FALSE(client.verify("e=invalid-proof").ok());
}

TEST(ScramClient, NamesAreEscaped) {
  ScramClient client("a,b=c", "x", "nonce");
  EXPECT_EQ(client.first().value(), "n,,n=a=2Cb=3Dc,r=nonce");
}

TEST(ScramClient, RefusesABadServerFirst) {
  auto refuse = [](std::string_view server_first) {
    ScramClient client("user", "pencil", "rOprNGfwEbeRWgbNEkqO");
    EXPECT_TRUE(client.first().ok());
    auto f = client.final(server_first);
    return f ? std::string("accepted") : f.error().message;
  };
  EXPECT_EQ(refuse("r=somebodyelse,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"),
            "server nonce does not extend the client nonce");
  EXPECT_EQ(refuse("r=rOprNGfwEbeRWgbNEkqO,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"),
            "server nonce does not extend the client nonce");
  EXPECT_EQ(refuse("r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1"),
            "iteration count 1 out of range");
  EXPECT_EQ(refuse("r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4x"),
            "bad iteration count");
  EXPECT_EQ(refuse("r=rOprNGfwEbeRWgbNEkqOxyz,i=4096"), "malformed server-first-message");
  EXPECT_EQ(refuse("e=unknown-user"), "server error \"unknown-user\"");
  EXPECT_EQ(refuse(""), "malformed server-first-message");
}

}  // namespace
}  // namespace correio::auth
