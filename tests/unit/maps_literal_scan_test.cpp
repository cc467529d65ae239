// The one-pass literal scan of pattern tables (maps/detail/literal_scan.hpp): the same
// hits as one memmem() per literal, and tables that answer exactly as running every
// pattern's engine on every key (first match, IF/ENDIF, "!", flags), on random input.
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>
#include <vector>

#include "maps/detail/literal_scan.hpp"
#include "maps/detail/pattern_table.hpp"
#include "maps/map.hpp"

using namespace correio::maps;
using namespace correio::maps::detail;

namespace {

// A small alphabet, so that random literals and keys meet often.
std::string random_text(std::mt19937& rng, size_t max_len, std::string_view alphabet) {
  std::uniform_int_distribution<size_t> len(0, max_len), pick(0, alphabet.size() - 1);
  std::string out;
  for (size_t n = len(rng); n > 0; --n) out += alphabet[pick(rng)];
  return out;
}

std::set<uint32_t> scanned(const LiteralScan& scan, std::string_view key) {
  LiteralHits hits;
  scan.scan(key, hits);
  std::set<uint32_t> out(hits.ids.begin(), hits.ids.end());
  EXPECT_EQ(out.size(), hits.ids.size()) << "an id reported twice";
  for (size_t id = 0; id < scan.size(); ++id)
    EXPECT_EQ(hits.seen[id] != 0, out.count(static_cast<uint32_t>(id)) != 0);
  return out;
}

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return s;
}

}  // namespace

TEST(MapsLiteralScan, KnownCases) {
  LiteralScan scan;
  int he = scan.add({"he", true});
  int she = scan.add({"she", true});
  int hers = scan.add({"hers", true});
  int exact = scan.add({"His", false});
  EXPECT_EQ(scan.add({"she", true}), she);  // equal literals share an id
  EXPECT_NE(scan.add({"she", false}), she);
  EXPECT_EQ(scan.add({"", true}), -1);
  scan.build();
  auto ids = [](std::initializer_list<int> l) {
    std::set<uint32_t> s;
    for (int i : l) s.insert(static_cast<uint32_t>(i));
    return s;
  };
  EXPECT_EQ(scanned(scan, "uSHErs"), ids({he, she, hers}));  // suffixes inside a match
  EXPECT_EQ(scanned(scan, "this"), ids({}));
  EXPECT_EQ(scanned(scan, "His"), ids({exact}));
  EXPECT_EQ(scanned(scan, "HIS"), ids({}));
  EXPECT_EQ(scanned(scan, ""), ids({}));
  EXPECT_EQ(scanned(scan, std::string("\0he\xff", 4)), ids({he}));
}

// The property: for random literal sets and keys, the scan finds exactly the literals
// may_match() (memmem) finds, with the automaton and with the memmem fallback.
TEST(MapsLiteralScan, SameHitsAsMemmem) {
  std::mt19937 rng(20261207);
  const std::string_view alphabet = "abcAB:. \xe9";
  for (int round = 0; round < 300; ++round) {
    for (size_t limit : {LiteralScan::kMaxTableBytes, size_t{0}}) {
      LiteralScan scan(limit);
      std::vector<RequiredLiteral> literals;
      for (int n = std::uniform_int_distribution<int>(0, 12)(rng); n > 0; --n) {
        RequiredLiteral l{random_text(rng, 4, alphabet), (rng() & 1) != 0};
        if (l.caseless) l.text = lower(l.text);
        if (scan.add(l) == static_cast<int>(literals.size())) literals.push_back(l);
      }
      scan.build();
      for (int k = 0; k < 20; ++k) {
        std::string key = random_text(rng, 24, alphabet);
        std::set<uint32_t> want;
        for (size_t id = 0; id < literals.size(); ++id)
          if (may_match(literals[id], key, lower(key))) want.insert(static_cast<uint32_t>(id));
        ASSERT_EQ(scanned(scan, key), want) << "key \"" << key << "\" round " << round;
      }
    }
  }
}

