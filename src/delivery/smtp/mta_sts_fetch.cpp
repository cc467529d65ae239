// MTA-STS policy fetch over HTTPS (see mta_sts_fetch.hpp). HTTP/1.0 on purpose: the answer
// then ends with the connection and is never chunked.
#include "delivery/smtp/mta_sts_fetch.hpp"

#include <fmt/format.h>
#include <netinet/in.h>

#include <optional>

#include "base/strings.hpp"
#include "io/connection.hpp"
#include "smtp/client_session.hpp"
#include "tls/peer_verification.hpp"

namespace correio::delivery::smtp_agent {
namespace {

constexpr size_t kMaxBody = 64 * 1024;  // RFC 8461 §3.3: a policy larger than 64 KiB fails

}  // namespace

asio::awaitable<Result<std::string>> fetch_sts_policy(asio::any_io_executor executor,
                                                      dns::Lookup& lookup, asio::ssl::context& tls,
                                                      const std::string& domain,
                                                      std::chrono::seconds timeout) {
  const std::string host = "mta-sts." + domain;
  dns::Answer answer = co_await lookup.addresses_of(host, AF_INET);
  if (answer.outcome != dns::Outcome::found) answer = co_await lookup.addresses_of(host, AF_INET6);
  if (answer.outcome != dns::Outcome::found)
    co_return Error{fmt::format("{}: no address ({})", host, answer.error)};
  const std::string& address = answer.items.front();
  std::string label = fmt::format("{}[{}]", host, address);
  auto socket = co_await smtp::connect_to(executor, address, 443, "", timeout, label);
  if (!socket) co_return Error{socket.error().message};
  io::Connection connection(std::move(*socket));
  connection.set_timeout(timeout);

  // §3.3: the certificate must be valid for mta-sts.DOMAIN (RFC 6125), from a trusted CA.
  tls::PeerCheck check;
  check.require_match = true;
  check.names = {base::to_lower(host)};
  check.sni = base::to_lower(host);
  io::Connection::TlsPrepare prepare = [&check](SSL* ssl) {
    Status ok = tls::prepare_client(ssl, check);
    return ok ? std::string() : ok.error().message;
  };
  std::string error;
  if (!co_await connection.start_tls(tls, error, asio::ssl::stream_base::client, &prepare))
    co_return Error{fmt::format("{}: TLS handshake failed: {}", label, error)};
  tls::PeerVerdict verdict = tls::check_peer(connection.tls_handle(), check);
  if (!verdict.matched)
    co_return Error{fmt::format("{}: certificate not verified: {}", label, verdict.problem)};

  std::string request = fmt::format(
      "GET /.well-known/mta-sts.txt HTTP/1.0\r\nHost: {}\r\nUser-Agent: Correio\r\n\r\n", host);
  if (!co_await connection.write(request)) co_return Error{label + ": lost connection"};
  io::LineResult status = co_await connection.read_line(1024);
  if (status.status != io::ReadStatus::ok) co_return Error{label + ": no HTTP answer"};
  // "HTTP/1.1 200 OK": §3.3, redirects (3xx) are not followed.
  auto words = base::split_any(status.line, " \r\n");
  if (words.size() < 2 || !words[0].starts_with("HTTP/"))
    co_return Error{label + ": not an HTTP answer"};
  if (words[1] != "200") co_return Error{fmt::format("{}: answered HTTP {}", label, words[1])};
  bool plain_text = false;
  std::optional<size_t> length;
  while (true) {
    io::LineResult header = co_await connection.read_line(8192);
    if (header.status != io::ReadStatus::ok) co_return Error{label + ": truncated HTTP header"};
    std::string_view line = base::trim(header.line);
    if (line.empty()) break;
    std::string lower = base::to_lower(line);
    if (lower.starts_with("content-type:"))
      plain_text = base::trim(std::string_view(lower).substr(13)).starts_with("text/plain");
    if (lower.starts_with("content-length:")) {
      std::string digits(base::trim(std::string_view(lower).substr(15)));
      if (digits.empty() || digits.size() > 9 ||
          digits.find_first_not_of("0123456789") != std::string::npos)
        co_return Error{label + ": invalid Content-Length"};
      length = std::stoul(digits);
    }
  }
  if (!plain_text) co_return Error{label + ": the policy is not text/plain"};
  std::string body;
  if (length) {
    if (*length > kMaxBody) co_return Error{label + ": policy larger than 64 KiB"};
    if (co_await connection.read_exact(*length, body) != io::ReadStatus::ok)
      co_return Error{label + ": truncated policy"};
    co_return body;
  }
  // No Content-Length: up to the close (a last line without LF is not seen; the policy
  // fields then miss it and it fails to parse rather than being misread).
  while (true) {
    io::LineResult piece = co_await connection.read_segment(kMaxBody);
    if (piece.status == io::ReadStatus::closed) break;
    if (piece.status != io::ReadStatus::ok) co_return Error{label + ": policy read timed out"};
    body += piece.line;
    if (body.size() > kMaxBody) co_return Error{label + ": policy larger than 64 KiB"};
  }
  co_return body;
}

}  // namespace correio::delivery::smtp_agent
