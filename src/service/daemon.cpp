// The stream-service skeleton (see daemon.hpp): adopt the listening sockets the master
// passed, accept connections, run one coroutine per connection, stop gracefully.
// SECURITY: runs as mail_owner (the master dropped root before exec) or as the invoking
// user; it accepts connections from the network and hands each to the daemon's session,
// whose exceptions are contained here and never end the process.
#include "service/daemon.hpp"

#include <malloc.h>
#include <sys/socket.h>

#include <algorithm>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/signal_set.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <type_traits>

#include "base/strings.hpp"
#include "service/daemon_environment.hpp"
#include "service/log_reopen.hpp"

namespace correio::service {
namespace {

// Sessions still open this long after SIGTERM are cut off (the master's own deadline,
// 10 s, is the backstop).
constexpr std::chrono::seconds kDrainDeadline{9};
constexpr int kFirstListenFd = 3;
constexpr int kMaxListenFds = 64;

struct Runtime {
  Context& ctx;
  const StreamDaemon& daemon;
  std::vector<std::unique_ptr<asio::ip::tcp::acceptor>> acceptors;
  std::vector<std::unique_ptr<asio::local::stream_protocol::acceptor>> local_acceptors;
  int live_sessions = 0;
  bool stopping = false;
  asio::steady_timer drain_timer;
  // Never expires: accept loops at the session limit wait on it, and the end of a session
  // (or the stop) cancels the waits, which leaves the expiry as it is for the next wait.
  asio::steady_timer slot_freed;
  // correio_connections_total and correio_connections_active for this service.
  metrics::Counter accepted = ctx.metrics.counter("correio_connections_total");
  metrics::Gauge open = ctx.metrics.gauge("correio_connections_active");
  // When the last session has ended, what a burst of them freed goes back to the system a
  // second later (glibc keeps freed pages that are not at the top of a heap). imap-login
  // after handing 10,000 clients over kept about 7 MB of them.
  asio::steady_timer trim_timer{ctx.io};
  bool trim_armed = false;

  void maybe_done() {
    if (stopping && live_sessions == 0) ctx.io.stop();
  }
  void trim_when_idle() {
    if (live_sessions != 0 || stopping || trim_armed) return;
    trim_armed = true;
    trim_timer.expires_after(std::chrono::seconds(1));
    trim_timer.async_wait([this](const std::error_code& ec) {
      trim_armed = false;
      if (!ec && live_sessions == 0) ::malloc_trim(0);
    });
  }
};

// Adopts descriptor `fd` as a TCP or UNIX-domain acceptor, whichever it is, provided the
// daemon has a session handler for that kind.
Status adopt(Runtime& rt, int fd) {
  sockaddr_storage addr{};
  socklen_t length = sizeof addr;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length) < 0)
    return Error{fmt::format("descriptor {} is not a socket", fd)};
  std::error_code ec;
  if (addr.ss_family == AF_UNIX) {
    if (!rt.daemon.local_session)
      return Error{fmt::format("descriptor {}: this daemon serves no unix-domain sockets", fd)};
    auto acceptor = std::make_unique<asio::local::stream_protocol::acceptor>(rt.ctx.io);
    acceptor->assign(asio::local::stream_protocol(), fd, ec);
    if (ec) return Error{fmt::format("descriptor {}: {}", fd, ec.message())};
    rt.local_acceptors.push_back(std::move(acceptor));
    return {};
  }
  if (addr.ss_family != AF_INET && addr.ss_family != AF_INET6)
    return Error{fmt::format("descriptor {}: unsupported socket family", fd)};
  if (!rt.daemon.session)
    return Error{fmt::format("descriptor {}: this daemon serves no inet sockets", fd)};
  auto acceptor = std::make_unique<asio::ip::tcp::acceptor>(rt.ctx.io);
  acceptor->assign(addr.ss_family == AF_INET6 ? asio::ip::tcp::v6() : asio::ip::tcp::v4(), fd, ec);
  if (ec) return Error{fmt::format("descriptor {}: {}", fd, ec.message())};
  rt.acceptors.push_back(std::move(acceptor));
  return {};
}

