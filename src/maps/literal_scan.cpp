// The multi-literal prefilter of pattern tables (see detail/literal_scan.hpp): the
// Aho-Corasick automaton (Aho and Corasick, CACM 18(6), 1975) built as a full DFA, so a
// scan costs one table step per byte of the key however many rules the table has.
#include "maps/detail/literal_scan.hpp"

#include <string.h>

#include <algorithm>
#include <map>

namespace correio::maps::detail {
namespace {

char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
}

void mark(LiteralHits& hits, uint32_t id) {
  if (hits.seen[id]) return;
  hits.seen[id] = 1;
  hits.ids.push_back(id);
}

}  // namespace

int LiteralScan::add(const RequiredLiteral& literal) {
  if (literal.text.empty()) return -1;
  auto [known, added] = index_.try_emplace({literal.text, literal.caseless}, texts_.size());
  if (!added) return static_cast<int>(known->second);
  texts_.push_back(literal);
  uint32_t id = static_cast<uint32_t>(texts_.size() - 1);
  (literal.caseless ? caseless_ : exact_).ids.push_back(id);
  return static_cast<int>(id);
}

void LiteralScan::build() {
  // A state per literal byte at most: fall back before allocating a table too large.
  size_t states = 1, classes = 1;
  std::array<bool, 256> used{};
  for (const auto& t : texts_) {
    states += t.text.size();
    for (char c : t.text) used[static_cast<unsigned char>(c)] = true;
  }
  classes += static_cast<size_t>(std::count(used.begin(), used.end(), true));
  if (states * classes * sizeof(int32_t) > max_table_bytes_) {
    use_fallback_ = true;
    return;
  }
  build(exact_, false);
  build(caseless_, true);
}

void LiteralScan::build(Automaton& a, bool caseless) {
  if (a.ids.empty()) return;
  // Byte classes: each byte used by a literal gets its own; caseless literals are lower
  // case, and the upper-case letter scans as its lower-case class.
  for (uint32_t id : a.ids)
    for (char c : texts_[id].text) {
      uint16_t& cls = a.byte_class[static_cast<unsigned char>(c)];
      if (cls == 0) cls = static_cast<uint16_t>(a.classes++);
    }
  if (caseless)
    for (int c = 'A'; c <= 'Z'; ++c) a.byte_class[c] = a.byte_class[c + 32];
  const size_t k = a.classes;
  // The trie: next[] holds the goto function (0 = no edge; the root is never a child).
  a.next.assign(k, 0);
  std::vector<std::vector<uint32_t>> own(1);
  for (uint32_t id : a.ids) {
    size_t s = 0;
    for (char c : texts_[id].text) {
      size_t slot = s * k + a.byte_class[static_cast<unsigned char>(c)];
      if (a.next[slot] == 0) {
        a.next[slot] = static_cast<int32_t>(own.size());
        own.emplace_back();
        a.next.resize(a.next.size() + k, 0);
      }
      s = static_cast<size_t>(a.next[slot]);
    }
    own[s].push_back(id);
  }
  const size_t n = own.size();
  // Breadth first: failure links, the goto function completed into a DFA, and the
  // suffix chain of states with output (a literal that ends inside a longer one).
  std::vector<int32_t> fail(n, 0);
  a.suffix_out.assign(n, -1);
  a.report.assign(n, -1);
  std::vector<size_t> queue;
  queue.reserve(n);
  for (size_t c = 0; c < k; ++c)
    if (a.next[c] != 0) queue.push_back(static_cast<size_t>(a.next[c]));
  for (size_t head = 0; head < queue.size(); ++head) {
    size_t u = queue[head];
    size_t f = static_cast<size_t>(fail[u]);
    a.suffix_out[u] = !own[f].empty() ? static_cast<int32_t>(f) : a.suffix_out[f];
    for (size_t c = 0; c < k; ++c) {
      int32_t v = a.next[u * k + c];
      if (v != 0) {
        fail[static_cast<size_t>(v)] = a.next[f * k + c];
        queue.push_back(static_cast<size_t>(v));
      } else {
        a.next[u * k + c] = a.next[f * k + c];
      }
    }
  }
  a.out_begin.assign(n + 1, 0);
  for (size_t s = 0; s < n; ++s) {
    a.out_begin[s + 1] = a.out_begin[s] + static_cast<int32_t>(own[s].size());
    a.out_ids.insert(a.out_ids.end(), own[s].begin(), own[s].end());
    a.report[s] = !own[s].empty() ? static_cast<int32_t>(s) : a.suffix_out[s];
  }
}

void LiteralScan::run(const Automaton& a, std::string_view key, LiteralHits& hits) const {
  if (a.ids.empty()) return;
  const size_t k = a.classes;
  size_t s = 0;
  for (char c : key) {
    s = static_cast<size_t>(a.next[s * k + a.byte_class[static_cast<unsigned char>(c)]]);
    for (int32_t o = a.report[s]; o >= 0; o = a.suffix_out[static_cast<size_t>(o)])
      for (int32_t i = a.out_begin[static_cast<size_t>(o)];
           i < a.out_begin[static_cast<size_t>(o) + 1]; ++i)
        mark(hits, a.out_ids[static_cast<size_t>(i)]);
  }
}

void LiteralScan::fallback(std::string_view key, LiteralHits& hits) const {
  lowered_.assign(key);
  for (char& c : lowered_) c = lower(c);
  for (size_t id = 0; id < texts_.size(); ++id)
    if (may_match(texts_[id], key, lowered_)) mark(hits, static_cast<uint32_t>(id));
}

void LiteralScan::scan(std::string_view key, LiteralHits& hits) const {
  for (uint32_t id : hits.ids) hits.seen[id] = 0;
  hits.ids.clear();
  hits.seen.resize(texts_.size(), 0);
  if (use_fallback_) return fallback(key, hits);
  run(exact_, key, hits);
  run(caseless_, key, hits);
}

void RuleGate::add_rule(int literal_id) {
  gate_.push_back(literal_id);
}

void RuleGate::build() {
  scan_.build();
  gated_.assign(scan_.size(), {});
  always_.assign((gate_.size() + 63) / 64, 0);
  for (size_t r = 0; r < gate_.size(); ++r) {
    if (gate_[r] < 0)
      always_[r / 64] |= uint64_t{1} << (r % 64);
    else
      gated_[static_cast<size_t>(gate_[r])].push_back(static_cast<uint32_t>(r));
  }
}

void RuleGate::scan(std::string_view key) {
  scan_.scan(key, hits_);
  visit_ = always_;
  for (uint32_t id : hits_.ids)
    for (uint32_t r : gated_[id]) visit_[r / 64] |= uint64_t{1} << (r % 64);
}

size_t RuleGate::next(size_t from) const {
  size_t word = from / 64;
  if (word >= visit_.size()) return gate_.size();
  uint64_t bits = visit_[word] & (~uint64_t{0} << (from % 64));
  while (bits == 0) {
    if (++word == visit_.size()) return gate_.size();
    bits = visit_[word];
  }
  return std::min(gate_.size(), word * 64 + static_cast<size_t>(__builtin_ctzll(bits)));
}

}  // namespace correio::maps::detail
