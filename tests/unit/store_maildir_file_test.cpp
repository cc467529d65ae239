// store::MaildirFile, the one Maildir writer: the file has no name until link_to(), carries
// the requested mtime, never replaces an existing file, and leaves nothing when dropped.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <string>

#include "store/maildir.hpp"
#include "store/maildir_file.hpp"

namespace correio::store {
namespace {

namespace fs = std::filesystem;

class MaildirFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    md_ = fs::temp_directory_path() /
          ("maildir-file-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(md_);
    ASSERT_TRUE(ensure_maildir(md_).ok());
  }
  void TearDown() override { fs::remove_all(md_); }
  size_t entries() {
    size_t n = 0;
    for (const char* sub : {"cur", "new", "tmp"})
      for ([[maybe_unused]] const auto& e : fs::directory_iterator(md_ / sub)) ++n;
    return n;
  }
  std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
  }
  fs::path md_;
};

TEST_F(MaildirFileTest, UnnamedUntilLinkedWithItsDate) {
  auto file = MaildirFile::write(md_, "cur", "1.M1P1.host", "X: y\n", "body\n", 1000000000);
  ASSERT_TRUE(file.ok()) << file.error().message;
  EXPECT_EQ(entries(), 0u) << "nothing is visible before link_to()";
  fs::path target = md_ / "cur" / "1.M1P1.host,S=10:2,S";
  ASSERT_EQ(file->link_to(target), 0);
  EXPECT_EQ(read(target), "X: y\nbody\n");
  struct stat st {};
  ASSERT_EQ(::stat(target.c_str(), &st), 0);
  EXPECT_EQ(st.st_mtime, 1000000000);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(entries(), 1u);
  EXPECT_EQ(file->link_to(md_ / "cur" / "again"), EEXIST) << "linked once only";
}

TEST_F(MaildirFileTest, NeverReplacesAnExistingFile) {
  fs::path target = md_ / "new" / "taken";
  std::ofstream(target) << "first";
  auto file = MaildirFile::write(md_, "new", "2.M2P2.host", "", "second\n");
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->link_to(target), EEXIST);
  EXPECT_EQ(read(target), "first");
}

TEST_F(MaildirFileTest, DroppedFileLeavesNothingAndMissingMaildirIsENOENT) {
  {
    auto file = MaildirFile::write(md_, "new", "3.M3P3.host", "", "x\n");
    ASSERT_TRUE(file.ok());
  }
  EXPECT_EQ(entries(), 0u);
  int err = 0;
  auto none = MaildirFile::write(md_ / "missing", "new", "4.M4P4.host", "", "x\n", {}, &err);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(err, ENOENT);
}

}  // namespace
}  // namespace correio::store
