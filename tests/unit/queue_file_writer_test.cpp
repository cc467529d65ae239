// Tests for writing queue files (src/queue/queue_file_writer.cpp): the file appears
// under its ID only when committed, recipients are marked done in place, and a write
// failure leaves no partial file.
#include "queue/queue_file_writer.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>

#include "queue/queue.hpp"
#include "queue/queue_file_reader.hpp"
#include "queue/queue_id.hpp"
#include "queue_test_support.hpp"

namespace correio::queue {
namespace {

class QueueFileWriterTest : public testing::QueueDirTest {};

TEST_F(QueueFileWriterTest, CommitPublishesUnderTheIdWithMode0700) {
  auto w = QueueFileWriter::create(root_, testing::sample_envelope());
  ASSERT_TRUE(w.ok()) << w.error().message;
  std::string id = w->id();
  auto parts = parse_queue_id(id);
  ASSERT_TRUE(parts);
  EXPECT_EQ(count(QueueName::incoming), 1u);  // the temporary file
  EXPECT_FALSE(std::filesystem::exists(dir(QueueName::incoming) / id));
  std::string content;
  for (int i = 0; i < 5000; ++i) content += "line " + std::to_string(i) + "\r\n";
  for (size_t pos = 0; pos < content.size(); pos += 777)
    ASSERT_TRUE(w->append_content(std::string_view(content).substr(pos, 777)).ok());
  ASSERT_TRUE(w->commit().ok());
  EXPECT_EQ(count(QueueName::incoming), 1u);
  std::filesystem::path file = dir(QueueName::incoming) / id;
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  EXPECT_EQ(st.st_ino, parts->inode);  // the ID names the file's inode
  auto parsed = read_queue_file(file, true);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->content_bytes, content);
  EXPECT_EQ(parsed->message_size, content.size());
  EXPECT_EQ(parsed->envelope.sender, "alice@example.org");
}

TEST_F(QueueFileWriterTest, IdsOfLiveFilesAreUnique) {
  std::vector<QueueFileWriter> writers;
  std::set<std::string> ids;
  for (int i = 0; i < 200; ++i) {
    auto w = QueueFileWriter::create(root_, testing::sample_envelope());
    ASSERT_TRUE(w.ok());
    ids.insert(w->id());
    writers.push_back(std::move(*w));
  }
  EXPECT_EQ(ids.size(), 200u);
  for (auto& w : writers) ASSERT_TRUE(w.commit().ok());
  auto listed = Queue(root_).list(QueueName::incoming);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(std::set<std::string>(listed->begin(), listed->end()), ids);
}

TEST_F(QueueFileWriterTest, DestroyingAnUncommittedWriterRemovesTheFile) {
  {
    auto w = QueueFileWriter::create(root_, testing::sample_envelope());
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE(w->append_content("partial").ok());
    EXPECT_EQ(count(QueueName::incoming), 1u);
  }
  EXPECT_EQ(count(QueueName::incoming), 0u);
}

TEST_F(QueueFileWriterTest, MarkRecipientDoneInPlace) {
  auto w = QueueFileWriter::create(root_, testing::sample_envelope());
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(w->append_content("body\r\n").ok());
  ASSERT_TRUE(w->commit().ok());
  std::filesystem::path file = dir(QueueName::incoming) / w->id();
  auto before = read_queue_file(file);
  ASSERT_TRUE(before.ok());
  const auto size_before = std::filesystem::file_size(file);
  uint64_t second = before->envelope.recipients[1].offset;
  ASSERT_TRUE(mark_recipient_done(file, second).ok());
  ASSERT_TRUE(mark_recipient_done(file, second).ok());  // idempotent
  auto after = read_queue_file(file);
  ASSERT_TRUE(after.ok()) << after.error().message;
  EXPECT_FALSE(after->envelope.recipients[0].done);
  EXPECT_TRUE(after->envelope.recipients[1].done);
  EXPECT_FALSE(after->envelope.recipients[2].done);
  EXPECT_EQ(std::filesystem::file_size(file), size_before);
  // Only recipient records can be flipped.
  EXPECT_FALSE(mark_recipient_done(file, 0).ok());
  EXPECT_FALSE(mark_recipient_done(file, second + 1).ok());
  EXPECT_FALSE(mark_recipient_done(file, size_before + 10).ok());
}

// header_checks: REDIRECT replaces the envelope's recipients, BCC adds one, pickup's
// REJECT text is kept, HOLD commits into hold/ — all after the content was streamed.
TEST_F(QueueFileWriterTest, ExtractedSegmentAfterTheContent) {
  auto w = QueueFileWriter::create(root_, testing::sample_envelope());
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(w->append_content(std::string(70000, 'x') + "\n").ok());
  ASSERT_TRUE(w->set_extracted({{"q@example.org", "q@example.org", "", 0}}, true).ok());
  ASSERT_TRUE(w->commit().ok());
  auto redirected = read_queue_file(dir(QueueName::incoming) / w->id(), true);
  ASSERT_TRUE(redirected.ok()) << redirected.error().message;
  ASSERT_EQ(redirected->envelope.recipients.size(), 1u);
  EXPECT_EQ(redirected->envelope.recipients[0].address, "q@example.org");
  EXPECT_EQ(redirected->content_bytes, std::string(70000, 'x') + "\n");
  // The extracted recipient is marked done in place like any other.
  std::filesystem::path file = dir(QueueName::incoming) / w->id();
  ASSERT_TRUE(mark_recipient_done(file, redirected->envelope.recipients[0].offset).ok());
  EXPECT_TRUE(read_queue_file(file)->envelope.recipients[0].done);

  auto h = QueueFileWriter::create(root_, testing::sample_envelope());
  ASSERT_TRUE(h.ok());
  ASSERT_TRUE(h->append_content("body\n").ok());
  ASSERT_TRUE(h->set_extracted({{"b@example.org", "b@example.org", "", kNotifyNever}}, false,
                               "5.7.1 no thanks")
                  .ok());
  h->set_hold();
  ASSERT_TRUE(h->commit().ok());
  EXPECT_FALSE(std::filesystem::exists(dir(QueueName::incoming) / h->id()));
  auto held = read_queue_file(dir(QueueName::hold) / h->id());
  ASSERT_TRUE(held.ok()) << held.error().message;
  EXPECT_EQ(held->envelope.recipients.size(), 4u);
  EXPECT_EQ(held->envelope.recipients[3].address, "b@example.org");
  EXPECT_EQ(held->envelope.content_rejected, "5.7.1 no thanks");
  EXPECT_EQ(held->message_size, 5u);
}

// content_filter / FILTER: one filter record after the content and the extracted
// recipients; a file without it reads as before.
TEST_F(QueueFileWriterTest, FilterRecordAfterTheContent) {
  auto w = QueueFileWriter::create(root_, testing::sample_envelope());
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(w->append_content("body\n").ok());
  ASSERT_TRUE(w->set_extracted({{"b@example.org", "b@example.org", "", kNotifyNever}}, false).ok());
  ASSERT_TRUE(w->set_filter("scan:[127.0.0.1]:10024").ok());
  ASSERT_TRUE(w->set_filter("smtp:[127.0.0.1]:10026").ok());  // the last one counts
  ASSERT_TRUE(w->commit().ok());
  auto file = read_queue_file(dir(QueueName::incoming) / w->id(), true);
  ASSERT_TRUE(file.ok()) << file.error().message;
  EXPECT_EQ(file->envelope.content_filter, "smtp:[127.0.0.1]:10026");
  EXPECT_EQ(file->envelope.recipients.size(), 4u);
  EXPECT_EQ(file->content_bytes, "body\n");

  auto plain = QueueFileWriter::create(root_, testing::sample_envelope());
  ASSERT_TRUE(plain.ok());
  ASSERT_TRUE(plain->append_content("body\n").ok());
  ASSERT_TRUE(plain->set_filter("").ok());
  ASSERT_TRUE(plain->commit().ok());
  auto unfiltered = read_queue_file(dir(QueueName::incoming) / plain->id());
  ASSERT_TRUE(unfiltered.ok()) << unfiltered.error().message;
  EXPECT_TRUE(unfiltered->envelope.content_filter.empty());
}

TEST_F(QueueFileWriterTest, DelayWarningRecordFlipsOnceInPlace) {
  auto w = QueueFileWriter::create(root_, testing::sample_envelope());
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(w->append_content("body\r\n").ok());
  ASSERT_TRUE(w->commit().ok());
  std::filesystem::path file = dir(QueueName::incoming) / w->id();
  auto before = read_queue_file(file);
  ASSERT_TRUE(before.ok());
  ASSERT_NE(before->delay_warning_offset, 0u);
  EXPECT_FALSE(before->delay_warning_sent);
  ASSERT_TRUE(mark_delay_warning_sent(file, before->delay_warning_offset).ok());
  ASSERT_TRUE(mark_delay_warning_sent(file, before->delay_warning_offset).ok());  // idempotent
  auto after = read_queue_file(file);
  ASSERT_TRUE(after.ok()) << after.error().message;
  EXPECT_TRUE(after->delay_warning_sent);
  EXPECT_EQ(after->delay_warning_offset, before->delay_warning_offset);
  EXPECT_EQ(after->envelope, before->envelope);
  // Only the delay-warning record can be flipped this way.
  EXPECT_FALSE(mark_delay_warning_sent(file, before->envelope.recipients[0].offset).ok());
  EXPECT_FALSE(mark_delay_warning_sent(file, 0).ok());
}

// A forked child writes with RLIMIT_FSIZE below the message size (works unprivileged
// and as root): the write fails with EFBIG, which is how a full disk looks to us.
TEST_F(QueueFileWriterTest, WriteFailureLeavesNoPartialFile) {
  for (size_t limit : {size_t{100}, size_t{4096}, size_t{70000}, size_t{140000}}) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::signal(SIGXFSZ, SIG_IGN);
      rlimit rl{limit, limit};
      if (::setrlimit(RLIMIT_FSIZE, &rl) != 0) ::_exit(10);
      auto w = QueueFileWriter::create(root_, testing::sample_envelope());
      if (!w.ok()) ::_exit(0);  // the envelope did not fit: also a clean failure
      const std::string chunk(1000, 'x');
      Status s;
      for (int i = 0; i < 200 && s.ok(); ++i) s = w->append_content(chunk);
      if (s.ok()) s = w->commit();
      if (s.ok()) ::_exit(11);
      if (s.error().message.find("File too large") == std::string::npos) ::_exit(12);
      if (w->append_content("more").ok()) ::_exit(13);  // stays failed
      ::_exit(0);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "limit " << limit;
    EXPECT_EQ(count(QueueName::incoming), 0u) << "limit " << limit;
  }
}

TEST_F(QueueFileWriterTest, CreateFailsCleanlyWithoutIncoming) {
  std::filesystem::remove_all(dir(QueueName::incoming));
  auto w = QueueFileWriter::create(root_, testing::sample_envelope());
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.error().message.find("incoming"), std::string::npos);
}

}  // namespace
}  // namespace correio::queue
