// postconf(1): prints and edits main.cf and prints master.cf, with Postfix's options and
// output format. Runs as the invoking user; it only reads and writes the configuration
// directory it is pointed at (-c DIR, $MAIL_CONFIG, or /etc/correio).
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <set>

#include "base/strings.hpp"
#include "cli/commands.hpp"
#include "cli/postconf_edit.hpp"
#include "cli/postconf_info.hpp"
#include "cli/postconf_master_edit.hpp"
#include "config/config.hpp"
#include "config/main_cf.hpp"
#include "config/master_cf.hpp"
#include "config/parameters.hpp"
#include "config/support.hpp"

namespace correio::cli {
namespace postconf {
namespace {

namespace cfg = correio::config;

struct Options {
  std::optional<std::string> config_dir;  // -c DIR
  bool defaults = false;                  // -d
  bool edit = false;                      // -e
  bool fold = false;                      // -f
  bool fields = false;                    // -F
  bool hide_name = false;                 // -h
  bool master = false;                    // -M
  bool nondefault = false;                // -n
  bool params = false;                    // -P
  bool expand = false;                    // -x
  bool remove = false;                    // -X
  bool comment_out = false;               // -#
  bool reference = false;                 // --reference-markdown (hidden)
  bool reference_man = false;             // --reference-man (hidden): postconf(5)
  std::string info;                       // -m -a -A -l, in the order given
  std::optional<std::string> tls_mode;    // -T MODE
  std::vector<std::string> operands;
};

class Output {
 public:
  Output(std::string& out, std::string& err) : out_(out), err_(err) {}
  void line(std::string_view text) { out_.append(text); }
  void warning(std::string_view text) { err_ += fmt::format("postconf: warning: {}\n", text); }
  int fatal(std::string_view text) {
    err_ += fmt::format("postconf: fatal: {}\n", text);
    return 1;
  }

