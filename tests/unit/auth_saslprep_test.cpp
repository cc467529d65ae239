// SASLprep (auth/saslprep.hpp) against RFC 4013 §3's examples, and SCRAM-SHA-256-PLUS and
// SASLprep end to end between Correio's SCRAM client and its server.
#include <gtest/gtest.h>

#include "auth/sasl.hpp"
#include "auth/saslprep.hpp"
#include "auth/scram_client.hpp"
#include "base/base64.hpp"

namespace correio::auth {
namespace {

TEST(Saslprep, Rfc4013Examples) {
  // RFC 4013 §3, one line each.
  EXPECT_EQ(saslprep("I\u00ADX").value(), "IX");  // SOFT HYPHEN mapped to nothing
  EXPECT_EQ(saslprep("user").value(), "user");    // no transformation
  EXPECT_EQ(saslprep("USER").value(), "USER");    // case preserved, will not match #2
  EXPECT_EQ(saslprep("\u00AA").value(), "a");     // output is NFKC, input in ISO 8859-1
  EXPECT_EQ(saslprep("\u2168").value(), "IX");    // output is NFKC, will match #1
  EXPECT_FALSE(saslprep("\u0007").ok());          // error: prohibited character
  EXPECT_FALSE(saslprep("\u0627\u0031").ok());    // error: bidirectional check
}

TEST(Saslprep, SpacesNulAndUnassigned) {
  // RFC 4013 §2.1: non-ASCII spaces become SPACE.
  EXPECT_EQ(saslprep("a\u00A0b").value(), "a b");
  EXPECT_FALSE(saslprep(std::string_view("a\0b", 3)).ok());
  EXPECT_FALSE(saslprep("\u00AD").ok());    // empty after mapping
  EXPECT_FALSE(saslprep("\xff\xfe").ok());  // not UTF-8
  // U+0221 is unassigned in Unicode 3.2: allowed in a query, refused as a stored string.
  EXPECT_TRUE(saslprep("a\u0221").ok());
  EXPECT_FALSE(saslprep("a\u0221", /*stored=*/true).ok());
  // The text of an error never repeats the input (it may be a password).
  auto refused = saslprep("secret\u0007");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message.find("secret"), std::string::npos);
}

class OneUser : public UserDirectory {
 public:
  explicit OneUser(std::string password) : password_(std::move(password)) {}
  Result<std::optional<UserRecord>> lookup(std::string_view user) override {
    if (user != "IX") return std::optional<UserRecord>();
    UserRecord r;
    r.user = "IX";
    r.password = password_;
    return std::optional<UserRecord>(r);
  }

 private:
  std::string password_;
};

// Runs Correio's client against Correio's server; true when both sides accept.
bool exchange(UserDirectory& directory, SaslMechanism mechanism, const SaslOffer& offer,
              ScramClient& client) {
  SaslAuthenticator auth{directory, {}};
  auto x = auth.start(mechanism, offer);
  auto first = client.first();
  if (!first) return false;
  SaslStep s = x->step(*first);
  if (s.kind != SaslStep::Kind::challenge) return false;
  auto final = client.final(s.data);
  if (!final) return false;
  s = x->step(*final);
  if (s.kind != SaslStep::Kind::challenge || !client.verify(s.data).ok()) return false;
  return x->step("").kind == SaslStep::Kind::success;
}

TEST(ScramSaslprep, NamesAndPasswordsArePreparedOnBothSides) {
  // Stored as typed with a soft hyphen; the client sends the Roman numeral nine: both
  // prepare to "IX" (RFC 4013 §3 examples 1 and 5).
  OneUser directory("{PLAIN}I\u00ADX");
  SaslOffer offer;
  ScramClient client("I\u00ADX", "\u2168");
  EXPECT_TRUE(exchange(directory, SaslMechanism::scram_sha_256, offer, client));
  ScramClient wrong("IX", "XI");
  EXPECT_FALSE(exchange(directory, SaslMechanism::scram_sha_256, offer, wrong));
  // A {SCRAM-SHA-256} hash made by Correio is of the prepared password too.
  OneUser hashed(*hash_password("SCRAM-SHA-256", "\u2168"));
  ScramClient typed("IX", "IX");
  EXPECT_TRUE(exchange(hashed, SaslMechanism::scram_sha_256, offer, typed));
}

TEST(ScramClientPlus, BindsToTheChannelTheServerSees) {
  OneUser directory("{PLAIN}pencil");
  SaslOffer offer;
  offer.tls_active = true;
  offer.bindings.tls_exporter = std::string(32, '\x07');
  ScramClient client("IX", "pencil", "rOprNGfwEbeRWgbNEkqO");
  client.bind_channel("tls-exporter", std::string(32, '\x07'));
  EXPECT_EQ(client.first().value(), "p=tls-exporter,,n=IX,r=rOprNGfwEbeRWgbNEkqO");
  EXPECT_TRUE(exchange(directory, SaslMechanism::scram_sha_256_plus, offer, client));
  // Another channel (a man in the middle terminating TLS) fails.
  ScramClient other("IX", "pencil");
  other.bind_channel("tls-exporter", std::string(32, '\x08'));
  EXPECT_FALSE(exchange(directory, SaslMechanism::scram_sha_256_plus, offer, other));
  // tls-server-end-point.
  offer.bindings.tls_server_end_point = std::string(32, '\x09');
  ScramClient end_point("IX", "pencil");
  end_point.bind_channel("tls-server-end-point", std::string(32, '\x09'));
  EXPECT_TRUE(exchange(directory, SaslMechanism::scram_sha_256_plus, offer, end_point));
  // "y" to a server that offered -PLUS: the downgrade is detected.
  ScramClient downgraded("IX", "pencil");
  downgraded.could_bind();
  offer.configured.scram_plus = true;
  EXPECT_FALSE(exchange(directory, SaslMechanism::scram_sha_256, offer, downgraded));
}

}  // namespace
}  // namespace correio::auth
