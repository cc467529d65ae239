// Reused queue files (src/queue/recycle_pool.cpp): qmgr's retire, smtpd's take, a new
// message written over an old one, and recovery's rule for a reused file whose new
// content was lost.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/time.h>

#include "queue/queue.hpp"
#include "queue/queue_file_format.hpp"
#include "queue/queue_file_reader.hpp"
#include "queue/queue_file_writer.hpp"
#include "queue/recycle_pool.hpp"
#include "queue_test_support.hpp"

namespace correio::queue {
namespace {

class RecyclePoolTest : public testing::QueueDirTest {
 protected:
  std::string commit(RecyclePool* pool, std::string_view content) {
    auto w = QueueFileWriter::create(root_, testing::sample_envelope(), pool);
    EXPECT_TRUE(w.ok());
    EXPECT_TRUE(w->append_content(content).ok());
    EXPECT_TRUE(w->commit().ok());
    return w->id();
  }
  static ino_t inode_of(const std::filesystem::path& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
    return st.st_ino;
  }
};

TEST_F(RecyclePoolTest, RetiredFileIsTakenBackWithItsInode) {
  RecyclePool pool(root_);
  std::string id = commit(nullptr, "Subject: a\r\n\r\nbody\r\n");
  auto path = dir(QueueName::incoming) / id;
  ino_t ino = inode_of(path);
  ASSERT_TRUE(pool.retire(path, 100).ok());
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_EQ(count(QueueName::recycle), 1u);
  auto out = dir(QueueName::incoming) / "tmp.test";
  ASSERT_TRUE(pool.take(out));
  EXPECT_EQ(inode_of(out), ino);
  EXPECT_EQ(count(QueueName::recycle), 0u);
  EXPECT_FALSE(pool.take(dir(QueueName::incoming) / "tmp.other"));  // empty now
}

TEST_F(RecyclePoolTest, PoolIsBoundedAndBigFilesAreDeleted) {
  RecyclePool pool(root_, RecyclePool::Options{2, 1000, std::chrono::milliseconds(0)});
  for (int i = 0; i < 5; ++i) {
    auto p = dir(QueueName::incoming) / ("f" + std::to_string(i));
    testing::write_bytes(p, "x");
    ASSERT_TRUE(pool.retire(p, 1).ok());
    EXPECT_FALSE(std::filesystem::exists(p));
  }
  EXPECT_EQ(count(QueueName::recycle), 2u);
  auto big = dir(QueueName::incoming) / "big";
  testing::write_bytes(big, "y");
  ASSERT_TRUE(pool.retire(big, 5000).ok());
  EXPECT_FALSE(std::filesystem::exists(big));
  EXPECT_EQ(count(QueueName::recycle), 2u);
}

TEST_F(RecyclePoolTest, NewMessageOverALongerOldOneKeepsNothingOfIt) {
  RecyclePool pool(root_);
  std::string old_id = commit(nullptr, "Subject: old\r\n\r\n" + std::string(20000, 'o') + "\r\n");
  auto old_path = dir(QueueName::incoming) / old_id;
  ino_t ino = inode_of(old_path);
  ASSERT_TRUE(Queue(root_).remove(old_id, QueueName::incoming, Sync::lazy, &pool).ok());
  EXPECT_FALSE(std::filesystem::exists(old_path));

  std::string id = commit(&pool, "Subject: new\r\n\r\nshort\r\n");
  auto path = dir(QueueName::incoming) / id;
  EXPECT_EQ(inode_of(path), ino);
  auto file = read_queue_file(path, /*with_content=*/true);
  ASSERT_TRUE(file.ok()) << file.error().message;
  EXPECT_EQ(file->content_bytes, "Subject: new\r\n\r\nshort\r\n");
  EXPECT_EQ(file->envelope.queue_id, id);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
}

TEST_F(RecyclePoolTest, WriterRecordsItsOwnIdAndFormatRoundTripsIt) {
  std::string id = commit(nullptr, "x\r\n");
  auto file = read_queue_file(dir(QueueName::incoming) / id);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->envelope.queue_id, id);
  Envelope env = testing::sample_envelope();
  env.queue_id = "5F06C87DD90";
  auto parsed = parse_queue_file(*encode_queue_file(env, "y\r\n"));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->envelope.queue_id, "5F06C87DD90");
}

TEST_F(RecyclePoolTest, RecoveryRemovesAReusedFileThatStillHoldsItsOldMessage) {
  auto plant = [&](const std::string& name, const std::string& recorded) {
    Envelope env = testing::sample_envelope();
    env.queue_id = recorded;
    auto p = dir(QueueName::incoming) / name;
    testing::write_bytes(p, *encode_queue_file(env, "hi\r\n"));
    ASSERT_EQ(::chmod(p.c_str(), 0700), 0);
    struct timeval old[2] = {{::time(nullptr) - 3600, 0}, {::time(nullptr) - 3600, 0}};
    ASSERT_EQ(::utimes(p.c_str(), old), 0);
  };
  plant("5F06C87DD90", "1234567ABC");   // the old message's ID: stale
  plant("5F06C87DD91", "5F06C87DD91");  // its own ID: kept
  plant("5F06C87DD92", "");             // written before IDs were recorded: kept
  auto report = Queue(root_).recover();
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->removed_incomplete, std::vector<std::string>{"5F06C87DD90"});
  EXPECT_EQ(report->kept, 2u);
  EXPECT_FALSE(std::filesystem::exists(dir(QueueName::incoming) / "5F06C87DD90"));
  EXPECT_TRUE(std::filesystem::exists(dir(QueueName::incoming) / "5F06C87DD91"));
}

TEST_F(RecyclePoolTest, RemoveWithPoolAlsoRemovesTheLogs) {
  RecyclePool pool(root_);
  std::string id = commit(nullptr, "x\r\n");
  testing::write_bytes(dir(QueueName::defer) / id, "d");
  testing::write_bytes(dir(QueueName::bounce) / id, "b");
  ASSERT_TRUE(Queue(root_).remove(id, QueueName::incoming, Sync::lazy, &pool).ok());
  EXPECT_EQ(count(QueueName::recycle), 1u);
  EXPECT_FALSE(std::filesystem::exists(dir(QueueName::defer) / id));
  EXPECT_FALSE(std::filesystem::exists(dir(QueueName::bounce) / id));
}

}  // namespace
}  // namespace correio::queue
