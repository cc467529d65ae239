// regexp:FILE — POSIX extended regular expressions from <regex.h> (Postfix's
// dict_regexp, regexp_table(5)). Flags: i (on by default: case-insensitive), x (on by
// default: extended syntax), m (newline-sensitive); each letter flips its default.
#include <fmt/format.h>
#include <regex.h>

#include "maps/detail/map_types.hpp"
#include "maps/detail/pattern_table.hpp"

namespace correio::maps::detail {
namespace {

class PosixMatcher final : public Matcher {
 public:
  PosixMatcher() = default;
  PosixMatcher(const PosixMatcher&) = delete;
  PosixMatcher& operator=(const PosixMatcher&) = delete;
  ~PosixMatcher() override {
    if (compiled_) regfree(&re_);
  }

  // The regerror() text on failure.
  Result<void> compile(const std::string& pattern, int cflags) {
    int rc = regcomp(&re_, pattern.c_str(), cflags);
    if (rc != 0) {
      char text[256];
      regerror(rc, &re_, text, sizeof text);
      return Error{text};
    }
    compiled_ = true;
    return {};
  }

  size_t groups() const override { return re_.re_nsub; }

  Result<bool> match(const std::string& key, std::vector<std::string>* captures) override {
    std::vector<regmatch_t> m(re_.re_nsub + 1);
    if (regexec(&re_, key.c_str(), m.size(), m.data(), 0) != 0) return false;
    if (captures) {
      captures->assign(m.size(), "");
      for (size_t i = 0; i < m.size(); ++i)
        if (m[i].rm_so >= 0)
          (*captures)[i] = key.substr(static_cast<size_t>(m[i].rm_so),
                                      static_cast<size_t>(m[i].rm_eo - m[i].rm_so));
    }
    return true;
  }

 private:
  regex_t re_{};
  bool compiled_ = false;
};

Result<std::unique_ptr<Matcher>> compile_posix(const PatternText& text,
                                               const std::function<void(std::string_view)>&) {
  int cflags = REG_EXTENDED | REG_ICASE;
  for (char flag : text.flags) {
    switch (flag) {
      case 'i':
        cflags ^= REG_ICASE;
        break;
      case 'm':
        cflags ^= REG_NEWLINE;
        break;
      case 'x':
        cflags ^= REG_EXTENDED;
        break;
      default:
        return Error{fmt::format("unknown regexp option \"{}\": skipping this rule", flag)};
    }
  }
  auto matcher = std::make_unique<PosixMatcher>();
  if (auto s = matcher->compile(text.regex, cflags); !s) return s.error();
  return std::unique_ptr<Matcher>(std::move(matcher));
}

}  // namespace

const PatternEngine& regexp_engine() {
  static const PatternEngine engine{"regexp", RegexDialect::kPosixExtended, true, compile_posix};
  return engine;
}

Result<std::unique_ptr<Map>> open_regexp(std::string_view name, const MapOptions& options) {
  return open_pattern_table(name, regexp_engine(), options);
}

}  // namespace correio::maps::detail
