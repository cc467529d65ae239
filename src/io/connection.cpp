// Reads and writes on one connection with deadlines and hard line limits.
#include "io/connection.hpp"

#include <openssl/ssl.h>

#include <algorithm>
#include <asio/buffer.hpp>
#include <asio/read.hpp>
#include <asio/redirect_error.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include "io/deflate_stream.hpp"
#include "tls/channel_binding.hpp"
#include "tls/server_context.hpp"

namespace correio::io {

// Deadlines: one timer per connection, not one per operation. Each read or write sets the
// deadline and marks the connection busy; the timer, armed at most once at a time, wakes
// at the deadline it was given, re-arms when the deadline has moved on meanwhile, and
// cancels the socket's operations when a busy connection really is past it. An SMTP
// message takes a dozen reads and writes; racing each against its own timer (`||`) cost
// two coroutines, a timer insert and removal and, until redirect_error, an exception.
struct Connection::Watch {
  explicit Watch(const asio::any_io_executor& executor) : timer(executor) {}
  asio::steady_timer timer;
  std::chrono::steady_clock::time_point deadline{};
  Socket* socket = nullptr;  // null once the connection is gone
  bool armed = false;        // a wait is pending on the timer
  bool busy = false;         // a read, write or handshake is in progress
  bool fired = false;        // the deadline passed during the current operation
  uint64_t generation = 0;   // of the latest wait; older waits' handlers do nothing
};

namespace {

void arm(const std::shared_ptr<Connection::Watch>& watch) {
  // Setting the expiry cancels a wait already pending; its handler sees a newer generation.
  uint64_t generation = ++watch->generation;
  watch->armed = true;
  watch->timer.expires_at(watch->deadline);
  // The handler owns the watch: it may run after the connection is gone.
  watch->timer.async_wait([watch, generation](std::error_code ec) {
    if (generation != watch->generation) return;  // superseded by a later arm()
    watch->armed = false;
    if (ec || !watch->socket || !watch->busy) return;  // the next operation re-arms
    if (std::chrono::steady_clock::now() < watch->deadline) {
      arm(watch);  // pushed back by later operations
      return;
    }
    watch->fired = true;
    std::error_code ignored;
    watch->socket->cancel(ignored);
  });
}

}  // namespace

void Connection::begin_request(std::chrono::steady_clock::time_point deadline, size_t min_rate) {
  request_active_ = true;
  request_deadline_ = deadline;
  request_min_rate_ = min_rate;
}

void Connection::begin_io() {
  watch_->deadline = std::chrono::steady_clock::now() + timeout_;
  if (request_active_) watch_->deadline = std::min(watch_->deadline, request_deadline_);
  watch_->busy = true;
  watch_->fired = false;
  // Usually the timer is armed for an earlier deadline and simply re-arms when it wakes;
  // one armed for a later deadline (timeout_ got shorter) would wake too late.
  if (!watch_->armed || watch_->timer.expiry() > watch_->deadline) arm(watch_);
}

bool Connection::end_io(const std::error_code& ec) {
  watch_->busy = false;
  return watch_->fired && ec == asio::error::operation_aborted;
}

namespace {
constexpr size_t kReadChunk = 16 * 1024;
}

Connection::Connection(asio::ip::tcp::socket socket)
    : socket_(socket.get_executor()), watch_(std::make_shared<Watch>(socket.get_executor())) {
  watch_->socket = &socket_;
  // The endpoints are read while the socket still knows it is TCP.
  std::error_code ec;
  auto remote = socket.remote_endpoint(ec);
  if (!ec) {
    auto addr = remote.address();
    if (addr.is_v6() && addr.to_v6().is_v4_mapped())
      addr = asio::ip::make_address_v4(asio::ip::v4_mapped, addr.to_v6());
    remote_address_ = addr.to_string();
    remote_port_ = remote.port();
  }
  auto local = socket.local_endpoint(ec);
  if (!ec) {
    local_address_ = local.address().to_string();
    local_port_ = local.port();
  }
  socket_ = std::move(socket);
}

Connection::Connection(asio::local::stream_protocol::socket socket)
    : socket_(std::move(socket)),
      local_(true),
      watch_(std::make_shared<Watch>(socket_.get_executor())) {
  watch_->socket = &socket_;
}

Connection::~Connection() {
  watch_->socket = nullptr;
  watch_->timer.cancel();  // the pending handler, if any, then frees the watch
}

bool Connection::start_compression() {
  if (deflate_ || has_buffered_input()) return false;
  auto stream = std::make_unique<DeflateStream>();
  if (!stream->ok()) return false;
  deflate_ = std::move(stream);
  return true;
}

void Connection::compact() {
  if (consumed_ > 0 && consumed_ == buffer_.size()) {
    buffer_.clear();
    consumed_ = 0;
  } else if (consumed_ > kReadChunk) {
    buffer_.erase(0, consumed_);
    consumed_ = 0;
  }
}

void Connection::discard_buffered_input() {
  buffer_.clear();
  consumed_ = 0;
}

std::string Connection::take_buffered_input() {
  std::string rest = buffer_.substr(consumed_);
  discard_buffered_input();
  return rest;
}

void Connection::preload_input(std::string_view data) {
  compact();
  buffer_.append(data);
}

void Connection::set_addresses(std::string remote, unsigned short remote_port, std::string local,
                               unsigned short local_port) {
  remote_address_ = std::move(remote);
  remote_port_ = remote_port;
  local_address_ = std::move(local);
  local_port_ = local_port;
}

asio::awaitable<ReadStatus> Connection::fill() {
  compact();
  if (buffer_.empty() && !tls_ && !deflate_) {
    // Idle sessions (IMAP IDLE, 10,000 open mail clients) should not each hold a read
    // buffer: give it back, and allocate only once the socket is readable.
    std::string().swap(buffer_);
    std::error_code ec;
    begin_io();
    co_await socket_.async_wait(Socket::wait_read, asio::redirect_error(asio::use_awaitable, ec));
    if (end_io(ec)) co_return ReadStatus::timeout;
    if (ec) co_return ReadStatus::closed;
  }
  // With compression, raw bytes may inflate to nothing yet (a partial block): read again.
  for (;;) {
    size_t old_size = buffer_.size();
    std::string& target = deflate_ ? compressed_ : buffer_;
    size_t base = deflate_ ? 0 : old_size;
    target.resize(base + kReadChunk);
    std::error_code ec;
    auto into = asio::buffer(target.data() + base, kReadChunk);
    size_t n = 0;
    begin_io();
    // Plain statements, not a conditional expression: GCC 12 miscompiles co_await inside ?:.
    if (tls_) {
      n = co_await tls_->async_read_some(into, asio::redirect_error(asio::use_awaitable, ec));
    } else {
      n = co_await socket_.async_read_some(into, asio::redirect_error(asio::use_awaitable, ec));
    }
    if (end_io(ec)) {
      target.resize(base);
      co_return ReadStatus::timeout;
    }
    target.resize(base + n);
    if (ec || n == 0) co_return ReadStatus::closed;
    if (request_active_ && request_min_rate_ > 0) {
      // Postfix's smtpd_min_data_rate: N bytes buy N / rate seconds, up to the per-read
      // timeout from now.
      auto now = std::chrono::steady_clock::now();
      auto earned = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
          std::chrono::duration<double>(static_cast<double>(n) /
                                        static_cast<double>(request_min_rate_)));
      request_deadline_ = std::min(request_deadline_ + earned, now + timeout_);
    }
    if (!deflate_) co_return ReadStatus::ok;
    bool inflated = deflate_->inflate(compressed_, buffer_);
    compressed_.clear();
    if (!inflated) co_return ReadStatus::closed;
    if (buffer_.size() > old_size) co_return ReadStatus::ok;
  }
}

