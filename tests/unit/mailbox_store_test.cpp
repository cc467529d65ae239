// The mailbox store end to end on a real Maildir: deliveries into new/, UIDs, flags,
// several sessions on one folder, append/copy/move/expunge, the index's rebuild and crash
// rules, folders and subscriptions, and the time to open a 10,000-message folder.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <regex>

#include "mailbox/mailbox.hpp"
#include "mailbox/uidlist.hpp"
#include "mailbox_test_support.hpp"
#include "store/maildir.hpp"

using namespace correio::mailbox;
namespace store = correio::store;
namespace fs = std::filesystem;

namespace {

class MailboxStoreTest : public mailbox_test::TempRoot {
 protected:
  MailUser user() {
    auto u = MailUser::open(root_);
    EXPECT_TRUE(u) << (u ? "" : u.error().message);
    return std::move(*u);
  }
  std::unique_ptr<Mailbox> open(MailUser& u, std::string_view name, bool ro = false) {
    auto b = u.open_mailbox(name, ro);
    EXPECT_TRUE(b) << (b ? "" : b.error().message);
    return std::move(*b);
  }
  void deliver(const fs::path& maildir, const std::string& text) {
    auto r = store::deliver_to_maildir(maildir, "", {text}, {"test.host", 0});
    ASSERT_TRUE(r) << r.error().message;
  }
  static SyncChanges sync(Mailbox& b) {
    auto c = b.sync();
    EXPECT_TRUE(c) << (c ? "" : c.error().message);
    return c ? *c : SyncChanges{};
  }
  // Makes the index's directory stamps trustworthy by ageing the directories.
  void age(const fs::path& dir) {
    for (const char* sub : {"new", "cur"}) {
      struct timespec ts[2] = {{::time(nullptr) - 10, 0}, {::time(nullptr) - 10, 0}};
      ::utimensat(AT_FDCWD, (dir / sub).c_str(), ts, 0);
    }
  }
};

TEST_F(MailboxStoreTest, DeliveredMessagesGetUidsAndMoveToCur) {
  MailUser u = user();
  deliver(root_, "Subject: one\n\nbody\n");
  deliver(root_, "Subject: two\n\nbody\n");
  auto box = open(u, "INBOX");
  SyncChanges c = sync(*box);
  ASSERT_EQ(c.added.size(), 2u);
  const auto& msgs = box->messages();
  ASSERT_EQ(msgs.size(), 2u);
  EXPECT_EQ(msgs[0].uid, 1u);
  EXPECT_EQ(msgs[1].uid, 2u);
  EXPECT_TRUE(msgs[0].recent);
  EXPECT_EQ(msgs[0].size, 19u);
  EXPECT_EQ(msgs[0].vsize, 22u);
  EXPECT_TRUE(msgs[0].file.starts_with("cur/")) << msgs[0].file;
  EXPECT_TRUE(msgs[0].file.ends_with(":2,"));
  EXPECT_GT(msgs[0].internal_date, 0);
  EXPECT_GT(box->uid_validity(), 0u);
  EXPECT_EQ(box->uid_next(), 3u);
  EXPECT_TRUE(fs::is_empty(root_ / "new"));
  auto text = box->read_message(2);
  ASSERT_TRUE(text);
  EXPECT_EQ(*text, "Subject: two\n\nbody\n");

  auto uidlist = parse_uidlist(slurp(root_ / "dovecot-uidlist"));
  ASSERT_TRUE(uidlist);
  EXPECT_EQ(uidlist->uid_validity, box->uid_validity());
  EXPECT_EQ(uidlist->records.size(), 2u);

  // A second session sees the same UIDs, but \Recent went to the first.
  auto other = open(u, "INBOX");
  sync(*other);
  ASSERT_EQ(other->messages().size(), 2u);
  EXPECT_FALSE(other->messages()[0].recent);
  EXPECT_EQ(other->uid_validity(), box->uid_validity());
}

TEST_F(MailboxStoreTest, FlagsAndKeywordsLiveInFileNames) {
  MailUser u = user();
  auto box = open(u, "INBOX");
  auto uid = box->append("Subject: x\r\n\r\nhi\r\n", Flags{kSeen, {"$Forwarded"}});
  ASSERT_TRUE(uid) << uid.error().message;
  sync(*box);
  auto r =
      box->store_flags(std::vector<uint32_t>{*uid}, StoreMode::kAdd, Flags{kFlagged, {"Work"}});
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->changed.size(), 1u);
  const MessageInfo* m = box->find(*uid);
  ASSERT_NE(m, nullptr);
  EXPECT_TRUE(std::regex_search(m->file, std::regex(":2,FSab$"))) << m->file;
  EXPECT_EQ(slurp(root_ / "dovecot-keywords"), "0 $Forwarded\n1 Work\n");
  EXPECT_TRUE(m->flags.has_keyword("work"));
  uint64_t after_store = m->modseq;

