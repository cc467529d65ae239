// Reading the milter settings from main.cf and master.cf -o (see settings.hpp).
#include "milter/settings.hpp"

#include <cctype>

#include "base/strings.hpp"

namespace correio::milter {
namespace {

std::vector<std::string> names_of(const config::Config& config, std::string_view parameter) {
  return base::split_any(config.get(parameter), ", \t\r\n");
}

// "30s", "5m", "10" (seconds), as postconf(5) time values; nullopt when malformed.
std::optional<std::chrono::milliseconds> parse_time(std::string_view text) {
  text = base::trim(text);
  long long factor = 1000;
  if (!text.empty() && std::isalpha(static_cast<unsigned char>(text.back()))) {
    switch (std::tolower(static_cast<unsigned char>(text.back()))) {
      case 's':
        factor = 1000;
        break;
      case 'm':
        factor = 60 * 1000;
        break;
      case 'h':
        factor = 3600 * 1000;
        break;
      case 'd':
        factor = 86400 * 1000;
        break;
      default:
        return std::nullopt;
    }
    text.remove_suffix(1);
  }
  auto n = base::parse_int(text);
  if (!n || *n < 0) return std::nullopt;
  return std::chrono::milliseconds(*n * factor);
}

Result<uint32_t> parse_protocol(std::string_view value) {
  // Postfix's milter_protocol: 2, 3, 4 or 6 (5 was never released).
  auto n = base::parse_int(base::trim(value));
  if (!n || (*n != 2 && *n != 3 && *n != 4 && *n != 6))
    return Error{"milter protocol version \"" + std::string(value) + "\" is not 2, 3, 4 or 6"};
  return static_cast<uint32_t>(*n);
}

Result<std::string> check_address(std::string_view text, const std::string& queue_directory) {
  std::string a(base::trim(text));
  if (a.starts_with("unix:")) {
    if (a.size() == 5) return Error{"milter address \"" + a + "\" has no path"};
    if (a[5] != '/') a = "unix:" + queue_directory + "/" + a.substr(5);
    return a;
  }
  if (a.starts_with("local:")) return check_address("unix:" + a.substr(6), queue_directory);
  if (!a.starts_with("inet:"))
    return Error{"milter address \"" + a + "\": expected inet:host:port or unix:/path"};
  size_t colon = a.rfind(':');
  if (colon <= 5 || colon + 1 == a.size() || !base::parse_int(a.substr(colon + 1)))
    return Error{"milter address \"" + a + "\": expected inet:host:port"};
  return a;
}

// "{ inet:host:port, connect_timeout=10s, default_action=accept }" (Postfix 3.0).
Result<MilterSpec> parse_braced(std::string_view inner, MilterSpec spec,
                                const std::string& queue_directory) {
  auto parts = base::split_any(inner, ",");
  if (parts.empty()) return Error{"empty milter entry {}"};
  auto address = check_address(parts[0], queue_directory);
  if (!address) return address.error();
  spec.address = *address;
  for (size_t i = 1; i < parts.size(); ++i) {
    std::string_view part = base::trim(parts[i]);
    size_t eq = part.find('=');
    if (eq == std::string_view::npos)
      return Error{"milter setting \"" + std::string(part) + "\" lacks '='"};
    std::string_view name = base::trim(part.substr(0, eq));
    std::string_view value = base::trim(part.substr(eq + 1));
    std::optional<std::chrono::milliseconds> t;
    if (name == "default_action") {
      auto action = parse_default_action(value);
      if (!action) return action.error();
      spec.default_action = *action;
    } else if (name == "protocol") {
      auto p = parse_protocol(value);
      if (!p) return p.error();
      spec.protocol = *p;
    } else if (name == "connect_timeout" || name == "command_timeout" ||
               name == "content_timeout") {
      if (!(t = parse_time(value)))
        return Error{"milter setting " + std::string(name) + ": bad time \"" + std::string(value) +
                     "\""};
      (name == "connect_timeout"   ? spec.connect_timeout
       : name == "command_timeout" ? spec.command_timeout
                                   : spec.content_timeout) = *t;
    } else {
      // Postfix's other names (e.g. "macro_defaults") are not built: refuse, never ignore.
      return Error{"milter setting \"" + std::string(name) + "\" is not supported"};
    }
  }
  return spec;
}

}  // namespace

Result<DefaultAction> parse_default_action(std::string_view value) {
  value = base::trim(value);
  if (value == "accept") return DefaultAction::accept;
  if (value == "reject") return DefaultAction::reject;
  if (value == "tempfail") return DefaultAction::tempfail;
  if (value == "quarantine") return DefaultAction::quarantine;
  return Error{"milter default action \"" + std::string(value) +
               "\" is not accept, reject, tempfail or quarantine"};
}

Result<std::vector<MilterSpec>> parse_milter_list(std::string_view value,
                                                  const MilterSpec& defaults,
                                                  const std::string& queue_directory) {
  std::vector<MilterSpec> out;
  size_t pos = 0;
  while (pos < value.size()) {
    char c = value[pos];
    if (c == ' ' || c == '\t' || c == ',' || c == '\n' || c == '\r') {
      ++pos;
      continue;
    }
    if (c == '{') {
      size_t close = value.find('}', pos);
      if (close == std::string_view::npos) return Error{"missing '}' in milter list"};
      auto spec = parse_braced(value.substr(pos + 1, close - pos - 1), defaults, queue_directory);
      if (!spec) return spec.error();
      out.push_back(std::move(*spec));
      pos = close + 1;
      continue;
    }
    size_t end = value.find_first_of(" \t,\r\n", pos);
    if (end == std::string_view::npos) end = value.size();
    auto address = check_address(value.substr(pos, end - pos), queue_directory);
    if (!address) return address.error();
    MilterSpec spec = defaults;
    spec.address = *address;
    out.push_back(std::move(spec));
    pos = end;
  }
  return out;
}

Result<Settings> Settings::from_config(const config::Config& config,
                                       std::string_view list_parameter) {
  auto fail = [&](std::string_view parameter, const Error& e) {
    std::string where = config.location(parameter);
    return Error{(where.empty() ? "" : where + ": ") + std::string(parameter) + ": " + e.message};
  };
  MilterSpec defaults;
  auto action = parse_default_action(config.get("milter_default_action"));
  if (!action) return fail("milter_default_action", action.error());
  defaults.default_action = *action;
  auto protocol = parse_protocol(config.get("milter_protocol"));
  if (!protocol) return fail("milter_protocol", protocol.error());
  defaults.protocol = *protocol;
  defaults.connect_timeout = config.get_time("milter_connect_timeout");
  defaults.command_timeout = config.get_time("milter_command_timeout");
  defaults.content_timeout = config.get_time("milter_content_timeout");
  Settings s;
  auto list =
      parse_milter_list(config.get(list_parameter), defaults, config.get("queue_directory"));
  if (!list) return fail(list_parameter, list.error());
  s.milters = std::move(*list);
  s.macros.connect = names_of(config, "milter_connect_macros");
  s.macros.helo = names_of(config, "milter_helo_macros");
  s.macros.mail = names_of(config, "milter_mail_macros");
  s.macros.rcpt = names_of(config, "milter_rcpt_macros");
  s.macros.data = names_of(config, "milter_data_macros");
  s.macros.end_of_header = names_of(config, "milter_end_of_header_macros");
  s.macros.end_of_data = names_of(config, "milter_end_of_data_macros");
  s.daemon_name = config.get("milter_macro_daemon_name");
  s.v = config.get("milter_macro_v");
  s.myhostname = config.get("myhostname");
  return s;
}

}  // namespace correio::milter
