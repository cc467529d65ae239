// The index follows this process's own changes without rescanning the Maildir (STORE,
// APPEND), a change another process made within the same clock tick is still found by the
// verification scan, and cache puts are committed in batches.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <thread>

#include "mailbox/mailbox.hpp"
#include "mailbox_test_support.hpp"

using namespace correio::mailbox;
namespace fs = std::filesystem;

namespace {

class MailboxOwnChangesTest : public mailbox_test::TempRoot {
 protected:
  void SetUp() override {
    TempRoot::SetUp();
    auto u = MailUser::open(root_);
    ASSERT_TRUE(u) << u.error().message;
    user_.emplace(std::move(*u));
  }
  std::unique_ptr<Mailbox> open() {
    auto b = user_->open_mailbox("INBOX");
    EXPECT_TRUE(b) << (b ? "" : b.error().message);
    return std::move(*b);
  }
  static SyncChanges sync(Mailbox& b) {
    auto c = b.sync();
    EXPECT_TRUE(c) << (c ? "" : c.error().message);
    return c ? *c : SyncChanges{};
  }
  static struct timespec mtime_of(const fs::path& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0);
    return st.st_mtim;
  }
  // Puts a directory's mtime back, as if a change had landed within the same clock tick.
  static void set_mtime(const fs::path& p, struct timespec t) {
    struct timespec ts[2] = {t, t};
    ASSERT_EQ(::utimensat(AT_FDCWD, p.c_str(), ts, 0), 0);
  }
  void age_cur() {
    struct timespec old = {::time(nullptr) - 10, 0};
    set_mtime(root_ / "cur", old);
    set_mtime(root_ / "new", old);
  }
  std::optional<MailUser> user_;
};

TEST_F(MailboxOwnChangesTest, OwnStoreAndAppendNeedNoDirectoryScan) {
  auto box = open();
  auto one = box->append("Subject: one\n\n1\n", {});
  auto two = box->append("Subject: two\n\n2\n", {});
  ASSERT_TRUE(one && two);
  sync(*box);
  age_cur();
  sync(*box);  // a full scan that trusts the aged directories
  ASSERT_EQ(box->messages().size(), 2u);

  ASSERT_TRUE(box->store_flags(std::vector<uint32_t>{*one}, StoreMode::kAdd, Flags{kFlagged, {}}));
  auto three = box->append("Subject: three\n\n3\n", {});
  ASSERT_TRUE(three);
  // Hide message two from readdir and put cur/'s mtime back: a scan would expunge it.
  struct timespec after = mtime_of(root_ / "cur");
  fs::path two_path = box->path() / box->find(*two)->file;
  fs::rename(two_path, root_ / "hidden");
  set_mtime(root_ / "cur", after);

  SyncChanges c = sync(*box);
  EXPECT_TRUE(c.expunged.empty()) << "sync scanned cur/ after its own changes";
  EXPECT_EQ(c.added, std::vector<uint32_t>{*three});
  ASSERT_EQ(box->messages().size(), 3u);
  EXPECT_TRUE(box->find(*one)->flags.has(kFlagged));
  EXPECT_FALSE(box->find(*three)->file.empty());
  EXPECT_NE(box->recheck_at(), 0) << "a recent own change must be verified later";
  fs::rename(root_ / "hidden", two_path);
}

TEST_F(MailboxOwnChangesTest, ForeignChangeInTheSameTickIsFoundByTheVerification) {
  auto box = open();
  auto one = box->append("Subject: one\n\n1\n", {});
  auto two = box->append("Subject: two\n\n2\n", {});
  ASSERT_TRUE(one && two);
  sync(*box);
  age_cur();
  sync(*box);
  ASSERT_TRUE(box->store_flags(std::vector<uint32_t>{*one}, StoreMode::kAdd, Flags{kSeen, {}}));

  // Another program (a Dovecot session, a MUA) sets \Flagged on message two by renaming
  // it, without the uidlist lock, within the same tick: cur/'s mtime does not move.
  struct timespec after = mtime_of(root_ / "cur");
  fs::path from = box->path() / box->find(*two)->file;
  fs::path to = from.string() + "F";
  ASSERT_EQ(from.string().back(), ',');
  fs::rename(from, to);
  set_mtime(root_ / "cur", after);
  sync(*box);
  EXPECT_FALSE(box->find(*two)->flags.has(kFlagged)) << "expected no scan before the check";

  int64_t due = box->recheck_at();
  ASSERT_NE(due, 0);
  while (::time(nullptr) < due) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  SyncChanges c = sync(*box);
  EXPECT_EQ(c.flags_changed, std::vector<uint32_t>{*two});
  EXPECT_TRUE(box->find(*two)->flags.has(kFlagged));
  EXPECT_TRUE(box->find(*one)->flags.has(kSeen));
}

