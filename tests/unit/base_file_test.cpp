// The file layer (base/file.hpp) and dot-locking (base/dotlock.hpp) on a real file system:
// complete writes, bounded reads, atomic replacement, stale and busy locks.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "base/clock.hpp"
#include "base/dotlock.hpp"
#include "base/file.hpp"

namespace correio::base {
namespace {

namespace fs = std::filesystem;

class FileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("base-file-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
  }
  fs::path dir_;
};

TEST_F(FileTest, FdClosesOnScopeExitAndReportsCloseErrors) {
  int raw = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(raw, 0);
  {
    Fd fd(raw);
    Fd moved(std::move(fd));
    EXPECT_FALSE(fd.valid());
    EXPECT_EQ(moved.get(), raw);
  }
  EXPECT_EQ(::fcntl(raw, F_GETFD), -1) << "the descriptor must be closed";
  Fd none;
  EXPECT_EQ(none.close(), 0);
}

TEST_F(FileTest, WritesReadsAndSyncs) {
  fs::path p = dir_ / "f";
  Fd fd(::open(p.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  ASSERT_TRUE(fd.valid());
  std::string big(1 << 20, 'x');
  EXPECT_EQ(write_all(fd.get(), big), 0);
  EXPECT_EQ(pwrite_all(fd.get(), "ab", 3), 0);
  EXPECT_EQ(fsync_fd(fd.get()), 0);
  EXPECT_EQ(fdatasync_fd(fd.get()), 0);
  EXPECT_EQ(fsync_directory(dir_), 0);
  ASSERT_EQ(fd.close(), 0);

  auto text = read_file(p, big.size());
  ASSERT_TRUE(text.ok()) << text.error().message;
  EXPECT_EQ(text->size(), big.size());
  EXPECT_EQ(text->substr(0, 6), "xxxabx");
  EXPECT_FALSE(read_file(p, big.size() - 1).ok()) << "a file over the limit is an error";
}

TEST_F(FileTest, ErrorsCarryErrno) {
  EXPECT_EQ(write_all(-1, "x"), EBADF);
  EXPECT_EQ(fsync_directory(dir_ / "missing"), ENOENT);
  EXPECT_EQ(errno_error("write f", ENOSPC).message, "write f: No space left on device");
  EXPECT_TRUE(errno_status(0, "x").ok());
  EXPECT_EQ(errno_status(EIO, "x").error().message, "x: Input/output error");
}

TEST_F(FileTest, ReadFileReportsMissingFilesAndRefusesSymlinks) {
  bool missing = false;
  auto none = read_file(dir_ / "none", 100, &missing);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(missing);
  EXPECT_FALSE(read_file(dir_ / "none", 100).ok()) << "missing without `missing` is an error";

  std::ofstream(dir_ / "target") << "secret";
  fs::create_symlink(dir_ / "target", dir_ / "link");
  EXPECT_FALSE(read_file(dir_ / "link", 100).ok());
  EXPECT_FALSE(read_file(dir_, 100).ok()) << "a directory is not a regular file";
  auto proc = read_file("/proc/self/stat", 1 << 16);
  ASSERT_TRUE(proc.ok()) << "files whose st_size is 0 are read to their end";
  EXPECT_FALSE(proc->empty());
}

TEST_F(FileTest, WriteAllOfTwoPartsWritesBothInOrder) {
  Fd fd(::open((dir_ / "two").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  ASSERT_TRUE(fd.valid());
  std::string big(300000, 'z');
  ASSERT_EQ(write_all(fd.get(), "head", big), 0);
  ASSERT_EQ(write_all(fd.get(), "", "tail"), 0);
  ASSERT_EQ(write_all(fd.get(), "only", ""), 0);
  fd.reset();
  EXPECT_EQ(slurp(dir_ / "two"), "head" + big + "tailonly");
  Fd reader(::open((dir_ / "two").c_str(), O_RDONLY | O_CLOEXEC));
  EXPECT_EQ(write_all(reader.get(), "a", "b"), EBADF) << "a read-only descriptor";
}

TEST_F(FileTest, ReadFileReadsEverySizeWholeAndStopsAtTheLimit) {
  // Around the probe buffer's size and well past it: the file as fstat saw it is read
  // whole, with nothing lost or repeated at the probe's boundary.
  for (size_t size :
       {size_t{0}, size_t{1}, size_t{4095}, size_t{4096}, size_t{4097}, size_t{100000}}) {
    std::string data(size, '\0');
    for (size_t i = 0; i < size; ++i) data[i] = static_cast<char>('a' + i % 26);
    std::ofstream(dir_ / "f", std::ios::binary | std::ios::trunc) << data;
    auto got = read_file(dir_ / "f", 1 << 20);
    ASSERT_TRUE(got.ok()) << size;
    EXPECT_EQ(*got, data) << size;
  }
  // A /proc file longer than one probe (st_size 0) is read to its end, in probes.
  auto maps = read_file("/proc/self/maps", 1 << 24);
  ASSERT_TRUE(maps.ok());
  EXPECT_EQ(maps->back(), '\n');
  // The limit bounds what a growing file (st_size 0 here) can make the reader take.
  auto bounded = read_file("/proc/self/maps", 100);
  ASSERT_TRUE(bounded.ok());
  EXPECT_EQ(bounded->size(), 100u);
}

TEST_F(FileTest, ReplaceFileAtomicallySetsModeAndLeavesNoTemporary) {
  fs::path p = dir_ / "main.cf";
  std::ofstream(p) << "old\n";
  ReplaceOptions how;
  how.mode = 0640;
  ASSERT_TRUE(replace_file_atomically(p, "new\n", how).ok());
  EXPECT_EQ(slurp(p), "new\n");
  struct stat st {};
  ASSERT_EQ(::stat(p.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  EXPECT_FALSE(fs::exists(dir_ / "main.cf.tmp"));

  auto failed = replace_file_atomically(dir_ / "no-such-dir" / "f", "x");
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().message.find("no-such-dir/f.tmp"), std::string::npos);
}

TEST_F(FileTest, NowUsIsTheWallClock) {
  int64_t before = static_cast<int64_t>(::time(nullptr)) * 1000000;
  int64_t now = now_us();
  EXPECT_GE(now, before);
  EXPECT_LT(now, before + 2 * 1000000);
}

TEST_F(FileTest, DotlockExcludesReplacesAndReleasesOnlyWhenTold) {
  fs::path file = dir_ / "dovecot-uidlist";
  auto lock = Dotlock::acquire(file);
  ASSERT_TRUE(lock.ok()) << lock.error().message;
  EXPECT_TRUE(fs::exists(dir_ / "dovecot-uidlist.lock"));
  ASSERT_TRUE(lock->replace("3 V1 N1\n").ok());
  EXPECT_EQ(slurp(file), "3 V1 N1\n");
  EXPECT_FALSE(fs::exists(dir_ / "dovecot-uidlist.lock.tmp"));
  // Still held after replace(): the index that follows dovecot-uidlist is written under it.
  EXPECT_TRUE(fs::exists(dir_ / "dovecot-uidlist.lock"));
  DotlockOptions quick;
  quick.timeout = std::chrono::milliseconds(30);
  bool got_in = true;
  std::thread([&] { got_in = Dotlock::acquire(file, quick).ok(); }).join();
  EXPECT_FALSE(got_in) << "another thread got the lock after replace()";
  lock->release();
  EXPECT_FALSE(fs::exists(dir_ / "dovecot-uidlist.lock"));

  auto again = Dotlock::acquire(file);
  ASSERT_TRUE(again.ok());
  again->release();
  EXPECT_FALSE(fs::exists(dir_ / "dovecot-uidlist.lock"));
}

TEST_F(FileTest, DotlockWaitsForABusyLockAndTakesOverAStaleOne) {
  fs::path file = dir_ / "bob";
  std::ofstream(dir_ / "bob.lock") << "";  // another process's, fresh
  DotlockOptions quick;
  quick.timeout = std::chrono::milliseconds(60);
  quick.mode = 0;
  auto busy = Dotlock::acquire(file, quick);
  ASSERT_FALSE(busy.ok());
  EXPECT_NE(busy.error().message.find("bob.lock"), std::string::npos);
  EXPECT_TRUE(fs::exists(dir_ / "bob.lock")) << "someone else's lock must stay";

  struct timeval old[2] = {{::time(nullptr) - 600, 0}, {::time(nullptr) - 600, 0}};
  ASSERT_EQ(::utimes((dir_ / "bob.lock").c_str(), old), 0);
  auto taken = Dotlock::acquire(file, quick);
  ASSERT_TRUE(taken.ok()) << taken.error().message;
  struct stat st {};
  ASSERT_EQ(::stat((dir_ / "bob.lock").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0u) << "Postfix's mbox locks are mode 0";
}

std::string this_host() {
  char name[256] = {};
  EXPECT_EQ(::gethostname(name, sizeof name - 1), 0);
  return name;
}

TEST_F(FileTest, DotlockNamesItsOwnerAndTakesOverAKilledOwnersLockAtOnce) {
  fs::path file = dir_ / "dovecot-uidlist";
  {
    auto lock = Dotlock::acquire(file);
    ASSERT_TRUE(lock.ok());
    EXPECT_EQ(slurp(dir_ / "dovecot-uidlist.lock"), std::to_string(::getpid()) + ":" + this_host());
    ASSERT_TRUE(lock->replace("3 V1 N1\n").ok());
    EXPECT_EQ(slurp(file), "3 V1 N1\n") << "the stamp gave way to the contents";
  }
  DotlockOptions quick;
  quick.timeout = std::chrono::milliseconds(60);
  // A live owner (init, pid 1) keeps its fresh lock.
  std::ofstream(dir_ / "dovecot-uidlist.lock") << "1:" << this_host();
  EXPECT_FALSE(Dotlock::acquire(file, quick).ok());
  // Another host's pid says nothing about this host's processes.
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) ::_exit(0);
  ASSERT_EQ(::waitpid(child, nullptr, 0), child);
  std::ofstream(dir_ / "dovecot-uidlist.lock") << child << ":other-host.example";
  EXPECT_FALSE(Dotlock::acquire(file, quick).ok());
  // A dead owner of this host: taken over at once, long before `stale`.
  std::ofstream(dir_ / "dovecot-uidlist.lock") << child << ":" << this_host();
  auto taken = Dotlock::acquire(file, quick);
  ASSERT_TRUE(taken.ok()) << taken.error().message;
  EXPECT_EQ(slurp(dir_ / "dovecot-uidlist.lock"), std::to_string(::getpid()) + ":" + this_host());
}

TEST_F(FileTest, DotlockHandsOverBetweenThreads) {
  fs::path file = dir_ / "dovecot-keywords";
  auto first = Dotlock::acquire(file);
  ASSERT_TRUE(first.ok());
  std::thread other([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    first->release();
  });
  auto second = Dotlock::acquire(file);
  other.join();
  EXPECT_TRUE(second.ok());
}

}  // namespace
}  // namespace correio::base
