// The lookup behind sqlite:, pgsql: and mysql: tables (detail/sql_table.hpp): the
// domain filter, the query expanded for the key, and every non-empty column of every
// row put through result_format and joined with commas, as Postfix's dict_mysql.c does.
#include <fmt/format.h>

#include "base/strings.hpp"
#include "maps/detail/sql_table.hpp"
#include "maps/key_fold.hpp"

namespace correio::maps::detail {
namespace {

class SqlMap final : public Map {
 public:
  SqlMap(std::string spec, SqlTableFile file, std::unique_ptr<SqlSource> source,
         const MapOptions& options)
      : spec_(std::move(spec)),
        file_(std::move(file)),
        source_(std::move(source)),
        fold_(options.fold_case),
        utf8_(options.utf8),
        warn_(options.warn) {}

  Result<std::optional<std::string>> lookup(std::string_view raw_key) override {
    std::string key = fold_ ? fold_key(raw_key, utf8_) : std::string(raw_key);
    if (!domain_listed(key)) return std::optional<std::string>();
    auto rows = source_->run(
        [&](const Quote& quote) { return expand_sql(file_.query, key, nullptr, quote); });
    if (!rows) return rows.error();
    std::optional<std::string> joined;
    size_t expansions = 0;
    const Quote verbatim = [](std::string_view s) { return Result<std::string>(std::string(s)); };
    for (const auto& row : *rows) {
      for (const auto& [column, value] : row) {
        if (!value) continue;  // NULL adds nothing (Postfix)
        if (value->empty()) {
          if (warn_)
            warn_(fmt::format("table \"{}\": empty lookup result for: \"{}\" -- ignored", spec_,
                              key));
          continue;
        }
        auto result = expand_sql(file_.result_format, key, &*value, verbatim);
        if (!result) return result.error();
        if (!*result) continue;
        if (file_.expansion_limit > 0 && ++expansions > file_.expansion_limit)
          return Error{fmt::format("{}: expansion limit exceeded for key: '{}'", spec_, key)};
        joined = joined ? *joined + "," + **result : std::move(**result);
      }
    }
    return joined;
  }
  std::string spec() const override { return spec_; }

 private:
  // Postfix's db_common_check_domain(): with `domain` set, only user@listed-domain keys
  // (a non-empty local part) are looked up.
  bool domain_listed(std::string_view key) const {
    if (file_.domains.empty()) return true;
    size_t at = key.rfind('@');
    if (at == std::string_view::npos || at == 0) return false;
    std::string domain = base::to_lower(key.substr(at + 1));
    for (const auto& d : file_.domains)
      if (d == domain) return true;
    return false;
  }

  std::string spec_;
  SqlTableFile file_;
  std::unique_ptr<SqlSource> source_;
  bool fold_;
  bool utf8_;
  std::function<void(const std::string&)> warn_;
};

}  // namespace

std::unique_ptr<Map> make_sql_map(std::string spec, SqlTableFile file,
                                  std::unique_ptr<SqlSource> source, const MapOptions& options) {
  return std::make_unique<SqlMap>(std::move(spec), std::move(file), std::move(source), options);
}

}  // namespace correio::maps::detail
