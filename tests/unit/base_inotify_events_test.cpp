// parse_inotify_events on records from a real inotify descriptor, and on the same bytes
// at an odd address or cut short.
#include <gtest/gtest.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "base/inotify_events.hpp"

namespace correio::base {
namespace {

class InotifyEventsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("inotify-events-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    ASSERT_GE(fd_, 0);
    wd_ = ::inotify_add_watch(fd_, dir_.c_str(), IN_CREATE | IN_DELETE);
    ASSERT_GE(wd_, 0);
  }
  void TearDown() override {
    if (fd_ >= 0) ::close(fd_);
    std::filesystem::remove_all(dir_);
  }
  // What the kernel reports after creating `a-file` and `second.name` and removing the
  // first: three records, names NUL-padded.
  std::string read_records() {
    std::ofstream(dir_ / "a-file").put('x');
    std::ofstream(dir_ / "second.name").put('y');
    std::filesystem::remove(dir_ / "a-file");
    std::array<char, 4096> buffer{};
    ssize_t n = ::read(fd_, buffer.data(), buffer.size());
    EXPECT_GT(n, 0);
    return std::string(buffer.data(), n > 0 ? static_cast<size_t>(n) : 0);
  }

  std::filesystem::path dir_;
  int fd_ = -1;
  int wd_ = -1;
};

void expect_three(const std::vector<InotifyEvent>& events, int wd) {
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].wd, wd);
  EXPECT_TRUE(events[0].mask & IN_CREATE);
  EXPECT_EQ(events[0].name, "a-file");
  EXPECT_EQ(events[1].name, "second.name");
  EXPECT_TRUE(events[2].mask & IN_DELETE);
  EXPECT_EQ(events[2].name, "a-file");
}

TEST_F(InotifyEventsTest, RecordsFromTheKernel) {
  expect_three(parse_inotify_events(read_records()), wd_);
}

TEST_F(InotifyEventsTest, BufferAtAnOddAddress) {
  std::string records = read_records();
  std::string shifted = "!" + records;  // UBSan would flag a cast of these bytes
  expect_three(parse_inotify_events(std::string_view(shifted).substr(1)), wd_);
}

TEST_F(InotifyEventsTest, RecordCutShortIsLeftOut) {
  std::string records = read_records();
  auto events = parse_inotify_events(std::string_view(records).substr(0, records.size() - 1));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].name, "second.name");
  EXPECT_TRUE(parse_inotify_events(std::string_view(records).substr(0, 5)).empty());
}

}  // namespace
}  // namespace correio::base
