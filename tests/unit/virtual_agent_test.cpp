// The virtual delivery agent end to end: a queue file written with QueueFileWriter, a
// passwd-file user directory, deliveries into Maildirs, results and log lines; and one
// qmgr connection served over a UNIX socket pair.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/local/connect_pair.hpp>
#include <asio/read.hpp>
#include <asio/read_until.hpp>
#include <asio/write.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <string>
#include <thread>

#include "auth/passwd_file.hpp"
#include "delivery/virtual/agent.hpp"
#include "delivery/virtual/virtual_main.hpp"
#include "queue/queue_directories.hpp"
#include "queue/queue_file_reader.hpp"
#include "queue/queue_file_writer.hpp"
#include "store/maildir_quota.hpp"

namespace fs = std::filesystem;
using namespace correio;
using namespace correio::delivery;

namespace {

std::string read_file(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), {}};
}

std::vector<fs::path> files(const fs::path& dir) {
  std::vector<fs::path> out;
  if (!fs::exists(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path());
  return out;
}

class VirtualAgentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "correio-virtual.XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    ASSERT_TRUE(queue::create_queue_directories(root_ / "queue").ok());
    std::ofstream(root_ / "users") << "bob@example.com:{PLAIN}x\n"
                                      "carol@example.com:{PLAIN}y::::" +
                                          (root_ / "home" / "carol").string() + "\n";
    auto dir = auth::PasswdFileDirectory::open(root_ / "users");
    ASSERT_TRUE(dir.ok()) << dir.error().message;
    users_ = std::move(*dir);
    settings_.mailbox_base = root_ / "vmail";
    settings_.hostname = "mx.example.com";
    base::Logger::Options lo;
    lo.process_name = "virtual";
    lo.maillog_file = (root_ / "maillog").string();
    lo.hostname = "mx";
    log_ = std::make_unique<base::Logger>(lo);
  }
  void TearDown() override { fs::remove_all(root_); }

  // Writes a queue file with `rcpts` and returns the request qmgr would send.
  DeliveryRequest queue_message(const std::vector<std::string>& rcpts, std::string_view content) {
    queue::Envelope env;
    env.arrival_us = 1700000000000000;
    env.sender = "alice@example.org";
    for (const auto& r : rcpts) env.recipients.push_back({r, "Orig-" + r, "", 0, false, 0});
    auto w = queue::QueueFileWriter::create(root_ / "queue", env);
    EXPECT_TRUE(w.ok());
    EXPECT_TRUE(w->append_content(content).ok());
    EXPECT_TRUE(w->commit().ok());
    fs::path file = root_ / "queue" / "incoming" / w->id();
    auto parsed = queue::read_queue_file(file);
    EXPECT_TRUE(parsed.ok());
    DeliveryRequest req;
    req.queue_id = w->id();
    req.queue_file = file.string();
    req.transport = "virtual";
    req.sender = env.sender;
    req.arrival_us = env.arrival_us;
    req.active_us = env.arrival_us + 20000;
    for (const auto& r : parsed->envelope.recipients)
      req.recipients.push_back({r.offset, r.address, r.original, r.orcpt, r.notify});
    return req;
  }

  fs::path root_;
  std::unique_ptr<auth::PasswdFileDirectory> users_;
  MailboxSettings settings_;
  std::unique_ptr<base::Logger> log_;
};

}  // namespace

TEST(VirtualPrefixHeaders, PostfixOrder) {
  EXPECT_EQ(prefix_headers("a@b", "c@d", "e@f", true),
            "Return-Path: <a@b>\nX-Original-To: e@f\nDelivered-To: c@d\n");
  EXPECT_EQ(prefix_headers("", "c@d", "e@f", false), "Return-Path: <>\nDelivered-To: c@d\n");
  EXPECT_EQ(prefix_headers("a\r\nX: y", "c@d", "c@d", false),
            "Return-Path: <a  X: y>\nDelivered-To: c@d\n");
}