 private:
  std::string& out_;
  std::string& err_;
};

// "FILE:LINE: error: TEXT" -> "FILE:LINE: TEXT", so that fatal/warning is said once.
std::string strip_severity(std::string message) {
  for (std::string_view level : {": error: ", ": warning: "}) {
    if (auto at = message.find(level); at != std::string::npos) {
      message.replace(at, level.size(), ": ");
      break;
    }
  }
  if (message.starts_with("error: ")) message.erase(0, 7);
  return message;
}

int usage(Output& o) {
  return o.fatal(
      "usage: postconf [-c config_dir] [-d|-n] [-h] [-x] [-f] [name...]\n"
      "       postconf [-c config_dir] -e name=value... | -X name... | -# name...\n"
      "       postconf [-c config_dir] -M|-F|-P [-f] [service[/type[/name]]...]\n"
      "       postconf [-c config_dir] -Me|-MX|-M# service/type[=entry]...\n"
      "       postconf [-c config_dir] -Pe|-PX service/type/name[=value]...\n"
      "       postconf [-c config_dir] -Fe service/type/field=value...\n"
      "       postconf [-c config_dir] -a|-A|-l|-m | -T mode");
}

std::optional<Options> parse_options(const std::vector<std::string>& args, Output& o) {
  Options opt;
  bool options_done = false;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (options_done || a.size() < 2 || a[0] != '-') {
      opt.operands.push_back(a);
      continue;
    }
    if (a == "--") {
      options_done = true;
      continue;
    }
    if (a == "--reference-markdown") {
      opt.reference = true;
      continue;
    }
    if (a == "--reference-man") {
      opt.reference_man = true;
      continue;
    }
    for (size_t k = 1; k < a.size(); ++k) {
      switch (a[k]) {
        case 'c':
          if (k + 1 < a.size()) {
            opt.config_dir = a.substr(k + 1);
          } else if (i + 1 < args.size()) {
            opt.config_dir = args[++i];
          } else {
            usage(o);
            return std::nullopt;
          }
          k = a.size();
          break;
        case 'd':
          opt.defaults = true;
          break;
        case 'T':
          if (k + 1 < a.size()) {
            opt.tls_mode = a.substr(k + 1);
          } else if (i + 1 < args.size()) {
            opt.tls_mode = args[++i];
          } else {
            usage(o);
            return std::nullopt;
          }
          k = a.size();
          break;
        case 'm':
        case 'a':
        case 'A':
        case 'l':
          opt.info += a[k];
          break;
        case 'e':
          opt.edit = true;
          break;
        case 'f':
          opt.fold = true;
          break;
        case 'F':
          opt.fields = true;
          break;
        case 'h':
          opt.hide_name = true;
          break;
        case 'M':
          opt.master = true;
          break;
        case 'n':
          opt.nondefault = true;
          break;
        case 'P':
          opt.params = true;
          break;
        case 'x':
          opt.expand = true;
          break;
        case 'X':
          opt.remove = true;
          break;
        case '#':
          opt.comment_out = true;
          break;
        case 'v':
          break;  // verbose logging: nothing extra to say here
        default:
          usage(o);
          return std::nullopt;
      }
    }
  }
  return opt;
}

void print_parameter(Output& o, const Options& opt, std::string_view name, std::string_view value) {
  if (opt.hide_name)
    o.line(format_line(value, opt.fold));
  else
    o.line(format_line(fmt::format("{} = {}", name, value), opt.fold));
}

// service[/type[/rest]] with '*' as a wildcard component, Postfix's service patterns.
struct Pattern {
  std::string raw;
  std::vector<std::string> parts;
  int matches = 0;
  bool match(const cfg::MasterService& s) const {
    auto ok = [](const std::string& p, const std::string& v) { return p == "*" || p == v; };
    if (!parts.empty() && !ok(parts[0], s.name)) return false;
    if (parts.size() > 1 && !ok(parts[1], s.type)) return false;
    return true;
  }
};

std::vector<Pattern> parse_patterns(const std::vector<std::string>& operands) {
  std::vector<Pattern> out;
  for (const auto& raw : operands) {
    Pattern p;
    p.raw = raw;
    // The service name may contain '/'-free host:port; split into at most 3 parts.
    std::string_view rest = raw;
    for (int i = 0; i < 2; ++i) {
      size_t slash = rest.find('/');
      if (slash == std::string_view::npos) break;
      p.parts.emplace_back(rest.substr(0, slash));
      rest = rest.substr(slash + 1);
    }
    p.parts.emplace_back(rest);
    out.push_back(std::move(p));
  }
  return out;
}

constexpr std::string_view kFieldNames[] = {"service", "type",   "private",       "unprivileged",
                                            "chroot",  "wakeup", "process_limit", "command"};

std::string field_value(const cfg::MasterService& s, size_t field) {
  switch (field) {
    case 0:
      return s.name;
    case 1:
      return s.type;
    case 2:
      return s.private_;
    case 3:
      return s.unpriv;
    case 4:
      return s.chroot;
    case 5:
      return s.wakeup;
    case 6:
      return s.maxproc;
    default:
      return s.command_line();
  }
}

int master_mode(Output& o, const Options& opt, const std::filesystem::path& dir) {
  auto services = cfg::load_master_cf(dir);
  if (!services) return o.fatal(strip_severity(services.error().message));
  auto patterns = parse_patterns(opt.operands);
  for (const auto& s : *services) {
    std::vector<Pattern*> hits;
    if (patterns.empty()) {
      hits.push_back(nullptr);
    } else {
      for (auto& p : patterns)
        if (p.match(s)) {
          ++p.matches;
          hits.push_back(&p);
        }
    }
    for (const Pattern* p : hits) {
      const std::string* third = p && p->parts.size() > 2 ? &p->parts[2] : nullptr;
      if (opt.master) {
        o.line(s.format(opt.fold) + "\n");
      } else if (opt.fields) {
        for (size_t f = 0; f < 8; ++f) {
          if (third && *third != "*" && *third != kFieldNames[f]) continue;
          std::string prefix =
              opt.hide_name ? "" : s.key() + "/" + std::string(kFieldNames[f]) + " = ";
          if (f == 7 && !opt.fold)
            o.line(prefix + field_value(s, f) + "\n");
          else
            o.line(format_line(prefix + field_value(s, f), opt.fold));
        }
      } else {  // -P
        std::vector<std::pair<std::string, std::string>> seen;
        for (const auto& [n, v] : s.overrides) {
          if (third && *third != "*" && *third != n) continue;
          // A later -o for the same name wins, as in the daemon. (A named copy: clang
          // before 16 cannot capture a structured binding.)
          const std::string& name = n;
          auto it =
              std::find_if(seen.begin(), seen.end(), [&](auto& e) { return e.first == name; });
          if (it != seen.end())
            it->second = v;
          else
            seen.emplace_back(n, v);
        }
        std::sort(seen.begin(), seen.end());
        for (const auto& [n, v] : seen) {
          if (opt.hide_name)
            o.line(format_line(v, opt.fold));
          else
            o.line(format_line(fmt::format("{}/{} = {}", s.key(), n, v), opt.fold));
        }
      }
    }
  }
  for (const auto& p : patterns)
    if (p.matches == 0) o.warning(fmt::format("unmatched request: \"{}\"", p.raw));
  return 0;
}

// Reads a whole configuration file; a missing file is empty text when `missing_ok`.
Result<std::string> read_text(const std::filesystem::path& file, bool missing_ok) {
  std::string text;
  FILE* f = std::fopen(file.c_str(), "rb");
  if (!f) {
    if (errno == ENOENT && missing_ok) return text;
    return Error{fmt::format("open {}: {}", file.string(), std::strerror(errno))};
  }
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  bool failed = std::ferror(f);
  std::fclose(f);
  if (failed) return Error{fmt::format("read {}: I/O error", file.string())};
  return text;
}

// -Me, -MX, -M#, -Pe, -PX (and -M/-P with name=value operands).
int master_edit_mode(Output& o, const Options& opt, const std::filesystem::path& dir) {
  if (opt.operands.empty()) return usage(o);
  MasterEditMode mode;
  if (opt.fields)
    mode = MasterEditMode::kSetField;
  else if (opt.master)
    mode = opt.remove        ? MasterEditMode::kRemoveEntry
           : opt.comment_out ? MasterEditMode::kCommentOutEntry
                             : MasterEditMode::kSetEntry;
  else
    mode = opt.remove ? MasterEditMode::kRemoveParameter : MasterEditMode::kSetParameter;
  std::vector<MasterEditRequest> requests;
  for (const auto& a : opt.operands) {
    auto r = parse_master_edit_argument(a, mode);
    if (!r) return o.fatal(r.error().message);
    requests.push_back(std::move(r).value());
  }
  std::filesystem::path file = dir / "master.cf";
  auto text = read_text(file, false);
  if (!text) return o.fatal(text.error().message);
  auto edited = edit_master_cf_text(*text, file.string(), mode, requests);
  if (!edited) return o.fatal(strip_severity(edited.error().message));
  if (mode == MasterEditMode::kSetParameter || mode == MasterEditMode::kSetField)
    for (const auto& r : requests)
      if (!r.matched)
        o.warning(
            fmt::format("unmatched service_name/type: \"{}\"", opt.operands[&r - requests.data()]));
  // Refuse to write a master.cf that the master would reject.
  if (auto check = cfg::parse_master_cf(*edited, file.string()); !check)
    return o.fatal(strip_severity(check.error().message));
  if (auto s = write_file_atomically(file, *edited); !s) return o.fatal(s.error().message);
  return 0;
}

int edit_mode(Output& o, const Options& opt, const std::filesystem::path& dir) {
  if (opt.operands.empty()) return usage(o);
  EditMode mode = opt.remove        ? EditMode::kRemove
                  : opt.comment_out ? EditMode::kCommentOut
                                    : EditMode::kSet;
  std::vector<EditRequest> requests;
  for (const auto& a : opt.operands) {
    if (mode == EditMode::kSet) {
      auto r = parse_edit_argument(a);
      if (!r) return o.fatal(r.error().message);
      requests.push_back(std::move(r).value());
    } else {
      if (a.find('=') != std::string::npos)
        return o.fatal("-X or -# requires parameter names without value");
      requests.push_back(EditRequest{std::string(base::trim(a)), ""});
    }
  }
  std::filesystem::path file = dir / "main.cf";
  auto text = read_text(file, true);
  if (!text) return o.fatal(text.error().message);
  std::vector<std::string> warnings;
  std::string edited = edit_main_cf_text(*text, mode, requests, &warnings);
  for (const auto& w : warnings)
    o.warning(w.starts_with("multiple") ? file.string() + ": " + w : w);
  // Refuse to write a main.cf that the daemons would reject.
  auto check = cfg::MainCf::parse(edited, file.string());
  if (!check) return o.fatal(strip_severity(check.error().message));
  if (auto s = write_file_atomically(file, edited); !s) return o.fatal(s.error().message);
  return 0;
}

int main_cf_mode(Output& o, const Options& opt, const std::filesystem::path& dir) {
  std::filesystem::path file = dir / "main.cf";
  cfg::MainCf main_cf;
  // Names in main.cf that are neither known nor referenced: warned about, never printed.
  std::set<std::string> unused;
  if (!opt.defaults) {
    std::vector<std::string> warnings;
    auto parsed = cfg::MainCf::load(file, &warnings);
    if (!parsed) return o.fatal(strip_severity(parsed.error().message));
    main_cf = std::move(parsed).value();
    for (const auto& w : warnings) o.warning(strip_severity(w));

    // Postfix's "unused parameter" warning also counts $name references in master.cf.
    std::vector<std::string> extra_values;
    std::set<std::string> services;
    if (std::filesystem::exists(dir / "master.cf")) {
      auto master = cfg::load_master_cf(dir);
      if (!master) {
        o.warning(strip_severity(master.error().message));
      } else {
        for (const auto& s : *master) {
          services.insert(s.name);
          for (const auto& [n, v] : s.overrides) extra_values.push_back(v);
        }
      }
    }
    for (const auto& e : cfg::unused_parameters(main_cf, extra_values, services)) {
      o.warning(fmt::format("{}: unused parameter: {}={}", file.string(), e.name, e.value));
      unused.insert(e.name);
    }
  }
  // Postfix enters a directory named by -c or $MAIL_CONFIG into its parameter table as
  // config_directory (pcf_set_config_dir()), so -n shows it unless main.cf sets it.
  std::optional<std::string> named_dir;
  if (!opt.defaults && !main_cf.find("config_directory") &&
      (opt.config_dir || std::getenv("MAIL_CONFIG")))
    named_dir = dir.string();

  // The names to show, sorted: main.cf's own for -n, else every known parameter plus
  // main.cf's user-defined ones.
  std::set<std::string> names;
  if (opt.nondefault && !opt.defaults) {
    for (const auto& e : main_cf.entries()) names.insert(e.name);
    if (named_dir) names.insert("config_directory");
  } else {
    for (const auto& p : cfg::parameter_table()) names.emplace(p.name);
    if (!opt.defaults)
      for (const auto& e : main_cf.entries()) names.insert(e.name);
  }
  for (const auto& n : unused) names.erase(n);

  std::optional<cfg::Config> config;
  auto need_config = [&]() -> bool {
    if (config) return true;
    // -d shows the compiled-in config_directory, as Postfix does, whatever -c says.
    auto c = cfg::Config::from_main_cf(main_cf, opt.defaults ? std::filesystem::path() : dir);
    if (!c) {
      o.fatal(strip_severity(c.error().message));
      return false;
    }
    config = std::move(c).value();
    return true;
  };

  auto value_of = [&](const std::string& name) -> std::optional<std::string> {
    if (opt.defaults) {
      const cfg::ParameterInfo* info = cfg::find_parameter(name);
      if (!info) return std::nullopt;
      if (!opt.expand) return cfg::default_value(*info, "");
      return config->get(name);
    }
    if (opt.expand) {
      if (!config->raw(name)) return std::nullopt;
      return config->get(name);
    }
    if (opt.nondefault) {
      if (name == "config_directory" && named_dir) return named_dir;
      const cfg::MainCfEntry* e = main_cf.find(name);
      return e ? std::optional<std::string>(e->value) : std::nullopt;
    }
    return config->raw(name);
  };
  bool uses_config = opt.expand || (!opt.defaults && !opt.nondefault);
  if (uses_config && !need_config()) return 1;

  if (opt.operands.empty()) {
    for (const auto& name : names)
      if (auto v = value_of(name)) print_parameter(o, opt, name, *v);
    return 0;
  }
  for (const auto& name : opt.operands) {
    if (name.find('=') != std::string::npos) return o.fatal("name=value requires -e");
    auto v = unused.count(name) ? std::nullopt : value_of(name);
    if (!v) {
      // With -n an unset known parameter prints nothing; anything else is unknown.
      if (!(opt.nondefault && cfg::find_parameter(name)))
        o.warning(fmt::format("{}: unknown parameter", name));
      continue;
    }
    print_parameter(o, opt, name, *v);
  }
  return 0;
}

}  // namespace

std::string reference_markdown() {
  auto escape = [](std::string_view s) {
    std::string out;
    for (char c : s) {
      if (c == '|') out += '\\';
      out += c;
    }
    return out;
  };
  std::string out =
      "# Configuration reference\n"
      "\n"
      "<!-- Generated by `postconf --reference-markdown` through "
      "docs/generate-configuration.sh; do not edit by hand. -->\n"
      "\n"
      "Correio reads `main.cf` and `master.cf` from the configuration directory: `-c DIR`, "
      "else `$MAIL_CONFIG`, else `/etc/correio`. The syntax is Postfix's (postconf(5), "
      "master(5)):\n"
      "\n"
      "- `name = value`, blanks around `=` optional; leading and trailing blanks of the "
      "value are removed.\n"
      "- A line whose first non-blank character is `#` is a comment; a `#` inside a value is "
      "data.\n"
      "- A line that starts with a blank continues the previous line.\n"
      "- `$name`, `${name}` and `$(name)` expand to another parameter's value, lazily and "
      "recursively; `${name?value}` expands to `value` when `name` is non-empty, "
      "`${name:value}` when it is empty, `${name?{a}:{b}}` chooses; `$$` is a `$`. Unknown "
      "names expand to nothing; a loop is an error.\n"
      "- The last of several entries for one name wins (with a warning).\n"
      "- A name that is neither known nor referenced as `$name` by another value draws the "
      "warning `unused parameter`.\n"
      "\n"
      "`postconf -d` prints the defaults, `postconf -n` what `main.cf` sets, `postconf "
      "name=value` edits `main.cf`.\n"
      "\n"
      "Defaults are Postfix 3.7's except where Correio's own names and paths differ: "
      "`config_directory` `/etc/correio`, `queue_directory` `/var/spool/correio`, "
      "`data_directory` `/var/lib/correio`, `daemon_directory` `/usr/lib/correio`, "
      "`mail_owner` `correio`, `syslog_name` `correio`, `mail_name` `Correio`; and where "
      "Correio takes Postfix 3.9's safer defaults (`smtpd_forbid_bare_newline`, "
      "`smtpd_forbid_unauth_pipelining`) or the defaults of compatibility level 3.6 "
      "without the legacy safety net. Parameters after `user_directory` in the mailbox "
      "section are Correio's own.\n"
      "\n"
      "\n"
      "The Support column says what Correio does with each parameter. *honoured*: read "
      "and acted upon. *informational*: no effect at run time, in Postfix either (install "
      "paths, read-only facts). *not yet (warning)*: ignored; setting it to anything but "
      "its default (or a value that describes what Correio does anyway) draws a warning "
      "from `postfix check`, `postfix start` and `postfix reload`, naming the file and "
      "line. *not yet (fatal)*: ignoring it would weaken security or lose mail, so such a "
      "setting stops `check` and `start`, and `reload` keeps the running configuration "
      "and exits with status 1.\n"
      "\n"
      "| Parameter | Default | Support | Description |\n"
      "| --- | --- | --- | --- |\n";
  for (const auto& p : cfg::parameter_table()) {
    std::string def;
    if (p.dynamic)
      def = "*" + escape(p.default_value) + "*";
    else if (p.default_value.empty())
      def = "*(empty)*";
    else
      def = "`" + escape(p.default_value) + "`";
    std::string support(cfg::support_label(cfg::parameter_support(p.name)));
    std::string description(p.description);
    if (const cfg::SupportInfo* info = cfg::find_support(p.name))
      description += " *Correio: " + std::string(info->note) + ".*";
    out += fmt::format("| `{}` | {} | {} | {} |\n", p.name, def, support, escape(description));
  }
  return out;
}

int run(const std::vector<std::string>& args, std::string& out, std::string& err) {
  Output o(out, err);
  auto opt = parse_options(args, o);
  if (!opt) return 1;
  if (opt->reference) {
    o.line(reference_markdown());
    return 0;
  }
  if (opt->reference_man) {
    o.line(reference_man());
    return 0;
  }
  if (opt->tls_mode) {
    auto lines = tls_info(*opt->tls_mode);
    if (!lines) {
      o.warning(lines.error().message);
      return 1;
    }
    o.line(*lines);
    return 0;
  }
  if (!opt->info.empty()) {
    for (char c : opt->info) o.line(info_lines(c));
    return 0;
  }
  std::filesystem::path dir =
      cfg::resolve_config_dir(opt->config_dir ? opt->config_dir->c_str() : nullptr);

  int master_modes = int{opt->master} + int{opt->fields} + int{opt->params};
  int edit_modes = int{opt->edit} + int{opt->remove} + int{opt->comment_out};
  // Postfix 2.8+: "postconf name=value" is "postconf -e name=value"; likewise for -M
  // and -P with service/type=entry and service/type/name=value.
  bool implied_edit = !opt->operands.empty() &&
                      std::all_of(opt->operands.begin(), opt->operands.end(),
                                  [](auto& a) { return a.find('=') != std::string::npos; });
  if (master_modes > 1 || edit_modes > 1) return usage(o);
  if (master_modes && (edit_modes || implied_edit)) {
    // -FX, -F# and -P# are not Postfix commands.
    if ((opt->fields && !opt->edit && !implied_edit) || (opt->params && opt->comment_out))
      return usage(o);
    return master_edit_mode(o, *opt, dir);
  }
  if (master_modes) return master_mode(o, *opt, dir);
  if (opt->edit || opt->remove || opt->comment_out || implied_edit) return edit_mode(o, *opt, dir);
  return main_cf_mode(o, *opt, dir);
}

}  // namespace postconf

int postconf_main(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  std::string out;
  std::string err;
  int status = postconf::run(args, out, err);
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  std::fwrite(err.data(), 1, err.size(), stderr);
  return status;
}

}  // namespace correio::cli
