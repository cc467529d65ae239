// NOTIFY (RFC 5465 §3) between commands: while the client has no command in progress,
// the session waits for its next command or for a change in the directories NOTIFY
// watches (inotify through the shared FolderWatcher; a one-second poll only for those it
// cannot watch), and sends the events at once.
#include <asio/co_spawn.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/use_awaitable.hpp>
#include <ctime>
#include <optional>
#include <variant>

#include "imapd/session.hpp"

namespace correio::imapd {

FolderWatcher::Interest& Session::notify_interest() {
  if (!notify_watch_) notify_watch_ = std::make_unique<FolderWatcher::Interest>(shared_.watcher);
  notify_watch_->set(notify_dirs());
  return *notify_watch_;
}

void Session::report_unsolicited_now() {
  if (!notify_) return;
  const NotifyFilter* f = notify_selected_filter(notify_->spec);
  if (selected_ && f != nullptr && f->events != 0) {
    // RFC 5465 §6: SELECTED reports the selected mailbox's changes as they happen;
    // SELECTED-DELAYED holds EXPUNGE back until a command that allows it, so that the
    // client's message sequence numbers stay put meanwhile.
    report_changes(f->kind == NotifyFilter::Kind::selected);
  } else {
    report_notifications();  // the selected mailbox reports at commands, as without NOTIFY
  }
}

namespace {
asio::awaitable<void> run_report(Session* session, void (Session::*report)()) {
  (session->*report)();
  co_return;
}
}  // namespace

asio::awaitable<void> Session::report_unsolicited() {
  if (shared_.workers == nullptr) {
    report_unsolicited_now();
    co_return;
  }
  // Reading folders (and, for MessageNew's FETCH, messages) stays off the event loop, as
  // commands do; the session is not touched from anywhere else meanwhile.
  auto task = run_report(this, &Session::report_unsolicited_now);
  co_await asio::co_spawn(*shared_.workers, std::move(task), asio::use_awaitable);
}

asio::awaitable<std::optional<io::LineResult>> Session::notify_between_commands() {
  using namespace asio::experimental::awaitable_operators;
  const auto deadline = std::chrono::steady_clock::now() + settings_.timeout;
  bool woken = false;
  for (;;) {
    if (!notify_) {
      notify_watch_.reset();  // NOTIFY NONE (or NOTIFICATIONOVERFLOW): watch nothing
      co_return std::nullopt;
    }
    FolderWatcher::Interest& interest = notify_interest();
    // RFC 5465 §3: events go out only while no command is in progress, and a client that
    // has sent part of its next command line is in the middle of it (a pipelined command
    // is already there): the events stay pending until that command is done.
    const bool mid_command = conn_.has_buffered_input();
    // Events during the command just run are pending too: none is lost between a report
    // and the next wait, as the watches stay in place across commands.
    if (!mid_command && (interest.take() || woken)) {
      woken = false;
      co_await report_unsolicited();
      continue;  // the report may have found folders to watch
    }
    bool sent = co_await flush();
    if (!sent) co_return std::nullopt;  // read_command finds the connection closed
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      io::LineResult timed_out;
      timed_out.status = io::ReadStatus::timeout;
      co_return timed_out;
    }
    auto poll = deadline - now;
    if (!interest.complete()) poll = std::min(poll, kNotifyPoll);
    const NotifyFilter* selected_filter = notify_selected_filter(notify_->spec);
    if (selected_ && selected_filter != nullptr && selected_filter->events != 0) {
      // A change within one clock tick of another must be verified later (as IDLE does);
      // only when the selected mailbox is synced between commands, or it stays due.
      if (int64_t recheck = selected_->box().recheck_at(); recheck != 0) {
        auto until = std::chrono::seconds(std::max<int64_t>(recheck - ::time(nullptr), 0)) +
                     std::chrono::milliseconds(100);
        poll = std::min<std::chrono::steady_clock::duration>(poll, until);
      }
    }
    // Waiting for the first line is raced against the watch, not reading it: input
    // already decrypted or inflated (TLS, COMPRESS) would not make the socket readable,
    // and wait_for_line consumes nothing, so a change that wins the race loses no input.
    // Mid-command, only the line is waited for (events stay pending, see above).
    conn_.set_timeout(deadline - now);
    io::ReadStatus ready = io::ReadStatus::ok;
    if (!mid_command) {
      std::variant<io::ReadStatus, std::monostate> woke =
          co_await (conn_.wait_for_line(settings_.limits.max_line_length) || interest.wait(poll));
      if (woke.index() == 1) {
        woken = true;  // a change, or the poll's time
        continue;
      }
      ready = std::get<0>(woke);
    }
    io::LineResult first;
    first.status = ready;
    if (ready == io::ReadStatus::ok)
      first = co_await conn_.read_line(settings_.limits.max_line_length);
    conn_.set_timeout(settings_.timeout);  // the rest of the command: as any command
    co_return first;
  }
}

}  // namespace correio::imapd
