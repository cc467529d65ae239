// main.cf as written: logical lines of `name = value`, in file order, with line numbers.
// Syntax as Postfix's postconf(5): '#' comment lines, blank lines, and continuation lines
// (a line that starts with whitespace continues the previous logical line).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace correio::config {

inline constexpr size_t kMaxParameterNameLength = 200;

// Letters, digits, '_', '.', '-' and ':' (service-dependent names such as
// "127.0.0.1:10025_time_limit"); not empty, at most kMaxParameterNameLength.
bool is_valid_parameter_name(std::string_view name);

struct MainCfEntry {
  std::string name;
  std::string value;  // unexpanded, leading and trailing whitespace removed
  int line = 0;       // line number of the logical line's first physical line
};

class MainCf {
 public:
  // Errors read "FILE:LINE: error: TEXT". Warnings (e.g. a parameter set twice) are
  // appended to *warnings as "FILE:LINE: warning: TEXT" when warnings is not null.
  static Result<MainCf> parse(std::string_view text, std::string_view file_name,
                              std::vector<std::string>* warnings = nullptr);
  // A missing file is an empty main.cf (all defaults), as in Postfix.
  static Result<MainCf> load(const std::filesystem::path& file,
                             std::vector<std::string>* warnings = nullptr);

  // The file name given to parse() (used in messages: "FILE:LINE: ...").
  const std::string& file_name() const { return file_name_; }

  // In file order; a name may appear more than once (the last one wins).
  const std::vector<MainCfEntry>& entries() const { return entries_; }
  // The effective (last) entry for `name`, or nullptr. The pointer is valid as long as
  // this MainCf is alive and unmodified.
  const MainCfEntry* find(std::string_view name) const;

 private:
  std::string file_name_;
  std::vector<MainCfEntry> entries_;
};

}  // namespace correio::config