TEST_F(VirtualAgentTest, KnownUserGetsTheMessageInNew) {
  std::string content = "Subject: hello\n\nHi Bob\n";
  auto req = queue_message({"bob@example.com"}, content);
  auto before = read_file(req.queue_file);
  auto results = virtual_agent::deliver(req, settings_, MailboxFinder{users_.get()}, *log_);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].status, DeliveryStatus::sent);
  EXPECT_EQ(results[0].dsn, "2.0.0");
  EXPECT_EQ(results[0].text, "delivered to maildir");
  EXPECT_EQ(results[0].offset, req.recipients[0].offset);
  auto in_new = files(root_ / "vmail" / "example.com" / "bob" / "new");
  ASSERT_EQ(in_new.size(), 1u);
  EXPECT_EQ(read_file(in_new[0]),
            "Return-Path: <alice@example.org>\n"
            "X-Original-To: Orig-bob@example.com\n"
            "Delivered-To: bob@example.com\n"
            "Subject: hello\n\nHi Bob\n");
  EXPECT_NE(in_new[0].filename().string().find(".mx.example.com,S="), std::string::npos);
  EXPECT_EQ(read_file(req.queue_file), before) << "the agent must not modify the queue file";

  std::string log = read_file(root_ / "maillog");
  std::regex line(req.queue_id +
                  R"(: to=<bob@example\.com>, orig_to=<Orig-bob@example\.com>, relay=virtual, )"
                  R"(delay=[0-9.]+, delays=0\.02/[0-9.]+/0/[0-9.]+, dsn=2\.0\.0, )"
                  R"(status=sent \(delivered to maildir\))");
  EXPECT_TRUE(std::regex_search(log, line)) << log;
  EXPECT_NE(log.find("correio/virtual["), std::string::npos) << log;
}

TEST_F(VirtualAgentTest, HomeDirectoryWithoutOriginalRecipient) {
  auto req = queue_message({"Carol@Example.com"}, "Subject: x\n\nbody\n");
  settings_.enable_original_recipient = false;
  auto results = virtual_agent::deliver(req, settings_, MailboxFinder{users_.get()}, *log_);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].status, DeliveryStatus::sent) << results[0].text;
  auto in_new = files(root_ / "home" / "carol" / "Maildir" / "new");
  ASSERT_EQ(in_new.size(), 1u);
  EXPECT_EQ(read_file(in_new[0]),
            "Return-Path: <alice@example.org>\nDelivered-To: Carol@Example.com\n"
            "Subject: x\n\nbody\n");
}

TEST_F(VirtualAgentTest, UnknownUserBouncesOthersStillDelivered) {
  auto req = queue_message({"nobody@example.com", "bob@example.com"}, "Subject: x\n\n.\n");
  auto results = virtual_agent::deliver(req, settings_, MailboxFinder{users_.get()}, *log_);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].status, DeliveryStatus::bounced);
  EXPECT_EQ(results[0].dsn, "5.1.1");
  EXPECT_EQ(results[0].text, "unknown user: \"nobody@example.com\"");
  EXPECT_EQ(results[1].status, DeliveryStatus::sent);
  std::string log = read_file(root_ / "maillog");
  EXPECT_NE(log.find("to=<nobody@example.com>, orig_to=<Orig-nobody@example.com>, relay=virtual"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("dsn=5.1.1, status=bounced (unknown user: \"nobody@example.com\")"),
            std::string::npos)
      << log;
}

TEST_F(VirtualAgentTest, RecipientDelimiterReachesTheUser) {
  settings_.recipient_delimiter = "+";
  auto req = queue_message({"bob+lists@example.com"}, "x\n");
  auto results = virtual_agent::deliver(req, settings_, MailboxFinder{users_.get()}, *log_);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].status, DeliveryStatus::sent) << results[0].text;
  EXPECT_EQ(files(root_ / "vmail" / "example.com" / "bob" / "new").size(), 1u);
}

TEST_F(VirtualAgentTest, UnwritableBaseDefers) {
  std::ofstream(root_ / "vmail") << "a file where the base directory should be";
  auto req = queue_message({"bob@example.com"}, "x\n");
  auto results = virtual_agent::deliver(req, settings_, MailboxFinder{users_.get()}, *log_);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].status, DeliveryStatus::deferred);
  EXPECT_EQ(results[0].dsn[0], '4');
  EXPECT_EQ(results[0].text.rfind("maildir delivery failed: ", 0), 0u) << results[0].text;
  EXPECT_NE(read_file(root_ / "maillog").find("status=deferred (maildir delivery failed"),
            std::string::npos);
}