asio::awaitable<bool> Connection::wait_readable(std::chrono::steady_clock::duration limit) {
  if (has_buffered_input()) co_return true;
  auto saved = timeout_;
  timeout_ = limit;
  std::error_code ec;
  begin_io();
  co_await socket_.async_wait(Socket::wait_read, asio::redirect_error(asio::use_awaitable, ec));
  bool timed_out = end_io(ec);
  timeout_ = saved;
  co_return !timed_out && !ec;
}

asio::awaitable<LineResult> Connection::read_line(size_t max_length) {
  LineResult result;
  // Bytes after consumed_ already known to hold no LF; relative, so compaction keeps it valid.
  size_t checked = 0;
  bool overflow = false;
  for (;;) {
    size_t lf = buffer_.find('\n', consumed_ + checked);
    if (lf != std::string::npos) {
      size_t length = lf + 1 - consumed_;
      result.status = (overflow || length > max_length) ? ReadStatus::too_long : ReadStatus::ok;
      if (result.status == ReadStatus::ok) result.line.assign(buffer_, consumed_, length);
      consumed_ = lf + 1;
      co_return result;
    }
    checked = buffer_.size() - consumed_;
    if (checked > max_length) {
      // Bound the memory a client can make us hold for one line: drop what we have and
      // keep reading until the line ends, then report it as too long.
      overflow = true;
      consumed_ = buffer_.size();
      checked = 0;
    }
    ReadStatus status = co_await fill();
    if (status != ReadStatus::ok) {
      result.status = status;
      co_return result;
    }
  }
}

