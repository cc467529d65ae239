// The SMTP client's side of RFC 4954 AUTH with the PLAIN (RFC 4616) and LOGIN mechanisms,
// in Postfix's words when it fails ("SASL authentication failed; server X said: ...").
#include <fmt/format.h>

#include "base/base64.hpp"
#include "smtp/client_session.hpp"
#include "smtp/reply_reader.hpp"

namespace correio::smtp {

// `line` is read before the first suspension; a by-value std::string parameter made from
// a temporary is what g++ 12 mishandles in coroutine frames.
asio::awaitable<ClientSession::Read> ClientSession::exchange(std::string_view line,
                                                             std::chrono::seconds timeout) {
  std::string wire = std::string(line) + "\r\n";
  if (!co_await write(wire, timeout)) co_return Read{std::nullopt, "lost connection"};
  co_return co_await read_reply(timeout);
}

asio::awaitable<std::optional<Outcome>> ClientSession::authenticate(const std::string& user,
                                                                    const std::string& password,
                                                                    bool allow_plaintext) {
  auto offered = [&](std::string_view mechanism) {
    for (const auto& m : features_.auth)
      if (m == mechanism) return true;
    return false;
  };
  std::string mechanism = offered("PLAIN") ? "PLAIN" : offered("LOGIN") ? "LOGIN" : "";
  if (mechanism.empty() || !allow_plaintext)
    co_return Outcome{Verdict::deferred, "4.7.0",
                      fmt::format("SASL authentication failed; cannot authenticate to server "
                                  "{}: no mechanism available",
                                  label_),
                      "", true};
  auto failed = [&](const Read& read) {
    Outcome o{Verdict::deferred, "4.7.0", "", "", true};
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
  if (mechanism == "PLAIN") {
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
  if (reply.reply && reply.reply->code == 235) co_return std::nullopt;
  if (!reply.reply) usable_ = false;
  co_return failed(reply);
}

}  // namespace correio::smtp
