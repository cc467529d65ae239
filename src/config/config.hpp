// The effective configuration of one process: defaults, then main.cf, then the master.cf
// `-o name=value` overrides of its service; values expanded lazily and recursively
// ($name, ${name}, $(name), ${name?value}, ${name:value}, ${{a} == {b} ? {x} : {y}}) as
// Postfix does.
// A Config is an immutable value: cheap to copy, safe to share read-only between threads.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.hpp"
#include "config/main_cf.hpp"

namespace correio::config {
namespace detail {
struct Relation;
}

// -c DIR, else $MAIL_CONFIG, else /etc/correio.
std::filesystem::path resolve_config_dir(const char* dash_c_argument);

using Overrides = std::vector<std::pair<std::string, std::string>>;

// Limits that keep a hostile or broken main.cf from exhausting memory or time.
inline constexpr size_t kMaxExpansionDepth = 100;
inline constexpr size_t kMaxExpandedLength = 1 << 20;

// The parameter names `value` refers to with $name, ${name}, $(name), ${name?...} or
// ${name:...}, including references inside the conditional text. Malformed references
// are skipped.
std::set<std::string> referenced_parameters(std::string_view value);

// True for Postfix's per-transport parameter names "SERVICE_SUFFIX" such as
// relay_destination_concurrency_limit. With `services` empty any SERVICE prefix is
// accepted; otherwise it must be one of the master.cf service names.
bool is_service_dependent_name(std::string_view name, const std::set<std::string>& services);

// Postfix's "unused parameter" rule: main.cf entries whose name is neither a known
// parameter, nor service-dependent, nor referenced as $name by any main.cf value or by
// any of `extra_values` (e.g. master.cf -o values). One per name (its last entry).
std::vector<MainCfEntry> unused_parameters(const MainCf& main_cf,
                                           const std::vector<std::string>& extra_values,
                                           const std::set<std::string>& services);

// Test instrumentation (tests/integration/test_parameter_support.py): with
// $CORREIO_PARAMETER_TRACE naming a file, every parameter a process reads through the
// accessors below is appended to that file, one name a line, once per Config load.
// Internal expansion and validation do not count: only what code asks for.
class ReadTrace;

class Config {
 public:
  // Reads DIR/main.cf. Fails with "FILE:LINE: error: ..." on bad syntax or on a
  // recursive expansion ("FILE:LINE: error: parameter NAME: recursion: a -> b -> a");
  // unknown parameter names are warnings "FILE:LINE: warning: unused parameter: n=v".
  static Result<Config> load(const std::filesystem::path& config_dir,
                             std::vector<std::string>* warnings = nullptr);
  static Result<Config> from_main_cf(MainCf main_cf, const std::filesystem::path& config_dir,
                                     std::vector<std::string>* warnings = nullptr);

  // A copy with `overrides` winning over main.cf (master.cf -o, or command-line -o).
  Result<Config> with_overrides(const Overrides& overrides) const;

  const std::filesystem::path& config_dir() const { return config_dir_; }
  const MainCf& main_cf() const { return main_cf_; }

  // Unexpanded value: override, else main.cf, else default; nullopt for unknown names
  // that are not set anywhere.
  std::optional<std::string> raw(std::string_view name) const;
  // Expanded value; "" for unknown names.
  std::string get(std::string_view name) const;
  // Expands $name references in `value` against this configuration.
  Result<std::string> expand(std::string_view value) const;

  // Typed accessors. They never fail: a malformed value was reported by load().
  bool get_bool(std::string_view name) const;                      // "yes"/"no"
  long long get_int(std::string_view name) const;                  // decimal
  std::chrono::seconds get_time(std::string_view name) const;      // 30s, 5m, 1h, 1d, 1w
  std::vector<std::string> get_list(std::string_view name) const;  // comma/space list

  // Where `name` is set in main.cf, "FILE:LINE"; "" when it comes from an override or
  // from its default. For messages about a value that a daemon cannot honour.
  std::string location(std::string_view name) const;

  // Validates typed values: "FILE:LINE: error: bad numerical configuration: name = value"
  // (also "bad boolean configuration" and "bad time configuration"); values that come
  // from overrides are reported without FILE:LINE.
  Status validate() const;

 private:
  struct ExpandState;
  Result<std::string> expand_in(std::string_view value, ExpandState& state) const;
  Result<std::string> expand_name(std::string_view name, ExpandState& state) const;
  Result<std::string> expand_relation(const detail::Relation& relation, ExpandState& state) const;
  std::string where(std::string_view name) const;
  std::optional<std::string> raw_value(std::string_view name) const;  // untraced raw()
  std::string value_of(std::string_view name) const;                  // untraced get()
  void note_read(std::string_view name) const;

  std::filesystem::path config_dir_;
  MainCf main_cf_;
  std::map<std::string, std::string, std::less<>> overrides_;
  std::shared_ptr<ReadTrace> trace_;  // null unless $CORREIO_PARAMETER_TRACE is set
};

// A Postfix time value ("30s", "5m", "1h", "1d", "1w"; a bare number is in
// `default_unit`) in seconds; nullopt when malformed or absurdly large.
std::optional<long long> parse_time_seconds(std::string_view text, char default_unit = 's');

}  // namespace correio::config
