// master.cf editing for postconf -M and -P (see postconf_master_edit.hpp), after
// Postfix's postconf_edit.c: comment and blank lines pass through at once, lines of an
// entry nobody edits too; an edited entry is held until its last line and then rewritten.
#include "cli/postconf_master_edit.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "base/strings.hpp"
#include "config/main_cf.hpp"
#include "config/master_cf.hpp"

namespace correio::cli::postconf {
namespace {

namespace cfg = correio::config;

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\r';
}

// The first two words of an entry's first line: its service name and type.
std::pair<std::string, std::string> entry_key(std::string_view line) {
  auto words = base::split_any(line.substr(0, line.find('\n')), " \t\r");
  if (words.size() < 2) return {};
  return {words[0], words[1]};
}

// Applies a -P request to one parsed entry.
void edit_parameter(cfg::MasterService& s, const MasterEditRequest& r, MasterEditMode mode) {
  auto& o = s.overrides;
  auto same = [&](const auto& e) { return e.first == r.parameter; };
  auto first = std::find_if(o.begin(), o.end(), same);
  if (mode == MasterEditMode::kSetParameter && first != o.end()) {
    // The first -o keeps its place with the new value; later ones for the name would
    // override it in the daemon, so they go.
    first->second = r.value;
    o.erase(std::remove_if(std::next(first), o.end(), same), o.end());
  } else if (mode == MasterEditMode::kSetParameter) {
    o.emplace_back(r.parameter, r.value);
  } else {
    o.erase(std::remove_if(o.begin(), o.end(), same), o.end());
  }
}

// master.cf's column names as postconf -F prints them (Postfix's field patterns).
constexpr std::array<std::string_view, 8> kFieldNames = {
    "service", "type", "private", "unprivileged", "chroot", "wakeup", "process_limit", "command"};

bool is_field_name(std::string_view name) {
  return std::find(kFieldNames.begin(), kFieldNames.end(), name) != kFieldNames.end();
}

// Applies a -F request to one parsed entry, as Postfix's pcf_edit_master_field(): one
// column is replaced; "command" replaces the command with all its options and arguments.
// Returns the entry's new text, which the caller parses again so that a bad value (a
// "private" that is not y/n/-, a non-numeric process_limit) is refused as master does.
std::string edit_field(const cfg::MasterService& s, const MasterEditRequest& r) {
  std::array<std::string, 8> columns = {s.name,   s.type,   s.private_, s.unpriv,
                                        s.chroot, s.wakeup, s.maxproc,  s.command_line()};
  for (size_t f = 0; f < kFieldNames.size(); ++f)
    if (kFieldNames[f] == r.parameter) columns[f] = r.value;
  std::string text;
  for (const auto& c : columns) {
    if (!text.empty()) text += ' ';
    text += c;
  }
  return text;
}

class Editor {
 public:
  Editor(std::string_view file_name, MasterEditMode mode, std::vector<MasterEditRequest>& requests)
      : file_name_(file_name), mode_(mode), requests_(requests) {}

  Result<std::string> run(std::string_view text) {
    for (std::string_view rest = text; !rest.empty();) {
      size_t nl = rest.find('\n');
      std::string_view line = rest.substr(0, nl == std::string_view::npos ? rest.size() : nl + 1);
      rest.remove_prefix(line.size());
      if (auto s = take(line); !s) return s.error();
    }
    if (auto s = flush(); !s) return s.error();
    if (mode_ == MasterEditMode::kSetEntry) {
      for (auto& r : requests_) {
        if (r.matched) continue;
        auto entry = rewrite(r.value);
        if (!entry) return entry.error();
        if (!out_.empty() && out_.back() != '\n') out_ += '\n';
        out_ += *entry;
      }
    }
    return out_;
  }

 private:
  Status take(std::string_view line) {
    std::string_view trimmed = base::trim(line);
    if (trimmed.empty() || trimmed.front() == '#') {
      out_.append(line);  // before a held entry: where Postfix puts it
      return {};
    }
    if (is_blank(line.front())) {
      (held_ ? held_text_ : out_).append(line);
      return {};
    }
    if (auto s = flush(); !s) return s;
    auto [name, type] = entry_key(line);
    for (auto& r : requests_) {
      if (r.service == name && r.type == type) {
        held_ = true;
        r.matched = true;
      }
    }
    (held_ ? held_text_ : out_).append(line);
    return {};
  }

  // Writes the held entry, edited.
  Status flush() {
    if (!held_) return {};
    held_ = false;
    std::string text = std::move(held_text_);
    held_text_.clear();
    if (mode_ == MasterEditMode::kRemoveEntry) return {};
    if (mode_ == MasterEditMode::kCommentOutEntry) {
      for (std::string_view rest = text; !rest.empty();) {
        size_t nl = rest.find('\n');
        std::string_view line = rest.substr(0, nl == std::string_view::npos ? rest.size() : nl + 1);
        rest.remove_prefix(line.size());
        out_ += '#';
        out_.append(line);
      }
      return {};
    }
    if (mode_ == MasterEditMode::kSetEntry) {
      auto [name, type] = entry_key(text);
      for (const auto& r : requests_)
        if (r.service == name && r.type == type) text = r.value;
    }
    auto entry = rewrite(text);
    if (!entry) return entry.error();
    out_ += *entry;
    return {};
  }

