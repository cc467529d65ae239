// The master's pid file: Postfix's format, and the lock that says a master runs.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "master/pid_file.hpp"

namespace correio::master {
namespace {

TEST(MasterPidFile, FormatIsRightAlignedInTenColumns) {
  EXPECT_EQ(format_pid_line(123), "       123\n");
  EXPECT_EQ(format_pid_line(1234567890), "1234567890\n");
}

TEST(MasterPidFile, ParsesWhatItWrites) {
  EXPECT_EQ(parse_pid_line(format_pid_line(4242)), 4242);
  EXPECT_EQ(parse_pid_line("17"), 17);
  EXPECT_FALSE(parse_pid_line(""));
  EXPECT_FALSE(parse_pid_line("   \n"));
  EXPECT_FALSE(parse_pid_line("0\n"));
  EXPECT_FALSE(parse_pid_line("12abc\n"));
  EXPECT_FALSE(parse_pid_line("99999999999\n"));
}

class MasterPidFileLock : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() / ("correio-pid-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    path_ = dir_ / "master.pid";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_, path_;
};

TEST_F(MasterPidFileLock, NoFileMeansNotRunning) {
  EXPECT_FALSE(running_master(path_));
}

TEST_F(MasterPidFileLock, StaleFileMeansNotRunning) {
  std::ofstream(path_) << format_pid_line(1);
  EXPECT_FALSE(running_master(path_));
}

TEST_F(MasterPidFileLock, HeldLockReportsThePidAndRefusesASecondMaster) {
  {
    auto first = PidFile::acquire(path_);
    ASSERT_TRUE(first) << first.error().message;
    ASSERT_TRUE(first->write(::getpid()));
    EXPECT_EQ(running_master(path_), ::getpid());
    auto second = PidFile::acquire(path_);
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().message, "the Correio mail system is already running");
  }
  EXPECT_FALSE(running_master(path_));  // released with the object
  EXPECT_TRUE(PidFile::acquire(path_));
}

}  // namespace
}  // namespace correio::master