  // UNCHANGEDSINCE below the current modseq fails the message (RFC 7162).
  auto f = box->store_flags(std::vector<uint32_t>{*uid}, StoreMode::kRemove, Flags{kSeen, {}},
                            after_store - 1);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->failed, std::vector<uint32_t>{*uid});
  auto g = box->store_flags(std::vector<uint32_t>{*uid}, StoreMode::kReplace, Flags{kDeleted, {}},
                            after_store);
  ASSERT_TRUE(g);
  EXPECT_TRUE(g->failed.empty());
  EXPECT_TRUE(box->find(*uid)->file.ends_with(":2,T"));
  EXPECT_GT(box->find(*uid)->modseq, after_store);
}

TEST_F(MailboxStoreTest, SessionsSeeEachOthersChanges) {
  MailUser u = user();
  auto a = open(u, "INBOX");
  auto b = open(u, "INBOX");
  deliver(root_, "m1\n");
  sync(*a);
  sync(*b);
  ASSERT_EQ(b->messages().size(), 1u);
  uint32_t uid = a->messages()[0].uid;

  ASSERT_TRUE(a->store_flags(std::vector<uint32_t>{uid}, StoreMode::kAdd, Flags{kSeen, {}}));
  SyncChanges c = sync(*b);
  EXPECT_EQ(c.flags_changed, std::vector<uint32_t>{uid});
  EXPECT_TRUE(b->messages()[0].flags.has(kSeen));

  auto appended = b->append("m2\n", {});
  ASSERT_TRUE(appended);
  c = sync(*a);
  EXPECT_EQ(c.added, std::vector<uint32_t>{*appended});

  auto gone = a->expunge(std::vector<uint32_t>{uid});
  ASSERT_TRUE(gone);
  EXPECT_EQ(*gone, std::vector<uint32_t>{uid});
  c = sync(*b);
  EXPECT_EQ(c.expunged, std::vector<uint32_t>{uid});
  ASSERT_EQ(b->messages().size(), 1u);
  auto vanished = b->expunged_since(0);
  ASSERT_TRUE(vanished);
  EXPECT_EQ(*vanished, std::vector<uint32_t>{uid});
  // A session reading a message whose flags another session changed still finds it.
  ASSERT_TRUE(
      a->store_flags(std::vector<uint32_t>{*appended}, StoreMode::kAdd, Flags{kAnswered, {}}));
  auto text = b->read_message(*appended);
  ASSERT_TRUE(text) << text.error().message;
  EXPECT_EQ(*text, "m2\n");
}

