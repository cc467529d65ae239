// The SMTP client's side of RFC 4954 AUTH with SCRAM-SHA-256-PLUS and SCRAM-SHA-256
// (RFC 7677, RFC 5802; channel bindings RFC 9266 and RFC 5929), PLAIN (RFC 4616) and
// LOGIN, in Postfix's words when it fails ("SASL authentication failed; server X said:
// ..."). Credentials never appear in an outcome or a log line.
#include <fmt/format.h>

#include <algorithm>

#include "auth/scram_client.hpp"
#include "base/base64.hpp"
#include "smtp/client_session.hpp"
#include "smtp/reply_reader.hpp"
#include "tls/channel_binding.hpp"

namespace correio::smtp {
namespace {

// Best first: SCRAM never shows the password to the server and proves the server knows it;
// -PLUS also proves that no one sits between us on the TLS connection (RFC 5802 §6).
struct Mechanism {
  std::string_view name;
  bool plaintext;
  bool mutual;
  bool binds = false;  // needs the TLS channel's binding data
};
constexpr Mechanism kMechanisms[] = {
    {"SCRAM-SHA-256-PLUS", false, true, true},
    {"SCRAM-SHA-256", false, true},
    {"PLAIN", true, false},
    {"LOGIN", true, false},
};

std::string choose(const std::vector<std::string>& offered, const SaslRules& rules, bool can_bind) {
  auto has = [](const std::vector<std::string>& list, std::string_view name) {
    return std::find(list.begin(), list.end(), name) != list.end();
  };
  for (const auto& m : kMechanisms) {
    if (!has(offered, m.name)) continue;
    if (m.binds && !can_bind) continue;
    if (m.plaintext && !rules.plaintext) continue;
    if (rules.mutual_only && !m.mutual) continue;
    if (!rules.filter.empty() && !has(rules.filter, m.name)) continue;
    return std::string(m.name);
  }
  return {};
}

// A 334 challenge's data, base64-decoded; nullopt if it is not valid base64.
std::optional<std::string> challenge_data(const Reply& reply) {
  std::string_view text = reply.lines.empty() ? "" : std::string_view(reply.lines.front());
  return base::base64_decode(text);
}

}  // namespace

// `line` is read before the first suspension; a by-value std::string parameter made from
// a temporary is what g++ 12 mishandles in coroutine frames.
asio::awaitable<ClientSession::Read> ClientSession::exchange(std::string_view line,
                                                             std::chrono::seconds timeout) {
  std::string wire = std::string(line) + "\r\n";
  if (!co_await write(wire, timeout)) co_return Read{std::nullopt, "lost connection"};
  co_return co_await read_reply(timeout);
}

std::optional<std::pair<std::string, std::string>> ClientSession::channel_binding() const {
  SSL* ssl = connection_.tls_handle();
  if (ssl == nullptr) return std::nullopt;
  // RFC 9266 §3: tls-exporter on TLS 1.3; before it, tls-server-end-point (RFC 5929 §4),
  // the two bindings Correio's server accepts (sasl_scram.cpp).
  if (auto data = tls::tls_exporter_binding(ssl)) return std::pair{"tls-exporter", *data};
  if (auto data = tls::peer_end_point_binding(ssl)) return std::pair{"tls-server-end-point", *data};
  return std::nullopt;
}

asio::awaitable<ClientSession::Read> ClientSession::scram(const std::string& mechanism,
                                                          const std::string& user,
                                                          const std::string& password,
                                                          std::string& problem) {
  const auto timeout = options_.timeouts.helo;
  auth::ScramClient client(user, password);
  auto binding = channel_binding();
  // RFC 5802 §6: "y" says we could bind but the server cannot; when it offered -PLUS and
  // the rules chose plain SCRAM, "n" is the truthful flag (a "y" would read as a downgrade).
  bool plus_offered = std::find(features_.auth.begin(), features_.auth.end(),
                                "SCRAM-SHA-256-PLUS") != features_.auth.end();
  if (mechanism == "SCRAM-SHA-256-PLUS" && binding)
    client.bind_channel(binding->first, binding->second);
  else if (binding && !plus_offered)
    client.could_bind();
  auto first = client.first();
  if (!first) {
    problem = first.error().message;
    co_return Read{};
  }
  std::string command = "AUTH " + mechanism + " " + base::base64_encode(*first);
  Read reply = co_await exchange(command, timeout);
  if (!reply.reply || reply.reply->code != 334) co_return reply;
  std::optional<std::string> server_first = challenge_data(*reply.reply);
  auto final = server_first ? client.final(*server_first)
                            : Result<std::string>(Error{"bad base64 in server-first-message"});
  if (!final) {
    problem = final.error().message;
    Read cancelled = co_await exchange("*", timeout);  // RFC 4954 §4: cancel
    (void)cancelled;
    co_return Read{};
  }
  std::string answer = base::base64_encode(*final);
  reply = co_await exchange(answer, timeout);
  if (!reply.reply || reply.reply->code != 334) co_return reply;
  // RFC 5802 §3: the server's signature proves it knows the password as well.
  std::optional<std::string> server_final = challenge_data(*reply.reply);
  Status verified = server_final ? client.verify(*server_final)
                                 : Status(Error{"bad base64 in server-final-message"});
  if (!verified) {
    problem = verified.error().message;
    Read cancelled = co_await exchange("*", timeout);
    (void)cancelled;
    co_return Read{};
  }
  co_return co_await exchange("", timeout);
}

asio::awaitable<std::optional<Outcome>> ClientSession::authenticate(const std::string& user,
                                                                    const std::string& password,
                                                                    const SaslRules& rules) {
  std::string mechanism = choose(features_.auth, rules, channel_binding().has_value());
  if (mechanism.empty())
    co_return Outcome{Verdict::deferred, "4.7.0",
                      fmt::format("SASL authentication failed; cannot authenticate to server "
                                  "{}: no mechanism available",
                                  label_),
                      "", true};
  auto failed = [&](const Read& read, const std::string& problem) {
    Outcome o{Verdict::deferred, "4.7.0", "", "", true};
    if (!problem.empty()) {
      o.text =
          fmt::format("SASL authentication failed; server {}: {} ({})", label_, problem, mechanism);
      return o;
    }
    if (!read.reply) {
      o.text = fmt::format("SASL authentication failed; {} with server {}", read.problem, label_);
      return o;
    }
    // Postfix's smtp_sasl_auth_soft_bounce: a refusal is the account's or the server's
    // problem, so the mail waits rather than bouncing.
    if (!read.reply->enhanced.empty()) o.dsn = "4" + read.reply->enhanced.substr(1);
    o.diagnostic = reply_text(*read.reply);
    o.text = fmt::format("SASL authentication failed; server {} said: {}", label_, o.diagnostic);
    return o;
  };
  Read reply;
  std::string problem;
  if (mechanism.starts_with("SCRAM-SHA-256")) {
    reply = co_await scram(mechanism, user, password, problem);
  } else if (mechanism == "PLAIN") {
    // RFC 4616 §2: authzid NUL authcid NUL passwd, as an initial response (RFC 4954 §4).
    std::string message = std::string(1, '\0') + user + std::string(1, '\0') + password;
    reply = co_await exchange("AUTH PLAIN " + base::base64_encode(message), options_.timeouts.helo);
  } else {
    // LOGIN: the server prompts (334) for the user name, then for the password.
    reply = co_await exchange("AUTH LOGIN", options_.timeouts.helo);
    if (reply.reply && reply.reply->code == 334)
      reply = co_await exchange(base::base64_encode(user), options_.timeouts.helo);
    if (reply.reply && reply.reply->code == 334)
      reply = co_await exchange(base::base64_encode(password), options_.timeouts.helo);
  }
  if (problem.empty() && reply.reply && reply.reply->code == 235) {
    sasl_mechanism_ = mechanism;
    co_return std::nullopt;
  }
  if (!reply.reply) usable_ = false;
  co_return failed(reply, problem);
}

}  // namespace correio::smtp
