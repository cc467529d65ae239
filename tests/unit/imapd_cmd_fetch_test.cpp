// FETCH and UID FETCH over a real session (RFC 9051 §6.4.5, §7.5.2), the FETCH argument
// parser and plan, and the store's cache behind ENVELOPE and BODYSTRUCTURE.
#include <gtest/gtest.h>

#include "imapd/fetch_items.hpp"
#include "imapd/fetch_plan.hpp"
#include "imapd_transcript.hpp"

namespace correio::imapd {
namespace {

using testing::Transcript;

constexpr std::string_view kMessage =
    "From: Alice <alice@example.test>\n"
    "To: bob@example.test\n"
    "Subject: Hello\n"
    "Date: Mon, 7 Dec 2026 10:00:00 +0000\n"
    "Message-ID: <1@example.test>\n"
    "\n"
    "Hi there\n";

TEST(ImapFetchArgs, ParsesItemsAndModifiers) {
  Parser p("1:3,5 (UID FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)]<0.10>) (CHANGEDSINCE 12)");
  auto args = parse_fetch_args(p);
  ASSERT_TRUE(args) << args.error().message;
  ASSERT_EQ(args->items.size(), 3u);
  EXPECT_EQ(args->items[2].label, "BODY[HEADER.FIELDS (SUBJECT)]");
  EXPECT_TRUE(args->items[2].peek);
  ASSERT_TRUE(args->items[2].partial);
  EXPECT_EQ(args->items[2].partial->second, 10u);
  EXPECT_EQ(args->changed_since, 12u);
  EXPECT_FALSE(args->vanished);
}

TEST(ImapFetchArgs, MacrosExpand) {
  // RFC 9051 §6.4.5: FULL = (FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY).
  Parser p("1 FULL");
  auto args = parse_fetch_args(p);
  ASSERT_TRUE(args);
  std::vector<std::string> labels;
  for (const auto& i : args->items) labels.push_back(i.label);
  EXPECT_EQ(labels,
            (std::vector<std::string>{"FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODY"}));
}

TEST(ImapFetchArgs, RefusesWhatTheGrammarDoesNot) {
  for (std::string_view bad :
       {"1", "1 (FLAGS", "1 NOSUCH", "1 FLAGS (CHANGEDSINCE x)", "1 FLAGS (FOO)",
        "1 BINARY[HEADER]", "x FLAGS", "1 FLAGS extra", "1 BODY[1]<0.0>"}) {
    Parser p(bad);
    EXPECT_FALSE(parse_fetch_args(p)) << bad;
  }
}

TEST(ImapFetchPlan, UidFirstModseqAddedSeenOnlyWithoutPeek) {
  Parser p("1 (BODY[TEXT] ENVELOPE)");
  auto args = parse_fetch_args(p);
  ASSERT_TRUE(args);
  FetchPlan plan = plan_fetch(args->items, true, true, false);
  ASSERT_EQ(plan.items.size(), 4u);
  EXPECT_EQ(plan.items.front().label, "UID");    // RFC 9051 §6.4.9
  EXPECT_EQ(plan.items.back().label, "MODSEQ");  // RFC 7162 §3.1.4.1
  EXPECT_TRUE(plan.marks_seen);
  EXPECT_TRUE(plan.needs_message);
  EXPECT_EQ(plan.cached_fields, unsigned{mailbox::kCacheEnvelope});
  EXPECT_FALSE(plan_fetch(args->items, false, false, true).marks_seen);  // EXAMINE
}

TEST(ImapFetch, FlagsEnvelopeAndSections) {
  Transcript t;
  t.deliver(kMessage);
  t.connect_and_login();
  EXPECT_EQ(t.run(R"(C: a1 SELECT INBOX
S~ a1 OK [READ-WRITE] {*}
C: a2 FETCH 1 (FLAGS)
S: * 1 FETCH (FLAGS (\Recent))
S: a2 OK Fetch completed.
C: a3 FETCH 1 ENVELOPE
S: * 1 FETCH (ENVELOPE ("Mon, 7 Dec 2026 10:00:00 +0000" "Hello" (("Alice" NIL "alice" "example.test")) (("Alice" NIL "alice" "example.test")) (("Alice" NIL "alice" "example.test")) ((NIL NIL "bob" "example.test")) NIL NIL NIL "<1@example.test>"))
S: a3 OK Fetch completed.
C: a4 FETCH 1 (BODYSTRUCTURE)
S: * 1 FETCH (BODYSTRUCTURE ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 10 1 NIL NIL NIL NIL))
S: a4 OK Fetch completed.
C: a5 UID FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])
S: * 1 FETCH (UID 1 BODY[HEADER.FIELDS (SUBJECT)] {18}\r\nSubject: Hello\r\n\r\n)
S: a5 OK Fetch completed.
C: a6 FETCH 1 (BODY[TEXT]<0.2>)
S: * 1 FETCH (BODY[TEXT]<0> {2}\r\nHi FLAGS (\Seen \Recent))
S: a6 OK Fetch completed.
C: a7 FETCH 1 RFC822.SIZE
S: * 1 FETCH (RFC822.SIZE 152)
S: a7 OK Fetch completed.
C: a8 FETCH 2 FLAGS
S: a8 BAD {*}Invalid messageset
C: a9 UID FETCH 7 FLAGS
S: a9 OK Fetch completed.
)"),
            "");
}

