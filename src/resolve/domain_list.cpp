// Domain lists (see domain_list.hpp), matched as Postfix's match_hostname() does.
#include "resolve/domain_list.hpp"

#include <fmt/format.h>

#include <fstream>
#include <iterator>

#include "base/strings.hpp"

namespace correio::resolve {
namespace {

// A "/file" may name more files; Postfix stops runaway nesting, and so do we.
constexpr int kMaxFileDepth = 8;

bool ends_with_label(std::string_view domain, std::string_view suffix) {
  return domain.size() > suffix.size() && domain.ends_with(suffix) &&
         domain[domain.size() - suffix.size() - 1] == '.';
}

Result<std::string> read_list_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{fmt::format("open {}: No such file or directory or not readable", path)};
  std::string text;
  text.resize(kMaxDomainListFile + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return Error{fmt::format("read {}: I/O error", path)};
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxDomainListFile)
    return Error{fmt::format("{}: longer than {} bytes", path, kMaxDomainListFile)};
  return text;
}

}  // namespace

std::vector<std::string> parse_domain_list_file(std::string_view text) {
  std::vector<std::string> out;
  for (const auto& line : base::split_any(text, "\n")) {
    std::string_view l = line;
    if (size_t hash = l.find('#'); hash != std::string_view::npos) l = l.substr(0, hash);
    for (auto& item : maps::split_map_list(l)) out.push_back(std::move(item));
  }
  return out;
}

bool parent_style(std::string_view value, std::string_view parameter) {
  for (const auto& item : maps::split_map_list(value))
    if (base::iequals(item, parameter)) return true;
  return false;
}

Result<DomainList> DomainList::open(std::string_view parameter, std::string_view value,
                                    bool parent_matches_subdomains,
                                    const maps::MapOptions& options) {
  DomainList list;
  list.options_ = options;
  list.parameter_ = std::string(parameter);
  list.parent_matches_ = parent_matches_subdomains;
  for (const auto& item : maps::split_map_list(value))
    if (Status s = list.add(item, 0); !s) return s.error();
  return list;
}

Status DomainList::add(std::string_view item, int depth) {
  Pattern p;
  if (item.starts_with('!')) {
    p.negated = true;
    item.remove_prefix(1);
  }
  if (item.empty()) return Error{fmt::format("{}: empty pattern after '!'", parameter_)};
  if (item.front() == '/') {
    // A file of more patterns, read now (Postfix reads it when the process starts, too).
    if (p.negated) return Error{fmt::format("{}: \"!{}\": cannot negate a file", parameter_, item)};
    if (depth >= kMaxFileDepth)
      return Error{fmt::format("{}: {}: files nested too deep", parameter_, item)};
    auto text = read_list_file(std::string(item));
    if (!text) return Error{fmt::format("{}: {}", parameter_, text.error().message)};
    for (const auto& inner : parse_domain_list_file(*text))
      if (Status s = add(inner, depth + 1); !s) return s;
    return {};
  }
  size_t colon = item.find(':');
  // A "type:table" has a colon before any dot; "[::1]" and "host:port" are not tables.
  if (colon != std::string_view::npos && colon > 0 && item.front() != '[' &&
      item.substr(0, colon).find('.') == std::string_view::npos) {
    auto map = maps::open_map(item, options_);
    if (!map) return Error{fmt::format("{}: \"{}\": {}", parameter_, item, map.error().message)};
    p.table = std::shared_ptr<maps::Map>(std::move(*map));
  } else {
    p.name = base::to_lower(item);
  }
  patterns_.push_back(std::move(p));
  return {};
}

Result<bool> DomainList::matches(Pattern& p, std::string_view domain) const {
  if (!p.table) {
    if (p.name == domain) return true;
    if (p.name.starts_with('.')) return domain.ends_with(p.name);
    return parent_matches_ && ends_with_label(domain, p.name);
  }
  auto found = p.table->lookup(domain);
  if (!found) return found.error();
  if (*found) return true;
  // Parent domains: "example.com" keys in parent style, else ".example.com" keys; never
  // asked of pattern tables (match_ops.c: "Don't look up parent domain substrings with
  // regexp maps etc.").
  for (size_t dot = domain.find('.'); dot != std::string_view::npos;
       dot = domain.find('.', dot + 1)) {
    std::string_view parent = parent_matches_ ? domain.substr(dot + 1) : domain.substr(dot);
    if (parent.empty() || parent == ".") break;
    auto up = p.table->lookup_partial(parent);
    if (!up) return up.error();
    if (*up) return true;
  }
  return false;
}

Result<bool> DomainList::contains(std::string_view domain_in) {
  std::string domain = base::to_lower(domain_in);
  while (domain.ends_with('.')) domain.pop_back();  // "example.com." is example.com
  if (domain.empty()) return false;
  for (auto& p : patterns_) {
    auto m = matches(p, domain);
    if (!m) return Error{fmt::format("{}: {}", parameter_, m.error().message)};
    if (*m) return !p.negated;
  }
  return false;
}

}  // namespace correio::resolve
