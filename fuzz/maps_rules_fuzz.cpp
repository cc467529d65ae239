// libFuzzer target for the rule-table parsers: regexp:, pcre: and cidr: source files
// (IF/ENDIF, patterns, flags, $n replacements, networks), each then looked up with a
// few keys, one of them taken from the input itself; and the required-literal reader of
// the prefilter on the input as one pattern. Each pattern table is also built without
// the prefilter (literal_scan.hpp): the two must give the same answers.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "maps/detail/map_types.hpp"
#include "maps/detail/pattern_table.hpp"
#include "maps/detail/required_literal.hpp"

using namespace correio::maps;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  MapOptions options;
  options.warn = [](const std::string&) {};
  std::string tail(text.substr(text.size() / 2, 64));
  const std::string keys[] = {"user@example.com", "10.0.0.1", "2001:db8::1", tail};
  auto probe = [&](Map& map) {
    for (const auto& key : keys) (void)map.lookup(key);
  };
  for (const auto* engine : {&detail::regexp_engine(), &detail::pcre_engine()}) {
    auto fast = detail::pattern_table_from_text(text, "fuzz", *engine, options);
    auto slow =
        detail::pattern_table_from_text(text, "fuzz", *engine, options, detail::Prefilter::kNone);
    for (const auto& key : keys) {
      auto a = fast->lookup(key);
      auto b = slow->lookup(key);
      // A match-limit error may differ only where the prefilter skipped the engine.
      if (a.ok() && b.ok() && *a != *b) std::abort();
    }
  }
  probe(*detail::cidr_from_text(text, "fuzz", options));
  (void)detail::parse_replacement(text);
  for (auto dialect : {detail::RegexDialect::kPcre, detail::RegexDialect::kPosixExtended})
    (void)detail::required_literal({std::string(text), "", true}, dialect);
  return 0;
}