// find() looks near uid - first uid before it searches: right with gaps of every size
// (one expunged message, a run of them, the first and the last gone) and for UIDs that
// are not there.
TEST_F(MailboxStoreTest, FindsEveryUidAcrossExpungedGaps) {
  MailUser u = user();
  auto box = open(u, "INBOX");
  std::vector<uint32_t> uids;
  for (int i = 0; i < 40; ++i) {
    auto uid = box->append("m" + std::to_string(i) + "\n", {});
    ASSERT_TRUE(uid);
    uids.push_back(*uid);
  }
  std::vector<uint32_t> gone{uids[0],  uids[5],  uids[20], uids[21], uids[22], uids[23],
                             uids[24], uids[25], uids[26], uids[27], uids[28], uids[39]};
  sync(*box);
  auto expunged = box->expunge(gone);
  ASSERT_TRUE(expunged);
  ASSERT_EQ(*expunged, gone);
  auto other = open(u, "INBOX");  // a session that never saw the expunged messages
  sync(*other);
  ASSERT_EQ(other->messages().size(), uids.size() - gone.size());
  for (uint32_t uid = 0; uid <= uids.back() + 3; ++uid) {
    bool kept = std::find(uids.begin(), uids.end(), uid) != uids.end() &&
                std::find(gone.begin(), gone.end(), uid) == gone.end();
    const MessageInfo* m = other->find(uid);
    if (kept) {
      ASSERT_NE(m, nullptr) << uid;
      EXPECT_EQ(m->uid, uid);
    } else {
      EXPECT_EQ(m, nullptr) << uid;
    }
  }
}

TEST_F(MailboxStoreTest, CopyAndMoveKeepFlagsAndReportUidPairs) {
  MailUser u = user();
  ASSERT_TRUE(u.create_folder("Work"));
  auto inbox = open(u, "INBOX");
  auto work = open(u, "Work");
  ASSERT_TRUE(inbox->append("a\n", Flags{kSeen, {"Important"}}));
  ASSERT_TRUE(inbox->append("b\n", Flags{kFlagged, {}}));
  sync(*inbox);
  auto pairs = inbox->copy_to(std::vector<uint32_t>{1, 2, 99}, *work);
  ASSERT_TRUE(pairs) << pairs.error().message;
  ASSERT_EQ(pairs->size(), 2u);
  EXPECT_EQ((*pairs)[0], std::make_pair(1u, 1u));
  sync(*work);
  ASSERT_EQ(work->messages().size(), 2u);
  EXPECT_TRUE(work->messages()[0].flags.has(kSeen));
  EXPECT_TRUE(work->messages()[0].flags.has_keyword("Important"));
  EXPECT_EQ(work->messages()[0].internal_date, inbox->messages()[0].internal_date);
  struct stat s1 {
  }, s2{};
  ::stat((inbox->path() / inbox->messages()[0].file).c_str(), &s1);
  ::stat((work->path() / work->messages()[0].file).c_str(), &s2);
  EXPECT_EQ(s1.st_ino, s2.st_ino);  // a hard link, as Dovecot copies

  auto moved = work->move_to(std::vector<uint32_t>{2}, *inbox);
  ASSERT_TRUE(moved);
  EXPECT_EQ((*moved)[0], std::make_pair(2u, 3u));
  EXPECT_EQ(work->messages().size(), 1u);
  SyncChanges c = sync(*inbox);
  EXPECT_EQ(c.added, std::vector<uint32_t>{3});
  EXPECT_TRUE(inbox->find(3)->flags.has(kFlagged));
}

TEST_F(MailboxStoreTest, IndexIsRebuiltWhenDeletedOrCorrupt) {
  MailUser u = user();
  uint32_t validity = 0;
  {
    auto box = open(u, "INBOX");
    ASSERT_TRUE(box->append("a\n", Flags{kSeen, {"k1"}}));
    ASSERT_TRUE(box->append("b\n", {}));
    sync(*box);
    validity = box->uid_validity();
    ASSERT_TRUE(box->cache_put(1, "envelope", "(NIL)"));
    auto got = box->cache_get(1, "envelope");
    ASSERT_TRUE(got && *got);
    EXPECT_EQ(**got, "(NIL)");
  }
  fs::remove(root_ / "correio-index.lmdb");
  fs::remove(root_ / "correio-index.lmdb-lock");
  {
    auto box = open(u, "INBOX");
    sync(*box);
    ASSERT_EQ(box->messages().size(), 2u);
    EXPECT_EQ(box->uid_validity(), validity);
    EXPECT_TRUE(box->messages()[0].flags.has_keyword("k1"));
    bool complete = true;
    ASSERT_TRUE(box->expunged_since(1, &complete));
    EXPECT_FALSE(complete);
  }
  spit(root_ / "correio-index.lmdb", std::string(8192, 'x'));
  fs::remove(root_ / "correio-index.lmdb-lock");
  auto box = open(u, "INBOX");
  sync(*box);
  EXPECT_EQ(box->messages().size(), 2u);
}

