// mbox delivery: the From line, >From quoting, the blank line between messages, the
// dotlock and fcntl lock (a second writer waits), stale locks, the size limit, truncation
// after a failed write, and Debian's mail(1) reading the result.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "scoped_time_zone.hpp"
#include "store/mbox.hpp"

namespace fs = std::filesystem;
using namespace correio::store;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), {}};
}

class MboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "correio-mbox.XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    box_ = root_ / "bob";
    options_.now = 1704067200;  // 2024-01-01 00:00:00 UTC
    options_.lock_delay = std::chrono::milliseconds(20);
  }
  void TearDown() override { fs::remove_all(root_); }

  correio::Status put(std::string_view sender, std::string_view body, MboxFailure* f = nullptr) {
    return deliver_to_mbox(box_, sender, "Delivered-To: bob@example.com\n", {body}, options_, f);
  }

  fs::path root_, box_;
  MboxOptions options_;
};

}  // namespace

TEST(MboxFormat, FromLineAndQuoting) {
  correio::testing::ScopedTimeZone utc("UTC");
  EXPECT_EQ(mbox_from_line("alice@example.org", 1704067200),
            "From alice@example.org  Mon Jan  1 00:00:00 2024\n");
  EXPECT_EQ(mbox_from_line("", 1704067200), "From MAILER-DAEMON  Mon Jan  1 00:00:00 2024\n");
  std::string m = format_mbox_message("a@b", "X: y\n",
                                      {"Subject: s\n\nFrom here\n>From there\nFrom:x"}, 1704067200);
  EXPECT_EQ(m,
            "From a@b  Mon Jan  1 00:00:00 2024\nX: y\nSubject: s\n\n>From here\n>From there\n"
            "From:x\n\n");
}

TEST_F(MboxTest, AppendsMessagesAndRemovesTheLock) {
  ASSERT_TRUE(put("alice@example.org", "Subject: one\n\nhi\n").ok());
  ASSERT_TRUE(put("", "Subject: two\n\nFrom me\n").ok());
  std::string text = slurp(box_);
  EXPECT_EQ(text.find("From alice@example.org  "), 0u);
  EXPECT_NE(text.find("\nhi\n\nFrom MAILER-DAEMON  "), std::string::npos) << text;
  EXPECT_NE(text.find("\n>From me\n\n"), std::string::npos) << text;
  EXPECT_FALSE(fs::exists(root_ / "bob.lock"));
  struct stat st {};
  ASSERT_EQ(::stat(box_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(MboxTest, SecondWriterWaitsForTheDotlock) {
  std::ofstream(root_ / "bob.lock") << "";
  std::thread releaser([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    fs::remove(root_ / "bob.lock");
  });
  auto start = std::chrono::steady_clock::now();
  auto s = put("a@b", "x\n");
  releaser.join();
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(180));
}

TEST_F(MboxTest, SecondWriterWaitsForTheFcntlLock) {
  ASSERT_TRUE(put("a@b", "first\n").ok());
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  pid_t child = ::fork();
  if (child == 0) {  // holds a write lock on the mailbox for 250 ms
    int fd = ::open(box_.c_str(), O_RDWR);
    struct flock fl {};
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    ::fcntl(fd, F_SETLKW, &fl);
    (void)!::write(ready[1], "x", 1);
    ::usleep(250000);
    ::_exit(0);
  }
  char c;
  ASSERT_EQ(::read(ready[0], &c, 1), 1);
  auto start = std::chrono::steady_clock::now();
  auto s = put("a@b", "second\n");
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(150));
  ::waitpid(child, nullptr, 0);
  ::close(ready[0]);
  ::close(ready[1]);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_NE(slurp(box_).find("\nsecond\n"), std::string::npos);
}

TEST_F(MboxTest, StaleLockIsRemovedBusyLockDefers) {
  std::ofstream(root_ / "bob.lock") << "";
  struct timeval old[2] = {{time(nullptr) - 600, 0}, {time(nullptr) - 600, 0}};
  ASSERT_EQ(::utimes((root_ / "bob.lock").c_str(), old), 0);
  ASSERT_TRUE(put("a@b", "x\n").ok());

  std::ofstream(root_ / "bob.lock") << "";
  options_.lock_attempts = 3;
  MboxFailure f;
  auto s = put("a@b", "y\n", &f);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(f.dsn, "4.2.0");
  EXPECT_FALSE(f.permanent);
  EXPECT_NE(s.error().message.find("unable to create lock file"), std::string::npos);
  EXPECT_TRUE(fs::exists(root_ / "bob.lock")) << "someone else's lock must stay";
}

TEST_F(MboxTest, SizeLimitBouncesAndLeavesTheMailboxAlone) {
  ASSERT_TRUE(put("a@b", "x\n").ok());
  auto before = slurp(box_);
  options_.size_limit = before.size() + 20;
  MboxFailure f;
  auto s = put("a@b", std::string(100, 'y') + "\n", &f);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(f.dsn, "5.2.2");
  EXPECT_TRUE(f.permanent);
  EXPECT_EQ(slurp(box_), before);
}

TEST_F(MboxTest, FailedWriteIsTruncatedAway) {
  ASSERT_TRUE(put("a@b", "x\n").ok());
  auto before = slurp(box_);
  pid_t child = ::fork();
  if (child == 0) {  // a file size limit makes the write fail half way
    ::signal(SIGXFSZ, SIG_IGN);
    struct rlimit rl {
      before.size() + 64, before.size() + 64
    };
    ::setrlimit(RLIMIT_FSIZE, &rl);
    MboxFailure f;
    auto s = put("a@b", std::string(5000, 'z') + "\n", &f);
    ::_exit(!s.ok() && f.dsn == "5.2.2" ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_EQ(slurp(box_), before);
}

TEST_F(MboxTest, RefusesSymlinksAndWrongOwner) {
  fs::create_symlink(root_ / "elsewhere", box_);
  EXPECT_FALSE(put("a@b", "x\n").ok());
  EXPECT_FALSE(fs::exists(root_ / "elsewhere"));
  fs::remove(box_);
  options_.owner_uid = ::getuid() + 1;
  options_.owner_gid = ::getgid();
  std::ofstream(box_) << "";
  EXPECT_FALSE(put("a@b", "x\n").ok());
}

TEST_F(MboxTest, DebianMailReadsIt) {
  if (::access("/usr/bin/mail", X_OK) != 0) GTEST_SKIP() << "bsd-mailx is not installed";
  options_.now = 0;
  ASSERT_TRUE(
      put("alice@example.org", "From: Alice <alice@example.org>\nSubject: first one\n\nFrom me\n")
          .ok());
  ASSERT_TRUE(put("", "From: MAILER-DAEMON\nSubject: bounce two\n\nbody\n").ok());
  // bsd-mailx prints its header summary on start; "x" quits without changing the file.
  std::string cmd = "printf 'x\\n' | HOME=" + root_.string() +
                    " MAILRC=/dev/null /usr/bin/mail -f " + box_.string() + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[512];
  while (size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  ::pclose(p);
  EXPECT_NE(out.find("2 messages"), std::string::npos) << out;
  EXPECT_NE(out.find("alice@example.org"), std::string::npos) << out;
  EXPECT_NE(out.find("first one"), std::string::npos) << out;
  EXPECT_NE(out.find("MAILER-DAEMON"), std::string::npos) << out;
  EXPECT_NE(out.find("bounce two"), std::string::npos) << out;
}
