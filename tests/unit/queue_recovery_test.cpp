// Tests for crash recovery (src/queue/recovery.cpp): each state a crash can leave is
// built by hand, and recover() must finish or roll it back without losing a message.
#include <gtest/gtest.h>
#include <sys/time.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "queue/defer_log.hpp"
#include "queue/queue.hpp"
#include "queue/queue_file_format.hpp"
#include "queue/queue_file_reader.hpp"
#include "queue/queue_file_writer.hpp"
#include "queue/queue_id.hpp"
#include "queue_test_support.hpp"

namespace correio::queue {
namespace {

class RecoveryTest : public testing::QueueDirTest {
 protected:
  // A committed message, as smtpd leaves it.
  std::string committed() {
    auto w = QueueFileWriter::create(root_, testing::sample_envelope());
    EXPECT_TRUE(w.ok());
    EXPECT_TRUE(w->append_content("Subject: kept\r\n\r\nbody\r\n").ok());
    EXPECT_TRUE(w->commit().ok());
    return w->id();
  }
  // A queue file at `name` in incoming/ holding `bytes` with `mode`.
  void plant(const std::string& name, std::string_view bytes, mode_t mode) {
    auto p = dir(QueueName::incoming) / name;
    testing::write_bytes(p, bytes);
    ASSERT_EQ(::chmod(p.c_str(), mode), 0);
    age(p);
  }
  // Files younger than a minute may belong to a writer that has not locked them yet;
  // these tests play a crash that happened long ago.
  static void age(const std::filesystem::path& p) {
    struct timeval old[2] = {{::time(nullptr) - 3600, 0}, {::time(nullptr) - 3600, 0}};
    ASSERT_EQ(::utimes(p.c_str(), old), 0);
  }
  std::string whole() { return *encode_queue_file(testing::sample_envelope(), "hi\r\n"); }
};

TEST_F(RecoveryTest, CommittedMessagesStay) {
  std::string id = committed();
  auto report = Queue(root_).recover();
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->kept, 1u);
  EXPECT_TRUE(report->removed_incomplete.empty());
  EXPECT_TRUE(read_queue_file(dir(QueueName::incoming) / id).ok());
}

TEST_F(RecoveryTest, WriterTemporaryFileIsRemoved) {
  // Crash while smtpd was receiving DATA: a temporary file, never acknowledged. The
  // writer dies in a child process (no destructor runs), which also drops its lock.
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    auto w = QueueFileWriter::create(root_, testing::sample_envelope());
    if (!w.ok() || !w->append_content(std::string(100000, 'x')).ok()) ::_exit(1);
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_EQ(status, 0);
  std::string temp;
  for (auto& e : std::filesystem::directory_iterator(dir(QueueName::incoming)))
    temp = e.path().filename();
  ASSERT_FALSE(temp.empty());
  age(dir(QueueName::incoming) / temp);
  auto report = Queue(root_).recover();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->removed_incomplete, std::vector<std::string>{temp});
  EXPECT_EQ(count(QueueName::incoming), 0u);
}

TEST_F(RecoveryTest, FileOfALiveWriterIsLeftAlone) {
  // qmgr may restart while smtpd is receiving: recovery must not pull the file away.
  auto w = QueueFileWriter::create(root_, testing::sample_envelope());
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(w->append_content("Subject: x\n\nbody\n").ok());
  auto report = Queue(root_).recover();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->removed_incomplete.empty());
  EXPECT_EQ(count(QueueName::incoming), 1u);
  EXPECT_TRUE(w->commit().ok());
}

TEST_F(RecoveryTest, UnfinishedIdFileIsRemovedAtEveryLength) {
  // An ID-named file without its end record and not marked complete (0600): the
  // commit never returned, so removing it loses nothing.
  const std::string bytes = whole();
  Queue queue(root_);
  for (size_t n = 0; n < bytes.size(); n += 7) {
    plant("5F06C87DD90", std::string_view(bytes).substr(0, n), 0600);
    auto report = queue.recover();
    ASSERT_TRUE(report.ok());
    EXPECT_EQ(report->removed_incomplete.size(), 1u) << n;
    EXPECT_EQ(count(QueueName::incoming), 0u) << n;
    EXPECT_EQ(count(QueueName::corrupt), 0u) << n;
  }
}

