// Handing a recipient to another transport's agent (see pass.hpp).
#include "delivery/local/pass.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "base/file.hpp"
#include "resolve/transport_table.hpp"

namespace correio::delivery::local_agent {
namespace {

// A failure here, before any agent saw the recipient: the local agent logs it.
PassResult deferred(uint64_t offset, std::string text) {
  PassResult p;
  p.result.offset = offset;
  p.result.status = DeliveryStatus::deferred;
  p.result.dsn = "4.3.0";
  p.result.text = std::move(text);
  return p;
}

// error(8), retry and discard(8) have no process of their own: qmgr answers for them
// (process_message.cpp), and so does this.
std::optional<PassResult> builtin(std::string_view transport, std::string_view nexthop,
                                  uint64_t offset) {
  PassResult p;
  RecipientResult& r = p.result;
  r.offset = offset;
  if (transport == "error" || transport == "retry") {
    bool error = transport == "error";
    auto [dsn, text] = resolve::split_error_text(nexthop, error ? "5.0.0" : "4.0.0");
    r.status = error ? DeliveryStatus::bounced : DeliveryStatus::deferred;
    r.dsn = dsn;
    r.text = !text.empty() ? text
             : error       ? "mail is not accepted for this destination"
                           : "delivery temporarily suspended";
    return p;
  }
  if (transport == "discard") {
    r.status = DeliveryStatus::sent;
    r.dsn = "2.0.0";
    r.text = nexthop.empty() ? "discarded" : std::string(nexthop);
    return p;
  }
  return std::nullopt;
}

// Reads up to the empty line that ends the agent's answer, within `deadline`.
Result<std::string> read_answer(int fd, std::chrono::steady_clock::time_point deadline) {
  std::string in;
  char buf[4096];
  while (in.find("\n\n") == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return Error{"timeout"};
    pollfd p{fd, POLLIN, 0};
    int ready = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 60000)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return Error{std::string("poll: ") + std::strerror(errno)};
    if (ready == 0) continue;
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error{std::string("read: ") + std::strerror(errno)};
    if (n == 0) return Error{"connection closed before the answer"};
    in.append(buf, static_cast<size_t>(n));
    if (in.size() > kMaxMessageSize) return Error{"answer too long"};
  }
  return in.substr(0, in.find("\n\n") + 1);
}

// The request qmgr would have sent, for this one recipient, over private/TRANSPORT.
PassResult ask_agent(DeliveryRequest request, const PassRequest& pass) {
  const uint64_t offset = pass.recipient->offset;
  RequestRecipient rcpt = *pass.recipient;
  rcpt.address = std::string(pass.address);
  if (rcpt.original.empty()) rcpt.original = pass.recipient->address;
  request.recipients = {rcpt};

  std::string path = std::string(pass.queue_directory) + "/private/" + request.transport;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) return deferred(offset, "socket path too long: " + path);
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  std::string unavailable = "mail transport unavailable: " + path + ": ";
  base::Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0 || ::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    return deferred(offset, unavailable + "connect: " + std::strerror(errno));
  if (int rc = base::write_all(fd.get(), encode_request(request) + "\n"); rc != 0)
    return deferred(offset, unavailable + "write: " + std::strerror(rc));
  auto answer = read_answer(fd.get(), std::chrono::steady_clock::now() + pass.timeout);
  if (!answer) return deferred(offset, unavailable + answer.error().message);
  auto results = decode_results(*answer);
  if (!results || results->size() != 1) return deferred(offset, unavailable + "bad answer");
  PassResult p;
  p.result = std::move(results->front());
  p.result.offset = offset;
  p.logged = true;
  return p;
}

}  // namespace

PassResult pass_to_transport(const PassRequest& pass) {
  const uint64_t offset = pass.recipient->offset;
  size_t colon = pass.transport_spec.find(':');
  DeliveryRequest request = *pass.request;
  request.transport = std::string(pass.transport_spec.substr(0, colon));
  request.nexthop = colon == std::string_view::npos
                        ? std::string()
                        : std::string(pass.transport_spec.substr(colon + 1));
  if (request.transport.empty() || request.transport.find('/') != std::string::npos)
    return deferred(offset, "mail system configuration error: bad transport \"" +
                                std::string(pass.transport_spec) + "\"");
  if (auto p = builtin(request.transport, request.nexthop, offset)) return std::move(*p);
  return ask_agent(std::move(request), pass);
}

}  // namespace correio::delivery::local_agent
