// pcre:FILE — Perl-compatible regular expressions through PCRE2, JIT-compiled when the
// platform allows (Postfix's dict_pcre, pcre_table(5)). Flags flip PCRE2 options:
// i (CASELESS, on by default), s (DOTALL, on by default), m (MULTILINE), x (EXTENDED),
// A (ANCHORED), E (DOLLAR_ENDONLY), U (UNGREEDY); X is PCRE1's and ignored, as Postfix
// built with PCRE2 ignores it.
#define PCRE2_CODE_UNIT_WIDTH 8
#include <fmt/format.h>
#include <pcre2.h>

#include "maps/detail/map_types.hpp"
#include "maps/detail/pattern_table.hpp"

namespace correio::maps::detail {
namespace {

struct CodeFree {
  void operator()(pcre2_code* c) const { pcre2_code_free(c); }
};
struct DataFree {
  void operator()(pcre2_match_data* d) const { pcre2_match_data_free(d); }
};

class PcreMatcher final : public Matcher {
 public:
  PcreMatcher(pcre2_code* code, pcre2_match_data* data) : code_(code), data_(data) {
    uint32_t count = 0;
    pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &count);
    groups_ = count;
  }

  size_t groups() const override { return groups_; }

  Result<bool> match(const std::string& key, std::vector<std::string>* captures) override {
    int rc = pcre2_match(code_.get(), reinterpret_cast<PCRE2_SPTR>(key.data()), key.size(), 0, 0,
                         data_.get(), nullptr);
    if (rc == PCRE2_ERROR_NOMATCH) return false;
    if (rc < 0) {
      // The match or depth limit: Postfix logs and carries on; Correio reports a
      // temporary failure rather than a silent "not found".
      PCRE2_UCHAR text[256];
      pcre2_get_error_message(rc, text, sizeof text);
      return Error{fmt::format("pcre match: {}", reinterpret_cast<const char*>(text))};
    }
    if (captures) {
      captures->assign(groups_ + 1, "");
      PCRE2_SIZE* v = pcre2_get_ovector_pointer(data_.get());
      for (size_t i = 0; i <= groups_ && i < static_cast<size_t>(rc); ++i)
        if (v[2 * i] != PCRE2_UNSET) (*captures)[i] = key.substr(v[2 * i], v[2 * i + 1] - v[2 * i]);
    }
    return true;
  }

 private:
  std::unique_ptr<pcre2_code, CodeFree> code_;
  std::unique_ptr<pcre2_match_data, DataFree> data_;
  size_t groups_ = 0;
};

Result<uint32_t> options_from(const std::string& flags,
                              const std::function<void(std::string_view)>& note) {
  uint32_t options = PCRE2_CASELESS | PCRE2_DOTALL;
  for (char flag : flags) {
    switch (flag) {
      case 'i':
        options ^= PCRE2_CASELESS;
        break;
      case 'm':
        options ^= PCRE2_MULTILINE;
        break;
      case 's':
        options ^= PCRE2_DOTALL;
        break;
      case 'x':
        options ^= PCRE2_EXTENDED;
        break;
      case 'A':
        options ^= PCRE2_ANCHORED;
        break;
      case 'E':
        options ^= PCRE2_DOLLAR_ENDONLY;
        break;
      case 'U':
        options ^= PCRE2_UNGREEDY;
        break;
      case 'X':
        note(fmt::format("ignoring obsolete regexp option \"{}\"", flag));
        break;
      default:
        return Error{fmt::format("unknown regexp option \"{}\": skipping this rule", flag)};
    }
  }
  return options;
}

Result<std::unique_ptr<Matcher>> compile_pcre(const PatternText& text,
                                              const std::function<void(std::string_view)>& note) {
  auto options = options_from(text.flags, note);
  if (!options) return options.error();
  int code = 0;
  PCRE2_SIZE offset = 0;
  pcre2_code* re = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(text.regex.data()), text.regex.size(),
                                 *options, &code, &offset, nullptr);
  if (!re) {
    PCRE2_UCHAR message[256];
    pcre2_get_error_message(code, message, sizeof message);
    return Error{fmt::format("error in regex at offset {}: {}", offset,
                             reinterpret_cast<const char*>(message))};
  }
  // JIT is an optimisation: where the platform refuses it, the interpreter matches alike.
  (void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
  pcre2_match_data* data = pcre2_match_data_create_from_pattern(re, nullptr);
  if (!data) {
    pcre2_code_free(re);
    return Error{"out of memory"};
  }
  return std::unique_ptr<Matcher>(std::make_unique<PcreMatcher>(re, data));
}

}  // namespace

const PatternEngine& pcre_engine() {
  static const PatternEngine engine{"pcre", RegexDialect::kPcre, false, compile_pcre};
  return engine;
}

Result<std::unique_ptr<Map>> open_pcre(std::string_view name, const MapOptions& options) {
  return open_pattern_table(name, pcre_engine(), options);
}

}  // namespace correio::maps::detail
