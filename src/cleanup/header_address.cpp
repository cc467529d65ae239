// In-place addr-spec rewriting in address-list headers (see header_address.hpp).
#include "cleanup/header_address.hpp"

#include <vector>

#include "resolve/address.hpp"

namespace correio::cleanup {
namespace {

struct Span {
  size_t begin = 0, end = 0;  // [begin, end) in the value
};

// One address of the list: where its addr-spec is, and the comments inside that span
// (a bare "jane (Jane) @example.org" keeps its comment after the address).
struct Element {
  Span spec;
  std::string comments;
  bool valid = false;
};

// Skips a comment starting at value[i] == '(' (RFC 5322 §3.2.2, nested, with quoted-pairs);
// returns the index after it.
size_t skip_comment(std::string_view v, size_t i) {
  int depth = 0;
  for (; i < v.size(); ++i) {
    if (v[i] == '\\') {
      ++i;
      continue;
    }
    if (v[i] == '(') ++depth;
    if (v[i] == ')' && --depth == 0) return i + 1;
  }
  return v.size();
}

size_t skip_quoted(std::string_view v, size_t i) {
  for (++i; i < v.size(); ++i) {
    if (v[i] == '\\') {
      ++i;
      continue;
    }
    if (v[i] == '"') return i + 1;
  }
  return v.size();
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// The addr-spec text of [b, e) without comments and whitespace.
std::string spec_text(std::string_view v, size_t b, size_t e, std::string* comments) {
  std::string out;
  for (size_t i = b; i < e;) {
    if (v[i] == '(') {
      size_t end = std::min(skip_comment(v, i), e);
      if (comments) *comments += (comments->empty() ? "" : " ") + std::string(v.substr(i, end - i));
      i = end;
    } else if (v[i] == '"') {
      size_t end = std::min(skip_quoted(v, i), e);
      out.append(v.substr(i, end - i));
      i = end;
    } else {
      if (!is_space(v[i])) out += v[i];
      ++i;
    }
  }
  return out;
}

// Splits the list into elements at top-level ',' and group ':' / ';' and finds each
// element's addr-spec: inside <...> (after an obsolete route "@a,@b:"), else the whole
// element without its leading and trailing comments.
std::vector<Element> scan(std::string_view v) {
  std::vector<Element> out;
  size_t start = 0;
  Span angle{};
  bool has_angle = false;
  auto finish = [&](size_t end) {
    Element el;
    if (has_angle) {
      size_t b = angle.begin;
      // RFC 5322 §4.4 obs-route: "@a,@b:" before the addr-spec stays as written.
      if (b < angle.end && v[b] == '@') {
        size_t colon = v.substr(b, angle.end - b).find(':');
        if (colon != std::string_view::npos) b += colon + 1;
      }
      el.spec = {b, angle.end};
    } else {
      size_t b = start, e = end;
      for (;;) {  // leading whitespace and comments
        while (b < e && is_space(v[b])) ++b;
        if (b < e && v[b] == '(') {
          b = std::min(skip_comment(v, b), e);
          continue;
        }
        break;
      }
      while (e > b && is_space(v[e - 1])) --e;
      // Trailing comments: walk back over the last ")" groups.
      while (e > b && v[e - 1] == ')') {
        size_t open = std::string_view::npos;
        for (size_t i = b; i < e;) {
          if (v[i] == '"') {
            i = skip_quoted(v, i);
          } else if (v[i] == '(') {
            size_t after = skip_comment(v, i);
            if (after == e) open = i;
            i = after;
          } else {
            ++i;
          }
        }
        if (open == std::string_view::npos) break;
        e = open;
        while (e > b && is_space(v[e - 1])) --e;
      }
      el.spec = {b, e};
    }
    el.valid = el.spec.end > el.spec.begin;
    out.push_back(std::move(el));
    start = end + 1;
    has_angle = false;
  };
  for (size_t i = 0; i < v.size();) {
    char c = v[i];
    if (c == '(') {
      i = skip_comment(v, i);
    } else if (c == '"') {
      i = skip_quoted(v, i);
    } else if (c == '<') {
      size_t close = i + 1;
      while (close < v.size() && v[close] != '>') {
        close = v[close] == '"' ? skip_quoted(v, close) : close + 1;
      }
      if (close >= v.size()) return {};  // unbalanced: leave the header alone
      angle = {i + 1, close};
      has_angle = true;
      i = close + 1;
    } else if (c == ':' && !has_angle) {
      start = i + 1;  // a group's display name is not an address
      ++i;
    } else if (c == ',' || c == ';') {
      finish(i);
      ++i;
    } else {
      ++i;
    }
  }
  finish(v.size());
  return out;
}

}  // namespace

std::string rewrite_address_list(std::string_view value, const AddressRewrite& rewrite) {
  std::vector<Element> elements = scan(value);
  std::string out;
  size_t copied = 0;
  for (Element& el : elements) {
    if (!el.valid) continue;
    std::string comments;
    std::string external = spec_text(value, el.spec.begin, el.spec.end, &comments);
    if (external.empty()) continue;
    resolve::AddressParts parts = resolve::split_address(external, true);
    std::string internal =
        external.find('@') == std::string::npos ? parts.local : parts.local + "@" + parts.domain;
    std::string replaced = rewrite(internal);
    if (replaced == internal) continue;
    resolve::AddressParts next = resolve::split_address(replaced, false);
    std::string text = resolve::join_address(next.local, next.domain);
    if (!comments.empty()) text += " " + comments;
    out.append(value.substr(copied, el.spec.begin - copied));
    out += text;
    copied = el.spec.end;
  }
  out.append(value.substr(copied));
  return out;
}

}  // namespace correio::cleanup