TEST(ImapFetch, TheStoreCachesWhatFetchAskedFor) {
  Transcript t;
  uint32_t uid = t.deliver(kMessage);
  t.connect_and_login();
  EXPECT_EQ(t.run(R"(C: a1 EXAMINE INBOX
S~ a1 OK [READ-ONLY] {*}
C: a2 FETCH 1 ENVELOPE
S: * 1 FETCH (ENVELOPE ({*}))
S: a2 OK Fetch completed.
C: a3 NOOP
S: a3 OK NOOP completed.
)"),
            "");
  // A miss of ENVELOPE computes BODYSTRUCTURE and the header with it, and the store
  // commits them itself (here when the next command syncs the folder).
  auto box = t.user().open_mailbox("INBOX");
  ASSERT_TRUE(box);
  ASSERT_TRUE((*box)->sync());
  for (std::string_view field : {"envelope", "bodystructure", "header"}) {
    auto hit = (*box)->cache_get(uid, field);
    ASSERT_TRUE(hit);
    EXPECT_TRUE(*hit) << field;
  }
}

TEST(ImapFetch, ColdFolderIsPrefetchedOnThePool) {
  Transcript t;
  constexpr int kCount = 150;  // above the store's batch threshold
  for (int i = 0; i < kCount; ++i)
    t.deliver("Subject: m" + std::to_string(i) + "\nFrom: a@example.test\n\nbody\n");
  t.connect_and_login();
  EXPECT_EQ(t.run("C: a1 EXAMINE INBOX\nS~ a1 OK {*}\nC: a2 FETCH 1:* (BODYSTRUCTURE)"), "");
  std::string expect;
  for (int i = 1; i <= kCount; ++i)
    expect += "S: * " + std::to_string(i) + " FETCH (BODYSTRUCTURE (\"text\" \"plain\"{*}))\n";
  expect += "S: a2 OK Fetch completed.\n";
  EXPECT_EQ(t.run(expect), "");
  // The batch was committed while the FETCH ran, before any later command.
  auto box = t.user().open_mailbox("INBOX");
  ASSERT_TRUE(box);
  ASSERT_TRUE((*box)->sync());
  size_t cached = 0;
  for (const auto& m : (*box)->messages()) {
    auto hit = (*box)->cache_get(m.uid, "envelope");
    if (hit && *hit) ++cached;
  }
  EXPECT_GE(cached, size_t{kCount - 1});
}

}  // namespace
}  // namespace correio::imapd
