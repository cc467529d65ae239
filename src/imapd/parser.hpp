// A cursor over one IMAP command in wire syntax (RFC 9051 §9 grammar), literals inline as
// the command reader collected them. Each method consumes one grammar element or fails
// without consuming, leaving a message for the BAD reply in error(). Private to imapd.
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace correio::imapd {

// A sequence set (RFC 9051 §9 sequence-set): ranges with `*` as kStar; `$` (SEARCHRES)
// recorded separately. Ranges are normalised so first <= last unless a bound is `*`.
struct SequenceSet {
  // `*` lies outside the 32-bit numbers: 4294967295 is a number like any other (RFC 9051
  // §9: "UID SEARCH UID 900:4294967295" above every UID matches nothing, where "900:*"
  // would match the last message).
  static constexpr uint64_t kStar = UINT64_MAX;
  struct Range {
    uint64_t first = 0;
    uint64_t last = 0;
    // The bounds with `*` replaced by `largest`, lowest first.
    std::pair<uint32_t, uint32_t> bounds(uint32_t largest) const {
      uint32_t a = first == kStar ? largest : static_cast<uint32_t>(first);
      uint32_t b = last == kStar ? largest : static_cast<uint32_t>(last);
      return a <= b ? std::pair{a, b} : std::pair{b, a};
    }
  };
  std::vector<Range> ranges;
  bool saved_result = false;  // "$"

  // Whether `value` lies in the set, with `*` meaning `largest`.
  bool contains(uint32_t value, uint32_t largest) const;
};

class Parser {
 public:
  explicit Parser(std::string_view input) : input_(input) {}

  const std::string& error() const { return error_; }
  size_t position() const { return pos_; }
  std::string_view rest() const { return input_.substr(pos_); }

  // True at the final CRLF (or LF). Does not consume.
  bool at_end() const;
  bool peek(char c) const { return pos_ < input_.size() && input_[pos_] == c; }
  bool consume(char c);
  // Consumes `word` case-insensitively when it is followed by a non-atom character.
  bool consume_word(std::string_view word);
  bool space();  // exactly one SP

  // tag: ASTRING-CHAR except '+'.
  std::optional<std::string> tag();
  // atom: ATOM-CHAR+ (no "(){ %*\"\\]" or CTL); with `allow_bracket`, ']' too.
  std::optional<std::string> atom(bool allow_bracket = false);
  // string: quoted or literal ({N}, {N+}, {N-}, and ~{N} when `allow_literal8`).
  std::optional<std::string> string(bool allow_literal8 = false);
  std::optional<std::string> astring();
  std::optional<std::string> nstring();  // NIL gives ""
  // A mailbox name: astring; "INBOX" in any case becomes "INBOX".
  std::optional<std::string> mailbox();
  // list-mailbox: astring or list-char (atom chars plus % * ]).
  std::optional<std::string> list_mailbox();
  std::optional<uint64_t> number();
  std::optional<uint32_t> nz_number();
  std::optional<SequenceSet> sequence_set();
  // "(" flag *(SP flag) ")" or a bare list when `parenthesised_optional`.
  std::optional<std::vector<std::string>> flag_list(bool parenthesised_optional = false);
  // date: d-Mon-yyyy, optionally quoted; returns days-since-epoch midnight UTC.
  std::optional<time_t> date();
  // date-time: "dd-Mon-yyyy hh:mm:ss +zzzz" (quoted).
  std::optional<time_t> date_time();
  // A parenthesised list of astrings ("(" astring *(SP astring) ")").
  std::optional<std::vector<std::string>> astring_list();

  // Records a failure message and returns nullopt-compatible false.
  bool fail(std::string message);

 private:
  std::optional<std::string> quoted();
  std::optional<std::string> literal(bool allow_literal8);

  std::string_view input_;
  size_t pos_ = 0;
  std::string error_;
};

// Case-insensitive ASCII comparison.
bool iequals(std::string_view a, std::string_view b);
std::string upper(std::string_view s);

}  // namespace correio::imapd
