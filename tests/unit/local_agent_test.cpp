// The local delivery agent end to end: queue files written with QueueFileWriter, aliases
// in a texthash: table, fake system users under a temp dir; mbox and Maildir mailboxes,
// alias lists, :include:, |command exit codes, /file, loops, .forward, log lines, one
// qmgr connection over a socket pair, and (as root) the switch to the recipient's uid.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/local/connect_pair.hpp>
#include <asio/read.hpp>
#include <asio/write.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>

#include "config/main_cf.hpp"
#include "delivery/local/agent.hpp"
#include "delivery/local/expand.hpp"
#include "delivery/local/local_main.hpp"
#include "queue/queue_directories.hpp"
#include "queue/queue_file_reader.hpp"
#include "queue/queue_file_writer.hpp"

namespace fs = std::filesystem;
using namespace correio;
using namespace correio::delivery;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), {}};
}

class LocalAgentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "correio-local.XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    ASSERT_TRUE(queue::create_queue_directories(root_ / "queue").ok());
    fs::create_directories(root_ / "spool");
    for (auto u : {"bob", "carol"}) fs::create_directories(root_ / "home" / u);
    aliases("");
    settings_.alias_maps = "texthash:" + (root_ / "aliases").string();
    settings_.mail_spool_directory = (root_ / "spool").string();
    auto main_cf = config::MainCf::parse("mydestination = example.com, localhost\n", "main.cf");
    auto config = config::Config::from_main_cf(*main_cf, "/nonexistent");
    settings_.resolver = std::make_shared<resolve::Resolver>(*resolve::Resolver::open(*config));
    settings_.hostname = "mx.example.com";
    settings_.lock_delay = std::chrono::milliseconds(20);
    settings_.lookup_user =
        [this](std::string_view name) -> std::optional<local_agent::SystemUser> {
      if (name != "bob" && name != "carol" && name != "nobody") return std::nullopt;
      return local_agent::SystemUser{std::string(name), ::getuid(), ::getgid(),
                                     (root_ / "home" / std::string(name)).string(), "/bin/sh"};
    };
    base::Logger::Options lo;
    lo.process_name = "local";
    lo.maillog_file = (root_ / "maillog").string();
    lo.hostname = "mx";
    log_ = std::make_unique<base::Logger>(lo);
  }
  void TearDown() override { fs::remove_all(root_); }

  void aliases(const std::string& text) { std::ofstream(root_ / "aliases") << text; }

  DeliveryRequest queue_message(const std::vector<std::string>& rcpts,
                                std::string_view content = "Subject: hi\n\nFrom here\n") {
    queue::Envelope env;
    env.arrival_us = 1700000000000000;
    env.sender = "alice@example.org";
    for (const auto& r : rcpts) env.recipients.push_back({r, "", "", 0, false, 0});
    auto w = queue::QueueFileWriter::create(root_ / "queue", env);
    EXPECT_TRUE(w.ok());
    EXPECT_TRUE(w->append_content(content).ok());
    EXPECT_TRUE(w->commit().ok());
    fs::path file = root_ / "queue" / "incoming" / w->id();
    auto parsed = queue::read_queue_file(file);
    DeliveryRequest req;
    req.queue_id = w->id();
    req.queue_file = file.string();
    req.transport = "local";
    req.sender = env.sender;
    req.arrival_us = env.arrival_us;
    req.active_us = env.arrival_us + 20000;
    for (const auto& r : parsed->envelope.recipients)
      req.recipients.push_back({r.offset, r.address, r.original, r.orcpt, r.notify});
    return req;
  }

  std::vector<RecipientResult> run(const std::vector<std::string>& rcpts) {
    return local_agent::deliver(queue_message(rcpts), settings_, *log_);
  }
  std::string log() { return slurp(root_ / "maillog"); }
  std::string spool(const std::string& user) { return slurp(root_ / "spool" / user); }

  fs::path root_;
  local_agent::AgentSettings settings_;
  std::unique_ptr<base::Logger> log_;
};

}  // namespace

