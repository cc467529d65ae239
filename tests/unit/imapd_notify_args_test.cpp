// NOTIFY arguments (RFC 5465 §3, §8) and the mailboxes a filter covers.
#include <gtest/gtest.h>

#include "imapd/notify_args.hpp"

namespace correio::imapd {
namespace {

NotifyParse parse(std::string_view text) {
  Parser p(text);
  return parse_notify(p);
}

TEST(ImapNotifyArgs, SetWithEveryFilter) {
  auto n = parse(
      "SET STATUS (SELECTED (MessageNew MessageExpunge FlagChange)) (INBOXES NONE) "
      "(PERSONAL (MailboxName SubscriptionChange)) (SUBSCRIBED (MessageNew MessageExpunge)) "
      "(SUBTREE (Lists \"Work stuff\") (MessageExpunge MessageNew)) (MAILBOXES Sent "
      "(MailboxName))");
  ASSERT_TRUE(n.spec) << n.error;
  EXPECT_TRUE(n.spec->status);
  ASSERT_EQ(n.spec->filters.size(), 6u);
  EXPECT_EQ(n.spec->filters[0].events, kMessageNew | kMessageExpunge | kFlagChange);
  EXPECT_EQ(n.spec->filters[1].events, 0u);
  EXPECT_EQ(n.spec->filters[4].kind, NotifyFilter::Kind::subtree);
  EXPECT_EQ(n.spec->filters[4].mailboxes, (std::vector<std::string>{"Lists", "Work stuff"}));
  EXPECT_EQ(n.spec->filters[5].mailboxes, std::vector<std::string>{"Sent"});
  EXPECT_TRUE(parse("NONE").none);
  EXPECT_TRUE(parse("set (selected (messagenew messageexpunge))").spec);
}

TEST(ImapNotifyArgs, ErrorsAndUnsupportedEvents) {
  for (const char* bad : {"", "NONE x", "SET", "SET ()", "SET (SELECTED)", "SET (ALL (MessageNew))",
                          "SET (SELECTED (MessageNew))",  // without MessageExpunge (§5.2)
                          "SET (SELECTED (FlagChange))", "SET (MAILBOXES (MailboxName))",
                          "SET (SELECTED (MessageNew MessageExpunge)) junk",
                          "SET (SELECTED (MessageNew MessageExpunge)"}) {
    auto n = parse(bad);
    EXPECT_FALSE(n.error.empty()) << bad;
  }
  EXPECT_EQ(parse("SET (SELECTED (MessageNew MessageExpunge AnnotationChange))").bad_event,
            "AnnotationChange");
  EXPECT_EQ(parse("SET (PERSONAL (Bogus))").bad_event, "Bogus");
}

TEST(ImapNotifyArgs, MessageNewFetchAttributesAndMetadataEvents) {
  auto n = parse(
      "SET (SELECTED (MessageNew (UID FLAGS ENVELOPE BODY.PEEK[HEADER.FIELDS (Subject)]) "
      "MessageExpunge)) (PERSONAL (MailboxMetadataChange ServerMetadataChange))");
  ASSERT_TRUE(n.spec) << n.error;
  ASSERT_EQ(n.spec->filters[0].fetch.size(), 4u);
  EXPECT_EQ(n.spec->filters[0].fetch[2].kind, FetchItem::Kind::envelope);
  EXPECT_EQ(n.spec->filters[1].events, kMailboxMetadataChange | kServerMetadataChange);
  EXPECT_EQ(notify_selected_filter(*n.spec), &n.spec->filters[0]);
  // RFC 5465 §5.2: a notification may not set \Seen; a bad fetch-att is a syntax error.
  for (const char* bad : {"SET (SELECTED (MessageNew (BODY[]) MessageExpunge))",
                          "SET (SELECTED (MessageNew (RFC822) MessageExpunge))",
                          "SET (SELECTED (MessageNew (NOSUCH) MessageExpunge))",
                          "SET (SELECTED (MessageNew (UID MessageExpunge))",
                          "SET (SELECTED (MessageNew MessageExpunge)) "
                          "(SELECTED-DELAYED (MessageNew MessageExpunge))"}) {
    EXPECT_FALSE(parse(bad).error.empty()) << bad;
  }
}

TEST(ImapNotifyArgs, Covers) {
  std::set<std::string> subs = {"Lists"};
  NotifyFilter subtree{NotifyFilter::Kind::subtree, {"Lists"}, kMessageNew, {}};
  EXPECT_TRUE(notify_covers(subtree, "Lists", subs));
  EXPECT_TRUE(notify_covers(subtree, "Lists.ietf", subs));
  EXPECT_FALSE(notify_covers(subtree, "Listsx", subs));
  NotifyFilter subscribed{NotifyFilter::Kind::subscribed, {}, kMessageNew, {}};
  EXPECT_TRUE(notify_covers(subscribed, "Lists", subs));
  EXPECT_FALSE(notify_covers(subscribed, "Sent", subs));
  NotifyFilter inboxes{NotifyFilter::Kind::inboxes, {}, kMessageNew, {}};
  EXPECT_TRUE(notify_covers(inboxes, "INBOX", subs));
  EXPECT_FALSE(notify_covers(inboxes, "Sent", subs));
  NotifyFilter selected{NotifyFilter::Kind::selected, {}, kMessageNew, {}};
  EXPECT_FALSE(notify_covers(selected, "INBOX", subs));
}

}  // namespace
}  // namespace correio::imapd
