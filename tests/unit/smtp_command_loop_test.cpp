// The SMTP/LMTP server command loop over a socket pair: parsing and dispatch through a
// table, the per-command flags, the error limits, too-long lines, timeouts and lost
// connections, with the replies a client sees and Postfix's log lines.
#include <gtest/gtest.h>
#include <unistd.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/local/connect_pair.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "smtp/command_loop.hpp"

namespace correio::smtp {
namespace {

using namespace std::chrono_literals;
using Local = asio::local::stream_protocol;

// A session with a few commands, as smtpd's and lmtpd's are built.
class TestSession {
 public:
  explicit TestSession(CommandLoop& loop) : loop_(loop) {}
  asio::awaitable<Next> cmd_noop(const Command&) {
    co_return co_await loop_.reply(Reply(250, "2.0.0", "Ok"));
  }
  asio::awaitable<Next> cmd_echo(const Command& c) {
    co_return co_await loop_.reply(Reply(250, "2.0.0", "<" + c.verb + "> <" + c.argument + ">"));
  }
  asio::awaitable<Next> cmd_fail(const Command&) {
    co_return co_await loop_.reply(Reply(550, "5.7.1", "No"));
  }
  asio::awaitable<Next> cmd_busy(const Command&) {
    co_return co_await loop_.reply(Reply(451, "4.3.0", "Later"));
  }
  asio::awaitable<Next> cmd_gone(const Command& c) {
    // An access table's "421 text" or "521 text" (RFC 7504): the reply, then the close.
    // (A named reply: g++ 12 mishandles a ?: temporary across co_await.)
    Reply r =
        c.argument == "521" ? Reply(521, "5.7.0", "Not here") : Reply(421, "4.7.0", "Go away");
    co_return co_await loop_.reply(r);
  }
  asio::awaitable<Next> cmd_quit(const Command&) {
    co_await loop_.reply(Reply(221, "2.0.0", "Bye"));
    co_return Next::close;
  }

 private:
  CommandLoop& loop_;
};

constexpr CommandEntry<TestSession> kTable[] = {
    {"NOOP", &TestSession::cmd_noop, command_flag::pre_tls},
    {"ECHO", &TestSession::cmd_echo},
    {"FAIL", &TestSession::cmd_fail},
    {"BUSY", &TestSession::cmd_busy},
    {"GONE", &TestSession::cmd_gone},
    {"HELO", &TestSession::cmd_fail, command_flag::counts_as_unknown},
    {"QUIT", &TestSession::cmd_quit, command_flag::pre_tls},
};

class CommandLoopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("correio-command-loop-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    base::Logger::Options lo;
    lo.process_name = "smtpd";
    lo.maillog_file = (dir_ / "maillog").string();
    lo.hostname = "mx";
    log_ = std::make_unique<base::Logger>(lo);
    options_.hostname = "mx.example.test";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Runs one session: the client sends `input` (then closes its side when `close_input`),
  // and reads everything until the server closes. Returns what the client received.
  std::string converse(const std::string& input, bool close_input = false,
                       std::chrono::steady_clock::duration timeout = 5s) {
    asio::io_context io;
    Local::socket ours(io), peer(io);
    asio::local::connect_pair(ours, peer);
    auto conn = std::make_unique<io::Connection>(std::move(ours));
    conn->set_timeout(timeout);
    std::string received;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          CommandLoop loop(*conn, *log_, options_);
          loop.set_client_label("client[192.0.2.1]");
          TestSession session(loop);
          if (co_await loop.greet("mx.example.test ESMTP"))
            co_await loop.run(session, std::span<const CommandEntry<TestSession>>(kTable));
          conn.reset();  // the session is over: close
        },
        asio::detached);
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          co_await asio::async_write(peer, asio::buffer(input), asio::use_awaitable);
          if (close_input) peer.shutdown(Local::socket::shutdown_send);
          char buf[4096];
          for (;;) {
            std::error_code ec;
            size_t n = co_await peer.async_read_some(asio::buffer(buf),
                                                     asio::redirect_error(asio::use_awaitable, ec));
            received.append(buf, n);
            if (ec) co_return;
          }
        },
        asio::detached);
    io.run_for(20s);
    return received;
  }

  std::string maillog() const {
    std::ifstream in(dir_ / "maillog");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  std::filesystem::path dir_;
  std::unique_ptr<base::Logger> log_;
  CommandLoop::Options options_;
};

TEST(ParseCommand, SplitsVerbAndTrimmedArgument) {
  Command c = parse_command("mail FROM:<a@b> SIZE=10  \r\n");
  EXPECT_EQ(c.verb, "MAIL");
  EXPECT_EQ(c.argument, "FROM:<a@b> SIZE=10");
  c = parse_command("QUIT\n");
  EXPECT_EQ(c.verb, "QUIT");
  EXPECT_EQ(c.argument, "");
  c = parse_command("\r\n");
  EXPECT_EQ(c.verb, "");  // an unknown command, not an error
}

TEST_F(CommandLoopTest, GreetsParsesAndDispatchesThroughTheTable) {
  std::string out = converse("noop\r\nEcho   some  words \r\nECHO\nQUIT\r\nNOOP\r\n");
  EXPECT_EQ(out,
            "220 mx.example.test ESMTP\r\n"
            "250 2.0.0 Ok\r\n"
            "250 2.0.0 <ECHO> <some  words>\r\n"  // verb upper-cased, argument trimmed
            "250 2.0.0 <ECHO> <>\r\n"             // a bare LF ends a line too
            "221 2.0.0 Bye\r\n");                 // nothing after QUIT's close
  EXPECT_NE(maillog().find("disconnect from client[192.0.2.1] noop=1 echo=2 quit=1 commands=4"),
            std::string::npos)
      << maillog();
}

