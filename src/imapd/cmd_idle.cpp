// IDLE (RFC 2177, RFC 9051 §6.3.13): waits for the client's DONE while reporting the
// selected folder's changes (and NOTIFY's, RFC 5465) as the folder watcher (or a periodic
// poll where it cannot watch) finds them.
#include <asio/experimental/awaitable_operators.hpp>

#include "imapd/session.hpp"

namespace correio::imapd {

asio::awaitable<void> Session::cmd_idle(const Command& c, Parser& p) {
  using namespace asio::experimental::awaitable_operators;
  if (!p.at_end()) {
    bad(c, "IDLE takes no arguments.");
    co_return;
  }
  report_changes(true);
  out_ += "+ idling\r\n";
  auto deadline = std::chrono::steady_clock::now() + settings_.idle_timeout;
  // The whole IDLE, its DONE line included, ends by imapd_idle_timeout however the client
  // trickles bytes (a per-read timeout alone would restart with each byte).
  io::RequestScope idle_deadline(conn_, deadline);
  for (;;) {
    bool sent = co_await flush();
    if (!sent) {
      state_ = State::logout;
      co_return;
    }
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      out_ += "* BYE Disconnected for inactivity in IDLE.\r\n";
      co_await flush();
      state_ = State::logout;
      co_return;
    }
    conn_.set_timeout(deadline - now);
    // Waiting for DONE is raced against the watch, not reading it: wait_for_line consumes
    // nothing, so a change that wins the race in the same turn loses no input.
    const size_t max_line = settings_.limits.max_line_length;
    std::variant<io::ReadStatus, std::monostate> woke;
    if (selected_) {
      // Poll at least every 30 s in case an event slipped between sync and watch, and when
      // the folder's state must be verified (a change within one clock tick of another).
      auto wait =
          std::min<std::chrono::steady_clock::duration>(deadline - now, std::chrono::seconds(30));
      if (int64_t recheck = selected_->box().recheck_at(); recheck != 0) {
        auto until = std::chrono::seconds(std::max<int64_t>(recheck - ::time(nullptr), 0)) +
                     std::chrono::milliseconds(100);
        wait = std::min<std::chrono::steady_clock::duration>(wait, until);
      }
      if (notify_) {
        // NOTIFY: the selected folder and every other one it watches (notify_wait.cpp).
        FolderWatcher::Interest& interest = notify_interest();
        if (!interest.complete()) wait = std::min(wait, kNotifyPoll);
        woke = co_await (conn_.wait_for_line(max_line) || interest.wait(wait));
      } else {
        woke = co_await (conn_.wait_for_line(max_line) ||
                         shared_.watcher.wait(selected_->box().path(), wait));
      }
    } else if (notify_) {
      FolderWatcher::Interest& interest = notify_interest();
      auto wait = deadline - now;
      if (!interest.complete()) wait = std::min(wait, kNotifyPoll);
      woke = co_await (conn_.wait_for_line(max_line) || interest.wait(wait));
    } else {
      woke = co_await conn_.wait_for_line(max_line);
    }
    if (woke.index() == 1) {
      if (notify_watch_) notify_watch_->take();  // reported now
      report_changes(true);
      continue;
    }
    io::LineResult line;
    line.status = std::get<0>(woke);
    if (line.status == io::ReadStatus::ok) line = co_await conn_.read_line(max_line);
    if (line.status == io::ReadStatus::timeout) continue;  // the deadline check above ends it
    if (line.status != io::ReadStatus::ok) {
      state_ = State::logout;
      co_return;
    }
    std::string_view text = line.line;
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
    if (iequals(text, "DONE")) break;
    bad(c, "Expected DONE.");
    co_return;
  }
  report_changes(true);
  ok(c, "Idle completed.");
}

}  // namespace correio::imapd
