// SEARCH/SORT RETURN options (RFC 4731, RFC 5267, RFC 5182 SAVE, RFC 9394 PARTIAL): the
// option parser, partial ranges and the ESEARCH data they produce.
#include <gtest/gtest.h>

#include "imapd/parser.hpp"
#include "imapd/search_return.hpp"
#include "imapd/search_update.hpp"

namespace correio::imapd {
namespace {

std::optional<ReturnOptions> parse(std::string_view text, bool allow_save = true) {
  Parser p(text);
  return parse_return_options(p, allow_save);
}

TEST(ImapPartialRange, BothFormsAndEitherOrder) {
  auto first = parse_partial_range("1:100");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->low, 1u);
  EXPECT_EQ(first->high, 100u);
  EXPECT_FALSE(first->from_end);
  auto swapped = parse_partial_range("500:400");
  ASSERT_TRUE(swapped);
  EXPECT_EQ(swapped->low, 400u);
  EXPECT_EQ(swapped->high, 500u);
  EXPECT_EQ(swapped->text, "500:400");  // echoed as written
  auto last = parse_partial_range("-1:-100");
  ASSERT_TRUE(last);
  EXPECT_TRUE(last->from_end);
  EXPECT_EQ(last->low, 1u);
  EXPECT_EQ(last->high, 100u);
  EXPECT_TRUE(parse_partial_range("4294967295:1"));
}

TEST(ImapPartialRange, RejectsWhatTheGrammarDoesNot) {
  for (const char* bad : {"0:5", "1:*", "-1:5", "1:-5", "5", "", ":", "1:", "1:4294967296", "01:5",
                          "-0:-1", "1:2:3", "a:b", "--1:-2"}) {
    EXPECT_FALSE(parse_partial_range(bad)) << bad;
  }
}

TEST(ImapPartialRange, WindowFromTheStartAndFromTheEnd) {
  std::vector<uint32_t> results{10, 20, 30, 40, 50};
  EXPECT_EQ(partial_window(results, *parse_partial_range("2:3")), (std::vector<uint32_t>{20, 30}));
  EXPECT_EQ(partial_window(results, *parse_partial_range("4:100")),
            (std::vector<uint32_t>{40, 50}));
  EXPECT_TRUE(partial_window(results, *parse_partial_range("6:10")).empty());
  EXPECT_EQ(partial_window(results, *parse_partial_range("-1:-2")),
            (std::vector<uint32_t>{40, 50}));
  EXPECT_EQ(partial_window(results, *parse_partial_range("-5:-4")),
            (std::vector<uint32_t>{10, 20}));
  EXPECT_EQ(partial_window(results, *parse_partial_range("-3:-100")),
            (std::vector<uint32_t>{10, 20, 30}));
  EXPECT_TRUE(partial_window(results, *parse_partial_range("-6:-9")).empty());
  EXPECT_TRUE(partial_window({}, *parse_partial_range("1:1")).empty());
}

TEST(ImapReturnOptions, ParsesAndRefuses) {
  auto empty = parse("()");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->all);  // RETURN () means ALL
  auto several = parse("(MIN max COUNT SAVE)");
  ASSERT_TRUE(several);
  EXPECT_TRUE(several->min && several->max && several->count && several->save);
  EXPECT_FALSE(several->all);
  auto partial = parse("(PARTIAL -1:-10 COUNT)");
  ASSERT_TRUE(partial);
  ASSERT_TRUE(partial->partial);
  EXPECT_TRUE(partial->count);
  EXPECT_TRUE(partial->wants_data());
  auto save_only = parse("(SAVE)");
  ASSERT_TRUE(save_only);
  EXPECT_FALSE(save_only->wants_data());

  for (const char* bad : {"(PARTIAL 1:5 ALL)", "(ALL PARTIAL 1:5)", "(PARTIAL 1:5 PARTIAL 6:9)",
                          "(ALL ALL)", "(MIN MIN)", "(PARTIAL)", "(PARTIAL \"1:5\")",
                          "(PARTIAL 0:5)", "(FOO)", "(MIN", "MIN", "(MIN  MAX)"}) {
    EXPECT_FALSE(parse(bad)) << bad;
  }
  EXPECT_FALSE(parse("(SAVE)", false));  // SORT takes no SAVE here
}

TEST(ImapReturnOptions, EsearchData) {
  std::vector<uint32_t> ascending{1, 2, 3, 7, 9};
  auto r = *parse("(MIN MAX COUNT PARTIAL 2:4)");
  EXPECT_EQ(esearch_return_data(ascending, r, true), " MIN 1 MAX 9 PARTIAL (2:4 2:3,7) COUNT 5");
  auto none = *parse("(PARTIAL -10:-20 COUNT)");
  EXPECT_EQ(esearch_return_data(ascending, none, true), " PARTIAL (-10:-20 NIL) COUNT 5");
  EXPECT_EQ(esearch_return_data({}, *parse("(MIN ALL COUNT)"), true), " COUNT 0");
  // SORT: ALL and PARTIAL keep the sort order.
  std::vector<uint32_t> sorted{9, 3, 1, 2};
  EXPECT_EQ(esearch_return_data(sorted, *parse("(ALL)"), false), " ALL 9,3,1:2");
  EXPECT_EQ(esearch_return_data(sorted, *parse("(PARTIAL 1:2)"), false), " PARTIAL (1:2 9,3)");
  EXPECT_EQ(esearch_return_data(sorted, *parse("(MIN MAX)"), false), " MIN 9 MAX 2");
}

}  // namespace
}  // namespace correio::imapd