TEST_F(LocalAgentTest, MboxInTheSpoolWithHeadersAndLogLine) {
  auto req = queue_message({"Bob@Example.com"});
  auto results = local_agent::deliver(req, settings_, *log_);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].status, DeliveryStatus::sent) << results[0].text;
  EXPECT_EQ(results[0].text, "delivered to mailbox");
  std::string box = spool("bob");
  EXPECT_EQ(box.find("From alice@example.org  "), 0u) << box;
  EXPECT_NE(box.find("\nReturn-Path: <alice@example.org>\nX-Original-To: Bob@Example.com\n"
                     "Delivered-To: bob@example.com\nSubject: hi\n\n>From here\n\n"),
            std::string::npos)
      << box;
  std::regex line(req.queue_id + R"(: to=<bob@example\.com>, relay=local, )"
                                 R"(delay=[0-9.]+, delays=0\.02/[0-9.]+/0/[0-9.]+, dsn=2\.0\.0, )"
                                 R"(status=sent \(delivered to mailbox\))");
  EXPECT_TRUE(std::regex_search(log(), line)) << log();
}

TEST_F(LocalAgentTest, MaildirWhenHomeMailboxEndsInSlash) {
  settings_.home_mailbox = "Maildir/";
  auto results = run({"carol@example.com"});
  ASSERT_EQ(results[0].status, DeliveryStatus::sent) << results[0].text;
  EXPECT_EQ(results[0].text, "delivered to maildir");
  auto dir = root_ / "home" / "carol" / "Maildir" / "new";
  ASSERT_EQ(std::distance(fs::directory_iterator(dir), {}), 1);
}

TEST_F(LocalAgentTest, UnknownUserBounces) {
  auto results = run({"nobody2@example.com", "bob@example.com"});
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].status, DeliveryStatus::bounced);
  EXPECT_EQ(results[0].dsn, "5.1.1");
  EXPECT_EQ(results[0].text, "unknown user: \"nobody2\"");
  EXPECT_EQ(results[1].status, DeliveryStatus::sent);
}

TEST_F(LocalAgentTest, AliasWithSeveralTargetsAndInclude) {
  std::ofstream(root_ / "list") << "# members\nbob\ncarol, bob\n";
  aliases("team: bob, carol\nlist: :include:" + (root_ / "list").string() + "\n");
  auto results = run({"team@example.com"});
  EXPECT_EQ(results[0].status, DeliveryStatus::sent) << results[0].text;
  EXPECT_NE(spool("bob").find("Delivered-To: bob@example.com"), std::string::npos);
  EXPECT_NE(spool("carol").find("X-Original-To: team@example.com"), std::string::npos);
  EXPECT_NE(log().find("to=<carol@example.com>, orig_to=<team@example.com>, relay=local"),
            std::string::npos)
      << log();
  results = run({"list@example.com"});
  EXPECT_EQ(results[0].status, DeliveryStatus::sent) << results[0].text;
  size_t count = 0;
  for (size_t p = 0; (p = spool("bob").find("\nFrom ", p)) != std::string::npos; ++p) ++count;
  EXPECT_EQ(count, 1u) << "bob twice in the include file gets one copy";
}

TEST_F(LocalAgentTest, CommandsWithExitCodesAndEnvironment) {
  std::string out = (root_ / "cmd-out").string();
  aliases("ok: \"|cat > " + out + "; echo $SENDER $RECIPIENT $LOCAL $DOMAIN >> " + out +
          "\"\ntemp: |\"exit 75\"\nfail: |\"echo no such list; exit 1\"\n"
          "nouser: |\"exit 67\"\nbusy: |\"echo 4.2.1 mailbox busy; exit 1\"\n");
  auto results = run({"ok@example.com", "temp@example.com", "fail@example.com",
                      "nouser@example.com", "busy@example.com"});
  ASSERT_EQ(results.size(), 5u);
  // sysexits(3) as Postfix's sys_exits table reads them; "D.S.N text" output first.
  EXPECT_EQ(results[3].status, DeliveryStatus::bounced);
  EXPECT_EQ(results[3].dsn, "5.1.1");
  EXPECT_EQ(results[3].text, "user unknown");
  EXPECT_EQ(results[4].status, DeliveryStatus::deferred);
  EXPECT_EQ(results[4].dsn, "4.2.1");
  EXPECT_EQ(results[4].text, "mailbox busy");
  EXPECT_EQ(results[0].status, DeliveryStatus::sent) << results[0].text;
  std::string got = slurp(out);
  EXPECT_EQ(got.find("From alice@example.org  "), 0u) << got;
  EXPECT_NE(got.find("Delivered-To: ok@example.com\nSubject: hi\n\nFrom here\n"), std::string::npos)
      << got;
  EXPECT_NE(got.find("alice@example.org ok@example.com ok example.com\n"), std::string::npos);
  EXPECT_EQ(results[1].status, DeliveryStatus::deferred);
  EXPECT_EQ(results[1].dsn, "4.3.0");
  EXPECT_EQ(results[2].status, DeliveryStatus::bounced);
  EXPECT_EQ(results[2].dsn, "5.3.0");
  EXPECT_EQ(
      results[2].text,
      "Command died with status 1: \"echo no such list; exit 1\". Command output: no such list");
  EXPECT_NE(log().find("status=sent (delivered to command: cat > "), std::string::npos) << log();
}

