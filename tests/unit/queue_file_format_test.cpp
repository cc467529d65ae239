// Tests for the queue file format (src/queue/queue_file_format.cpp, queue_file_reader.cpp):
// every field round-trips, and no truncation or corruption is accepted as complete.
#include "queue/queue_file_format.hpp"

#include <gtest/gtest.h>

#include "queue/queue_file_reader.hpp"
#include "queue/record.hpp"
#include "queue_test_support.hpp"

namespace correio::queue {
namespace {

using testing::sample_envelope;

std::string sample_file(std::string_view content = "Subject: hi\r\n\r\nhello\r\n") {
  auto bytes = encode_queue_file(sample_envelope(), content);
  EXPECT_TRUE(bytes.ok());
  return bytes.ok() ? *bytes : std::string{};
}

TEST(QueueFileFormat, EveryFieldRoundTrips) {
  const std::string content = "Subject: hi\r\n\r\nhello\r\n";
  auto file = parse_queue_file(sample_file(content), true);
  ASSERT_TRUE(file.ok()) << file.error().message;
  Envelope want = sample_envelope();
  Envelope got = file->envelope;
  ASSERT_EQ(got.recipients.size(), want.recipients.size());
  for (size_t i = 0; i < got.recipients.size(); ++i) {
    EXPECT_FALSE(got.recipients[i].done);
    EXPECT_GT(got.recipients[i].offset, 0u);
    got.recipients[i].offset = 0;  // reader-only field
  }
  EXPECT_EQ(got, want);
  EXPECT_EQ(file->message_size, content.size());
  EXPECT_EQ(file->content_bytes, content);
}

TEST(QueueFileFormat, ContentFilterRoundTripsAndIsCheckedOnce) {
  Envelope env = sample_envelope();
  env.content_filter = "scan:[127.0.0.1]:10024";
  auto bytes = encode_queue_file(env, "hello\n");
  ASSERT_TRUE(bytes.ok());
  auto file = parse_queue_file(*bytes);
  ASSERT_TRUE(file.ok()) << file.error().message;
  EXPECT_EQ(file->envelope.content_filter, "scan:[127.0.0.1]:10024");
  // A second filter record, or one followed by a recipient, is corrupt.
  std::string doubled = bytes->substr(0, bytes->size() - 13);  // without the end record
  append_record(doubled, RecordType::filter, "smtp:x");
  append_end_record(doubled, doubled.size());
  EXPECT_FALSE(parse_queue_file(doubled).ok());
  std::string empty = bytes->substr(0, bytes->size() - 13 - 5 - env.content_filter.size());
  append_record(empty, RecordType::filter, "");
  append_end_record(empty, empty.size());
  EXPECT_FALSE(parse_queue_file(empty).ok());
}

TEST(QueueFileFormat, DefaultsAndNullSenderRoundTrip) {
  Envelope env;
  env.recipients.push_back({"postmaster", "", "", 0, false, 0});
  auto bytes = encode_queue_file(env, "");
  ASSERT_TRUE(bytes.ok());
  auto file = parse_queue_file(*bytes);
  ASSERT_TRUE(file.ok()) << file.error().message;
  file->envelope.recipients[0].offset = 0;
  EXPECT_EQ(file->envelope, env);
  EXPECT_EQ(file->message_size, 0u);
}

TEST(QueueFileFormat, LargeContentSpansRecords) {
  std::string content(3 * kMaxRecordData + 17, '\0');
  for (size_t i = 0; i < content.size(); ++i) content[i] = static_cast<char>(i * 31);
  auto file = parse_queue_file(sample_file(content), true);
  ASSERT_TRUE(file.ok()) << file.error().message;
  EXPECT_EQ(file->content.size(), 4u);
  EXPECT_EQ(file->content_bytes, content);
}

TEST(QueueFileFormat, EncoderRefusesOversizedFieldsAndNoRecipients) {
  Envelope env = sample_envelope();
  env.sender.assign(kMaxRecordData + 1, 'a');
  EXPECT_FALSE(encode_envelope(env).ok());
  env = sample_envelope();
  env.recipients.clear();
  EXPECT_FALSE(encode_envelope(env).ok());
}

TEST(QueueFileFormat, EveryTruncationIsIncompleteNeverComplete) {
  const std::string whole = sample_file();
  for (size_t n = 0; n < whole.size(); ++n) {
    CheckResult r = check_queue_file(std::string_view(whole).substr(0, n), nullptr);
    EXPECT_NE(r.state, FileState::complete) << "accepted a file cut at " << n;
    EXPECT_FALSE(r.reason.empty());
    // A clean cut is recognised as an unfinished write, not as corruption.
    if (n > 0) {
      EXPECT_EQ(r.state, FileState::incomplete) << n << ": " << r.reason;
    }
  }
  EXPECT_EQ(check_queue_file(whole, nullptr).state, FileState::complete);
}

TEST(QueueFileFormat, EverySingleByteCorruptionIsSafe) {
  // Flipping any byte must give a clear verdict without over-reading (ASan checks that
  // in sanitizer builds); most flips are caught, the rest land in free-form data.
  const std::string whole = sample_file();
  size_t caught = 0;
  for (size_t i = 0; i < whole.size(); ++i) {
    std::string bad = whole;
    bad[i] = static_cast<char>(bad[i] ^ 0x41);
    QueueFile file;
    CheckResult r = check_queue_file(bad, &file, true);
    if (r.state != FileState::complete) {
      ++caught;
      EXPECT_FALSE(r.reason.empty());
    } else {
      EXPECT_EQ(file.content_bytes.size(), file.message_size);
    }
  }
  EXPECT_GT(caught, whole.size() / 3);
}

TEST(QueueFileFormat, StructuralErrorsAreCorrupt) {
  const std::string whole = sample_file();
  auto corrupt = [](std::string_view b) { return check_queue_file(b, nullptr).state; };
  EXPECT_EQ(corrupt("garbage that is not a queue file"), FileState::corrupt);
  EXPECT_EQ(corrupt(whole + "X"), FileState::corrupt);
  std::string trailing = whole;
  append_record(trailing, RecordType::content, "late");
  EXPECT_EQ(corrupt(trailing), FileState::corrupt);
  std::string wrong_version = whole;
  wrong_version[kRecordHeaderSize + 4] = 2;
  EXPECT_EQ(corrupt(wrong_version), FileState::corrupt);
  std::string huge = whole.substr(0, 10);
  huge += 'C';
  append_u32(huge, 0xFFFFFFF0u);
  EXPECT_EQ(corrupt(huge), FileState::corrupt);
  std::string bad_size = whole;
  bad_size[size_record_data_offset() + 7] ^= 1;
  EXPECT_EQ(corrupt(bad_size), FileState::corrupt);
}

TEST(QueueFileFormat, FedAFewBytesAtATimeOnlyTheWholeIsComplete) {
  const std::string whole = sample_file(std::string(200000, 'z'));
  size_t complete_at = 0;
  for (size_t n = 0; n <= whole.size(); n += 997)
    if (check_queue_file(std::string_view(whole).substr(0, n), nullptr).state ==
        FileState::complete)
      complete_at = n;
  EXPECT_EQ(complete_at, 0u);
  EXPECT_EQ(check_queue_file(whole, nullptr).state, FileState::complete);
}

}  // namespace
}  // namespace correio::queue
