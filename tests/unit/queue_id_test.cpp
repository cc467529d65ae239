// Tests for queue IDs (src/queue/queue_id.cpp): format, parsing, strict validation.
#include "queue/queue_id.hpp"

#include <gtest/gtest.h>

#include <set>

namespace correio::queue {
namespace {

TEST(QueueId, PostfixShortForm) {
  EXPECT_EQ(make_queue_id(0x5F06C, 0x87DD90), "5F06C87DD90");
  EXPECT_EQ(make_queue_id(0, 1), "000001");
  EXPECT_EQ(make_queue_id(999999, 0xFFFFFFFFFFFFFFFFull), "F423FFFFFFFFFFFFFFFFF");
  EXPECT_EQ(make_queue_id(12, 0xabc), "0000CABC");
}

TEST(QueueId, ParseRoundTrip) {
  for (uint32_t us : {0u, 1u, 65535u, 999999u})
    for (uint64_t ino : {uint64_t{1}, uint64_t{0x87DD90}, ~uint64_t{0}}) {
      auto parts = parse_queue_id(make_queue_id(us, ino));
      ASSERT_TRUE(parts);
      EXPECT_EQ(parts->microseconds, us);
      EXPECT_EQ(parts->inode, ino);
    }
}

TEST(QueueId, RejectsAnythingElse) {
  for (const char* bad : {"", "5F06C", "5f06c87dd90", "5F06C87DD9G", "../5F06C87DD90",
                          "5F06C87DD90/", "5F06C 87DD9", "F42408ABC",  // usec > 999999
                          "5F06C0ABC",                                 // leading zero inode
                          "5F06C87DD9087DD9087DD90",                   // too long
                          "tmp.123.4", ".", ".."})
    EXPECT_FALSE(is_valid_queue_id(bad)) << bad;
  EXPECT_FALSE(is_valid_queue_id(std::string_view("5F06C\0AB", 8)));
  EXPECT_TRUE(is_valid_queue_id("5F06C87DD90"));
  EXPECT_TRUE(is_valid_queue_id("000000"));
}

TEST(QueueId, DistinctInodesGiveDistinctIds) {
  std::set<std::string> ids;
  for (uint64_t ino = 1; ino < 5000; ++ino) ids.insert(make_queue_id(123456, ino * 7));
  EXPECT_EQ(ids.size(), 4999u);
  // The fixed-width microseconds part keeps the inode part unambiguous.
  EXPECT_NE(make_queue_id(1, 0x23), make_queue_id(0x12, 0x3));
}

}  // namespace
}  // namespace correio::queue
