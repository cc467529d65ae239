// Reads and writes on one connection with deadlines and hard line limits.
#include "io/connection.hpp"

#include <asio/buffer.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/read.hpp>
#include <asio/redirect_error.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <variant>

#include "io/deflate_stream.hpp"
#include "tls/channel_binding.hpp"
#include "tls/server_context.hpp"

namespace correio::io {

using namespace asio::experimental::awaitable_operators;

// Every read and write races its socket operation against a timer with `||`. The timer
// loses almost always and is cancelled: its wait takes redirect_error (timer_ec) so that
// the cancellation completes quietly instead of throwing operation_aborted, an exception
// per read and per write that cost smtpd about 5% of its CPU.

namespace {
constexpr size_t kReadChunk = 16 * 1024;
}

Connection::Connection(asio::ip::tcp::socket socket) : socket_(socket.get_executor()) {
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
    : socket_(std::move(socket)), local_(true) {}

Connection::~Connection() = default;

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

asio::awaitable<ReadStatus> Connection::fill() {
  compact();
  if (buffer_.empty() && !tls_ && !deflate_) {
    // Idle sessions (IMAP IDLE, 10,000 open mail clients) should not each hold a read
    // buffer: give it back, and allocate only once the socket is readable.
    std::string().swap(buffer_);
    asio::steady_timer timer(socket_.get_executor());
    timer.expires_after(timeout_);
    std::error_code ec, timer_ec;
    auto ready = co_await (
        socket_.async_wait(Socket::wait_read, asio::redirect_error(asio::use_awaitable, ec)) ||
        timer.async_wait(asio::redirect_error(asio::use_awaitable, timer_ec)));
    if (ready.index() == 1) co_return ReadStatus::timeout;
    if (ec) co_return ReadStatus::closed;
  }
  // With compression, raw bytes may inflate to nothing yet (a partial block): read again.
  for (;;) {
    size_t old_size = buffer_.size();
    std::string& target = deflate_ ? compressed_ : buffer_;
    size_t base = deflate_ ? 0 : old_size;
    target.resize(base + kReadChunk);
    asio::steady_timer timer(socket_.get_executor());
    timer.expires_after(timeout_);
    std::error_code ec, timer_ec;
    auto into = asio::buffer(target.data() + base, kReadChunk);
    // Plain statements, not a conditional expression: GCC 12 miscompiles co_await inside ?:.
    std::variant<size_t, std::monostate> result;
    if (tls_) {
      result =
          co_await (tls_->async_read_some(into, asio::redirect_error(asio::use_awaitable, ec)) ||
                    timer.async_wait(asio::redirect_error(asio::use_awaitable, timer_ec)));
    } else {
      result =
          co_await (socket_.async_read_some(into, asio::redirect_error(asio::use_awaitable, ec)) ||
                    timer.async_wait(asio::redirect_error(asio::use_awaitable, timer_ec)));
    }
    if (result.index() == 1) {
      target.resize(base);
      co_return ReadStatus::timeout;
    }
    size_t n = std::get<0>(result);
    target.resize(base + n);
    if (ec || n == 0) co_return ReadStatus::closed;
    if (!deflate_) co_return ReadStatus::ok;
    bool inflated = deflate_->inflate(compressed_, buffer_);
    compressed_.clear();
    if (!inflated) co_return ReadStatus::closed;
    if (buffer_.size() > old_size) co_return ReadStatus::ok;
  }
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
  asio::steady_timer timer(socket_.get_executor());
  timer.expires_after(timeout_);
  std::error_code ec, timer_ec;
  auto from = asio::buffer(data.data(), data.size());
  std::variant<size_t, std::monostate> result;
  if (tls_) {
    result =
        co_await (asio::async_write(*tls_, from, asio::redirect_error(asio::use_awaitable, ec)) ||
                  timer.async_wait(asio::redirect_error(asio::use_awaitable, timer_ec)));
  } else {
    result =
        co_await (asio::async_write(socket_, from, asio::redirect_error(asio::use_awaitable, ec)) ||
                  timer.async_wait(asio::redirect_error(asio::use_awaitable, timer_ec)));
  }
  co_return result.index() == 0 && !ec;
}

asio::awaitable<bool> Connection::start_tls(asio::ssl::context& context, std::string& error) {
  discard_buffered_input();
  tls_ = std::make_unique<asio::ssl::stream<Socket&>>(socket_, context);
  // The deadline closes the socket, which fails the handshake.
  asio::steady_timer timer(socket_.get_executor());
  timer.expires_after(timeout_);
  bool timed_out = false;
  timer.async_wait([this, &timed_out](const std::error_code& ec) {
    if (ec) return;
    timed_out = true;
    std::error_code ignored;
    socket_.close(ignored);
  });
  std::error_code ec;
  co_await tls_->async_handshake(asio::ssl::stream_base::server,
                                 asio::redirect_error(asio::use_awaitable, ec));
  timer.cancel();
  if (timed_out) {
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

std::string Connection::tls_description() const {
  if (!tls_active()) return {};
  return tls::describe_session(tls_->native_handle());
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
