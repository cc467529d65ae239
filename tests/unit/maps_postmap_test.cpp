// postmap, postalias and newaliases run as commands: compile to FILE.lmdb, -q exit
// statuses and output, -s, -i, warnings, and newaliases over alias_database.
#include "maps/map.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "cli/commands.hpp"
#include "maps/lmdb_map.hpp"
#include "maps_test_support.hpp"

using namespace correio;
using correio::maps::testing::TempDirTest;

namespace {

// Runs `main` with `args` (argv[0] first); returns the exit status.
int run(int (*main)(int, char**), std::vector<std::string> args) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int status = main(static_cast<int>(args.size()), argv.data());
  std::fflush(stdout);
  return status;
}

}  // namespace

class PostmapTest : public TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    write("main.cf", "alias_database = hash:" + (root_ / "aliases").string() +
                         ", lmdb:" + (root_ / "more").string() + " texthash:/nonexistent\n");
  }
  std::string lookup(const std::string& spec, const std::string& key) {
    auto map = maps::open_map(spec);
    EXPECT_TRUE(map.ok()) << map.error().message;
    if (!map.ok()) return "(error)";
    auto v = (*map)->lookup(key);
    return v.ok() && *v ? **v : "(none)";
  }
  std::string dir() const { return root_.string(); }
};

TEST_F(PostmapTest, CompilesAndQueries) {
  std::string src = write("virtual", "Alice@Example.com alice\n# c\nbob bob@x\n  more\n");
  EXPECT_EQ(run(cli::postmap_main, {"postmap", "-c", dir(), src}), 0);
  EXPECT_EQ(lookup("hash:" + src, "alice@example.com"), "alice");
  EXPECT_EQ(lookup("lmdb:" + src, "bob"), "bob@x  more");  // continuation kept as is

  ::testing::internal::CaptureStdout();
  EXPECT_EQ(run(cli::postmap_main, {"postmap", "-c", dir(), "-q", "ALICE@example.com", src}), 0);
  EXPECT_EQ(::testing::internal::GetCapturedStdout(), "alice\n");
  EXPECT_EQ(run(cli::postmap_main, {"postmap", "-c", dir(), "-q", "nobody", "hash:" + src}), 1);

  ::testing::internal::CaptureStdout();
  EXPECT_EQ(run(cli::postmap_main, {"postmap", "-c" + dir(), "-s", src}), 0);
  EXPECT_EQ(::testing::internal::GetCapturedStdout(),
            "alice@example.com\talice\nbob\tbob@x  more\n");
}

TEST_F(PostmapTest, WarningsFatalsAndUsage) {
  std::string src = write("t", "good 1\nbad\n");
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(run(cli::postmap_main, {"postmap", "-c", dir(), src}), 0);
  EXPECT_EQ(::testing::internal::GetCapturedStderr(),
            "postmap: warning: " + src + ", line 2: expected format: key whitespace value\n");
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(run(cli::postmap_main, {"postmap", "-c", dir(), dir() + "/missing"}), 1);
  EXPECT_EQ(::testing::internal::GetCapturedStderr(),
            "postmap: fatal: open " + dir() + "/missing: No such file or directory\n");
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(run(cli::postmap_main, {"postmap", "-c", dir(), "texthash:" + src}), 1);
  EXPECT_EQ(run(cli::postmap_main, {"postmap"}), 1);
  EXPECT_EQ(run(cli::postmap_main, {"postmap", "-x", src}), 1);
  ::testing::internal::GetCapturedStderr();
  // -q works on any type, including texthash and inline.
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(run(cli::postmap_main, {"postmap", "-c", dir(), "-q", "good", "texthash:" + src}), 0);
  EXPECT_EQ(run(cli::postmap_main, {"postmap", "-q", "k", "inline:{k=v}"}), 0);
  EXPECT_EQ(::testing::internal::GetCapturedStdout(), "1\nv\n");
}

TEST_F(PostmapTest, PostaliasKeepsIncludeAndCommandsVerbatim) {
  std::string src =
      write("aliases", "postmaster: root\nlist: :include:/etc/list,\n  |\"/usr/bin/x y\"\n");
  EXPECT_EQ(run(cli::postalias_main, {"postalias", "-c", dir(), src}), 0);
  EXPECT_EQ(lookup("hash:" + src, "list"), ":include:/etc/list, |\"/usr/bin/x y\"");
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(run(cli::postalias_main, {"postalias", "-c", dir(), "-q", "postmaster", src}), 0);
  EXPECT_EQ(::testing::internal::GetCapturedStdout(), "root\n");
}

TEST_F(PostmapTest, NewaliasesBuildsEveryDatabaseTable) {
  write("aliases", "root: bob\n");
  write("more", "abuse: carol\n");
  EXPECT_EQ(run(cli::newaliases_main, {"newaliases", "-c", dir()}), 0);
  EXPECT_EQ(lookup("hash:" + dir() + "/aliases", "root"), "bob");
  EXPECT_EQ(lookup("lmdb:" + dir() + "/more", "abuse"), "carol");
}

TEST_F(PostmapTest, DefaultDatabaseTypeAndNoTempFilesLeft) {
  write("main.cf", "default_database_type = lmdb\n");
  std::string src = write("t", "k v\n");
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(run(cli::postmap_main, {"postmap", "-c", dir(), src}), 0);
  ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(lookup("lmdb:" + src, "k"), "v");
  for (const auto& e : std::filesystem::directory_iterator(root_))
    EXPECT_EQ(e.path().filename().string().find(".tmp."), std::string::npos) << e.path();
}
