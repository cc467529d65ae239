// One accepted network connection as the protocol sessions see it: reads and writes with a
// deadline, a line reader with a hard length limit, and room for TLS (STARTTLS upgrades the
// same object in place). Owned by its session coroutine; not thread-safe.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/generic/stream_protocol.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/local/stream_protocol.hpp>
#include <asio/ssl/context.hpp>
#include <asio/ssl/stream.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace correio::io {

class DeflateStream;

enum class ReadStatus {
  ok,        // a complete line (or the requested bytes) is in the result
  too_long,  // the line exceeded the limit; it was consumed up to and including its LF
  timeout,   // the deadline passed
  closed,    // the peer closed the connection (or a read error)
};

struct LineResult {
  ReadStatus status = ReadStatus::closed;
  std::string line;  // with its terminator ("\r\n" or "\n") when status == ok
};

class Connection {
 public:
  // A TCP connection, or a UNIX-domain one (LMTP from a local MTA): the protocol code is
  // the same; a UNIX-domain peer has no address (remote_address() is empty).
  using Socket = asio::generic::stream_protocol::socket;
  explicit Connection(asio::ip::tcp::socket socket);
  explicit Connection(asio::local::stream_protocol::socket socket);
  ~Connection();

  // Deadline applied to every read and write from now on.
  void set_timeout(std::chrono::steady_clock::duration timeout) { timeout_ = timeout; }

  // A deadline for a whole request, not each read: until end_request(), reads and writes
  // must also finish by `deadline` (Postfix's smtpd_per_request_deadline), so a client
  // trickling one byte at a time cannot hold the session. With `min_rate` (bytes per
  // second, Postfix's smtpd_min_data_rate; 0: none) every read of N bytes moves the
  // deadline N / min_rate seconds later, but never past the per-read timeout from now.
  void begin_request(std::chrono::steady_clock::time_point deadline, size_t min_rate = 0);
  void end_request() { request_active_ = false; }

  // Waits up to `limit` for input (or the peer's close); false when none came. Nothing is
  // consumed. For pregreet detection during a greeting delay.
  asio::awaitable<bool> wait_readable(std::chrono::steady_clock::duration limit);

  // Reads one line ending in LF, at most `max_length` bytes including the terminator.
  // Not to be raced against another wait (`||`): a line it has taken is lost when the
  // other side wins in the same turn of the event loop. Use wait_for_line() for that.
  asio::awaitable<LineResult> read_line(size_t max_length);

  // Waits until a whole line (or more than `max_length` bytes of one) is buffered, so
  // that read_line() returns without waiting for the client. Consumes nothing, so it may
  // be raced against a timer or a folder watch and cancelled without losing input (IMAP
  // IDLE, NOTIFY between commands). ok, or why no line can come (timeout, closed).
  asio::awaitable<ReadStatus> wait_for_line(size_t max_length);

  // Reads the next piece of a line: up to and including LF, or `max_length` bytes of a
  // longer line (the rest follows in the next call). For message content, where long
  // lines are passed through rather than refused.
  asio::awaitable<LineResult> read_segment(size_t max_length);

  // Reads exactly `n` bytes (BDAT chunks), appending them to `out`.
  asio::awaitable<ReadStatus> read_exact(size_t n, std::string& out);

  // Writes all of `data`; false when the peer is gone or the deadline passed.
  asio::awaitable<bool> write(std::string_view data);

  // Ends a session we are refusing while the client may still be sending: shuts down our
  // side, then reads and discards input for a short while, so that the kernel does not
  // answer unread input with a reset that would destroy our last reply in transit.
  asio::awaitable<void> drain_and_close();

  // Whether the client has already sent more input than we have consumed (pipelining).
  bool has_buffered_input() const { return consumed_ < buffer_.size(); }
  // Bytes the client sent that are buffered but not consumed (e.g. before STARTTLS).
  void discard_buffered_input();
  // The pre-login split (login/handoff.hpp): the login process takes the input the client
  // pipelined after its login command, and the post-login process reads it first.
  std::string take_buffered_input();
  void preload_input(std::string_view data);
  // A connection that reaches the client through a proxy (the login process's TLS
  // socketpair) has the client's addresses from the hand-off, not from its socket.
  void set_addresses(std::string remote, unsigned short remote_port, std::string local,
                     unsigned short local_port);