TEST_F(LocalAgentTest, FilesAndRestrictions) {
  std::string file = (root_ / "archive").string();
  aliases("arch: " + file + "\ncmd: |true\n");
  auto results = run({"arch@example.com"});
  EXPECT_EQ(results[0].status, DeliveryStatus::sent) << results[0].text;
  EXPECT_EQ(results[0].text, "delivered to file: " + file);
  EXPECT_EQ(slurp(file).find("From alice@example.org  "), 0u);
  settings_.allow_commands.clear();
  settings_.allow_files.clear();
  results = run({"arch@example.com", "cmd@example.com"});
  EXPECT_EQ(results[0].dsn, "5.7.1");
  EXPECT_EQ(results[0].text, "mail to file is restricted");
  EXPECT_EQ(results[1].text, "mail to command is restricted");
}

TEST_F(LocalAgentTest, LoopsSelfReferenceRemoteAndMissingTables) {
  aliases("a: b\nb: a\nbob: bob, carol\nfar: someone@elsewhere.example\n");
  auto results = run({"a@example.com", "bob@example.com", "far@example.com"});
  EXPECT_EQ(results[0].status, DeliveryStatus::bounced);
  EXPECT_EQ(results[0].text, "mail forwarding loop for a@example.com");
  EXPECT_EQ(results[1].status, DeliveryStatus::sent) << results[1].text;
  EXPECT_FALSE(spool("bob").empty());
  EXPECT_FALSE(spool("carol").empty());
  // No maildrop configured: the forward defers rather than write anywhere else.
  EXPECT_EQ(results[2].status, DeliveryStatus::deferred);
  EXPECT_EQ(results[2].text, "cannot forward: no maildrop directory configured");
  // With one, the remote address goes back into the queue (test_local_forward.py
  // follows it through pickup's rewriting).
  std::filesystem::create_directories(root_ / "maildrop");
  settings_.maildrop_directory = (root_ / "maildrop").string();
  results = run({"far@example.com"});
  EXPECT_EQ(results[0].status, DeliveryStatus::sent) << results[0].text;
  EXPECT_EQ(results[0].text.rfind("forwarded as maildrop file ", 0), 0u);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(root_ / "maildrop"),
                          std::filesystem::directory_iterator()),
            1);
  settings_.alias_maps = "hash:" + (root_ / "none").string();
  results = run({"bob@example.com"});
  EXPECT_EQ(results[0].status, DeliveryStatus::deferred);
  EXPECT_EQ(results[0].text.rfind("alias database unavailable: ", 0), 0u);
}

TEST_F(LocalAgentTest, ForwardFileWithBackslashSelf) {
  std::string out = (root_ / "fwd-out").string();
  std::ofstream(root_ / "home" / "carol" / ".forward") << "\\carol, \"|cat > " + out + "\"\nbob\n";
  auto results = run({"carol@example.com"});
  EXPECT_EQ(results[0].status, DeliveryStatus::sent) << results[0].text;
  EXPECT_FALSE(spool("carol").empty());
  EXPECT_FALSE(spool("bob").empty());
  EXPECT_NE(slurp(out).find("Subject: hi"), std::string::npos);
}

