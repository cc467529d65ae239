// showq: serves the queue listing to users who may not read the queue (Postfix's showq).
// A client connects to queue_directory/public/showq, sends "mailq" or "json" on one line,
// and receives "ok" on a line and the listing; the daemon closes the connection after it
// (nothing at all when the queue cannot be listed).
// SECURITY: talks to any local user (public/showq is 0666 in a 0711 directory); runs as
// mail_owner and reads queue files and defer logs, but sends only what mailq shows
// (envelope sender, pending recipients, sizes, times, deferral reasons), never contents.
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/read_until.hpp>
#include <asio/redirect_error.hpp>
#include <asio/streambuf.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <chrono>

#include "cli/queue_listing.hpp"
#include "io/deadline.hpp"
#include "queue/queue.hpp"
#include "showq/showq.hpp"
#include "showq/showq_protocol.hpp"

namespace correio::showq {
namespace {

using namespace asio::experimental::awaitable_operators;
using Socket = asio::local::stream_protocol::socket;

// A client that neither asks nor reads within this time is dropped.
constexpr auto kSessionTimeout = std::chrono::seconds(60);

asio::awaitable<void> answer(service::Context& ctx, Socket& socket) {
  asio::streambuf buffer(kMaxRequest);
  std::error_code ec;
  size_t n = co_await asio::async_read_until(socket, buffer, '\n',
                                             asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return;  // closed, or longer than kMaxRequest: nothing to answer
  std::string line(asio::buffers_begin(buffer.data()),
                   asio::buffers_begin(buffer.data()) + static_cast<std::ptrdiff_t>(n) - 1);
  auto format = parse_request(line);
  if (!format) {
    ctx.log.warning("unknown request from a showq client ({} bytes)", line.size());
    co_return;
  }
  queue::Queue q(ctx.config.get("queue_directory"));
  std::vector<std::string> warnings;
  auto messages = cli::collect_queue(q, cli::listed_queues(), &warnings);
  for (const auto& w : warnings) ctx.log.warning("{}", w);
  if (!messages) {
    ctx.log.warning("cannot list the queue: {}", messages.error().message);
    co_return;  // the client reports "Queue report unavailable"
  }
  std::string text(kReplyOk);
  text += *format == Format::json ? cli::format_json(*messages) : cli::format_mailq(*messages);
  // A client that went away is not worth an exception.
  co_await asio::async_write(socket, asio::buffer(text),
                             asio::redirect_error(asio::use_awaitable, ec));
}

}  // namespace

int showq_main(const service::DaemonArgs& args) {
  service::StreamDaemon daemon;
  daemon.process_name = "showq";
  daemon.local_session = [](service::Context& ctx, Socket socket) -> asio::awaitable<void> {
    auto deadline = std::chrono::steady_clock::now() + kSessionTimeout;
    co_await (answer(ctx, socket) || io::watchdog(deadline));
  };
  return service::run_stream_daemon(args, daemon);
}

}  // namespace correio::showq
