// The hand-off channel (see handoff_channel.hpp): SCM_RIGHTS over a UNIX stream socket.
#include "login/handoff_channel.hpp"

#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <cerrno>
#include <cstring>
#include <vector>

#include "io/connection.hpp"

namespace correio::login {
namespace {

// sendmsg with one descriptor attached to the first byte; the rest is written plainly.
Status send_with_fd(int socket, std::string_view data, int fd) {
  iovec iov{const_cast<char*>(data.data()), data.size()};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
  ssize_t sent;
  do {
    sent = ::sendmsg(socket, &msg, MSG_NOSIGNAL);
  } while (sent < 0 && errno == EINTR);
  if (sent < 0) return base::errno_error("sendmsg", errno);
  // A fresh connection's buffer takes the whole line (kMaxHandoffLine is below the
  // default 208 KiB plus what the kernel allows); a short send is an error, not a retry
  // with the descriptor sent twice.
  if (static_cast<size_t>(sent) != data.size()) return Error{"sendmsg: short write"};
  return {};
}

}  // namespace

asio::awaitable<Status> send_handoff(const asio::any_io_executor& executor,
                                     const std::filesystem::path& socket, const Handoff& handoff,
                                     int fd) {
  asio::local::stream_protocol::socket s(executor);
  std::error_code ec;
  asio::local::stream_protocol::endpoint endpoint(socket.string());
  co_await s.async_connect(endpoint, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return Error{socket.string() + ": connect: " + ec.message()};
  std::string line = format_handoff(handoff);
  int size = static_cast<int>(line.size() + 4096);
  ::setsockopt(s.native_handle(), SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
  co_await s.async_wait(asio::socket_base::wait_write,
                        asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return Error{socket.string() + ": " + ec.message()};
  if (auto st = send_with_fd(s.native_handle(), line, fd); !st)
    co_return Error{socket.string() + ": " + st.error().message};
  io::Connection conn(std::move(s));
  conn.set_timeout(kHandoffTimeout);
  io::LineResult answer = co_await conn.read_line(1024);
  if (answer.status != io::ReadStatus::ok)
    co_return Error{socket.string() + ": no answer from the post-login service"};
  std::string_view text = answer.line;
  text.remove_suffix(1);
  if (text == "OK") co_return Status{};
  co_return Error{socket.string() + ": " + std::string(text)};
}

asio::awaitable<Result<ReceivedHandoff>> receive_handoff(
    asio::local::stream_protocol::socket& socket) {
  ReceivedHandoff out;
  ucred credentials{};
  socklen_t length = sizeof credentials;
  if (::getsockopt(socket.native_handle(), SOL_SOCKET, SO_PEERCRED, &credentials, &length) < 0)
    co_return base::errno_error("SO_PEERCRED", errno);
  out.sender_pid = static_cast<unsigned long>(credentials.pid);
  std::string line;
  auto deadline = std::chrono::steady_clock::now() + kHandoffTimeout;
  while (line.find('\n') == std::string::npos) {
    if (line.size() > kMaxHandoffLine) co_return Error{"hand-off: line too long"};
    // A bounded wait: the peer is another local process, but one that may be broken.
    asio::steady_timer timer(socket.get_executor());
    timer.expires_at(deadline);
    timer.async_wait([&socket](std::error_code ec) {
      if (!ec) socket.cancel();
    });
    std::error_code ec;
    co_await socket.async_wait(asio::socket_base::wait_read,
                               asio::redirect_error(asio::use_awaitable, ec));
    timer.cancel();
    if (ec) co_return Error{"hand-off: " + ec.message()};
    // Straight into `line`, sized by what is waiting: no buffer in the coroutine frame
    // (a 16 KiB one there, allocated and freed per login, fragmented the heap of a
    // daemon holding 10,000 idle sessions).
    int waiting = 0;
    if (::ioctl(socket.native_handle(), FIONREAD, &waiting) < 0) waiting = 0;
    size_t room = kMaxHandoffLine + 1 - line.size();
    size_t want = std::min(room, std::max<size_t>(static_cast<size_t>(waiting), 512));
    size_t before = line.size();
    line.resize(before + want);
    iovec iov{line.data() + before, want};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 4)] = {};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n = ::recvmsg(socket.native_handle(), &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
    line.resize(before + static_cast<size_t>(std::max<ssize_t>(n, 0)));
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n < 0) co_return base::errno_error("hand-off: recvmsg", errno);
    // Every descriptor that came is owned before anything is checked, so that a refused
    // message leaks none (a login process sending several must not fill our table).
    std::vector<base::Fd> received;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
      size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      for (size_t i = 0; i < count; ++i) {
        int fd;
        std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
        received.emplace_back(fd);
      }
    }
    if (received.size() > 1 || (!received.empty() && out.client.valid()))
      co_return Error{"hand-off: more than one descriptor"};
    if (!received.empty()) out.client = std::move(received.front());
    if ((msg.msg_flags & MSG_CTRUNC) != 0) co_return Error{"hand-off: control data truncated"};
    if (n == 0) co_return Error{"hand-off: closed before the end of the line"};
  }
  if (!out.client.valid()) co_return Error{"hand-off: no descriptor"};
  size_t lf = line.find('\n');
  if (lf + 1 != line.size()) co_return Error{"hand-off: data after the line"};
  line.pop_back();
  auto parsed = parse_handoff(line);
  if (!parsed) co_return parsed.error();
  out.handoff = std::move(*parsed);
  co_return std::move(out);
}

asio::awaitable<void> answer_handoff(asio::local::stream_protocol::socket& socket,
                                     std::string_view failure) {
  std::string text = failure.empty() ? std::string("OK") : "FAIL " + std::string(failure);
  for (char& c : text)
    if (c == '\n' || c == '\r') c = ' ';
  text += '\n';
  std::error_code ec;
  co_await asio::async_write(socket, asio::buffer(text),
                             asio::redirect_error(asio::use_awaitable, ec));
}

}  // namespace correio::login