  // Parses one entry's text, applies the -P requests and prints it as postconf -Mf does.
  Result<std::string> rewrite(std::string_view text) {
    auto parsed = cfg::parse_master_cf(text, file_name_);
    if (!parsed) return parsed.error();
    if (parsed->size() != 1)
      return Error{fmt::format("{}: not one master.cf entry: \"{}\"", file_name_, text)};
    cfg::MasterService& s = parsed->front();
    if (mode_ == MasterEditMode::kSetField) {
      std::string edited;
      for (const auto& r : requests_)
        if (r.service == s.name && r.type == s.type) edited = edit_field(s, r);
      if (!edited.empty()) {
        // A renamed service or type keeps later requests from matching; Postfix
        // applies every request to the entry as it was read, and so do we.
        auto again = cfg::parse_master_cf(edited, file_name_);
        if (!again) return again.error();
        if (again->size() != 1)
          return Error{fmt::format("{}: not one master.cf entry: \"{}\"", file_name_, edited)};
        return again->front().format(true) + "\n";
      }
    }
    if (mode_ == MasterEditMode::kSetParameter || mode_ == MasterEditMode::kRemoveParameter) {
      for (const auto& r : requests_)
        if (r.service == s.name && r.type == s.type) edit_parameter(s, r, mode_);
    }
    return s.format(true) + "\n";
  }

  std::string_view file_name_;
  MasterEditMode mode_;
  std::vector<MasterEditRequest>& requests_;
  std::string out_;
  bool held_ = false;
  std::string held_text_;
};

}  // namespace

Result<MasterEditRequest> parse_master_edit_argument(std::string_view argument,
                                                     MasterEditMode mode) {
  MasterEditRequest r;
  bool is_f = mode == MasterEditMode::kSetField;
  bool is_p = mode == MasterEditMode::kSetParameter || mode == MasterEditMode::kRemoveParameter;
  bool wants_value = mode == MasterEditMode::kSetEntry || mode == MasterEditMode::kSetParameter ||
                     mode == MasterEditMode::kSetField;
  std::string_view key = argument;
  if (wants_value) {
    size_t eq = argument.find('=');
    if (eq == std::string_view::npos) {
      if (is_f) return Error{fmt::format("missing '=' after field name: \"{}\"", argument)};
      if (is_p) return Error{fmt::format("missing '=' after attribute name: \"{}\"", argument)};
      return Error{fmt::format("missing '=' after service_name/type: \"{}\"", argument)};
    }
    key = base::trim(argument.substr(0, eq));
    r.value = std::string(base::trim(argument.substr(eq + 1)));
  } else if (argument.find('=') != std::string_view::npos) {
    return Error{"-MX, -M#, or -PX requires names without value"};
  }
  std::vector<std::string_view> parts;
  for (std::string_view rest = key;;) {
    size_t slash = rest.find('/');
    parts.push_back(base::trim(rest.substr(0, slash)));
    if (slash == std::string_view::npos) break;
    rest = rest.substr(slash + 1);
  }
  bool empty_part = std::any_of(parts.begin(), parts.end(), [](auto p) { return p.empty(); });
  if (is_f && (parts.size() != 3 || empty_part))
    return Error{"-F option requires service_name/type/field_name=value"};
  if (is_f && !is_field_name(parts[2]))
    return Error{fmt::format("invalid field name: \"{}\"", parts[2])};
  if (!is_p && !is_f && (parts.size() != 2 || empty_part))
    return Error{"-Me, -MX or -M# requires service_name/type"};
  if (is_p && (parts.size() != 3 || empty_part))
    return Error{"-P requires service_name/type/parameter"};
  r.service = std::string(parts[0]);
  r.type = std::string(parts[1]);
  if (is_f) {
    r.parameter = std::string(parts[2]);
    if (r.value.empty()) return Error{fmt::format("empty value for field \"{}\"", r.parameter)};
    if (r.parameter != "command" && r.value.find_first_of(" \t\r\n") != std::string::npos)
      return Error{fmt::format("field \"{}\" takes one word: \"{}\"", r.parameter, r.value)};
    if (r.value.find('\n') != std::string::npos) return Error{"-Fe accepts no multi-line input"};
  }
  if (is_p) {
    r.parameter = std::string(parts[2]);
    if (!cfg::is_valid_parameter_name(r.parameter))
      return Error{fmt::format("bad parameter name: \"{}\"", r.parameter)};
    if (r.value.find_first_of(" \t\r\n") != std::string::npos)
      return Error{"-Pe does not accept whitespace in parameter value"};
  }
  if (mode == MasterEditMode::kSetEntry && r.value.find('\n') != std::string::npos)
    return Error{"-Me accepts no multi-line input"};
  return r;
}

Result<std::string> edit_master_cf_text(std::string_view text, std::string_view file_name,
                                        MasterEditMode mode,
                                        std::vector<MasterEditRequest>& requests) {
  Editor editor(file_name, mode, requests);
  return editor.run(text);
}

}  // namespace correio::cli::postconf
