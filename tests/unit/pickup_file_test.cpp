// sendmail's maildrop file and pickup's trip into incoming/: checks, cleanup, commit.
#include "pickup/pickup_file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "queue/maildrop_file.hpp"
#include "queue/queue_file_reader.hpp"
#include "queue_test_support.hpp"

namespace correio::pickup {
namespace {

using queue::QueueName;

class PickupFileTest : public queue::testing::QueueDirTest {
 protected:
  PickupSettings settings() const {
    PickupSettings s;
    s.queue_directory = root_;
    s.myhostname = "mx.example.org";
    s.myorigin = "example.org";
    return s;
  }
  std::string drop(const queue::Envelope& env, std::string_view content) {
    auto w = queue::MaildropWriter::create(dir(QueueName::maildrop), env);
    EXPECT_TRUE(w.ok());
    EXPECT_TRUE(w->append_content(content).ok());
    auto name = w->commit();
    EXPECT_TRUE(name.ok());
    return *name;
  }
};

TEST_F(PickupFileTest, MaildropFileIsCompleteReadableAndPrivatelyNamed) {
  queue::Envelope env;
  env.sender = "jane";
  env.recipients.push_back({"bob", "bob", "", 0});
  std::string name = drop(env, "Subject: x\n\nbody\n");
  EXPECT_TRUE(queue::is_maildrop_name(name));
  struct stat st {};
  ASSERT_EQ(::stat((dir(QueueName::maildrop) / name).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0644u);
  EXPECT_EQ(count(QueueName::maildrop), 1u);  // no temporary file left
}

TEST_F(PickupFileTest, QueuesWithCleanupAndRemovesTheSubmission) {
  queue::Envelope env;
  env.sender = "jane";
  env.full_name = "Jane Doe";
  env.recipients.push_back({"bob", "bob", "", queue::kNotifyNever});
  env.dsn_envid = "E1";
  env.client.name = "forged.example";  // never trusted
  std::string name = drop(env, "Subject: x\n\nbody\n");
  PickupOutcome o = pickup_file(settings(), name);
  ASSERT_EQ(o.kind, PickupOutcome::Kind::queued) << o.reason;
  EXPECT_EQ(o.uid, ::getuid());
  EXPECT_EQ(o.sender, "jane@example.org");
  EXPECT_EQ(count(QueueName::maildrop), 0u);
  auto file = queue::read_queue_file(dir(QueueName::incoming) / o.queue_id, true);
  ASSERT_TRUE(file.ok()) << file.error().message;
  EXPECT_EQ(file->envelope.sender, "jane@example.org");
  ASSERT_EQ(file->envelope.recipients.size(), 1u);
  EXPECT_EQ(file->envelope.recipients[0].address, "bob@example.org");
  EXPECT_EQ(file->envelope.recipients[0].original, "bob");
  EXPECT_EQ(file->envelope.recipients[0].notify, queue::kNotifyNever);
  EXPECT_EQ(file->envelope.dsn_envid, "E1");
  EXPECT_EQ(file->envelope.client.name, "localhost");
  const std::string& c = file->content_bytes;
  EXPECT_EQ(c.rfind("Received: by mx.example.org (Correio, from userid " +
                        std::to_string(::getuid()) + ")\n\tid " + o.queue_id + "; ",
                    0),
            0u)
      << c;
  EXPECT_NE(c.find("\nSubject: x\nMessage-Id: <"), std::string::npos) << c;
  EXPECT_NE(c.find("\nFrom: Jane Doe <jane@example.org>\n\nbody\n"), std::string::npos) << c;
}

// local(8)'s forwarded copies (internal_source=forward in a file of the mail system's own)
// get no Received: line of pickup's; the same marker in another user's file is ignored.
TEST_F(PickupFileTest, ForwardedCopyIsInternalOnlyInTheMailSystemsOwnFiles) {
  queue::Envelope env;
  env.sender = "jane@example.org";
  env.recipients.push_back({"bob@example.net", "bob@example.net", "", 0});
  env.internal_source = "forward";
  std::string own = drop(env, "Delivered-To: a@example.org\nSubject: x\n\nbody\n");
  PickupOutcome o = pickup_file(settings(), own);
  ASSERT_EQ(o.kind, PickupOutcome::Kind::queued) << o.reason;
  auto file = queue::read_queue_file(dir(QueueName::incoming) / o.queue_id, true);
  ASSERT_TRUE(file.ok()) << file.error().message;
  EXPECT_EQ(file->content_bytes.rfind("Delivered-To: a@example.org\nSubject: x\n", 0), 0u)
      << file->content_bytes;
  EXPECT_EQ(file->content_bytes.find("Received:"), std::string::npos);
  EXPECT_TRUE(file->envelope.internal_source.empty());  // not carried into the queue

  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give a file to another user";
  std::string foreign = drop(env, "Subject: y\n\nbody\n");
  ASSERT_EQ(::chown((dir(QueueName::maildrop) / foreign).c_str(), 65534, 65534), 0);
  PickupOutcome f = pickup_file(settings(), foreign);
  ASSERT_EQ(f.kind, PickupOutcome::Kind::queued) << f.reason;
  EXPECT_EQ(f.uid, 65534u);
  auto forged = queue::read_queue_file(dir(QueueName::incoming) / f.queue_id, true);
  ASSERT_TRUE(forged.ok()) << forged.error().message;
  EXPECT_EQ(
      forged->content_bytes.rfind("Received: by mx.example.org (Correio, from userid 65534)", 0),
      0u)
      << forged->content_bytes;
}

TEST_F(PickupFileTest, RejectsMalformedAndLinkedFiles) {
  std::string bad(32, 'A');
  std::ofstream(dir(QueueName::maildrop) / bad) << "not a queue file";
  EXPECT_EQ(pickup_file(settings(), bad).kind, PickupOutcome::Kind::rejected);
  EXPECT_TRUE(std::filesystem::exists(dir(QueueName::corrupt) / bad));

  queue::Envelope env;
  env.recipients.push_back({"bob", "bob", "", 0});
  std::string name = drop(env, "x\n");
  ASSERT_EQ(::link((dir(QueueName::maildrop) / name).c_str(), (root_ / "other-link").c_str()), 0);
  EXPECT_EQ(pickup_file(settings(), name).kind, PickupOutcome::Kind::rejected);
  EXPECT_EQ(count(QueueName::incoming), 0u);

  EXPECT_EQ(pickup_file(settings(), std::string(32, 'B')).kind, PickupOutcome::Kind::skipped);
}

}  // namespace
}  // namespace correio::pickup
