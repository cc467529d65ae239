// The effective configuration: defaults, main.cf and overrides, with Postfix's lazy
// $name expansion (postconf(5) "parameter expansion", mac_expand(3)).
#include "config/config.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <map>
#include <mutex>

#include "base/strings.hpp"
#include "config/detail/relation.hpp"
#include "config/parameters.hpp"

namespace correio::config {
namespace {

bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}
bool is_braced_name_char(char c) {
  return is_name_char(c) || c == '.' || c == '-' || c == ':';
}

// One parsed $reference. For "$name" and "${name}" op is 0; for ${name?X}, ${name:X}
// op is '?' or ':' and `when_set`/`when_unset` hold the unexpanded texts. For Postfix
// 3.6's ${{a} OP {b} ? {x} : {y}} op is 'R', `relation` is set and `name` is empty.
struct Reference {
  std::string_view name;
  char op = 0;
  std::optional<detail::Relation> relation;
  std::string_view when_set;    // used when op is '?', or in ${name?{a}:{b}}
  std::string_view when_unset;  // used when op is ':', or in ${name?{a}:{b}}
  size_t length = 0;            // characters consumed, including the '$'
};

// Finds the bracket that closes text[open] (which is '{' or '('), counting nesting.
size_t find_close(std::string_view text, size_t open) {
  char o = text[open];
  char c = o == '{' ? '}' : ')';
  int depth = 0;
  for (size_t i = open; i < text.size(); ++i) {
    if (text[i] == o) ++depth;
    if (text[i] == c && --depth == 0) return i;
  }
  return std::string_view::npos;
}

// "{text}" -> "text" when the whole string is one braced group (after trimming).
bool strip_braces(std::string_view& text) {
  std::string_view t = base::trim(text);
  if (t.size() >= 2 && t.front() == '{' && find_close(t, 0) == t.size() - 1) {
    text = t.substr(1, t.size() - 2);
    return true;
  }
  return false;
}

// Parses the reference at text[pos] == '$'. Returns an Error for malformed ones, and a
// Reference with an empty name for a '$' that is literal text ("$$" handled by caller).
Result<Reference> parse_reference(std::string_view text, size_t pos) {
  Reference ref;
  size_t i = pos + 1;
  if (i >= text.size()) {
    ref.length = 1;
    return ref;
  }
  if (text[i] == '{' || text[i] == '(') {
    size_t close = find_close(text, i);
    if (close == std::string_view::npos)
      return Error{fmt::format("unbalanced '{}' in \"{}\"", text[i], text.substr(pos, 60))};
    std::string_view inner = text.substr(i + 1, close - i - 1);
    if (text[i] == '{' && detail::is_relation(inner)) {
      auto relation = detail::parse_relation(inner);
      if (!relation) return relation.error();
      ref.op = 'R';
      ref.relation = *relation;
      ref.length = close - pos + 1;
      return ref;
    }
    size_t n = 0;
    while (n < inner.size() && is_braced_name_char(inner[n])) ++n;
    // ':' separates a name from its ${name:value} text, so a name never ends in ':'
    // when an operator follows; take the first ':' as the operator.
    size_t colon = inner.substr(0, n).find(':');
    if (colon != std::string_view::npos) n = colon;
    ref.name = inner.substr(0, n);
    ref.length = close - pos + 1;
    if (ref.name.empty())
      return Error{fmt::format("empty parameter name in \"{}\"", text.substr(pos, ref.length))};
    std::string_view rest = inner.substr(n);
    if (rest.empty()) return ref;
    if (text[i] == '(')
      return Error{fmt::format("bad parameter reference \"{}\"", text.substr(pos, ref.length))};
    char op = rest.front();
    if (op != '?' && op != ':')
      return Error{fmt::format("bad parameter reference \"{}\"", text.substr(pos, ref.length))};
    ref.op = op;
    std::string_view body = rest.substr(1);
    // Postfix 3.0 ${name?{a}:{b}}: both branches braced.
    std::string_view trimmed = base::trim(body);
    if (op == '?' && !trimmed.empty() && trimmed.front() == '{') {
      size_t first_close = find_close(trimmed, 0);
      if (first_close != std::string_view::npos && first_close + 1 < trimmed.size()) {
        std::string_view tail = base::trim_left(trimmed.substr(first_close + 1));
        if (!tail.empty() && tail.front() == ':') {
          std::string_view second = tail.substr(1);
          if (!strip_braces(second))
            return Error{
                fmt::format("bad parameter reference \"{}\"", text.substr(pos, ref.length))};
          ref.when_set = trimmed.substr(1, first_close - 1);
          ref.when_unset = second;
          ref.op = '|';  // both branches
          return ref;
        }
      }
    }
    strip_braces(body);
    if (op == '?')
      ref.when_set = body;
    else
      ref.when_unset = body;
    return ref;
  }
  size_t n = i;
  while (n < text.size() && is_name_char(text[n])) ++n;
  ref.name = text.substr(i, n - i);
  ref.length = n - pos;
  if (ref.name.empty()) ref.length = 1;  // a lone '$' is literal text
  return ref;
}

void collect_references(std::string_view text, std::set<std::string>& out, int depth) {
  if (depth > static_cast<int>(kMaxExpansionDepth)) return;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '$') continue;
    if (i + 1 < text.size() && text[i + 1] == '$') {
      ++i;
      continue;
    }
    auto ref = parse_reference(text, i);
    if (!ref) continue;
    if (!ref->name.empty()) out.insert(std::string(ref->name));
    if (ref->relation) {
      for (auto part : {ref->relation->left, ref->relation->right, ref->relation->when_true,
                        ref->relation->when_false})
        collect_references(part, out, depth + 1);
    }
    collect_references(ref->when_set, out, depth + 1);
    collect_references(ref->when_unset, out, depth + 1);
    i += ref->length - 1;
  }
}