asio::awaitable<ReadStatus> Connection::wait_for_line(size_t max_length) {
  for (;;) {
    size_t buffered = buffer_.size() - consumed_;
    if (buffered > max_length || buffer_.find('\n', consumed_) != std::string::npos)
      co_return ReadStatus::ok;
    // fill() only appends (and compacts what was consumed): a cancelled fill leaves the
    // buffered bytes as they were.
    ReadStatus status = co_await fill();
    if (status != ReadStatus::ok) co_return status;
  }
}

asio::awaitable<LineResult> Connection::read_segment(size_t max_length) {
  LineResult result;
  size_t checked = 0;
  for (;;) {
    size_t lf = buffer_.find('\n', consumed_ + checked);
    size_t available = buffer_.size() - consumed_;
    if (lf != std::string::npos && lf + 1 - consumed_ <= max_length) {
      size_t length = lf + 1 - consumed_;
      result.line.assign(buffer_, consumed_, length);
      consumed_ += length;
      result.status = ReadStatus::ok;
      co_return result;
    }
    if (available >= max_length) {
      result.line.assign(buffer_, consumed_, max_length);
      consumed_ += max_length;
      result.status = ReadStatus::ok;
      co_return result;
    }
    checked = available;
    ReadStatus status = co_await fill();
    if (status != ReadStatus::ok) {
      result.status = status;
      co_return result;
    }
  }
}

asio::awaitable<ReadStatus> Connection::read_exact(size_t n, std::string& out) {
  while (n > 0) {
    if (consumed_ == buffer_.size()) {
      ReadStatus status = co_await fill();
      if (status != ReadStatus::ok) co_return status;
    }
    size_t take = std::min(n, buffer_.size() - consumed_);
    out.append(buffer_, consumed_, take);
    consumed_ += take;
    n -= take;
  }
  co_return ReadStatus::ok;
}

asio::awaitable<void> Connection::drain_and_close() {
  std::error_code ec;
  socket_.shutdown(Socket::shutdown_send, ec);
  auto saved = timeout_;
  timeout_ = std::chrono::seconds(2);
  size_t discarded = 0;
  while (discarded < (1u << 20)) {
    discard_buffered_input();
    if (co_await fill() != ReadStatus::ok) break;
    discarded += buffer_.size();
  }
  timeout_ = saved;
  socket_.close(ec);
}

asio::awaitable<bool> Connection::write(std::string_view data) {
  std::string deflated;
  if (deflate_) {
    if (!deflate_->deflate(data, deflated)) co_return false;
    data = deflated;
  }
  std::error_code ec;
  auto from = asio::buffer(data.data(), data.size());
  begin_io();
  if (tls_) {
    co_await asio::async_write(*tls_, from, asio::redirect_error(asio::use_awaitable, ec));
  } else {
    co_await asio::async_write(socket_, from, asio::redirect_error(asio::use_awaitable, ec));
  }
  end_io(ec);
  co_return !ec;
}

asio::awaitable<bool> Connection::start_tls(asio::ssl::context& context, std::string& error,
                                            asio::ssl::stream_base::handshake_type role,
                                            const TlsPrepare* prepare) {
  discard_buffered_input();
  tls_ = std::make_unique<asio::ssl::stream<Socket&>>(socket_, context);
  if (prepare != nullptr && *prepare) {
    error = (*prepare)(tls_->native_handle());
    if (!error.empty()) co_return false;
  }
  std::error_code ec;
  begin_io();
  co_await tls_->async_handshake(role, asio::redirect_error(asio::use_awaitable, ec));
  if (end_io(ec)) {
    error = "timeout";
    co_return false;
  }
  if (ec) {
    error = ec.message();
    co_return false;
  }
  tls_up_ = true;
  co_return true;
}

bool Connection::tls_resumed() const {
  return tls_active() && SSL_session_reused(tls_->native_handle()) == 1;
}

std::string Connection::tls_description() const {
  if (!tls_active()) return {};
  return tls::describe_session(tls_->native_handle());
}

std::string Connection::tls_protocol() const {
  if (!tls_active()) return {};
  return SSL_get_version(tls_->native_handle());
}

std::optional<std::string> Connection::tls_exporter_binding() const {
  if (!tls_active()) return std::nullopt;
  return tls::tls_exporter_binding(tls_->native_handle());
}

std::optional<std::string> Connection::tls_server_end_point_binding() const {
  if (!tls_active()) return std::nullopt;
  return tls::tls_server_end_point_binding(tls_->native_handle());
}

}  // namespace correio::io