TEST_F(VirtualAgentTest, TooBigBouncesAndMissingQueueFileDefers) {
  settings_.mailbox_limit = 50;
  auto req = queue_message({"bob@example.com"}, std::string(100, 'x') + "\n");
  auto results = virtual_agent::deliver(req, settings_, MailboxFinder{users_.get()}, *log_);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].status, DeliveryStatus::bounced);
  EXPECT_EQ(results[0].dsn, "5.2.2");

  req.queue_file = (root_ / "queue" / "active" / "NOSUCHFILE").string();
  results = virtual_agent::deliver(req, settings_, MailboxFinder{users_.get()}, *log_);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].status, DeliveryStatus::deferred);
  EXPECT_EQ(results[0].dsn, "4.3.0");
}

// Reads one reply (up to its empty line) from a blocking socket; "" on EOF.
static std::string read_reply(asio::local::stream_protocol::socket& socket) {
  std::string reply;
  asio::error_code ec;
  asio::read_until(socket, asio::dynamic_buffer(reply), "\n\n", ec);
  return reply;
}

TEST_F(VirtualAgentTest, ServesRequestsOnOneConnectionUntilQmgrCloses) {
  auto first = queue_message({"bob@example.com", "nobody@example.com"}, "x\n");
  auto second = queue_message({"bob@example.com"}, "y\n");
  asio::io_context io;
  asio::local::stream_protocol::socket qmgr(io), agent(io);
  asio::local::connect_pair(qmgr, agent);
  virtual_agent::AgentContext ctx{settings_, *log_, MailboxFinder{users_.get()}};
  bool served = false;
  asio::co_spawn(io, virtual_agent::serve_agent_connection(std::move(agent), ctx),
                 [&](std::exception_ptr) { served = true; });
  std::thread loop([&] { io.run(); });  // the agent's side; this thread plays qmgr

  asio::write(qmgr, asio::buffer(encode_request(first) + "\n"));
  std::string reply = read_reply(qmgr);
  ASSERT_GE(reply.size(), 2u);
  EXPECT_EQ(reply.substr(reply.size() - 2), "\n\n");
  auto results = decode_results(std::string_view(reply).substr(0, reply.size() - 1));
  ASSERT_TRUE(results.ok()) << results.error().message;
  ASSERT_EQ(results->size(), 2u);
  EXPECT_EQ((*results)[0].status, DeliveryStatus::sent);
  EXPECT_EQ((*results)[1].status, DeliveryStatus::bounced);
  EXPECT_EQ((*results)[1].dsn, "5.1.1");

  // The same connection takes the next request.
  asio::write(qmgr, asio::buffer(encode_request(second) + "\n"));
  reply = read_reply(qmgr);
  results = decode_results(std::string_view(reply).substr(0, reply.size() - 1));
  ASSERT_TRUE(results.ok()) << reply;
  ASSERT_EQ(results->size(), 1u);
  EXPECT_EQ((*results)[0].status, DeliveryStatus::sent);
  EXPECT_EQ(files(root_ / "vmail" / "example.com" / "bob" / "new").size(), 2u);

  // qmgr closing between requests ends the session, and is not worth a warning.
  qmgr.shutdown(asio::socket_base::shutdown_send);
  loop.join();
  EXPECT_TRUE(served);
  EXPECT_EQ(read_file(root_ / "maillog").find("warning"), std::string::npos)
      << read_file(root_ / "maillog");
}

TEST_F(VirtualAgentTest, MalformedRequestClosesWithoutAnswer) {
  asio::io_context io;
  asio::local::stream_protocol::socket qmgr(io), agent(io);
  asio::local::connect_pair(qmgr, agent);
  virtual_agent::AgentContext ctx{settings_, *log_, MailboxFinder{users_.get()}};
  asio::co_spawn(io, virtual_agent::serve_agent_connection(std::move(agent), ctx), asio::detached);
  asio::write(qmgr, asio::buffer(std::string("garbage\n\n")));
  io.run();
  std::string reply;
  asio::error_code ec;
  asio::read(qmgr, asio::dynamic_buffer(reply), ec);
  EXPECT_TRUE(reply.empty());
  EXPECT_NE(read_file(root_ / "maillog").find("warning: delivery request"), std::string::npos);
}