constexpr std::string_view kServiceSuffixes[] = {
    "_destination_concurrency_limit",
    "_destination_recipient_limit",
    "_destination_rate_delay",
    "_destination_concurrency_failed_cohort_limit",
    "_destination_concurrency_negative_feedback",
    "_destination_concurrency_positive_feedback",
    "_initial_destination_concurrency",
    "_extra_recipient_limit",
    "_recipient_limit",
    "_recipient_refill_limit",
    "_recipient_refill_delay",
    "_time_limit",
    "_delivery_slot_cost",
    "_delivery_slot_discount",
    "_delivery_slot_loan",
    "_minimum_delivery_slots",
    "_transport_rate_delay",
};

}  // namespace

std::filesystem::path resolve_config_dir(const char* dash_c_argument) {
  if (dash_c_argument && *dash_c_argument) return dash_c_argument;
  if (const char* env = std::getenv("MAIL_CONFIG"); env && *env) return env;
  return std::filesystem::path(kDefaultConfigDir);
}

std::set<std::string> referenced_parameters(std::string_view value) {
  std::set<std::string> out;
  collect_references(value, out, 0);
  return out;
}

bool is_service_dependent_name(std::string_view name, const std::set<std::string>& services) {
  for (auto suffix : kServiceSuffixes) {
    if (name.size() > suffix.size() && name.ends_with(suffix)) {
      std::string service(name.substr(0, name.size() - suffix.size()));
      if (services.empty() || services.count(service)) return true;
    }
  }
  return false;
}

std::vector<MainCfEntry> unused_parameters(const MainCf& main_cf,
                                           const std::vector<std::string>& extra_values,
                                           const std::set<std::string>& services) {
  std::set<std::string> referenced;
  for (const auto& e : main_cf.entries()) collect_references(e.value, referenced, 0);
  for (const auto& v : extra_values) collect_references(v, referenced, 0);
  // smtpd_restriction_classes names parameters of the administrator's own (postconf(5));
  // Postfix's postconf knows them as used.
  if (const MainCfEntry* classes = main_cf.find("smtpd_restriction_classes"))
    for (const auto& name : base::split_list(classes->value)) referenced.insert(name);
  std::vector<MainCfEntry> out;
  std::set<std::string> reported;
  for (const auto& e : main_cf.entries()) {
    if (find_parameter(e.name) || referenced.count(e.name) ||
        is_service_dependent_name(e.name, services))
      continue;
    if (!reported.insert(e.name).second) continue;
    out.push_back(*main_cf.find(e.name));
  }
  return out;
}

