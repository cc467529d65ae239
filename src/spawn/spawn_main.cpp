// The spawn daemon: one coroutine per connection starts the command, logs its standard
// error, waits for it within SERVICE_time_limit (see spawn_main.hpp).
#include "spawn/spawn_main.hpp"

#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/use_awaitable.hpp>
#include <csignal>
#include <memory>

#include "base/strings.hpp"
#include "io/deadline.hpp"
#include "spawn/spawn_command.hpp"

namespace correio::spawn {
namespace {

// A line of the command's standard error longer than this is logged in pieces.
constexpr size_t kMaxLogLine = 1000;

struct Settings {
  std::string service;
  SpawnOptions options;
  std::optional<base::CommandUser> who;   // set when the daemon is root
  std::chrono::seconds time_limit{1000};  // SERVICE_time_limit, else command_time_limit
};

Result<Settings> settings_from(const service::Context& ctx) {
  Settings s;
  s.service = ctx.args.service_name;
  auto options = parse_spawn_options(ctx.args.args);
  if (!options) return options.error();
  s.options = std::move(*options);
  auto who = base::lookup_command_user(s.options.user);
  if (!who) return Error{"spawn: " + who.error().message};
  if (::geteuid() == 0) s.who = std::move(*who);
  s.time_limit = ctx.config.get_time("command_time_limit");
  if (auto raw = ctx.config.raw(s.service + "_time_limit")) {
    auto n = base::parse_int(base::trim(*raw));
    if (!n || *n <= 0) return Error{fmt::format("bad {}_time_limit: {}", s.service, *raw)};
    s.time_limit = std::chrono::seconds(*n);
  }
  return s;
}

// The command's standard error, line by line, into the mail log until it closes.
asio::awaitable<void> log_errors(service::Context& ctx, const Settings& s,
                                 asio::posix::stream_descriptor& errors) {
  std::string pending;
  char chunk[4096];
  auto flush = [&](std::string_view line) {
    if (!line.empty()) ctx.log.warning("{}: {}", s.options.argv[0], line);
  };
  for (;;) {
    auto [ec, n] = co_await errors.async_read_some(
        asio::buffer(chunk), asio::experimental::as_tuple(asio::use_awaitable));
    if (ec) break;
    pending.append(chunk, n);
    for (size_t nl; (nl = pending.find('\n')) != std::string::npos;) {
      flush(std::string_view(pending).substr(0, nl));
      pending.erase(0, nl + 1);
    }
    for (; pending.size() > kMaxLogLine; pending.erase(0, kMaxLogLine))
      flush(std::string_view(pending).substr(0, kMaxLogLine));
  }
  flush(pending);
}

asio::awaitable<void> wait_exit(asio::posix::stream_descriptor& pidfd) {
  // A pidfd becomes readable when its process has exited.
  co_await pidfd.async_wait(asio::posix::stream_descriptor::wait_read,
                            asio::experimental::as_tuple(asio::use_awaitable));
}

void log_status(service::Context& ctx, const Settings& s, pid_t pid, int status) {
  if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
    ctx.log.warning("command {} (pid {}) exit status {}", s.options.argv[0], pid,
                    WEXITSTATUS(status));
  if (WIFSIGNALED(status))
    ctx.log.warning("command {} (pid {}) killed by signal {}", s.options.argv[0], pid,
                    WTERMSIG(status));
}

template <typename Socket>
asio::awaitable<void> serve(service::Context& ctx, const Settings& s, Socket socket) {
  using namespace asio::experimental::awaitable_operators;
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) < 0) {
    ctx.log.warning("pipe: {}", std::strerror(errno));
    co_return;
  }
  auto pid = start_command(s.options, s.who, socket.native_handle(), pipe_fds[1]);
  ::close(pipe_fds[1]);
  std::error_code ignored;
  socket.close(ignored);  // the connection belongs to the command now
  asio::posix::stream_descriptor errors(ctx.io, pipe_fds[0]);
  if (!pid) {
    ctx.log.warning("{}", pid.error().message);
    co_return;
  }
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, *pid, 0));
  if (pidfd < 0) {
    // No pidfd (Linux before 5.3): the command cannot be waited for without blocking.
    ctx.log.warning("pidfd_open: {}; command {} stopped", std::strerror(errno), *pid);
    ::kill(-*pid, SIGKILL);
  } else {
    asio::posix::stream_descriptor exited(ctx.io, pidfd);
    auto deadline = std::chrono::steady_clock::now() + s.time_limit;
    auto outcome =
        co_await ((log_errors(ctx, s, errors) && wait_exit(exited)) || io::watchdog(deadline));
    if (outcome.index() == 1) {
      // Postfix's spawn: the whole process group ends at the time limit.
      ctx.log.warning("command {} (pid {}) time limit exceeded", s.options.argv[0], *pid);
      ::kill(-*pid, SIGKILL);
      co_await wait_exit(exited);
    }
  }
  int status = 0;
  if (::waitpid(*pid, &status, 0) == *pid) log_status(ctx, s, *pid, status);
}

}  // namespace

int spawn_main(const service::DaemonArgs& args) {
  auto settings = std::make_shared<Settings>();
  service::StreamDaemon daemon;
  daemon.process_name = "spawn";
  daemon.init = [settings](service::Context& ctx) -> Status {
    auto s = settings_from(ctx);
    if (!s) return s.error();
    *settings = std::move(*s);
    return {};
  };
  daemon.session = [settings](service::Context& ctx,
                              asio::ip::tcp::socket socket) -> asio::awaitable<void> {
    return serve(ctx, *settings, std::move(socket));
  };
  daemon.local_session = [settings](
                             service::Context& ctx,
                             asio::local::stream_protocol::socket socket) -> asio::awaitable<void> {
    return serve(ctx, *settings, std::move(socket));
  };
  return service::run_stream_daemon(args, daemon);
}

}  // namespace correio::spawn
