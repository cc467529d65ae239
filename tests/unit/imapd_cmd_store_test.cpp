// STORE and UID STORE (RFC 9051 §6.4.6, RFC 7162 UNCHANGEDSINCE) over a real session.
#include <gtest/gtest.h>

#include "imapd/store_args.hpp"
#include "imapd_transcript.hpp"

namespace correio::imapd {
namespace {

using testing::Transcript;

TEST(ImapStoreArgs, ParsesModesSilentAndUnchangedSince) {
  Parser p("1:3 (UNCHANGEDSINCE 7) -FLAGS.SILENT (\\Seen $Work)");
  auto args = parse_store_args(p);
  ASSERT_TRUE(args) << args.error().message;
  EXPECT_EQ(args->unchanged_since, 7u);
  EXPECT_EQ(args->mode, mailbox::StoreMode::kRemove);
  EXPECT_TRUE(args->silent);
  EXPECT_TRUE(args->flags.has(mailbox::kSeen));
  EXPECT_TRUE(args->flags.has_keyword("$Work"));
  for (std::string_view bad :
       {"1", "1 FLAGS", "1 +FLAGZ (\\Seen)", "1 (UNCHANGEDSINCE) FLAGS ()", "1 FLAGS (\\Seen) x"}) {
    Parser q(bad);
    EXPECT_FALSE(parse_store_args(q)) << bad;
  }
}

TEST(ImapStore, AddRemoveReplaceAndSilent) {
  Transcript t;
  t.deliver("Subject: one\n\nx\n");
  t.deliver("Subject: two\n\ny\n");
  t.connect_and_login();
  // RFC 9051 §6.4.6's example: the new flags come back in untagged FETCH responses.
  EXPECT_EQ(t.run(R"(C: a1 SELECT INBOX
S~ a1 OK [READ-WRITE] {*}
C: a2 STORE 1:2 +FLAGS (\Deleted)
S: * 1 FETCH (FLAGS (\Deleted \Recent))
S: * 2 FETCH (FLAGS (\Deleted \Recent))
S: a2 OK Store completed.
C: a3 STORE 2 -FLAGS (\Deleted)
S: * 2 FETCH (FLAGS (\Recent))
S: a3 OK Store completed.
C: a4 STORE 1 FLAGS.SILENT (\Seen \Flagged)
S: a4 OK Store completed.
C: a5 UID STORE 2 +FLAGS (\Answered)
S: * 2 FETCH (UID 2 FLAGS (\Answered \Recent))
S: a5 OK Store completed.
C: a6 FETCH 1 FLAGS
S: * 1 FETCH (FLAGS (\Seen \Flagged \Recent))
S: a6 OK Fetch completed.
)"),
            "");
}

TEST(ImapStore, KeywordsAndBadArguments) {
  Transcript t;
  t.deliver("Subject: one\n\nx\n");
  t.connect_and_login();
  EXPECT_EQ(t.run(R"(C: a1 SELECT INBOX
S~ a1 OK [READ-WRITE] {*}
C: a2 STORE 1 +FLAGS.SILENT ($Important)
S~ a2 OK Store completed.
C: a3 FETCH 1 FLAGS
S: * 1 FETCH (FLAGS (\Recent $Important))
S: a3 OK Fetch completed.
C: a4 STORE 1 +FLAGS (\Bogus)
S: a4 BAD Error in IMAP command STORE: Invalid system flag \BOGUS
C: a4b STORE 1 +FLAGS (\Recent)
S: a4b BAD Error in IMAP command STORE: Invalid system flag \RECENT
C: a5 STORE 1 PLUSFLAGS (\Seen)
S: a5 BAD {*}
C: a6 STORE 3 +FLAGS (\Seen)
S: a6 BAD {*}
)"),
            "");
}

TEST(ImapStore, UnchangedSinceFailsWithModified) {
  Transcript t;
  t.deliver("Subject: one\n\nx\n");
  t.connect_and_login();
  // RFC 7162 §3.1.3: a message changed after UNCHANGEDSINCE is not stored; its number is
  // in the MODIFIED response code.
  EXPECT_EQ(t.run(R"(C: a1 SELECT INBOX (CONDSTORE)
S~ a1 OK [READ-WRITE] {*}
C: a2 STORE 1 (UNCHANGEDSINCE 0) +FLAGS (\Seen)
S: a2 OK [MODIFIED 1] Conditional STORE failed.
C: a3 FETCH 1 (FLAGS)
S: * 1 FETCH (FLAGS (\Recent) MODSEQ ({*}))
S: a3 OK Fetch completed.
)"),
            "");
}

}  // namespace
}  // namespace correio::imapd