namespace {

// A random pattern of pieces both engines read alike: literal runs, classes, groups
// with alternation, optional and repeated atoms, anchors.
std::string random_pattern(std::mt19937& rng) {
  static const char* pieces[] = {"ab",     "Ab", "c",  "ba",     ":", "\\.", ".",    ".*", "[ab]",
                                 "(a|bc)", "x?", "b+", "c{1,2}", "^", "$",   "(ab)", "a b"};
  std::string out;
  for (int n = std::uniform_int_distribution<int>(1, 4)(rng); n > 0; --n)
    out += pieces[rng() % std::size(pieces)];
  return out;
}

std::string random_rules(std::mt19937& rng, bool regexp) {
  std::string text;
  int open = 0;
  for (int n = std::uniform_int_distribution<int>(1, 14)(rng); n > 0; --n) {
    int kind = static_cast<int>(rng() % 10);
    if (kind == 0) {
      text += "if " + std::string(rng() % 3 == 0 ? "!" : "") + "/" + random_pattern(rng) + "/\n";
      ++open;
      continue;
    }
    if (kind == 1 && open > 0) {
      text += "endif\n";
      --open;
      continue;
    }
    bool negated = rng() % 4 == 0;
    std::string pattern = random_pattern(rng);
    text += std::string(negated ? "!" : "") + "/" + pattern + "/" + (rng() % 3 == 0 ? "i" : "");
    // regexp: "/a/!/b/" (a matches and b does not).
    if (regexp && rng() % 4 == 0) text += "!/" + random_pattern(rng) + "/";
    bool group = !negated && pattern.find('(') != std::string::npos;
    text += " R" + std::to_string(n) + (group ? " $1" : "") + "\n";
  }
  return text;
}

}  // namespace

// The property at table level: with the scan, every lookup answers as the same table
// without any prefilter (each engine run on each key in file order).
TEST(MapsLiteralScan, TablesAnswerAsWithoutPrefilter) {
  std::mt19937 rng(7);
  MapOptions options;
  options.warn = [](const std::string&) {};
  for (const PatternEngine* engine : {&pcre_engine(), &regexp_engine()}) {
    bool regexp = engine == &regexp_engine();
    for (int round = 0; round < 250; ++round) {
      std::string rules = random_rules(rng, regexp);
      auto fast = pattern_table_from_text(rules, "t", *engine, options, Prefilter::kScan);
      auto slow = pattern_table_from_text(rules, "t", *engine, options, Prefilter::kNone);
      for (int k = 0; k < 30; ++k) {
        std::string key = random_text(rng, 16, "abcAB:. x");
        auto a = fast->lookup(key);
        auto b = slow->lookup(key);
        ASSERT_TRUE(a.ok() && b.ok());
        ASSERT_EQ(*a, *b) << engine->type << " rules:\n" << rules << "key: \"" << key << "\"";
      }
    }
  }
}

// A header_checks-sized table: only the rule whose literal occurs answers, and a rule
// after it in file order does not win over it.
TEST(MapsLiteralScan, FirstMatchInFileOrder) {
  std::string rules;
  for (int i = 0; i < 1000; ++i)
    rules += "/^Subject:.*\\bword" + std::to_string(i) + "\\b/ R" + std::to_string(i) + "\n";
  rules += "/^Subject:/ LAST\n";
  MapOptions options;
  auto table = pattern_table_from_text(rules, "t", pcre_engine(), options);
  auto q = [&](std::string key) {
    auto r = table->lookup(key);
    EXPECT_TRUE(r.ok());
    return r.ok() && *r ? **r : std::string("-");
  };
  EXPECT_EQ(q("Subject: WORD517 and word12"), "R12");
  EXPECT_EQ(q("Subject: word5170"), "LAST");
  EXPECT_EQ(q("Subject: nothing"), "LAST");
  EXPECT_EQ(q("From: word3"), "-");
}