// See config.hpp. Appends with O_APPEND so that the processes of one mail system can
// share the file; a name is written when first read, so that a process that is killed
// has already said what it read.
class ReadTrace {
 public:
  explicit ReadTrace(const char* path)
      : fd_(::open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666)) {}
  ~ReadTrace() {
    if (fd_ >= 0) ::close(fd_);
  }
  ReadTrace(const ReadTrace&) = delete;
  ReadTrace& operator=(const ReadTrace&) = delete;

  void note(std::string_view name) {
    std::lock_guard lock(mutex_);
    if (fd_ < 0 || !seen_.emplace(name).second) return;
    std::string line = std::string(name) + "\n";
    // Instrumentation only: a short or failed write loses a trace line, never mail.
    if (::write(fd_, line.data(), line.size()) < 0) fd_ = -1;
  }

 private:
  int fd_;
  std::mutex mutex_;
  std::set<std::string, std::less<>> seen_;
};

// State of one top-level expansion: the chain of names being expanded (to detect loops)
// and the names already expanded (their values never depend on the context).
struct Config::ExpandState {
  std::vector<std::string> stack;
  std::map<std::string, std::string, std::less<>> done;
};

Result<Config> Config::load(const std::filesystem::path& config_dir,
                            std::vector<std::string>* warnings) {
  auto main_cf = MainCf::load(config_dir / "main.cf", warnings);
  if (!main_cf) return main_cf.error();
  return from_main_cf(std::move(main_cf).value(), config_dir, warnings);
}

Result<Config> Config::from_main_cf(MainCf main_cf, const std::filesystem::path& config_dir,
                                    std::vector<std::string>* warnings) {
  Config config;
  config.config_dir_ = config_dir;
  config.main_cf_ = std::move(main_cf);
  if (const char* trace = std::getenv("CORREIO_PARAMETER_TRACE"); trace && *trace)
    config.trace_ = std::make_shared<ReadTrace>(trace);
  // Expand every value once so that a loop is reported now, with its file and line,
  // rather than whenever some daemon happens to read the parameter.
  for (const auto& entry : config.main_cf_.entries()) {
    if (config.main_cf_.find(entry.name) != &entry) continue;  // overridden later
    ExpandState state;
    auto value = config.expand_name(entry.name, state);
    if (!value)
      return Error{fmt::format("{}:{}: error: {}", config.main_cf_.file_name(), entry.line,
                               value.error().message)};
  }
  if (warnings) {
    for (const auto& e : unused_parameters(config.main_cf_, {}, {}))
      warnings->push_back(fmt::format("{}:{}: warning: unused parameter: {}={}",
                                      config.main_cf_.file_name(), e.line, e.name, e.value));
  }
  return config;
}

Result<Config> Config::with_overrides(const Overrides& overrides) const {
  Config copy = *this;
  for (const auto& [name, value] : overrides) copy.overrides_[name] = value;
  for (const auto& [name, value] : overrides) {
    (void)value;
    ExpandState state;
    auto expanded = copy.expand_name(name, state);
    if (!expanded) return Error{fmt::format("error: {}", expanded.error().message)};
  }
  return copy;
}

void Config::note_read(std::string_view name) const {
  if (!trace_) return;
  trace_->note(name);
  // mynetworks' default is computed from mynetworks_style (raw_value below).
  if (name == "mynetworks") trace_->note("mynetworks_style");
}

std::optional<std::string> Config::raw(std::string_view name) const {
  note_read(name);
  return raw_value(name);
}

