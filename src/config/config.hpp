// The effective configuration of one process: defaults, then main.cf, then the master.cf
// `-o name=value` overrides of its service; values expanded lazily and recursively
// ($name, ${name}, $(name), ${name?value}, ${name:value}) as Postfix does.
// A Config is an immutable value: cheap to copy, safe to share read-only between threads.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.hpp"
#include "config/main_cf.hpp"

namespace correio::config {

// -c DIR, else $MAIL_CONFIG, else /etc/correio.
std::filesystem::path resolve_config_dir(const char* dash_c_argument);

using Overrides = std::vector<std::pair<std::string, std::string>>;

class Config {
 public:
  // Reads DIR/main.cf. Fails with "FILE:LINE: error: ..." on bad syntax or on a
  // recursive expansion; unknown parameter names are warnings.
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
  bool get_bool(std::string_view name) const;       // "yes"/"no"
  long long get_int(std::string_view name) const;   // decimal
  std::chrono::seconds get_time(std::string_view name) const;  // 30s, 5m, 1h, 1d, 1w
  std::vector<std::string> get_list(std::string_view name) const;  // comma/space list

  // Validates typed values: "FILE:LINE: error: bad numerical configuration: name = value".
  Status validate() const;

 private:
  std::filesystem::path config_dir_;
  MainCf main_cf_;
  std::map<std::string, std::string, std::less<>> overrides_;
};

}  // namespace correio::config
