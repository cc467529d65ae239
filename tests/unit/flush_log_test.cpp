// Tests for the fast flush logs' upkeep (src/queue/flush_log.cpp maintain_flush_logs):
// Postfix's flush(8) refresh of unread logs and purge of old empty ones.
#include "queue/flush_log.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <utime.h>

#include <ctime>
#include <fstream>

#include "queue/queue.hpp"
#include "queue/queue_file_writer.hpp"
#include "queue_test_support.hpp"

namespace correio::queue {
namespace {

using std::chrono::seconds;

class FlushLogTest : public testing::QueueDirTest {
 protected:
  std::string deferred_message() {
    auto w = QueueFileWriter::create(root_, testing::sample_envelope());
    EXPECT_TRUE(w.ok());
    EXPECT_TRUE(w->append_content("hello\r\n").ok());
    EXPECT_TRUE(w->commit().ok());
    Queue q(root_);
    EXPECT_TRUE(q.move(w->id(), QueueName::incoming, QueueName::deferred).ok());
    return w->id();
  }
  std::filesystem::path log(std::string_view site) const {
    return dir(QueueName::flush) / std::string(site);
  }
  // Sets the log's access and modification times `ago` seconds back.
  void age(std::string_view site, long ago) const {
    struct utimbuf times;
    times.actime = times.modtime = ::time(nullptr) - ago;
    ASSERT_EQ(::utime(log(site).c_str(), &times), 0);
  }
};

TEST_F(FlushLogTest, RefreshRequeuesAnUnreadLogAndLeavesItEmpty) {
  Queue q(root_);
  std::string id = deferred_message();
  ASSERT_TRUE(flush_log_add(q, "old.example", id).ok());
  ASSERT_TRUE(flush_log_add(q, "new.example", id).ok());
  age("old.example", 100);
  std::vector<std::string> problems;
  FlushMaintenance done = maintain_flush_logs(q, seconds(50), seconds(1000), problems);
  EXPECT_TRUE(problems.empty());
  EXPECT_EQ(done.refreshed, 1u);
  EXPECT_EQ(done.requeued, 1u);
  EXPECT_EQ(done.purged, 0u);
  // Moved without the revive trigger (a refresh is no flush of dead destinations).
  EXPECT_TRUE(std::filesystem::exists(q.path(id, QueueName::incoming)));
  EXPECT_FALSE(std::filesystem::exists(dir(QueueName::flush) / std::string(kReviveTrigger)));
  ASSERT_TRUE(std::filesystem::exists(log("old.example")));
  EXPECT_EQ(std::filesystem::file_size(log("old.example")), 0u);
  EXPECT_GT(std::filesystem::file_size(log("new.example")), 0u);  // read recently: kept
}

TEST_F(FlushLogTest, PurgeDeletesOnlyOldEmptyLogs) {
  Queue q(root_);
  for (const char* site : {"empty-old.example", "empty-new.example"}) {
    std::ofstream(log(site)).flush();
  }
  age("empty-old.example", 100);
  // A non-empty log is never purged, however old: its mail is refreshed instead.
  ASSERT_TRUE(flush_log_add(q, "full.example", "0123456789AB").ok());
  age("full.example", 100);
  // Not logs: the revive trigger and a log being taken by a flush.
  ASSERT_TRUE(request_revival(q).ok());
  std::ofstream(log("busy.example.123.taken")).flush();
  age("busy.example.123.taken", 100);
  std::vector<std::string> problems;
  FlushMaintenance done = maintain_flush_logs(q, seconds(1000), seconds(50), problems);
  EXPECT_TRUE(problems.empty());
  EXPECT_EQ(done.purged, 1u);
  EXPECT_EQ(done.refreshed, 0u);
  EXPECT_FALSE(std::filesystem::exists(log("empty-old.example")));
  EXPECT_TRUE(std::filesystem::exists(log("empty-new.example")));
  EXPECT_TRUE(std::filesystem::exists(log("full.example")));
  EXPECT_TRUE(std::filesystem::exists(log("busy.example.123.taken")));
  EXPECT_TRUE(std::filesystem::exists(dir(QueueName::flush) / std::string(kReviveTrigger)));
}

}  // namespace
}  // namespace correio::queue