std::optional<std::string> Config::raw_value(std::string_view name) const {
  if (auto it = overrides_.find(name); it != overrides_.end()) return it->second;
  if (const MainCfEntry* e = main_cf_.find(name)) return e->value;
  const ParameterInfo* info = find_parameter(name);
  if (!info) return std::nullopt;
  // Defaults derived from other settings, as Postfix derives them.
  if (name == "mydomain") {
    auto host = raw_value("myhostname");
    if (host && host->find('$') == std::string::npos) return domain_of_hostname(*host);
  }
  if (name == "mynetworks") {
    std::string style = value_of("mynetworks_style");
    if (style != "host") return own_networks(style);
  }
  return default_value(*info, config_dir_.string());
}

Result<std::string> Config::expand_name(std::string_view name, ExpandState& state) const {
  if (auto it = state.done.find(name); it != state.done.end()) return it->second;
  for (const auto& active : state.stack) {
    if (active == name) {
      std::string chain;
      for (const auto& n : state.stack) chain += n + " -> ";
      chain += std::string(name);
      return Error{fmt::format("parameter {}: recursion: {}", name, chain)};
    }
  }
  if (state.stack.size() >= kMaxExpansionDepth)
    return Error{fmt::format("parameter {}: expansion nested too deeply", name)};
  auto unexpanded = raw_value(name);
  if (!unexpanded) {
    state.done.emplace(std::string(name), std::string());
    return std::string();  // Postfix expands unknown names to nothing
  }
  state.stack.emplace_back(name);
  auto value = expand_in(*unexpanded, state);
  state.stack.pop_back();
  if (!value) return value;
  state.done.emplace(std::string(name), *value);
  return value;
}

Result<std::string> Config::expand_in(std::string_view value, ExpandState& state) const {
  std::string out;
  for (size_t i = 0; i < value.size();) {
    char c = value[i];
    if (c != '$') {
      size_t next = value.find('$', i);
      if (next == std::string_view::npos) next = value.size();
      out.append(value.substr(i, next - i));
      i = next;
    } else if (i + 1 < value.size() && value[i + 1] == '$') {
      out += '$';
      i += 2;
    } else {
      auto ref = parse_reference(value, i);
      if (!ref) {
        std::string who = state.stack.empty() ? "" : "parameter " + state.stack.back() + ": ";
        return Error{who + ref.error().message};
      }
      i += ref->length;
      if (ref->relation) {
        auto text = expand_relation(*ref->relation, state);
        if (!text) return text;
        out += *text;
        continue;
      }
      if (ref->name.empty()) {
        out += '$';
        continue;
      }
      auto named = expand_name(ref->name, state);
      if (!named) return named;
      switch (ref->op) {
        case 0:
          out += *named;
          break;
        case '?':
        case ':':
        case '|': {
          bool set = !named->empty();
          std::string_view branch = ref->op == '?'   ? (set ? ref->when_set : "")
                                    : ref->op == ':' ? (set ? "" : ref->when_unset)
                                                     : (set ? ref->when_set : ref->when_unset);
          auto text = expand_in(branch, state);
          if (!text) return text;
          out += *text;
          break;
        }
      }
    }
    if (out.size() > kMaxExpandedLength) {
      std::string who = state.stack.empty() ? "value" : "parameter " + state.stack.back();
      return Error{fmt::format("{}: expansion longer than {} bytes", who, kMaxExpandedLength)};
    }
  }
  return out;
}

// ${{a} OP {b} ? {x} : {y}}: both operands are expanded before they are compared, and
// only the chosen branch is expanded (mac_expand.c).
Result<std::string> Config::expand_relation(const detail::Relation& r, ExpandState& state) const {
  auto left = expand_in(r.left, state);
  if (!left) return left;
  auto right = expand_in(r.right, state);
  if (!right) return right;
  auto holds = detail::evaluate_relation(*left, r.op, *right);
  if (!holds) {
    std::string who = state.stack.empty() ? "" : "parameter " + state.stack.back() + ": ";
    return Error{who + holds.error().message};
  }
  return expand_in(*holds ? r.when_true : r.when_false, state);
}

std::string Config::get(std::string_view name) const {
  note_read(name);
  return value_of(name);
}

