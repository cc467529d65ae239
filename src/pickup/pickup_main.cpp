// pickup: takes locally submitted mail (sendmail -> maildrop/) into the queue, as
// Postfix's pickup(8). Sees new files at once (inotify on maildrop/: sendmail renames the
// finished file to its final name) and rescans every minute for files a transient error left
// behind. SECURITY: runs as mail_owner; reads files that any local user may have written, so every
// file is checked (pickup_file.cpp) and parsed by the fuzzed queue-file reader; the submitter's
// identity is the file's owner, never what the file says.
#include <dirent.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "base/inotify_events.hpp"
#include "milter/settings.hpp"
#include "pickup/pickup.hpp"
#include "pickup/pickup_file.hpp"
#include "queue/maildrop_file.hpp"
#include "service/task_daemon.hpp"

namespace correio::pickup {
namespace {

constexpr auto kRescan = std::chrono::seconds(60);

void take(const PickupSettings& settings, base::Logger& log, const std::string& name) {
  PickupOutcome o = pickup_file(settings, name, [&log](const PickupOutcome& queued) {
    log.info("{}: uid={} from=<{}>", queued.queue_id, queued.uid, queued.sender);
    // Postfix's cleanup(8) logs this; Correio's cleanup runs inside pickup (same pid).
    log.info_as("cleanup", "{}: message-id={}", queued.queue_id, queued.message_id);
  });
  switch (o.kind) {
    case PickupOutcome::Kind::queued:
      if (!o.reason.empty()) log.warning("{}: {}", o.queue_id, o.reason);
      break;
    case PickupOutcome::Kind::rejected:
      log.warning("maildrop/{}: {}: moved to corrupt/", name, o.reason);
      break;
    case PickupOutcome::Kind::retry:
      log.warning("maildrop/{}: {}: will retry", name, o.reason);
      break;
    case PickupOutcome::Kind::skipped:
      break;
  }
}

void scan(const PickupSettings& settings, base::Logger& log) {
  auto dir = settings.queue_directory / "maildrop";
  DIR* d = ::opendir(dir.c_str());
  if (!d) {
    log.warning("scan {}: {}", dir.string(), std::strerror(errno));
    return;
  }
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d))
    if (queue::is_maildrop_name(e->d_name)) names.emplace_back(e->d_name);
  ::closedir(d);
  for (const auto& name : names) take(settings, log, name);
}

asio::awaitable<void> rescan_forever(PickupSettings settings, base::Logger& log) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    timer.expires_after(kRescan);
    co_await timer.async_wait(asio::use_awaitable);
    scan(settings, log);
  }
}

asio::awaitable<void> run(service::Context& ctx) {
  PickupSettings settings = PickupSettings::from_config(ctx.config);
  base::Logger& log = ctx.log;
  // cleanup runs inside pickup (design.md §2): a table it cannot open stops the daemon.
  // receive_override_options applies to local submissions too (pickup(8)).
  auto overrides = cleanup::ReceiveOverrides::from_config(ctx.config);
  if (!overrides) {
    log.fatal("{}", overrides.error().message);
    ctx.io.stop();
    co_return;
  }
  auto rewriter = cleanup::AddressRewriter::open(ctx.config, *overrides);
  if (!rewriter) {
    log.fatal("{}", rewriter.error().message);
    ctx.io.stop();
    co_return;
  }
  settings.rewriter = std::make_shared<cleanup::AddressRewriter>(std::move(*rewriter));
  // header_checks and friends apply to local submissions too; a table that cannot be
  // opened stops pickup rather than letting mail pass uninspected.
  auto checks = overrides->no_header_body_checks
                    ? Result<cleanup::CheckTables>(cleanup::CheckTables())
                    : cleanup::CheckTables::open(ctx.config, "", log);
  if (!checks) {
    log.fatal("{}", checks.error().message);
    co_return;
  }
  if (checks->any()) {
    settings.checks = std::make_shared<const cleanup::CheckTables>(std::move(*checks));
    settings.log = &log;
  }
  // non_smtpd_milters (receive_override_options no_milters turns them off, as in
  // Postfix); a list that does not parse stops pickup rather than let mail pass unsigned
  // or unfiltered.
  auto milters = milter::Settings::from_config(ctx.config, "non_smtpd_milters");
  if (!milters) {
    log.fatal("{}", milters.error().message);
    ctx.io.stop();
    co_return;
  }
  if (!milters->empty() && !overrides->no_milters) {
    std::shared_ptr<const cleanup::CheckTables> header_checks;
    if (!overrides->no_header_body_checks) {
      auto opened = cleanup::CheckTables::open_milter_header_checks(ctx.config, log);
      if (!opened) {
        log.fatal("{}", opened.error().message);
        ctx.io.stop();
        co_return;
      }
      if (opened->any())
        header_checks = std::make_shared<const cleanup::CheckTables>(std::move(*opened));
    }
    settings.milters = std::make_shared<PickupMilters>(std::move(*milters), log, header_checks);
    settings.log = &log;
  }
  auto dir = settings.queue_directory / "maildrop";
  // IN_MOVED_TO: sendmail renames its finished file to the final name; IN_CREATE: an
  // administrator copied one in.
  int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0 || ::inotify_add_watch(fd, dir.c_str(), IN_CREATE | IN_MOVED_TO) < 0) {
    log.warning("inotify on maildrop/: {}; scanning every second", std::strerror(errno));
    if (fd >= 0) ::close(fd);
    asio::steady_timer timer(ctx.io);
    for (;;) {
      scan(settings, log);
      timer.expires_after(std::chrono::seconds(1));
      co_await timer.async_wait(asio::use_awaitable);
    }
  }
  asio::posix::stream_descriptor events(ctx.io, fd);
  scan(settings, log);  // what arrived while pickup was not running
  asio::co_spawn(ctx.io, rescan_forever(settings, log), asio::detached);
  char buf[8192];
  for (;;) {
    auto [ec, n] = co_await events.async_read_some(
        asio::buffer(buf), asio::experimental::as_tuple(asio::use_awaitable));
    if (ec) {
      log.warning("inotify read: {}", ec.message());
      co_return;
    }
    for (const base::InotifyEvent& event : base::parse_inotify_events({buf, n})) {
      if (event.mask & IN_Q_OVERFLOW) scan(settings, log);
      if (queue::is_maildrop_name(event.name)) take(settings, log, std::string(event.name));
    }
  }
}

}  // namespace

int pickup_main(const service::DaemonArgs& args) {
  service::TaskDaemon daemon;
  daemon.process_name = "pickup";
  daemon.run = run;
  return service::run_task_daemon(args, daemon);
}

}  // namespace correio::pickup