// virtual_mailbox_maps: a result ending in "/" is a Maildir, anything else an mbox file;
// the user directory is not asked; unknown bounces; a table failure defers.
TEST_F(VirtualAgentTest, VirtualMailboxMapsNameMaildirsAndMboxFiles) {
  fs::create_directories(root_ / "vmail" / "t.example");
  auto table = VirtualMailboxes::open(
      "inline:{ dora@t.example=t.example/dora/, @t.example=t.example/catchall, "
      "bad@t.example=../x/ }",
      root_ / "vmail", "+");
  ASSERT_TRUE(table.ok()) << table.error().message;
  auto req =
      queue_message({"dora+x@t.example", "zed@t.example", "bob@example.com", "bad@t.example"},
                    "Subject: t\n\nFrom here\n");
  MailboxFinder finder{users_.get(), table->get(), nullptr};
  auto results = virtual_agent::deliver(req, settings_, finder, *log_);
  ASSERT_EQ(results.size(), 4u);
  EXPECT_EQ(results[0].status, DeliveryStatus::sent) << results[0].text;
  EXPECT_EQ(results[0].text, "delivered to maildir");
  EXPECT_EQ(files(root_ / "vmail" / "t.example" / "dora" / "new").size(), 1u);
  EXPECT_EQ(results[1].status, DeliveryStatus::sent) << results[1].text;
  EXPECT_EQ(results[1].text, "delivered to mailbox");
  std::string mbox = read_file(root_ / "vmail" / "t.example" / "catchall");
  EXPECT_EQ(mbox.rfind("From alice@example.org ", 0), 0u) << mbox;
  EXPECT_NE(mbox.find("Delivered-To: zed@t.example\n"), std::string::npos) << mbox;
  EXPECT_NE(mbox.find("\n>From here\n"), std::string::npos) << mbox;
  // In user_directory, but not in the table: the table decides.
  EXPECT_EQ(results[2].status, DeliveryStatus::bounced);
  EXPECT_EQ(results[2].dsn, "5.1.1");
  EXPECT_EQ(results[3].status, DeliveryStatus::deferred);
  EXPECT_EQ(results[3].dsn, "4.3.0");
  EXPECT_NE(results[3].text.find("leaves virtual_mailbox_base"), std::string::npos);

  // A table that cannot be opened defers every recipient (never bounces).
  auto broken = VirtualMailboxes::open("hash:" + (root_ / "none").string(), root_ / "vmail", "");
  ASSERT_TRUE(broken.ok());
  EXPECT_NE((*broken)->open_error().find("virtual_mailbox_maps: "), std::string::npos);
  MailboxFinder broken_finder{users_.get(), broken->get(), nullptr};
  auto deferred = virtual_agent::deliver(queue_message({"dora@t.example"}, "Subject: t\n\nx\n"),
                                         settings_, broken_finder, *log_);
  ASSERT_EQ(deferred.size(), 1u);
  EXPECT_EQ(deferred[0].status, DeliveryStatus::deferred);
  EXPECT_EQ(deferred[0].dsn, "4.3.0");
}

// virtual_mailbox_limit caps an mbox file as a whole (Postfix's virtual(8)): 5.2.2 bounce.
TEST_F(VirtualAgentTest, VirtualMailboxLimitCapsTheMboxFile) {
  fs::create_directories(root_ / "vmail" / "t.example");
  auto table = VirtualMailboxes::open("static:t.example/box", root_ / "vmail", "");
  ASSERT_TRUE(table.ok()) << table.error().message;
  settings_.mailbox_limit = 300;
  MailboxFinder finder{nullptr, table->get(), nullptr};
  auto first = virtual_agent::deliver(queue_message({"a@t.example"}, "Subject: 1\n\nx\n"),
                                      settings_, finder, *log_);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].status, DeliveryStatus::sent) << first[0].text;
  auto second = virtual_agent::deliver(
      queue_message({"a@t.example"}, "Subject: 2\n\n" + std::string(400, 'y') + "\n"), settings_,
      finder, *log_);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].status, DeliveryStatus::bounced) << second[0].text;
  EXPECT_EQ(second[0].dsn, "5.2.2");
}