TEST_F(CommandLoopTest, A421Or521ReplyClosesTheConnection) {
  // access(5): "421 text" and "521 text" disconnect the client (RFC 5321 §3.8, RFC 7504).
  EXPECT_EQ(converse("GONE\r\nNOOP\r\n"), "220 mx.example.test ESMTP\r\n421 4.7.0 Go away\r\n");
  EXPECT_EQ(converse("NOOP\r\nGONE 521\r\nNOOP\r\n"),
            "220 mx.example.test ESMTP\r\n250 2.0.0 Ok\r\n521 5.7.0 Not here\r\n");
}

TEST_F(CommandLoopTest, UnknownCommandsAndTheHardErrorLimit) {
  options_.hard_error_limit = 3;
  std::string out = converse("BOGUS\r\nFAIL\r\nHELO x\r\nNOOP\r\n");
  EXPECT_EQ(out,
            "220 mx.example.test ESMTP\r\n"
            "502 5.5.2 Error: command not recognized\r\n"
            "550 5.7.1 No\r\n"
            "550 5.7.1 No\r\n"
            "421 4.7.0 mx.example.test Error: too many errors\r\n");
  std::string log = maillog();
  // HELO is counted as unknown (command_flag::counts_as_unknown), and reached its handler.
  EXPECT_NE(log.find("too many errors after UNKNOWN from client[192.0.2.1]"), std::string::npos)
      << log;
  EXPECT_NE(log.find("disconnect from client[192.0.2.1] unknown=2 fail=1 commands=3"),
            std::string::npos)
      << log;
}

TEST_F(CommandLoopTest, OnlyRepliesFromTheErrorFloorCount) {
  options_.hard_error_limit = 2;
  options_.error_floor = 500;  // lmtpd: 4xx replies are not errors
  std::string out = converse("BUSY\r\nBUSY\r\nBUSY\r\nFAIL\r\nFAIL\r\n");
  EXPECT_EQ(out,
            "220 mx.example.test ESMTP\r\n"
            "451 4.3.0 Later\r\n451 4.3.0 Later\r\n451 4.3.0 Later\r\n"
            "550 5.7.1 No\r\n"
            "550 5.7.1 No\r\n421 4.7.0 mx.example.test Error: too many errors\r\n");
}

TEST_F(CommandLoopTest, PastTheSoftLimitEveryErrorWaits) {
  options_.soft_error_limit = 2;
  options_.error_sleep = 300ms;
  auto started = std::chrono::steady_clock::now();
  std::string out = converse("FAIL\r\nFAIL\r\nFAIL\r\nQUIT\r\n");
  auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(out.substr(out.size() - 15), "221 2.0.0 Bye\r\n");
  EXPECT_GE(took, 590ms);  // the second and the third error
}

TEST_F(CommandLoopTest, ATooLongLineIsRefusedAndTheSessionGoesOn) {
  options_.line_limit = 64;
  options_.too_long = Reply(500, "5.5.2", "Error: line too long");
  std::string out = converse("ECHO " + std::string(100, 'x') + "\r\nNOOP\r\nQUIT\r\n");
  EXPECT_EQ(out,
            "220 mx.example.test ESMTP\r\n"
            "500 5.5.2 Error: line too long\r\n"
            "250 2.0.0 Ok\r\n"
            "221 2.0.0 Bye\r\n");
  // The refused line is no command.
  EXPECT_NE(maillog().find("noop=1 quit=1 commands=2"), std::string::npos) << maillog();
}

TEST_F(CommandLoopTest, WithTlsRequiredOnlyPreTlsCommandsRun) {
  options_.tls_required = true;
  std::string out = converse("ECHO x\r\nNOOP\r\nQUIT\r\n");
  EXPECT_EQ(out,
            "220 mx.example.test ESMTP\r\n"
            "530 5.7.0 Must issue a STARTTLS command first\r\n"
            "250 2.0.0 Ok\r\n"
            "221 2.0.0 Bye\r\n");
  EXPECT_NE(maillog().find("echo=1 noop=1 quit=1 commands=3"), std::string::npos) << maillog();
}

TEST_F(CommandLoopTest, TimeoutIsAnsweredAndLoggedAfterTheLastVerb) {
  std::string out = converse("NOOP\r\n", false, 300ms);
  EXPECT_EQ(out,
            "220 mx.example.test ESMTP\r\n"
            "250 2.0.0 Ok\r\n"
            "421 4.4.2 mx.example.test Error: timeout exceeded\r\n");
  EXPECT_NE(maillog().find("timeout after NOOP from client[192.0.2.1]"), std::string::npos)
      << maillog();
}

TEST_F(CommandLoopTest, ALostConnectionIsLoggedAfterTheLastVerb) {
  converse("BOGUS\r\n", true);
  std::string log = maillog();
  EXPECT_NE(log.find("lost connection after UNKNOWN from client[192.0.2.1]"), std::string::npos)
      << log;
  EXPECT_NE(log.find("disconnect from client[192.0.2.1] unknown=1 commands=1"), std::string::npos)
      << log;
}

}  // namespace
}  // namespace correio::smtp