// mailbox_command_maps (by login name) before mailbox_command before the mailbox; the
// command runs with Postfix's environment and is not subject to allow_mail_to_commands.
TEST_F(LocalAgentTest, MailboxCommandAndItsMaps) {
  std::string out = (root_ / "mbcmd").string();
  std::ofstream(root_ / "commands") << "bob cat > " << out << "-bob-map\n";
  settings_.mailbox_command_maps = "texthash:" + (root_ / "commands").string();
  // (As root, these test users have uid 0, so the command runs as default_privs: $USER
  // would name it, not carol.)
  settings_.mailbox_command =
      "cat > " + out + "-cmd; echo \"$EXTENSION $RECIPIENT\" >> " + out + "-cmd";
  settings_.recipient_delimiter = "+";
  settings_.allow_commands.clear();
  aliases("list: carol+news\n");
  auto results = run({"bob@example.com", "list@example.com"});
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].status, DeliveryStatus::sent) << results[0].text;
  EXPECT_EQ(results[0].text, "delivered to command: cat > " + out + "-bob-map");
  EXPECT_NE(slurp(out + "-bob-map").find("Delivered-To: bob@example.com\n"), std::string::npos);
  EXPECT_EQ(results[1].status, DeliveryStatus::sent) << results[1].text;
  std::string carol = slurp(out + "-cmd");
  EXPECT_EQ(carol.find("From alice@example.org  "), 0u) << carol;
  EXPECT_NE(carol.find("\nnews carol+news@example.com\n"), std::string::npos) << carol;
  EXPECT_TRUE(spool("bob").empty());
  EXPECT_TRUE(spool("carol").empty());
  EXPECT_NE(log().find("to=<carol+news@example.com>, orig_to=<list@example.com>"),
            std::string::npos)
      << log();
  // A table that cannot be opened defers rather than deliver to the mailbox.
  settings_.mailbox_command_maps = "hash:" + (root_ / "none").string();
  results = run({"bob@example.com"});
  EXPECT_EQ(results[0].status, DeliveryStatus::deferred);
  EXPECT_EQ(results[0].text.rfind("mailbox_command_maps lookup failure: ", 0), 0u)
      << results[0].text;
}

// mailbox_transport_maps (by login name) hand even unknown users over; a user the map
// does not name and the system does not know still bounces. The built-in transports
// (discard, error) answer here and are logged by local with relay=none.
TEST_F(LocalAgentTest, MailboxTransportMapsForKnownAndUnknownUsers) {
  std::ofstream(root_ / "transports") << "special discard:gone quietly\nbob error:5.2.1 closed\n";
  settings_.mailbox_transport_maps = "texthash:" + (root_ / "transports").string();
  auto results = run({"special@example.com", "ghost@example.com", "bob@example.com"});
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].status, DeliveryStatus::sent) << results[0].text;
  EXPECT_EQ(results[0].text, "gone quietly");
  EXPECT_EQ(results[1].status, DeliveryStatus::bounced);
  EXPECT_EQ(results[1].dsn, "5.1.1");
  EXPECT_EQ(results[1].text, "unknown user: \"ghost\"");
  EXPECT_EQ(results[2].status, DeliveryStatus::bounced);
  EXPECT_EQ(results[2].dsn, "5.2.1");
  EXPECT_TRUE(spool("bob").empty());
  EXPECT_NE(log().find("to=<special@example.com>, relay=none, "), std::string::npos) << log();
  // fallback_transport takes the unknown users only; bob, known, goes to his mailbox.
  settings_.mailbox_transport_maps.clear();
  settings_.fallback_transport = "error:5.1.1 ask the front desk";
  results = run({"ghost@example.com", "bob@example.com"});
  EXPECT_EQ(results[0].status, DeliveryStatus::bounced);
  EXPECT_EQ(results[0].text, "ask the front desk");
  EXPECT_EQ(results[1].status, DeliveryStatus::sent) << results[1].text;
  EXPECT_FALSE(spool("bob").empty());
  settings_.fallback_transport.clear();
  // An agent that is not there defers (no private/lmtp under this queue directory).
  settings_.mailbox_transport = "lmtp:unix:/nowhere";
  settings_.queue_directory = (root_ / "queue").string();
  results = run({"carol@example.com"});
  EXPECT_EQ(results[0].status, DeliveryStatus::deferred);
  EXPECT_NE(results[0].text.find("mail transport unavailable: "), std::string::npos)
      << results[0].text;
}

// luser_relay: unknown users' mail goes to the expanded catch-all address.
TEST_F(LocalAgentTest, LuserRelayCatchesUnknownUsers) {
  settings_.recipient_delimiter = "+";
  settings_.luser_relay = "bob+$user${extension?-$extension}";
  auto results = run({"ghost+tag@example.com", "carol@example.com"});
  EXPECT_EQ(results[0].status, DeliveryStatus::sent) << results[0].text;
  EXPECT_EQ(results[1].status, DeliveryStatus::sent) << results[1].text;
  EXPECT_NE(spool("bob").find("Delivered-To: bob+ghost-tag@example.com"), std::string::npos)
      << spool("bob");
  EXPECT_NE(log().find("to=<bob+ghost-tag@example.com>, orig_to=<ghost+tag@example.com>"),
            std::string::npos)
      << log();
  settings_.luser_relay = "|echo nope";
  results = run({"ghost@example.com"});
  EXPECT_EQ(results[0].status, DeliveryStatus::deferred);
  EXPECT_EQ(results[0].dsn, "4.3.5");
}