  // Starts TLS as the server (STARTTLS, or at once for wrapper mode). Input buffered
  // before the handshake is discarded (RFC 3207 §4.2: nothing sent in the clear may be
  // taken as sent under TLS). On failure `error` says why; the connection is unusable.
  // With `role` client it starts TLS as the client (the SMTP client's STARTTLS).
  // `prepare`, when given, is called on the new SSL object before the handshake (the
  // client's SNI, protocols, ciphers); a non-empty answer aborts with that error. A
  // pointer, so that callers name the function (no temporary inside their co_await).
  using TlsPrepare = std::function<std::string(SSL*)>;
  asio::awaitable<bool> start_tls(
      asio::ssl::context& context, std::string& error,
      asio::ssl::stream_base::handshake_type role = asio::ssl::stream_base::server,
      const TlsPrepare* prepare = nullptr);
  bool tls_active() const { return tls_ != nullptr && tls_up_; }
  // Whether the live TLS session was resumed (a ticket or cache hit, no full handshake).
  bool tls_resumed() const;
  // "TLSv1.3 with cipher ... (256/256 bits)"; empty without TLS.
  std::string tls_description() const;
  // The negotiated protocol as OpenSSL names it ("TLSv1.3"); empty without TLS.
  std::string tls_protocol() const;
  // Channel-binding data of the live TLS session for SCRAM-*-PLUS (tls/channel_binding.hpp):
  // tls-exporter (RFC 9266, TLS 1.3 only) and tls-server-end-point (RFC 5929). nullopt
  // without TLS or when the session cannot provide that type.
  std::optional<std::string> tls_exporter_binding() const;
  std::optional<std::string> tls_server_end_point_binding() const;
  // The live TLS session for the client's certificate checks; null without TLS.
  SSL* tls_handle() { return tls_active() ? tls_->native_handle() : nullptr; }
  // The TLS stream itself, for the login process's proxy (login/tls_proxy.hpp), which
  // reads and writes it at once without this object's deadlines; null without TLS.
  asio::ssl::stream<Socket&>* tls_stream() { return tls_active() ? tls_.get() : nullptr; }

  // From now on, input is inflated and output deflated (IMAP COMPRESS=DEFLATE, RFC 4978).
  // Input already buffered was sent uncompressed before the command, so none may remain.
  bool start_compression();
  bool compression_active() const { return deflate_ != nullptr; }

  std::string remote_address() const { return remote_address_; }
  unsigned short remote_port() const { return remote_port_; }
  std::string local_address() const { return local_address_; }
  unsigned short local_port() const { return local_port_; }
  bool is_local() const { return local_; }
  Socket& socket() { return socket_; }

  struct Watch;  // the deadline timer's state, shared with its pending handler

 private:
  // Reads more bytes into buffer_; the status says why it could not.
  asio::awaitable<ReadStatus> fill();
  void compact();
  // Around every read, write and handshake: begin_io() starts the deadline (timeout_ from
  // now); end_io() ends it and says whether the operation failed because it passed.
  void begin_io();
  bool end_io(const std::error_code& ec);

  Socket socket_;
  bool local_ = false;
  std::unique_ptr<asio::ssl::stream<Socket&>> tls_;
  std::unique_ptr<DeflateStream> deflate_;
  bool tls_up_ = false;
  std::chrono::steady_clock::duration timeout_ = std::chrono::minutes(5);
  bool request_active_ = false;
  std::chrono::steady_clock::time_point request_deadline_{};
  size_t request_min_rate_ = 0;
  std::shared_ptr<Watch> watch_;
  std::string buffer_;
  std::string compressed_;  // raw input before inflating (with compression only)
  size_t consumed_ = 0;
  std::string remote_address_;
  unsigned short remote_port_ = 0;
  std::string local_address_;
  unsigned short local_port_ = 0;
};

// Connection::begin_request() for one scope: the request ends with it, on every way out.
class RequestScope {
 public:
  RequestScope(Connection& connection, std::chrono::steady_clock::time_point deadline,
               size_t min_rate = 0)
      : connection_(connection) {
    connection_.begin_request(deadline, min_rate);
  }
  ~RequestScope() { connection_.end_request(); }
  RequestScope(const RequestScope&) = delete;
  RequestScope& operator=(const RequestScope&) = delete;

 private:
  Connection& connection_;
};

}  // namespace correio::io
