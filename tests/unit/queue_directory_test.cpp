// Tests for the queue directory (src/queue/queue.cpp, queue_directories.cpp,
// defer_log.cpp): layout and modes, list, moves, removal, next attempt, defer logs.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "queue/defer_log.hpp"
#include "queue/queue.hpp"
#include "queue/queue_file_writer.hpp"
#include "queue_test_support.hpp"

namespace correio::queue {
namespace {

class QueueTest : public testing::QueueDirTest {
 protected:
  std::string submit() {
    auto w = QueueFileWriter::create(root_, testing::sample_envelope());
    EXPECT_TRUE(w.ok());
    EXPECT_TRUE(w->append_content("hello\r\n").ok());
    EXPECT_TRUE(w->commit().ok());
    return w->id();
  }
};

TEST_F(QueueTest, DirectoriesHavePostfixNamesAndModes) {
  for (QueueName q : kAllQueueNames) {
    struct stat st {};
    ASSERT_EQ(::stat(dir(q).c_str(), &st), 0) << queue_name(q);
    EXPECT_TRUE(S_ISDIR(st.st_mode));
    EXPECT_EQ(st.st_mode & 07777, queue_directory_mode(q)) << queue_name(q);
    EXPECT_EQ(parse_queue_name(queue_name(q)), q);
  }
  EXPECT_EQ(queue_directory_mode(QueueName::maildrop), 01733u);
  EXPECT_EQ(queue_name(QueueName::private_), "private");
  EXPECT_FALSE(parse_queue_name("../incoming"));
  // Idempotent, and repairs a wrong mode.
  ASSERT_EQ(::chmod(dir(QueueName::active).c_str(), 0755), 0);
  ASSERT_TRUE(create_queue_directories(root_).ok());
  struct stat st {};
  ASSERT_EQ(::stat(dir(QueueName::active).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
}

TEST_F(QueueTest, CreateRefusesAFileInTheWay) {
  std::filesystem::remove_all(dir(QueueName::hold));
  testing::write_bytes(dir(QueueName::hold), "x");
  EXPECT_FALSE(create_queue_directories(root_).ok());
}

TEST_F(QueueTest, MovesFollowTheLifecycle) {
  Queue queue(root_);
  std::string id = submit();
  const std::pair<QueueName, QueueName> steps[] = {
      {QueueName::incoming, QueueName::active}, {QueueName::active, QueueName::deferred},
      {QueueName::deferred, QueueName::active}, {QueueName::active, QueueName::hold},
      {QueueName::hold, QueueName::deferred},   {QueueName::deferred, QueueName::corrupt},
  };
  for (auto [from, to] : steps) {
    ASSERT_TRUE(queue.move(id, from, to).ok()) << queue_name(from) << "->" << queue_name(to);
    EXPECT_FALSE(std::filesystem::exists(queue.path(id, from)));
    EXPECT_TRUE(std::filesystem::exists(queue.path(id, to)));
  }
  auto listed = queue.list(QueueName::corrupt);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(*listed, std::vector<std::string>{id});
  EXPECT_FALSE(queue.move(id, QueueName::active, QueueName::incoming).ok());  // not there
}

TEST_F(QueueTest, InvalidIdsAreRefusedEverywhere) {
  Queue queue(root_);
  for (const char* bad : {"../../etc/passwd", "", "abc", "5F06C87DD90/x"}) {
    EXPECT_FALSE(queue.move(bad, QueueName::incoming, QueueName::active).ok());
    EXPECT_FALSE(queue.remove(bad, QueueName::incoming).ok());
    EXPECT_FALSE(queue.set_next_attempt(bad, QueueName::deferred, {}).ok());
    EXPECT_FALSE(read_defer_log(queue, bad).ok());
  }
}

TEST_F(QueueTest, ListSkipsNamesThatAreNotIds) {
  Queue queue(root_);
  std::string a = submit(), b = submit();
  testing::write_bytes(dir(QueueName::incoming) / "tmp.1.2", "x");
  testing::write_bytes(dir(QueueName::incoming) / "notes.txt", "x");
  auto listed = queue.list(QueueName::incoming);
  ASSERT_TRUE(listed.ok());
  std::vector<std::string> want{a, b};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(*listed, want);
}

TEST_F(QueueTest, RemoveTakesTheLogsToo) {
  Queue queue(root_);
  std::string id = submit();
  ASSERT_TRUE(queue.move(id, QueueName::incoming, QueueName::deferred).ok());
  ASSERT_TRUE(update_defer_log(queue, id, {{100, "bob@example.com", 1, "4.4.1", "timeout"}}).ok());
  testing::write_bytes(queue.path(id, QueueName::bounce), "log");
  ASSERT_TRUE(queue.remove(id, QueueName::deferred).ok());
  EXPECT_FALSE(std::filesystem::exists(queue.path(id, QueueName::deferred)));
  EXPECT_FALSE(std::filesystem::exists(queue.path(id, QueueName::defer)));
  EXPECT_FALSE(std::filesystem::exists(queue.path(id, QueueName::bounce)));
  EXPECT_FALSE(queue.remove(id, QueueName::deferred).ok());
}

TEST_F(QueueTest, NextAttemptIsTheMtime) {
  Queue queue(root_);
  std::string id = submit();
  ASSERT_TRUE(queue.move(id, QueueName::incoming, QueueName::deferred).ok());
  auto when = std::chrono::system_clock::from_time_t(2000000000) + std::chrono::microseconds(5);
  ASSERT_TRUE(queue.set_next_attempt(id, QueueName::deferred, when).ok());
  auto got = queue.next_attempt(id, QueueName::deferred);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, when);
}

TEST_F(QueueTest, DeferLogUpdatesPerRecipient) {
  Queue queue(root_);
  std::string id = submit();
  auto empty = read_defer_log(queue, id);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  RecipientFailure bob{120, "bob@example.com", 1700000000000000, "4.4.1",
                       "connect to mx.example.com[192.0.2.1]:25: Connection refused"};
  RecipientFailure carol{200, "carol@example.net", 1700000000000001, "4.2.2", "mailbox full"};
  ASSERT_TRUE(update_defer_log(queue, id, {bob, carol}).ok());
  bob.reason = "lost connection with mx.example.com[192.0.2.1] while receiving the greeting";
  bob.time_us += 300000000;
  ASSERT_TRUE(update_defer_log(queue, id, {bob}).ok());
  auto log = read_defer_log(queue, id);
  ASSERT_TRUE(log.ok()) << log.error().message;
  EXPECT_EQ(*log, (std::vector<RecipientFailure>{bob, carol}));
  // Truncations of the log are errors, never a partial list.
  std::string bytes = encode_defer_log(*log);
  for (size_t n = 0; n < bytes.size(); ++n)
    EXPECT_FALSE(parse_defer_log(std::string_view(bytes).substr(0, n)).ok()) << n;
}

}  // namespace
}  // namespace correio::queue
