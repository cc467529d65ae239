// One pass over a key for all the required literals of a regexp:/pcre: table at once
// (Aho-Corasick), and from it the rules a lookup need visit: a 1,000-rule header_checks
// then costs one scan per header line instead of 1,000 memmem() calls. Private to
// src/maps; not thread-safe (a lookup's hits are kept as scratch space, as a Map is).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "maps/detail/required_literal.hpp"

namespace correio::maps::detail {

// The literals found in a key: ids in the order first seen, and a flag per id.
struct LiteralHits {
  std::vector<uint32_t> ids;
  std::vector<uint8_t> seen;  // indexed by id
  bool has(int id) const { return id < 0 || seen[static_cast<size_t>(id)] != 0; }
};

// A set of literals, each case-sensitive or caseless (ASCII letters only, as
// RequiredLiteral's text is lower case then), searched for together in one pass.
class LiteralScan {
 public:
  static constexpr size_t kMaxTableBytes = size_t{64} << 20;
  // `max_table_bytes`: the automaton's size limit (tests lower it to reach the fallback).
  explicit LiteralScan(size_t max_table_bytes = kMaxTableBytes)
      : max_table_bytes_(max_table_bytes) {}

  // Adds a literal and returns its id; an equal literal already added returns the same
  // id; an empty text (no prefilter) returns -1. Only before build().
  int add(const RequiredLiteral& literal);
  // Builds the automata. A table whose automaton would exceed the limit falls back
  // to one memmem() per literal (the same answers, the old cost) rather than grow.
  void build();
  size_t size() const { return texts_.size(); }
  // Marks every literal that occurs in `key` (hits is reset first).
  void scan(std::string_view key, LiteralHits& hits) const;

 private:
  // The automaton for the literals of one case mode: a DFA over byte classes (bytes that
  // occur in no literal share class 0; caseless folds 'A'-'Z' into the class of 'a'-'z').
  struct Automaton {
    std::vector<uint32_t> ids;  // literal ids in this automaton
    std::array<uint16_t, 256> byte_class{};
    size_t classes = 1;
    std::vector<int32_t> next;        // state * classes + class -> state
    std::vector<int32_t> report;      // state -> first state on its suffix chain with output
    std::vector<int32_t> suffix_out;  // state -> next state with output on the suffix chain
    std::vector<int32_t> out_begin;   // state -> range in out_ids (own outputs)
    std::vector<uint32_t> out_ids;
  };
  void build(Automaton& a, bool caseless);
  void run(const Automaton& a, std::string_view key, LiteralHits& hits) const;
  void fallback(std::string_view key, LiteralHits& hits) const;

  std::vector<RequiredLiteral> texts_;                    // by id
  std::map<std::pair<std::string, bool>, size_t> index_;  // (text, caseless) -> id
  Automaton exact_, caseless_;
  size_t max_table_bytes_;
  bool use_fallback_ = false;
  mutable std::string lowered_;  // fallback scratch
};

// Which rules of a table a key can match. Each rule is registered in table order with
// the literal id (from literals()) of one test that must match for the rule to hold, or
// -1; a lookup then visits only the rules whose literal occurs, plus those registered
// with -1 (IF rules and rules without a usable literal are always registered so).
class RuleGate {
 public:
  LiteralScan& literals() { return scan_; }
  void add_rule(int literal_id);
  void build();
  // Per lookup: scans `key`, then next(i) gives the first rule >= i worth testing
  // (rules().size() = none left) and found(id) whether literal `id` occurs.
  void scan(std::string_view key);
  size_t next(size_t from) const;
  bool found(int id) const { return hits_.has(id); }
  size_t rules() const { return gate_.size(); }

 private:
  LiteralScan scan_;
  std::vector<int32_t> gate_;                 // rule -> literal id or -1
  std::vector<std::vector<uint32_t>> gated_;  // literal id -> rules it gates
  std::vector<uint64_t> always_;              // rules visited whatever the key
  std::vector<uint64_t> visit_;               // this lookup's rules to visit
  LiteralHits hits_;
};

}  // namespace correio::maps::detail
