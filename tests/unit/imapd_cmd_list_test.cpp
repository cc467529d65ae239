// LIST and LSUB (RFC 9051 §6.3.9, RFC 5258 LIST-EXTENDED, RFC 6154 SPECIAL-USE, RFC 5819
// LIST-STATUS) over a real session.
#include <gtest/gtest.h>

#include "imapd/list_args.hpp"
#include "imapd/list_response.hpp"
#include "imapd_transcript.hpp"

namespace correio::imapd {
namespace {

using testing::Transcript;

TEST(ImapListResponse, QuotesNamesAndAddsChildInfo) {
  // RFC 9051 §7.3.1: the name is an astring (quoted when it holds a space); RFC 5258
  // §3.5: CHILDINFO as an extended data item.
  EXPECT_EQ(list_response({"Work", "\\HasNoChildren", true, false}),
            "LIST (\\HasNoChildren) \".\" Work");
  EXPECT_EQ(list_response({"My Stuff", "\\NonExistent", false, true}),
            "LIST (\\NonExistent) \".\" \"My Stuff\" (CHILDINFO (\"SUBSCRIBED\"))");
  EXPECT_EQ(lsub_response({"Old", "\\Noselect"}), "LSUB (\\Noselect) \".\" Old");
  EXPECT_EQ(list_root_response(), "LIST (\\Noselect) \".\" \"\"");
}

TEST(ImapListArgs, ParsesSelectionPatternsAndReturnOptions) {
  // RFC 5258 §6's example form, with RFC 5819 STATUS.
  Parser p(
      R"((SUBSCRIBED RECURSIVEMATCH) "" ("INBOX" "Work.%") RETURN (CHILDREN STATUS (MESSAGES)))");
  auto args = parse_list_args(p);
  ASSERT_TRUE(args) << args.error().message;
  EXPECT_TRUE(args->request.extended);
  EXPECT_TRUE(args->request.select_subscribed);
  EXPECT_TRUE(args->request.recursive_match);
  EXPECT_TRUE(args->request.return_children);
  EXPECT_EQ(args->request.patterns, (std::vector<std::string>{"INBOX", "Work.%"}));
  EXPECT_EQ(args->status_items, (std::vector<std::string>{"MESSAGES"}));
  Parser plain(R"("" *)");
  auto simple = parse_list_args(plain);
  ASSERT_TRUE(simple);
  EXPECT_FALSE(simple->request.extended);
  // RECURSIVEMATCH alone is an error (RFC 5258 §3.1).
  for (std::string_view bad : {"(RECURSIVEMATCH) \"\" *", "\"\"", "(BOGUS) \"\" *",
                               "\"\" * RETURN (BOGUS)", "\"\" * extra"}) {
    Parser q(bad);
    EXPECT_FALSE(parse_list_args(q)) << bad;
  }
}

TEST(ImapList, HierarchyAndSpecialUse) {
  Transcript t;
  ASSERT_TRUE(t.user().create_folder("Work"));
  ASSERT_TRUE(t.user().create_folder("Work.2026"));
  t.connect_and_login();
  // RFC 9051 §6.3.9: an empty name asks for the delimiter.
  EXPECT_EQ(t.run(R"(C: a1 LIST "" ""
S: * LIST (\Noselect) "." ""
S: a1 OK List completed.
C: a2 LIST "" "Work*"
S: * LIST (\HasChildren) "." Work
S: * LIST (\HasNoChildren) "." Work.2026
S: a2 OK List completed.
C: a3 LIST "" "Work.%"
S: * LIST (\HasNoChildren) "." Work.2026
S: a3 OK List completed.
C: a4 LIST (SPECIAL-USE) "" "*"
S: * LIST (\Archive) "." Archive
S: * LIST (\Drafts) "." Drafts
S: * LIST (\Junk) "." Junk
S: * LIST (\Sent) "." Sent
S: * LIST (\Trash) "." Trash
S: a4 OK List completed.
)"),
            "");
}

TEST(ImapList, SubscribedAndStatus) {
  Transcript t;
  ASSERT_TRUE(t.user().create_folder("Work"));
  t.deliver("Subject: x\n\ny\n", "Work");
  t.connect_and_login();
  // RFC 5258 §5 (SUBSCRIBED) and RFC 5819 §2 (RETURN (STATUS ...)).
  EXPECT_EQ(t.run(R"(C: a1 SUBSCRIBE Work
S: a1 OK Subscribe completed.
C: a2 LIST (SUBSCRIBED) "" "W*"
S: * LIST (\Subscribed) "." Work
S: a2 OK List completed.
C: a3 LIST "" Work RETURN (STATUS (MESSAGES UNSEEN))
S: * LIST () "." Work
S: * STATUS Work (MESSAGES 1 UNSEEN 1)
S: a3 OK List completed.
C: a4 LSUB "" "*"
S: * LSUB () "." Work
S: a4 OK Lsub completed.
C: a5 LIST "" "Nothing*"
S: a5 OK List completed.
C: a6 LIST ""
S: a6 BAD {*}
)"),
            "");
}

}  // namespace
}  // namespace correio::imapd