namespace correio::imapd {
namespace {

TEST(ImapReturnOptions, UpdateAndContext) {
  auto update = parse("(UPDATE)");
  ASSERT_TRUE(update);
  EXPECT_TRUE(update->update);
  EXPECT_FALSE(update->all);  // UPDATE alone asks for no data, as Dovecot answers
  auto context = parse("(CONTEXT)");
  ASSERT_TRUE(context);
  EXPECT_TRUE(context->all);  // CONTEXT is a hint: ALL as for RETURN ()
  EXPECT_FALSE(parse("(UPDATE UPDATE)"));
  EXPECT_TRUE(parse("(UPDATE)", false));  // CONTEXT=SORT (RFC 5267 §4.2)
  EXPECT_TRUE(parse("(CONTEXT PARTIAL 1:5)", false));
  EXPECT_FALSE(parse("(UPDATE SAVE)", false));  // SORT takes no SAVE
}

TEST(ImapSearchUpdate, RemovalsThenAdditions) {
  auto same = [](uint32_t uid) { return uid; };
  EXPECT_EQ(search_update_data({1, 2, 3}, {1, 2, 3}, same), "");
  EXPECT_EQ(search_update_data({1, 2, 3}, {2, 3, 4, 5}, same), " REMOVEFROM (0 1) ADDTO (0 4:5)");
  EXPECT_EQ(search_update_data({}, {7}, same), " ADDTO (0 7)");
  // Sequence numbers: UID 10 is message 2.
  auto seq = [](uint32_t uid) { return uid / 5; };
  EXPECT_EQ(search_update_data({5, 10, 15}, {5}, seq), " REMOVEFROM (0 2:3)");
}

// Applies sort_update_data's items in order to `list`, as a client keeping the context.
std::vector<uint32_t> apply_sort_update(std::vector<uint32_t> list, const std::string& data) {
  Parser p(data);
  while (p.space()) {
    auto name = p.atom();
    EXPECT_TRUE(name && p.space() && p.consume('('));
    auto position = p.number();
    EXPECT_TRUE(position && p.space());
    auto set = p.sequence_set();
    EXPECT_TRUE(set && p.consume(')'));
    if (!name || !position || !set) return {};
    std::vector<uint32_t> ids;
    // format_number_set writes ascending ranges only, so the set keeps the sort order.
    for (const auto& range : set->ranges) {
      for (uint64_t n = range.first; n <= range.last; ++n) ids.push_back(static_cast<uint32_t>(n));
    }
    auto at = list.begin() + static_cast<std::ptrdiff_t>(*position - 1);
    if (*name == "ADDTO") {
      list.insert(at, ids.begin(), ids.end());
    } else {
      EXPECT_TRUE(std::equal(ids.begin(), ids.end(), at)) << data;
      list.erase(at, at + static_cast<std::ptrdiff_t>(ids.size()));
    }
  }
  EXPECT_TRUE(p.at_end()) << data;
  return list;
}

TEST(ImapSortUpdate, PositionsInTheSortedResult) {
  auto same = [](uint32_t uid) { return uid; };
  EXPECT_EQ(sort_update_data({3, 1, 2}, {3, 1, 2}, same), "");
  // RFC 5267 §4.3: a new message sorted first is added at position 1.
  EXPECT_EQ(sort_update_data({3, 1, 2}, {9, 3, 1, 2}, same), " ADDTO (1 9)");
  EXPECT_EQ(sort_update_data({3, 1, 2}, {3, 2}, same), " REMOVEFROM (2 1)");
  // Removals last first, then additions in ascending positions; sets in sort order.
  EXPECT_EQ(sort_update_data({9, 8, 7, 6, 5}, {9, 4, 7, 5, 3, 2}, same),
            " REMOVEFROM (4 6) REMOVEFROM (2 8) ADDTO (2 4) ADDTO (5 3,2)");
}

TEST(ImapSortUpdate, ClientApplyingTheItemsGetsTheNewResult) {
  auto same = [](uint32_t uid) { return uid; };
  // Every pair of sub-lists of one sort order (sort keys never change, so the messages
  // two results share are in the same order in both).
  const std::vector<uint32_t> order = {8, 1, 7, 2, 3, 6, 5};
  auto subset = [&](unsigned mask) {
    std::vector<uint32_t> out;
    for (size_t i = 0; i < order.size(); ++i)
      if (mask & (1u << i)) out.push_back(order[i]);
    return out;
  };
  for (unsigned a = 0; a < (1u << order.size()); ++a) {
    for (unsigned b = 0; b < (1u << order.size()); ++b) {
      auto before = subset(a), after = subset(b);
      ASSERT_EQ(apply_sort_update(before, sort_update_data(before, after, same)), after);
    }
  }
}

}  // namespace
}  // namespace correio::imapd