// live_sessions was counted by the accept loop, before the session was spawned.
template <typename Socket, typename Handler>
asio::awaitable<void> run_session(Runtime& rt, const Handler& handler, Socket socket) {
  try {
    co_await handler(rt.ctx, std::move(socket));
  } catch (const std::exception& e) {
    rt.ctx.log.warning("session ended by an internal error: {}", e.what());
  }
  --rt.live_sessions;
  rt.open.add(-1);
  rt.slot_freed.cancel();
  rt.maybe_done();
  rt.trim_when_idle();
}

// At the session limit (-l), the listener is left alone: clients wait in its backlog,
// as Postfix's master stops accepting when every process of a service is busy.
asio::awaitable<void> wait_for_slot(Runtime& rt) {
  int limit = rt.ctx.args.session_limit;
  while (limit > 0 && rt.live_sessions >= limit && !rt.stopping)
    co_await rt.slot_freed.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
}

// Pauses after a failed accept: out of descriptors (EMFILE) or memory, the listening
// socket stays readable, so retrying at once would spin. The pause doubles up to a second
// while the failures go on; the log says so when they start, at most once a minute while
// they last, and when accepting works again.
class AcceptBackoff {
 public:
  explicit AcceptBackoff(Context& ctx) : ctx_(ctx), timer_(ctx.io) {}

  asio::awaitable<void> pause(const std::error_code& ec, int live_sessions) {
    auto now = std::chrono::steady_clock::now();
    ++failures_;
    if (failures_ == 1 || now - last_log_ >= kLogInterval) {
      ctx_.log.warning("accept: {} ({} sessions open; {} failure(s); retrying with back-off)",
                       ec.message(), live_sessions, failures_);
      last_log_ = now;
    }
    delay_ = failures_ == 1 ? kFirstDelay : std::min(delay_ * 2, kMaxDelay);
    timer_.expires_after(delay_);
    co_await timer_.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
  }

  void succeeded() {
    if (failures_ > 1) ctx_.log.info("accepting connections again after {} failures", failures_);
    failures_ = 0;
  }

 private:
  static constexpr std::chrono::milliseconds kFirstDelay{100}, kMaxDelay{1000};
  static constexpr std::chrono::seconds kLogInterval{60};
  Context& ctx_;
  asio::steady_timer timer_;
  long failures_ = 0;
  std::chrono::milliseconds delay_{kFirstDelay};
  std::chrono::steady_clock::time_point last_log_{};
};

template <typename Acceptor, typename Handler>
asio::awaitable<void> accept_loop(Runtime& rt, Acceptor& acceptor, const Handler& handler) {
  AcceptBackoff backoff(rt.ctx);
  while (!rt.stopping) {
    co_await wait_for_slot(rt);
    if (rt.stopping) break;
    auto [ec, socket] =
        co_await acceptor.async_accept(asio::experimental::as_tuple(asio::use_awaitable));
    if (rt.stopping || ec == asio::error::operation_aborted) break;
    if (ec) {
      co_await backoff.pause(ec, rt.live_sessions);
      continue;
    }
    backoff.succeeded();
    if constexpr (std::is_same_v<std::decay_t<decltype(socket)>, asio::ip::tcp::socket>) {
      // Sessions write each reply in one go, so Nagle's algorithm only adds a delayed-ACK
      // wait (~40 ms) whenever a client sends a command in two segments (IMAP literals).
      std::error_code nodelay_ec;  // a failure only costs latency
      socket.set_option(asio::ip::tcp::no_delay(true), nodelay_ec);
    }
    ++rt.live_sessions;
    rt.accepted.add();
    rt.open.add(1);
    asio::co_spawn(rt.ctx.io, run_session(rt, handler, std::move(socket)), asio::detached);
  }
}