std::string Config::value_of(std::string_view name) const {
  ExpandState state;
  auto value = expand_name(name, state);
  return value ? std::move(value).value() : std::string();
}

Result<std::string> Config::expand(std::string_view value) const {
  ExpandState state;
  return expand_in(value, state);
}

std::optional<long long> parse_time_seconds(std::string_view text, char default_unit) {
  text = base::trim(text);
  if (text.empty()) return std::nullopt;
  char unit = default_unit;
  if (std::isalpha(static_cast<unsigned char>(text.back()))) {
    unit = static_cast<char>(std::tolower(static_cast<unsigned char>(text.back())));
    text.remove_suffix(1);
  }
  auto n = base::parse_int(text);
  if (!n) return std::nullopt;
  long long factor = 0;
  switch (unit) {
    case 's':
      factor = 1;
      break;
    case 'm':
      factor = 60;
      break;
    case 'h':
      factor = 3600;
      break;
    case 'd':
      factor = 86400;
      break;
    case 'w':
      factor = 7 * 86400;
      break;
    default:
      return std::nullopt;
  }
  if (*n > (1LL << 40)) return std::nullopt;
  return *n * factor;
}

namespace {

char default_time_unit(std::string_view name) {
  const ParameterInfo* info = find_parameter(name);
  if (!info || info->default_value.empty()) return 's';
  char last = info->default_value.back();
  return std::isalpha(static_cast<unsigned char>(last)) ? last : 's';
}

std::optional<bool> parse_bool(std::string_view text) {
  if (base::iequals(text, "yes") || base::iequals(text, "true")) return true;
  if (base::iequals(text, "no") || base::iequals(text, "false")) return false;
  return std::nullopt;
}

}  // namespace

bool Config::get_bool(std::string_view name) const {
  return parse_bool(base::trim(get(name))).value_or(false);
}

long long Config::get_int(std::string_view name) const {
  return base::parse_int(base::trim(get(name))).value_or(0);
}

std::chrono::seconds Config::get_time(std::string_view name) const {
  return std::chrono::seconds(parse_time_seconds(get(name), default_time_unit(name)).value_or(0));
}

std::vector<std::string> Config::get_list(std::string_view name) const {
  return base::split_list(get(name));
}

std::string Config::where(std::string_view name) const {
  if (overrides_.count(name)) return "";
  if (const MainCfEntry* e = main_cf_.find(name))
    return fmt::format("{}:{}: ", main_cf_.file_name(), e->line);
  return "";
}

std::string Config::location(std::string_view name) const {
  if (overrides_.count(name)) return "";
  if (const MainCfEntry* e = main_cf_.find(name))
    return fmt::format("{}:{}", main_cf_.file_name(), e->line);
  return "";
}

Status Config::validate() const {
  // What main.cf or the overrides set is checked first, so that the message points at the
  // line to fix rather than at a default that merely refers to it.
  std::vector<const ParameterInfo*> order;
  for (const auto& [name, value] : overrides_)
    if (const ParameterInfo* p = find_parameter(name)) order.push_back(p);
  for (const auto& e : main_cf_.entries())
    if (const ParameterInfo* p = find_parameter(e.name)) order.push_back(p);
  for (const ParameterInfo& info : parameter_table()) order.push_back(&info);
  for (const ParameterInfo* info : order) {
    if (info->type == ParameterType::kString) continue;
    std::string value(base::trim(value_of(info->name)));
    const char* kind = nullptr;
    switch (info->type) {
      case ParameterType::kBool:
        if (!parse_bool(value)) kind = "boolean";
        break;
      case ParameterType::kInt:
        if (!base::parse_int(value)) kind = "numerical";
        break;
      case ParameterType::kTime:
        if (!parse_time_seconds(value, default_time_unit(info->name))) kind = "time";
        break;
      case ParameterType::kString:
        break;
    }
    if (kind)
      return Error{fmt::format("{}error: bad {} configuration: {} = {}", where(info->name), kind,
                               info->name, value)};
  }
  return {};
}

}  // namespace correio::config
