// libFuzzer target for the SASL server mechanisms (auth/sasl.hpp) and base64: the input is
// split on '\n' into the mechanism's first byte selector and the client's responses, fed
// step by step as a hostile client would (PLAIN, LOGIN, CRAM-MD5, SCRAM-SHA-256[-PLUS]).
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "auth/sasl.hpp"
#include "base/base64.hpp"

namespace {

using namespace correio;

class OneUser : public auth::UserDirectory {
 public:
  Result<std::optional<auth::UserRecord>> lookup(std::string_view user) override {
    if (user != "user") return std::optional<auth::UserRecord>();
    auth::UserRecord r;
    r.user = "user";
    r.password = "{PLAIN}pencil";
    return std::optional<auth::UserRecord>(r);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto decoded = base::base64_decode(input);
  if (decoded && base::base64_encode(*decoded) != input) __builtin_trap();  // canonical only

  static OneUser users;
  auth::SaslAuthenticator::Options options;
  options.scram_iterations = 1;  // keep PBKDF2 cheap while fuzzing
  static auth::SaslAuthenticator authenticator(users, options);
  auth::SaslOffer offer;
  offer.tls_active = true;
  offer.configured.cram_md5 = true;
  offer.bindings.tls_exporter = std::string(32, 'e');
  offer.bindings.tls_server_end_point = std::string(32, 's');
  static constexpr auth::SaslMechanism kMechanisms[] = {
      auth::SaslMechanism::plain, auth::SaslMechanism::login, auth::SaslMechanism::cram_md5,
      auth::SaslMechanism::scram_sha_256, auth::SaslMechanism::scram_sha_256_plus};
  auto exchange = authenticator.start(kMechanisms[static_cast<uint8_t>(input[0]) % 5], offer);
  if (!exchange) __builtin_trap();
  input.remove_prefix(1);
  bool first = true;
  for (int steps = 0; steps < 8; ++steps) {
    size_t nl = input.find('\n');
    std::string_view part = input.substr(0, nl);
    auto step = exchange->step(first && part.empty() ? std::nullopt
                                                     : std::optional<std::string_view>(part));
    first = false;
    if (step.kind != auth::SaslStep::Kind::challenge || nl == std::string_view::npos) break;
    input.remove_prefix(nl + 1);
  }
  return 0;
}