// No new connections; the process ends with its last session.
void stop_accepting(Runtime& rt) {
  rt.stopping = true;
  rt.slot_freed.cancel();
  for (auto& acceptor : rt.acceptors) {
    std::error_code ignored;
    acceptor->close(ignored);
  }
  for (auto& acceptor : rt.local_acceptors) {
    std::error_code ignored;
    acceptor->close(ignored);
  }
  rt.maybe_done();
}

// SIGUSR2 from the master: a new process of this service has taken over (the master read
// renewed key files, master/tls_files.hpp). This one serves its open sessions to their
// end, however long (an IMAP IDLE may last days), as Dovecot's old login processes keep
// their proxied connections after a reload; SIGTERM still stops it with the deadline.
asio::awaitable<void> wait_for_retire(Runtime& rt, asio::signal_set& signals) {
  auto [ec, sig] = co_await signals.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
  if (ec || rt.stopping) co_return;
  rt.ctx.log.info(
      "replaced by a new process: accepting no more connections, {} session(s) "
      "finish here",
      rt.live_sessions);
  stop_accepting(rt);
}

asio::awaitable<void> wait_for_stop(Runtime& rt, asio::signal_set& signals) {
  auto [ec, sig] = co_await signals.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
  if (ec) co_return;
  stop_accepting(rt);
  rt.drain_timer.expires_after(kDrainDeadline);
  auto [timer_ec] =
      co_await rt.drain_timer.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
  if (!timer_ec && rt.live_sessions > 0) {
    rt.ctx.log.warning("stopping with {} session(s) still open", rt.live_sessions);
    rt.ctx.io.stop();
  }
}

int listen_fd_count() {
  const char* text = std::getenv("CORREIO_LISTEN_FDS");
  auto n = base::parse_int(text ? text : "");
  return n && *n <= kMaxListenFds ? static_cast<int>(*n) : -1;
}

}  // namespace

int run_stream_daemon(const DaemonArgs& args, const StreamDaemon& daemon) {
  DaemonEnvironment env = load_daemon_environment(args, daemon.process_name);
  if (!env.config) return 1;
  const config::Config& config = *env.config;
  base::Logger& log = *env.log;

  asio::io_context io(1);
  Context ctx{io, config, args, log, *env.metrics, env.tls_files};
  Runtime rt{ctx,
             daemon,
             {},
             {},
             0,
             false,
             asio::steady_timer(io),
             asio::steady_timer(io, asio::steady_timer::time_point::max())};
  int count = listen_fd_count();
  if (count <= 0) {
    log.fatal("no listening sockets (CORREIO_LISTEN_FDS); this program is started by the master");
    return 1;
  }
  for (int fd = kFirstListenFd; fd < kFirstListenFd + count; ++fd) {
    if (auto adopted = adopt(rt, fd); !adopted) {
      log.fatal("{}", adopted.error().message);
      return 1;
    }
  }
  if (daemon.init) {
    if (auto st = daemon.init(ctx); !st) {
      log.fatal("{}", st.error().message);
      return 1;
    }
  }
  asio::signal_set signals(io, SIGTERM, SIGINT);
  asio::co_spawn(io, wait_for_stop(rt, signals), asio::detached);
  asio::signal_set retire(io, SIGUSR2);
  asio::co_spawn(io, wait_for_retire(rt, retire), asio::detached);
  asio::co_spawn(io, reopen_log_on_sighup(log), asio::detached);
  for (auto& acceptor : rt.acceptors)
    asio::co_spawn(io, accept_loop(rt, *acceptor, daemon.session), asio::detached);
  for (auto& acceptor : rt.local_acceptors)
    asio::co_spawn(io, accept_loop(rt, *acceptor, daemon.local_session), asio::detached);
  io.run();
  if (daemon.finish) daemon.finish(ctx);
  return 0;
}

}  // namespace correio::service
