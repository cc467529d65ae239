// postconf -e / -X / -#: edits main.cf in place as Postfix's pcf_edit_main() does, and
// writes it back atomically.
#include "cli/postconf_edit.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <set>

#include "base/file.hpp"
#include "base/strings.hpp"
#include "config/main_cf.hpp"

namespace correio::cli::postconf {
namespace {

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

}  // namespace

Result<EditRequest> parse_edit_argument(std::string_view argument) {
  size_t eq = argument.find('=');
  if (eq == std::string_view::npos)
    return Error{fmt::format("missing '=' after parameter name: \"{}\"", argument)};
  std::string_view name = base::trim(argument.substr(0, eq));
  if (!config::is_valid_parameter_name(name))
    return Error{fmt::format("bad parameter name: \"{}\"", name)};
  std::string_view value = base::trim(argument.substr(eq + 1));
  if (value.find('\n') != std::string_view::npos)
    return Error{fmt::format("parameter value contains a newline: \"{}\"", name)};
  return EditRequest{std::string(name), std::string(value)};
}

std::string edit_main_cf_text(std::string_view text, EditMode mode,
                              const std::vector<EditRequest>& requests,
                              std::vector<std::string>* warnings) {
  struct Wanted {
    std::string value;
    int found = 0;
  };
  std::map<std::string, Wanted, std::less<>> table;
  for (const auto& r : requests) {
    if (auto it = table.find(r.name); it != table.end()) {
      if (warnings)
        warnings->push_back(
            fmt::format("ignoring earlier request: '{} = {}'", r.name, it->second.value));
      table.erase(it);
    }
    table.emplace(r.name, Wanted{r.value, 0});
  }

  std::string out;
  out.reserve(text.size() + 64);
  bool interesting = false;  // inside an entry that is being edited
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    std::string_view line =
        text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    pos = end == std::string_view::npos ? text.size() : end + 1;

    size_t first = 0;
    while (first < line.size() && is_blank(line[first])) ++first;
    // Comments and blank lines pass through untouched, even inside an edited entry.
    if (first == line.size() || line[first] == '#') {
      out.append(line).push_back('\n');
      continue;
    }
    if (first > 0) {  // continuation line
      if (!interesting) {
        out.append(line).push_back('\n');
      } else if (mode == EditMode::kCommentOut) {
        out.append("#").append(line).push_back('\n');
      }
      continue;
    }
    std::string_view key = line.substr(0, line.find_first_of(" \t\r\f\v="));
    auto it = table.find(key);
    interesting = it != table.end();
    if (!interesting) {
      out.append(line).push_back('\n');
      continue;
    }
    if (it->second.found++ == 1 && warnings)
      warnings->push_back(fmt::format("multiple entries for \"{}\"", key));
    switch (mode) {
      case EditMode::kSet:
        out += fmt::format("{} = {}\n", key, it->second.value);
        break;
      case EditMode::kCommentOut:
        out.append("#").append(line).push_back('\n');
        break;
      case EditMode::kRemove:
        break;
    }
  }
  if (mode == EditMode::kSet) {
    for (const auto& [name, wanted] : table)  // std::map: sorted by name, as Postfix does
      if (wanted.found == 0) out += fmt::format("{} = {}\n", name, wanted.value);
  }
  return out;
}

Status write_file_atomically(const std::filesystem::path& path, std::string_view content) {
  base::ReplaceOptions how;
  how.mode = 0644;
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) how.mode = st.st_mode & 07777;
  return base::replace_file_atomically(path, content, how);
}

std::string format_line(std::string_view text, bool fold) {
  constexpr size_t kLineLimit = 80;
  constexpr size_t kIndent = 4;
  std::string out;
  size_t line_len = 0;
  size_t pos = 0;
  while (true) {
    pos = text.find_first_not_of(" \t\r\n", pos);
    if (pos == std::string_view::npos) break;
    size_t end = text.find_first_of(" \t\r\n", pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view word = text.substr(pos, end - pos);
    pos = end;
    if (line_len > 0) {
      if (!fold || line_len + word.size() < kLineLimit) {
        out += ' ';
        line_len += 1;
      } else {
        out += "\n    ";
        line_len = kIndent;
      }
    }
    out.append(word);
    line_len += word.size();
  }
  out += '\n';
  return out;
}

}  // namespace correio::cli::postconf