TEST_F(MailboxStoreTest, CrashAfterRenameBeforeIndexUpdateIsRepaired) {
  MailUser u = user();
  auto box = open(u, "INBOX");
  ASSERT_TRUE(box->append("a\n", {}));
  sync(*box);
  age(root_);
  sync(*box);  // records trustworthy stamps
  uint64_t before = box->messages()[0].modseq;
  // What a crash between the rename and the index transaction leaves: the file has the
  // new flags, the index the old ones.
  fs::path p = box->path() / box->messages()[0].file;
  fs::path renamed = p.string() + "S";
  fs::rename(p, renamed);
  auto other = open(u, "INBOX");
  sync(*other);
  ASSERT_EQ(other->messages().size(), 1u);
  EXPECT_TRUE(other->messages()[0].flags.has(kSeen));
  EXPECT_GT(other->messages()[0].modseq, before);
  SyncChanges c = sync(*box);
  EXPECT_EQ(c.flags_changed, std::vector<uint32_t>{1});
}

TEST_F(MailboxStoreTest, UnchangedFolderSyncReadsNoDirectory) {
  MailUser u = user();
  auto box = open(u, "INBOX");
  ASSERT_TRUE(box->append("a\n", {}));
  sync(*box);
  age(root_);
  sync(*box);
  // Hide a file from readdir's point of view: if sync scanned, it would expunge it.
  fs::path p = box->path() / box->messages()[0].file;
  fs::path hidden = root_ / "hidden";
  // Put cur/'s mtime back exactly as the index recorded it (not "now - 10" again, which
  // differs when a second boundary passes in between).
  struct stat before {};
  ASSERT_EQ(::stat((root_ / "cur").c_str(), &before), 0);
  fs::rename(p, hidden);
  struct timespec ts[2] = {before.st_mtim, before.st_mtim};
  ::utimensat(AT_FDCWD, (root_ / "cur").c_str(), ts, 0);
  SyncChanges c = sync(*box);
  EXPECT_TRUE(c.expunged.empty());
  EXPECT_EQ(box->messages().size(), 1u);
  fs::rename(hidden, p);
}

TEST_F(MailboxStoreTest, FoldersSpecialUseAndSubscriptions) {
  MailUser u = user();
  auto list = u.list_folders();
  ASSERT_TRUE(list);
  std::map<std::string, FolderInfo> by_name;
  for (const auto& f : *list) by_name[f.name] = f;
  EXPECT_EQ((*list)[0].name, "INBOX");
  EXPECT_EQ(by_name["Sent"].special_use, "\\Sent");
  EXPECT_EQ(by_name["Trash"].special_use, "\\Trash");
  EXPECT_TRUE(fs::exists(root_ / ".Drafts" / "maildirfolder"));
  EXPECT_TRUE(fs::exists(root_ / ".Drafts" / "dovecot-uidlist"));

  ASSERT_TRUE(u.create_folder("Projects.2024"));
  EXPECT_FALSE(u.create_folder("Projects.2024"));
  EXPECT_FALSE(u.create_folder("a/b"));
  EXPECT_FALSE(u.create_folder("a..b"));
  EXPECT_FALSE(u.create_folder(".a"));
  list = u.list_folders();
  by_name.clear();
  for (const auto& f : *list) by_name[f.name] = f;
  EXPECT_FALSE(by_name["Projects"].exists);  // \NonExistent parent
  EXPECT_TRUE(by_name["Projects"].has_children);
  EXPECT_FALSE(by_name["Projects.2024"].has_children);

  ASSERT_TRUE(u.create_folder("Projects.2024.Q1"));
  ASSERT_TRUE(u.rename_folder("Projects.2024", "Old.2024"));
  EXPECT_TRUE(fs::exists(root_ / ".Old.2024.Q1"));
  EXPECT_FALSE(fs::exists(root_ / ".Projects.2024"));
  ASSERT_TRUE(u.delete_folder("Old.2024"));
  EXPECT_TRUE(fs::exists(root_ / ".Old.2024.Q1"));  // children stay
  EXPECT_FALSE(u.delete_folder("INBOX"));

  ASSERT_TRUE(u.subscribe("Sent"));
  ASSERT_TRUE(u.subscribe("inbox"));
  ASSERT_TRUE(u.subscribe("Old.2024.Q1"));
  ASSERT_TRUE(u.unsubscribe("Sent"));
  EXPECT_EQ(slurp(root_ / "subscriptions"), "V\t2\n\nINBOX\nOld\t2024\tQ1\n");
  auto subs = u.subscriptions();
  ASSERT_TRUE(subs);
  EXPECT_EQ(*subs, (std::vector<std::string>{"INBOX", "Old.2024.Q1"}));
}

