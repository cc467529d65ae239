// master.cf: Postfix's master(5) format — eight columns, command arguments with
// -o name=value and { ... } grouping (Postfix 3.0), comments and continuation lines.
#include "config/master_cf.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "base/strings.hpp"
#include "config/detail/logical_lines.hpp"
#include "config/main_cf.hpp"

namespace correio::config {
namespace {

constexpr std::string_view kBlanks = " \t\r\f\v";
constexpr std::string_view kTypes[] = {"inet", "unix", "unix-dgram", "fifo", "pass"};

struct Token {
  std::string text;
  bool braced = false;  // came from "{ ... }": one argument that may contain blanks
};

// Splits on blanks; "{ text }" is one token whose text is trimmed (master(5)).
Result<std::vector<Token>> tokenize(std::string_view line) {
  std::vector<Token> out;
  size_t i = 0;
  while (true) {
    i = line.find_first_not_of(kBlanks, i);
    if (i == std::string_view::npos) break;
    if (line[i] == '{') {
      int depth = 0;
      size_t j = i;
      for (; j < line.size(); ++j) {
        if (line[j] == '{') ++depth;
        if (line[j] == '}' && --depth == 0) break;
      }
      if (j >= line.size()) return Error{"missing '}'"};
      if (j + 1 < line.size() && kBlanks.find(line[j + 1]) == std::string_view::npos)
        return Error{fmt::format("syntax error after '}}' in \"{}\"", line.substr(i, 40))};
      out.push_back(Token{std::string(base::trim(line.substr(i + 1, j - i - 1))), true});
      i = j + 1;
    } else {
      size_t j = line.find_first_of(kBlanks, i);
      if (j == std::string_view::npos) j = line.size();
      out.push_back(Token{std::string(line.substr(i, j - i)), false});
      i = j;
    }
  }
  return out;
}

bool is_yn_dash(std::string_view s) {
  return s == "y" || s == "n" || s == "-";
}

bool is_digits(std::string_view s) {
  return !s.empty() && s.size() <= 9 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Whether an argument printed as it is reads back as the same argument: a bare token runs
// to the next blank, and one that starts with '{' opens a group, one with "-o" an override.
// Anything else is printed as "{ text }", which reads back because text came from a group
// (bare tokens never fail this test), so its braces balance and it is trimmed.
bool reads_back_bare(std::string_view arg) {
  return !arg.empty() && arg.find_first_of(kBlanks) == std::string_view::npos &&
         arg.front() != '{' && !arg.starts_with("-o");
}

// The value of "-o name=value" after "name=" may hold braces: only blanks end it.
bool override_reads_back_bare(std::string_view value) {
  return !value.empty() && value.find_first_of(kBlanks) == std::string_view::npos;
}

// Control characters other than TAB have no business in master.cf; refused so that every
// accepted entry prints (postconf -M) as a line that parses again to the same entry (a
// form feed inside "{ ... }" would otherwise split a value when read back). Comment lines
// are not looked at; a CR before the newline is a CRLF line end.
Result<void> check_control_characters(std::string_view text, std::string_view file_name) {
  int line_number = 0;
  for (size_t pos = 0; pos < text.size();) {
    size_t end = std::min(text.find('\n', pos), text.size());
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_number;
    if (line.ends_with('\r')) line.remove_suffix(1);
    size_t first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos || line[first] == '#') continue;
    for (size_t i = 0; i < line.size(); ++i) {
      auto c = static_cast<unsigned char>(line[i]);
      if ((c < 0x20 && c != '\t') || c == 0x7f)
        return Error{fmt::format("{}:{}: error: control character 0x{:02x} in column {}", file_name,
                                 line_number, c, i + 1)};
    }
  }
  return {};
}

// Splits "name=value" or "name = value" (from a braced group) for -o.
Result<std::pair<std::string, std::string>> split_override(std::string_view text) {
  size_t eq = text.find('=');
  if (eq == std::string_view::npos) return Error{"missing '='"};
  std::string_view name = base::trim(text.substr(0, eq));
  if (!is_valid_parameter_name(name)) return Error{"bad parameter name"};
  return std::pair{std::string(name), std::string(base::trim(text.substr(eq + 1)))};
}

}  // namespace

namespace {

// One printed argument: a word, or an option with its value ("-o", "name=value").
struct Item {
  std::string arg;
  std::string value;
  bool has_value = false;
};

std::vector<Item> argument_items(const MasterService& s) {
  auto quoted = [](const std::string& a) { return reads_back_bare(a) ? a : "{ " + a + " }"; };
  std::vector<Item> items;
  // Leading daemon options (-v, -D, ...) first, then -o overrides, then the rest: the
  // order of Postfix's own master.cf.
  size_t a = 0;
  for (; a < s.args.size() && !s.args[a].empty() && s.args[a][0] == '-' && s.args[a] != "--"; ++a)
    items.push_back(Item{quoted(s.args[a]), "", false});
  for (const auto& [n, v] : s.overrides) {
    std::string text = override_reads_back_bare(v) ? n + "=" + v : "{ " + n + " = " + v + " }";
    items.push_back(Item{"-o", text, true});
  }
  for (; a < s.args.size(); ++a) items.push_back(Item{quoted(s.args[a]), "", false});
  return items;
}

// Postfix's pcf_print_master_entry() argument layout, starting at column line_len.
void append_arguments(std::string& out, size_t line_len, const std::vector<Item>& items,
                      bool fold) {
  constexpr size_t kLineLimit = 80;
  constexpr size_t kIndent = 4;
  for (const Item& item : items) {
    size_t arg_len = item.arg.size();
    if (item.has_value) {
      line_len = kLineLimit;  // force a line break before an option with a value
      arg_len += item.value.size() + 1;
    }
    if (line_len > kIndent) {
      if (!fold || line_len + 1 + arg_len < kLineLimit) {
        out += ' ';
        line_len += 1;
      } else {
        out += "\n    ";
        line_len = kIndent;
      }
    }
    out += item.arg;
    line_len += item.arg.size();
    if (item.has_value) {
      out += ' ';
      out += item.value;
      line_len = kLineLimit;  // and after it
    }
  }
}

}  // namespace

std::string MasterService::format(bool fold) const {
  // Each column at its preferred position, with at least one blank between columns.
  static constexpr size_t kColumnGoal[] = {0, 11, 17, 25, 33, 41, 49, 57};
  const std::string* fields[] = {&name,   &type,   &private_, &unpriv,
                                 &chroot, &wakeup, &maxproc,  &command};
  std::string out;
  for (size_t f = 0; f < 8; ++f) {
    if (!out.empty()) {
      do {
        out += ' ';
      } while (out.size() < kColumnGoal[f]);
    }
    out += *fields[f];
  }
  append_arguments(out, out.size(), argument_items(*this), fold);
  return out;
}

std::string MasterService::command_line() const {
  std::string out = command;
  append_arguments(out, out.size() + 1, argument_items(*this), false);
  return out;
}

Result<std::vector<MasterService>> parse_master_cf(std::string_view text,
                                                   std::string_view file_name) {
  if (auto checked = check_control_characters(text, file_name); !checked) return checked.error();
  auto lines = detail::read_logical_lines(text, file_name);
  if (!lines) return lines.error();
  std::vector<MasterService> services;
  for (const auto& logical : *lines) {
    auto fail = [&](const std::string& what) {
      return Error{fmt::format("{}:{}: error: {}", file_name, logical.line, what)};
    };
    auto tokens = tokenize(logical.text);
    if (!tokens) return fail(tokens.error().message);
    const auto& t = *tokens;
    if (t.size() < 8) {
      return fail(fmt::format("too few fields ({} of 8) in \"{}\"", t.size(),
                              base::trim(logical.text).substr(0, 60)));
    }
    for (size_t f = 0; f < 8; ++f)
      if (t[f].braced) return fail(fmt::format("field {} may not be a {{ }} group", f + 1));
    MasterService s;
    s.name = t[0].text;
    s.type = t[1].text;
    s.private_ = t[2].text;
    s.unpriv = t[3].text;
    s.chroot = t[4].text;
    s.wakeup = t[5].text;
    s.maxproc = t[6].text;
    s.command = t[7].text;
    s.line = logical.line;
    if (std::find(std::begin(kTypes), std::end(kTypes), s.type) == std::end(kTypes))
      return fail(
          fmt::format("invalid type field \"{}\" (expected inet, unix, unix-dgram, "
                      "fifo or pass)",
                      s.type));
    if (s.type != "inet" && s.name.find(':') != std::string::npos)
      return fail(fmt::format("service name \"{}\": host:port is for inet services only", s.name));
    if (s.name.find('/') != std::string::npos || s.name.find('=') != std::string::npos)
      return fail(fmt::format("invalid service name \"{}\"", s.name));
    const std::pair<const char*, const std::string*> flags[] = {
        {"private", &s.private_}, {"unprivileged", &s.unpriv}, {"chroot", &s.chroot}};
    for (const auto& [label, value] : flags)
      if (!is_yn_dash(*value))
        return fail(fmt::format("invalid {} field \"{}\" (expected y, n or -)", label, *value));
    {
      std::string_view w = s.wakeup;
      if (!w.empty() && w.back() == '?') w.remove_suffix(1);
      if (s.wakeup != "-" && !is_digits(w))
        return fail(fmt::format("invalid wakeup field \"{}\"", s.wakeup));
    }
    if (s.maxproc != "-" && !is_digits(s.maxproc))
      return fail(fmt::format("invalid maxproc field \"{}\"", s.maxproc));

    for (size_t i = 8; i < t.size(); ++i) {
      const Token& tok = t[i];
      std::string_view value;
      bool is_o = false;
      if (!tok.braced && tok.text == "-o") {
        if (i + 1 >= t.size()) return fail("-o option requires name=value");
        value = t[++i].text;
        is_o = true;
      } else if (!tok.braced && tok.text.size() > 2 && tok.text.starts_with("-o")) {
        value = std::string_view(tok.text).substr(2);
        is_o = true;
      }
      if (is_o) {
        auto kv = split_override(value);
        if (!kv)
          return fail(fmt::format(
              "-o {}: {}",
              kv.error().message == "missing '='" ? "requires name=value" : kv.error().message,
              value));
        s.overrides.push_back(std::move(kv).value());
      } else {
        s.args.push_back(tok.text);
      }
    }
    services.push_back(std::move(s));
  }
  return services;
}

Result<std::vector<MasterService>> load_master_cf(const std::filesystem::path& config_dir) {
  std::filesystem::path file = config_dir / "master.cf";
  std::ifstream in(file, std::ios::binary);
  if (!in) return Error{fmt::format("open {}: {}", file.string(), std::strerror(errno))};
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return Error{fmt::format("read {}: {}", file.string(), std::strerror(errno))};
  return parse_master_cf(buffer.str(), file.string());
}

}  // namespace correio::config
