// AgentClient against a small agent on a real UNIX socket: connections are kept and
// reused, an agent that closed a kept connection costs a retry and not a deferral, and
// an agent that never answers is an error rather than a loop.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/local/stream_protocol.hpp>
#include <asio/read_until.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <filesystem>
#include <string>

#include "delivery/protocol.hpp"
#include "qmgr/agent_client.hpp"

namespace correio::qmgr {
namespace {

namespace fs = std::filesystem;
using delivery::DeliveryRequest;
using delivery::DeliveryStatus;
using delivery::RecipientResult;

// How the test agent treats each connection.
enum class AgentMode {
  keep,          // answer requests until the client closes (as virtual and local do)
  one_per_conn,  // answer one request, then close (an agent from before kept connections)
  silent_close,  // read a request, close without answering (a crashing agent)
};

struct TestAgent {
  AgentMode mode;
  int accepted = 0;
  int answered = 0;
};

asio::awaitable<void> serve(asio::local::stream_protocol::socket socket, TestAgent& agent) {
  std::string buffer;
  for (;;) {
    std::error_code ec;
    size_t n = co_await asio::async_read_until(socket, asio::dynamic_buffer(buffer), "\n\n",
                                               asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    auto request = delivery::decode_request(std::string_view(buffer).substr(0, n - 1));
    buffer.erase(0, n);
    if (!request || agent.mode == AgentMode::silent_close) co_return;
    std::vector<RecipientResult> results;
    for (const auto& r : request->recipients)
      results.push_back({r.offset, DeliveryStatus::sent, "2.0.0", "delivered to " + r.address});
    co_await asio::async_write(socket, asio::buffer(delivery::encode_results(results) + "\n"),
                               asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    ++agent.answered;
    if (agent.mode == AgentMode::one_per_conn) co_return;
  }
}

asio::awaitable<void> accept_forever(asio::local::stream_protocol::acceptor& acceptor,
                                     TestAgent& agent) {
  for (;;) {
    auto socket = co_await acceptor.async_accept(asio::use_awaitable);
    ++agent.accepted;
    asio::co_spawn(acceptor.get_executor(), serve(std::move(socket), agent), asio::detached);
  }
}

DeliveryRequest request_for(std::string address) {
  DeliveryRequest r;
  r.queue_id = "4ABCDEF";
  r.queue_file = "/nonexistent/active/4ABCDEF";
  r.transport = "test";
  r.sender = "alice@example.org";
  r.recipients.push_back({100, address, address, "", 0});
  return r;
}

class AgentClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "correio-agentclient.XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
  }
  void TearDown() override { fs::remove_all(root_); }

  // Runs `calls` requests one after the other against an agent in `mode`; returns
  // each call's outcome ("sent" or the error message).
  std::vector<std::string> run(AgentMode mode, int calls, TestAgent& agent,
                               std::chrono::seconds idle_limit = std::chrono::seconds(10)) {
    agent.mode = mode;
    asio::io_context io;
    AgentClient client(idle_limit);  // its kept sockets must go before the io_context
    fs::path path = root_ / "agent";
    fs::remove(path);
    asio::local::stream_protocol::acceptor acceptor(
        io, asio::local::stream_protocol::endpoint(path.string()));
    asio::co_spawn(io, accept_forever(acceptor, agent), asio::detached);
    std::vector<std::string> outcomes;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          for (int i = 0; i < calls; ++i) {
            auto reply = co_await client.call(path, request_for("u" + std::to_string(i) + "@x"),
                                              std::chrono::seconds(5));
            if (!reply) {
              outcomes.push_back(reply.error().message);
            } else if (reply->size() == 1 && (*reply)[0].status == DeliveryStatus::sent &&
                       (*reply)[0].text == "delivered to u" + std::to_string(i) + "@x") {
              outcomes.push_back("sent");
            } else {
              outcomes.push_back("unexpected reply");
            }
          }
          idle_after_ = client.idle_count(path);
          io.stop();
        },
        asio::detached);
    io.run();
    return outcomes;
  }

  fs::path root_;
  size_t idle_after_ = 0;
};

TEST_F(AgentClientTest, KeepsOneConnectionForSuccessiveRequests) {
  TestAgent agent{AgentMode::keep};
  auto outcomes = run(AgentMode::keep, 3, agent);
  EXPECT_EQ(outcomes, (std::vector<std::string>{"sent", "sent", "sent"}));
  EXPECT_EQ(agent.accepted, 1);
  EXPECT_EQ(agent.answered, 3);
  EXPECT_EQ(idle_after_, 1u);
}

TEST_F(AgentClientTest, AConnectionTheAgentClosedIsReplacedWithoutAFailure) {
  TestAgent agent{AgentMode::one_per_conn};
  auto outcomes = run(AgentMode::one_per_conn, 3, agent);
  EXPECT_EQ(outcomes, (std::vector<std::string>{"sent", "sent", "sent"}));
  EXPECT_EQ(agent.accepted, 3);  // each kept connection was found closed, and replaced
  EXPECT_EQ(agent.answered, 3);
}

TEST_F(AgentClientTest, AnAgentThatNeverAnswersIsAnErrorNotALoop) {
  TestAgent agent{AgentMode::silent_close};
  auto outcomes = run(AgentMode::silent_close, 2, agent);
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_NE(outcomes[0].find("read from"), std::string::npos) << outcomes[0];
  EXPECT_NE(outcomes[1].find("read from"), std::string::npos) << outcomes[1];
  EXPECT_EQ(agent.accepted, 2);  // failed connections are not kept
  EXPECT_EQ(idle_after_, 0u);
}

TEST_F(AgentClientTest, ConnectionsIdleTooLongAreNotReused) {
  TestAgent agent{AgentMode::keep};
  auto outcomes = run(AgentMode::keep, 2, agent, std::chrono::seconds(0));
  EXPECT_EQ(outcomes, (std::vector<std::string>{"sent", "sent"}));
  EXPECT_EQ(agent.accepted, 2);
}

TEST_F(AgentClientTest, NoAgentIsAConnectError) {
  asio::io_context io;
  AgentClient client;
  std::string outcome;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        auto reply = co_await client.call(root_ / "nothing-here", request_for("u@x"),
                                          std::chrono::seconds(5));
        outcome = reply ? "sent" : reply.error().message;
      },
      asio::detached);
  io.run();
  EXPECT_NE(outcome.find("connect to"), std::string::npos) << outcome;
}

}  // namespace
}  // namespace correio::qmgr
