// forward_path expansion (see local_expand.hpp).
#include "delivery/local/local_expand.hpp"

namespace correio::delivery::local_agent {
namespace {

bool name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

struct Expansion {
  const ExpandLookup& lookup;
  std::string_view filter;
  bool undefined = false;

  std::string value_of(std::string_view name) {
    std::optional<std::string> v = lookup(name);
    std::string out = v.value_or("");
    for (char& c : out)
      if (filter.find(c) == std::string_view::npos) c = '_';
    return out;
  }

  // Expands `in`; false on a syntax error.
  bool run(std::string_view in, std::string& out) {
    for (size_t i = 0; i < in.size();) {
      char c = in[i];
      if (c != '$') {
        out += c;
        ++i;
        continue;
      }
      if (++i >= in.size()) return false;
      if (in[i] == '$') {
        out += '$';
        ++i;
        continue;
      }
      if (in[i] == '{' || in[i] == '(') {
        char close = in[i] == '{' ? '}' : ')';
        size_t end = matching(in, i, in[i], close);
        if (end == std::string_view::npos) return false;
        std::string_view body = in.substr(i + 1, end - i - 1);
        i = end + 1;
        size_t n = 0;
        while (n < body.size() && name_char(body[n])) ++n;
        if (n == 0) return false;
        std::string_view name = body.substr(0, n);
        if (n == body.size()) {
          append(name, out);
        } else if (body[n] == '?' || body[n] == ':') {
          bool has = !value_of(name).empty();
          if (has == (body[n] == '?') && !run(body.substr(n + 1), out)) return false;
        } else {
          return false;
        }
        continue;
      }
      size_t n = i;
      while (n < in.size() && name_char(in[n])) ++n;
      if (n == i) return false;
      append(in.substr(i, n - i), out);
      i = n;
    }
    return true;
  }

  void append(std::string_view name, std::string& out) {
    std::string v = value_of(name);
    if (v.empty()) undefined = true;
    out += v;
  }

  // The index of the bracket closing the one at `open_at`, counting nested pairs.
  static size_t matching(std::string_view s, size_t open_at, char open, char close) {
    int depth = 0;
    for (size_t j = open_at; j < s.size(); ++j) {
      if (s[j] == open) ++depth;
      if (s[j] == close && --depth == 0) return j;
    }
    return std::string_view::npos;
  }
};

}  // namespace

std::optional<std::string> local_expand(std::string_view pattern, const ExpandLookup& lookup,
                                        std::string_view filter, bool allow_undefined) {
  Expansion e{lookup, filter};
  std::string out;
  if (!e.run(pattern, out) || (e.undefined && !allow_undefined)) return std::nullopt;
  return out;
}

}  // namespace correio::delivery::local_agent