TEST_F(MailboxOwnChangesTest, CachePutsAreCommittedInOneBatch) {
  auto box = open();
  auto one = box->append("Subject: one\n\n1\n", {});
  auto two = box->append("Subject: two\n\n2\n", {});
  ASSERT_TRUE(one && two);
  sync(*box);
  auto other = open();
  sync(*other);

  ASSERT_TRUE(box->cache_put(*one, "envelope", "E1"));
  ASSERT_TRUE(box->cache_put(*two, "envelope", "E2"));
  auto mine = box->cache_get(*one, "envelope");
  ASSERT_TRUE(mine && *mine);
  EXPECT_EQ(**mine, "E1");  // this session sees its own puts at once
  auto theirs = other->cache_get(*one, "envelope");
  ASSERT_TRUE(theirs);
  EXPECT_FALSE(*theirs) << "nothing is committed before flush_cache()";

  // Message two is expunged by the other session before the flush: no entry for it.
  ASSERT_TRUE(other->expunge(std::vector<uint32_t>{*two}));
  ASSERT_TRUE(box->flush_cache());
  theirs = other->cache_get(*one, "envelope");
  ASSERT_TRUE(theirs && *theirs);
  EXPECT_EQ(**theirs, "E1");
  auto gone = other->cache_get(*two, "envelope");
  ASSERT_TRUE(gone);
  EXPECT_FALSE(*gone);
}

}  // namespace

namespace {

// APPEND reads only dovecot-uidlist's header and last line: a header N that lags behind
// the appended records (as Dovecot leaves it) must not give a UID twice.
TEST_F(MailboxOwnChangesTest, AppendTakesTheNextUidFromTheLastRecord) {
  auto box = open();
  ASSERT_TRUE(box->append("Subject: one\n\n1\n", {}));
  sync(*box);
  std::string list = slurp(root_ / "dovecot-uidlist");
  size_t eol = list.find('\n');
  std::string header = list.substr(0, eol);
  std::string rest = list.substr(eol + 1);
  // Dovecot appended uid 9 for a file we also create, without updating N.
  spit(root_ / "cur" / "1700000000.M1P1.host:2,", "Subject: dovecot\n\nx\n");
  spit(root_ / "dovecot-uidlist", header + "\n" + rest + "9 :1700000000.M1P1.host\n");
  auto next = box->append("Subject: two\n\n2\n", {});
  ASSERT_TRUE(next) << next.error().message;
  EXPECT_EQ(*next, 10u);
  sync(*box);
  EXPECT_EQ(box->messages().size(), 3u);
  EXPECT_NE(box->find(9), nullptr);
  EXPECT_NE(box->find(10), nullptr);
}

}  // namespace

namespace {

// The index is written without fsync, so one written in another boot (the machine may
// have crashed) is thrown away and rebuilt; within this boot it is kept.
TEST_F(MailboxOwnChangesTest, IndexFromAnotherBootIsRebuilt) {
  uint32_t uid = 0;
  {
    auto box = open();
    auto one = box->append("Subject: one\n\n1\n", {});
    ASSERT_TRUE(one);
    uid = *one;
    sync(*box);
    ASSERT_TRUE(box->cache_put(uid, "envelope", "E1"));
    ASSERT_TRUE(box->flush_cache());
  }
  fs::path sidecar = root_ / "correio-index.lmdb.boot";
  ASSERT_TRUE(fs::exists(sidecar));
  {
    auto box = open();  // same boot: the cache survives
    sync(*box);
    auto hit = box->cache_get(uid, "envelope");
    ASSERT_TRUE(hit && *hit);
    EXPECT_EQ(**hit, "E1");
  }
  spit(sidecar, "00000000-0000-0000-0000-000000000000");
  {
    auto box = open();  // "another boot": rebuilt from the Maildir, the cache is empty
    sync(*box);
    ASSERT_EQ(box->messages().size(), 1u);
    EXPECT_EQ(box->messages()[0].uid, uid);  // UIDs come from dovecot-uidlist, kept
    auto hit = box->cache_get(uid, "envelope");
    ASSERT_TRUE(hit);
    EXPECT_FALSE(*hit);
  }
  EXPECT_NE(slurp(sidecar), "00000000-0000-0000-0000-000000000000");
}

}  // namespace

namespace {

// Deliveries land in new/ without any lock; one that lands in the same clock tick as the
// previous change leaves new/'s mtime as the index recorded it. Listing new/ while its
// stamp is recent finds it anyway.
TEST_F(MailboxOwnChangesTest, DeliveryInTheSameTickIsFoundByListingNew) {
  auto box = open();
  spit(root_ / "new" / "1700000001.M1P1.host", "Subject: a\n\na\n");
  SyncChanges c = sync(*box);
  ASSERT_EQ(c.added.size(), 1u);  // moved to cur/
  struct timespec recorded = mtime_of(root_ / "new");
  spit(root_ / "new" / "1700000002.M2P1.host", "Subject: b\n\nb\n");
  set_mtime(root_ / "new", recorded);
  c = sync(*box);
  EXPECT_EQ(c.added.size(), 1u) << "the second delivery was not seen";
  EXPECT_EQ(box->messages().size(), 2u);
  EXPECT_NE(box->recheck_at(), 0);
  // Once a listing made after the window finds nothing new, nothing is listed any more.
  for (int round = 0; round < 3 && box->recheck_at() != 0; ++round) {
    int64_t due = box->recheck_at();
    while (::time(nullptr) < due) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    sync(*box);
  }
  EXPECT_EQ(box->recheck_at(), 0);
  EXPECT_EQ(box->messages().size(), 2u);
}

}  // namespace