TEST_F(RecoveryTest, YoungUnlockedTemporaryFileIsLeftForLater) {
  // pickup or smtpd between creating and locking its file while qmgr starts.
  testing::write_bytes(dir(QueueName::incoming) / "tmp.1.2", "partial");
  auto report = Queue(root_).recover();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->removed_incomplete.empty());
  EXPECT_EQ(count(QueueName::incoming), 1u);
}

TEST_F(RecoveryTest, CompleteFileWithLostModeIsKeptAndMarked) {
  // fdatasync does not persist the mode: a complete 0600 file is still complete.
  plant("1234ABC", whole(), 0600);
  auto report = Queue(root_).recover();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->kept, 1u);
  struct stat st {};
  ASSERT_EQ(::stat((dir(QueueName::incoming) / "1234ABC").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST_F(RecoveryTest, MarkedCompleteButUnreadableGoesToCorrupt) {
  std::string bytes = whole();
  plant("1234ABC", std::string_view(bytes).substr(0, bytes.size() - 3), 0700);  // truncated
  std::string garbled = bytes;
  garbled[0] = 'Q';
  plant("1234ABD", garbled, 0600);  // has an end record but is not a queue file
  auto report = Queue(root_).recover();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->corrupt, (std::vector<std::string>{"1234ABC", "1234ABD"}));
  ASSERT_EQ(report->corrupt_reasons.size(), 2u);
  EXPECT_FALSE(report->corrupt_reasons[0].empty());
  EXPECT_EQ(count(QueueName::incoming), 0u);
  EXPECT_EQ(count(QueueName::corrupt), 2u);
}

TEST_F(RecoveryTest, ActiveGoesBackToIncomingWithDoneMarksKept) {
  Queue queue(root_);
  std::string id = committed();
  ASSERT_TRUE(queue.move(id, QueueName::incoming, QueueName::active).ok());
  auto file = read_queue_file(queue.path(id, QueueName::active));
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE(
      mark_recipient_done(queue.path(id, QueueName::active), file->envelope.recipients[0].offset)
          .ok());
  auto report = queue.recover();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->requeued, std::vector<std::string>{id});
  EXPECT_EQ(report->kept, 1u);
  EXPECT_EQ(count(QueueName::active), 0u);
  auto again = read_queue_file(queue.path(id, QueueName::incoming));
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->envelope.recipients[0].done);
  EXPECT_FALSE(again->envelope.recipients[1].done);
}

TEST_F(RecoveryTest, DeferredHoldAndDeferLogsAreLeftAlone) {
  Queue queue(root_);
  std::string a = committed(), b = committed();
  ASSERT_TRUE(queue.move(a, QueueName::incoming, QueueName::deferred).ok());
  ASSERT_TRUE(queue.move(b, QueueName::incoming, QueueName::hold).ok());
  ASSERT_TRUE(update_defer_log(queue, a, {{1, "x@example.com", 1, "4.0.0", "later"}}).ok());
  testing::write_bytes(dir(QueueName::defer) / (a + ".tmp"), "interrupted rewrite");
  auto report = queue.recover();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(count(QueueName::deferred), 1u);
  EXPECT_EQ(count(QueueName::hold), 1u);
  EXPECT_EQ(count(QueueName::defer), 1u);  // the log stays, the temporary goes
  EXPECT_TRUE(read_defer_log(queue, a).ok());
}

TEST_F(RecoveryTest, RecoveryIsIdempotent) {
  std::string id = committed();
  plant("tmp.9.9", "partial", 0600);
  Queue queue(root_);
  ASSERT_TRUE(queue.recover().ok());
  auto second = queue.recover();
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->removed_incomplete.empty());
  EXPECT_EQ(second->kept, 1u);
}

}  // namespace
}  // namespace correio::queue