TEST_F(MailboxStoreTest, RenamingInboxMovesItsMessages) {
  MailUser u = user();
  deliver(root_, "a\n");
  deliver(root_, "b\n");
  ASSERT_TRUE(u.rename_folder("INBOX", "Saved"));
  auto inbox = open(u, "INBOX");
  sync(*inbox);
  EXPECT_TRUE(inbox->messages().empty());
  auto saved = open(u, "Saved");
  sync(*saved);
  EXPECT_EQ(saved->messages().size(), 2u);
}

TEST_F(MailboxStoreTest, StatusCountsWithoutSelecting) {
  MailUser u = user();
  auto box = open(u, "Sent");
  ASSERT_TRUE(box->append("a\n", Flags{kSeen, {}}));
  ASSERT_TRUE(box->append("bb\n", {}));
  deliver(root_ / ".Sent", "ccc\n");
  auto st = u.status("Sent");
  ASSERT_TRUE(st) << st.error().message;
  EXPECT_EQ(st->messages, 3u);
  EXPECT_EQ(st->unseen, 2u);
  EXPECT_EQ(st->recent, 3u);
  EXPECT_EQ(st->uid_next, 4u);
  EXPECT_EQ(st->vsize, 3u + 4u + 5u);
  EXPECT_GT(st->highest_modseq, 0u);
  EXPECT_FALSE(u.status("Nope"));
}

TEST_F(MailboxStoreTest, TenThousandMessagesOpenFast) {
  MailUser u = user();
  // Deliveries straight into cur/ with Dovecot's names, plus a uidlist: what a large
  // folder looks like on disk.
  fs::path cur = root_ / "cur";
  std::string uidlist = "3 V1700000000 N10001 G0123456789abcdef0123456789abcdef\n";
  for (int i = 1; i <= 10000; ++i) {
    std::string base = "17000" + std::to_string(10000 + i) + ".M1P1.host,S=10,W=11";
    spit(cur / (base + ":2,S"), "Subject: \n");
    uidlist += std::to_string(i) + " :" + base + "\n";
  }
  spit(root_ / "dovecot-uidlist", uidlist);
  using clock = std::chrono::steady_clock;
  auto t0 = clock::now();
  auto first = open(u, "INBOX");
  sync(*first);
  auto t1 = clock::now();
  age(root_);
  sync(*first);  // trusted stamps
  auto t2 = clock::now();
  auto box = open(u, "INBOX");
  sync(*box);
  auto t3 = clock::now();
  SyncChanges again = sync(*box);
  auto t4 = clock::now();
  ASSERT_EQ(box->messages().size(), 10000u);
  EXPECT_TRUE(again.added.empty());
  auto ms = [](auto d) { return std::chrono::duration<double, std::milli>(d).count(); };
  std::printf(
      "10,000 messages: first scan + index build %.1f ms, rescan %.1f ms, open+sync from the "
      "index %.1f ms, unchanged sync %.3f ms\n",
      ms(t1 - t0), ms(t2 - t1), ms(t3 - t2), ms(t4 - t3));
}

}  // namespace
