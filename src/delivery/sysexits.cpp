// Postfix's sys_exits table (see sysexits.hpp).
#include "delivery/sysexits.hpp"

#include <array>

namespace correio::delivery {
namespace {

constexpr int kBase = 64;  // EX__BASE
struct Entry {
  std::string_view dsn, text;
};
// EX_USAGE (64) to EX_CONFIG (78), in order.
constexpr std::array<Entry, 15> kTable = {{
    {"5.3.0", "command line usage error"},
    {"5.6.0", "data format error"},
    {"5.3.0", "cannot open input"},
    {"5.1.1", "user unknown"},
    {"5.1.2", "host name unknown"},
    {"5.3.0", "service unavailable"},
    {"5.3.0", "internal software error"},
    {"4.3.0", "system resource problem"},
    {"5.3.0", "critical OS file missing"},
    {"5.2.0", "can't create user output file"},
    {"5.3.0", "input/output error"},
    {"4.3.0", "temporary failure"},
    {"5.5.0", "remote error in protocol"},
    {"5.7.0", "permission denied"},
    {"5.3.5", "local configuration error"},
}};

// RFC 3463 "class.subject.detail" at the start of `s`, followed by a space or the end:
// its length, else 0. Class 4 or 5 only: a success code is no failure verdict.
size_t leading_dsn(std::string_view s) {
  if (s.size() < 5 || (s[0] != '4' && s[0] != '5') || s[1] != '.') return 0;
  size_t i = 2;
  for (int part = 0; part < 2; ++part) {
    size_t start = i;
    while (i < s.size() && i - start < 4 && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start || i - start > 3) return 0;
    if (part == 0) {
      if (i >= s.size() || s[i] != '.') return 0;
      ++i;
    }
  }
  return i == s.size() || s[i] == ' ' || s[i] == '\t' ? i : 0;
}

}  // namespace

ExitMeaning sysexits_meaning(int code) {
  if (code < kBase || code >= kBase + static_cast<int>(kTable.size()))
    return {false, false, "5.3.0", "unknown mail system error"};
  const Entry& e = kTable[static_cast<size_t>(code - kBase)];
  return {true, e.dsn.front() == '4', e.dsn, e.text};
}

CommandVerdict command_exit_verdict(int code, std::string_view command, std::string_view output) {
  if (size_t n = leading_dsn(output); n > 0) {
    std::string_view text = output.substr(n);
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    return {output[0] == '4', std::string(output.substr(0, n)), std::string(text)};
  }
  std::string suffix = output.empty() ? "" : ". Command output: " + std::string(output);
  ExitMeaning m = sysexits_meaning(code);
  if (m.known) return {m.temporary, std::string(m.dsn), std::string(m.text) + suffix};
  return {false, "5.3.0",
          "Command died with status " + std::to_string(code) + ": \"" + std::string(command) +
              "\"" + suffix};
}

}  // namespace correio::delivery