// forward_path: the first file that exists; an entry whose $extension has no value is
// skipped (Postfix's default "$home/.forward${recipient_delimiter}${extension}, ...").
TEST_F(LocalAgentTest, ForwardPathWithAnExtension) {
  settings_.recipient_delimiter = "+";
  settings_.forward_path = {"$home/.forward${recipient_delimiter}${extension}", "$home/.forward"};
  std::ofstream(root_ / "home" / "carol" / ".forward+lists") << "bob\n";
  std::ofstream(root_ / "home" / "carol" / ".forward") << "\\carol\n";
  auto results = run({"carol+lists@example.com"});
  EXPECT_EQ(results[0].status, DeliveryStatus::sent) << results[0].text;
  EXPECT_FALSE(spool("bob").empty());
  EXPECT_TRUE(spool("carol").empty());
  results = run({"carol@example.com", "carol+other@example.com"});
  EXPECT_EQ(results[0].status, DeliveryStatus::sent) << results[0].text;
  EXPECT_EQ(results[1].status, DeliveryStatus::sent) << results[1].text;
  EXPECT_NE(spool("carol").find("Subject: hi"), std::string::npos);
}

TEST_F(LocalAgentTest, DeliveredToLoopAndSizeLimit) {
  auto req = queue_message({"bob@example.com"}, "Delivered-To: bob@example.com\n\nx\n");
  auto results = local_agent::deliver(req, settings_, *log_);
  EXPECT_EQ(results[0].dsn, "5.4.6");
  settings_.mailbox_size_limit = 10;
  results = run({"carol@example.com"});
  EXPECT_EQ(results[0].status, DeliveryStatus::bounced);
  EXPECT_EQ(results[0].dsn, "5.2.2");
}

TEST_F(LocalAgentTest, SwitchesToTheRecipientWhenRoot) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root";
  const uid_t uid = 65534;
  ASSERT_EQ(::chown((root_ / "home" / "bob").c_str(), uid, uid), 0);
  ::chmod(root_.c_str(), 0755);
  settings_.lookup_user = [&](std::string_view name) -> std::optional<local_agent::SystemUser> {
    if (name != "bob") return std::nullopt;
    return local_agent::SystemUser{"bob", uid, uid, (root_ / "home" / "bob").string(), "/bin/sh"};
  };
  auto results = run({"bob@example.com"});  // spool mbox: created by root, given to bob
  EXPECT_EQ(results[0].status, DeliveryStatus::sent) << results[0].text;
  struct stat st {};
  ASSERT_EQ(::stat((root_ / "spool" / "bob").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, uid);
  settings_.home_mailbox = "Maildir/";
  results = run({"bob@example.com"});
  EXPECT_EQ(results[0].status, DeliveryStatus::sent) << results[0].text;
  ASSERT_EQ(::stat((root_ / "home" / "bob" / "Maildir").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, uid) << "the Maildir was made by the recipient, not root";
}

TEST_F(LocalAgentTest, ServesARequestThenEndsWhenQmgrCloses) {
  auto req = queue_message({"bob@example.com", "zed@example.com"});
  asio::io_context io;
  asio::local::stream_protocol::socket qmgr(io), agent(io);
  asio::local::connect_pair(qmgr, agent);
  local_agent::AgentContext ctx{settings_, *log_};
  asio::co_spawn(io, local_agent::serve_agent_connection(std::move(agent), ctx), asio::detached);
  std::string request = encode_request(req) + "\n";
  asio::write(qmgr, asio::buffer(request));
  // The agent serves requests until qmgr closes its side; only then does io.run() end.
  qmgr.shutdown(asio::socket_base::shutdown_send);
  io.run();
  std::string reply;
  asio::error_code ec;
  asio::read(qmgr, asio::dynamic_buffer(reply), ec);
  ASSERT_GE(reply.size(), 2u);
  auto results = decode_results(std::string_view(reply).substr(0, reply.size() - 1));
  ASSERT_TRUE(results.ok()) << results.error().message;
  ASSERT_EQ(results->size(), 2u);
  EXPECT_EQ((*results)[0].status, DeliveryStatus::sent);
  EXPECT_EQ((*results)[1].dsn, "5.1.1");
  EXPECT_EQ(log().find("warning: delivery request"), std::string::npos);
}

TEST(LocalSplitDestinations, CommasOutsideQuotes) {
  EXPECT_EQ(local_agent::split_destinations("a, \"|cmd x, y\" ,b,,:include:/f"),
            (std::vector<std::string>{"a", "|cmd x, y", "b", ":include:/f"}));
}