// userdb_quota_rule (Dovecot's extra field) is enforced at delivery: a user at the limit
// gets 4.2.2 (quota_full_tempfail, the default) or 5.2.2; the last message may go over
// by quota_grace; a message-count rule counts files in every folder.
TEST_F(VirtualAgentTest, QuotaRulesAreEnforcedAtDelivery) {
  std::ofstream(root_ / "users")
      << "bob@example.com:{PLAIN}x::::::userdb_quota_rule=*:storage=1k\n"
         "dave@example.com:{PLAIN}x::::::userdb_quota_rule=*:messages=2\n";
  auto dir = auth::PasswdFileDirectory::open(root_ / "users");
  ASSERT_TRUE(dir.ok()) << dir.error().message;
  users_ = std::move(*dir);
  std::string small = "Subject: s\n\n" + std::string(600, 'x') + "\n";
  // 0 of 1024 bytes used: in; ~700 used: a second 700 would end at ~1400, over 1024+10%.
  auto results = virtual_agent::deliver(queue_message({"bob@example.com"}, small), settings_,
                                        MailboxFinder{users_.get()}, *log_);
  EXPECT_EQ(results[0].status, DeliveryStatus::sent) << results[0].text;
  results = virtual_agent::deliver(queue_message({"bob@example.com"}, small), settings_,
                                   MailboxFinder{users_.get()}, *log_);
  EXPECT_EQ(results[0].status, DeliveryStatus::deferred);
  EXPECT_EQ(results[0].dsn, "4.2.2");
  EXPECT_EQ(results[0].text, "Quota exceeded (mailbox for user is full)");
  // A small one still fits in the grace (700 + 150 <= 1126).
  results = virtual_agent::deliver(queue_message({"bob@example.com"}, "Subject: t\n\nhi\n"),
                                   settings_, MailboxFinder{users_.get()}, *log_);
  EXPECT_EQ(results[0].status, DeliveryStatus::sent) << results[0].text;
  settings_.quota_full_tempfail = false;
  results = virtual_agent::deliver(queue_message({"bob@example.com"}, small), settings_,
                                   MailboxFinder{users_.get()}, *log_);
  EXPECT_EQ(results[0].dsn, "5.2.2");
  EXPECT_EQ(results[0].status, DeliveryStatus::bounced);
  // Two messages, one of them moved into a folder: the third is over the count.
  for (int i = 0; i < 2; ++i)
    EXPECT_EQ(virtual_agent::deliver(queue_message({"dave@example.com"}, "x\n"), settings_,
                                     MailboxFinder{users_.get()}, *log_)[0]
                  .status,
              DeliveryStatus::sent);
  fs::path maildir = root_ / "vmail" / "example.com" / "dave";
  fs::create_directories(maildir / ".Archive" / "cur");
  auto first = files(maildir / "new").front();
  fs::rename(first, maildir / ".Archive" / "cur" / (first.filename().string() + ":2,S"));
  results = virtual_agent::deliver(queue_message({"dave@example.com"}, "x\n"), settings_,
                                   MailboxFinder{users_.get()}, *log_);
  EXPECT_EQ(results[0].dsn, "5.2.2");
}

TEST(MaildirQuota, DovecotRulesAndUsage) {
  store::QuotaLimits l;
  store::apply_quota_rule("*:storage=1G", l);
  EXPECT_EQ(l.storage_bytes, 1ull << 30);
  store::apply_quota_rule("*:storage=100", l);  // Dovecot: kilobytes without a unit
  EXPECT_EQ(l.storage_bytes, 100u * 1024);
  store::apply_quota_rule("*:bytes=5000:messages=10", l);
  EXPECT_EQ(l.storage_bytes, 5000u);
  EXPECT_EQ(l.messages, 10u);
  store::QuotaLimits t;
  store::apply_quota_rule("Trash:storage=+100M", t);  // per mailbox: not enforced
  store::apply_quota_rule("*:storage=12Q", t);        // malformed: ignored
  EXPECT_FALSE(t.any());
  store::QuotaLimits limit{1000, 0};
  EXPECT_TRUE(store::quota_allows(limit, {900, 1}, 200, 10));   // 1100 <= 1100
  EXPECT_FALSE(store::quota_allows(limit, {900, 1}, 201, 10));  // over the grace
  EXPECT_FALSE(store::quota_allows(limit, {1000, 1}, 1, 10));   // already at the limit
  EXPECT_TRUE(store::quota_allows({0, 0}, {1u << 30, 5}, 1u << 30, 0));
}
