// HTTP/1.1 request heads (see request.hpp): the autoconfiguration and metrics services.
#include "http/request.hpp"

#include <algorithm>
#include <optional>
#include <string>

#include "base/strings.hpp"
#include "mail/imap_url.hpp"

namespace correio::http {
namespace {

// RFC 9110 §5.6.2 token characters, for the method and header names.
bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_blank) {
  std::string plain(text);
  if (plus_is_blank) std::replace(plain.begin(), plain.end(), '+', ' ');  // before %2B decodes
  auto out = mail::url_percent_decode(plain);  // RFC 3986 §2.1; refuses a decoded NUL
  // A decoded line break has no business in a path or an address.
  if (!out || out->find_first_of("\r\n") != std::string::npos) return std::nullopt;
  return out;
}

Result<HttpRequest> parse_request_head(std::string_view head, size_t max_body) {
  HttpRequest request;
  size_t end = head.find("\r\n");
  if (end == std::string_view::npos) return Error{"no request line"};
  std::string_view line = head.substr(0, end);
  head.remove_prefix(end + 2);
  // request-line = method SP request-target SP HTTP-version (RFC 9112 §3)
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos)
    return Error{"malformed request line"};
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = line.substr(sp2 + 1);
  if (!is_token(method)) return Error{"malformed method"};
  if (version != "HTTP/1.1" && version != "HTTP/1.0") return Error{"unsupported HTTP version"};
  if (target.empty() || target[0] != '/') return Error{"request target is not an absolute path"};
  request.method = std::string(method);

  size_t question = target.find('?');
  auto path = percent_decode(target.substr(0, question), false);
  if (!path) return Error{"bad percent-encoding in the path"};
  request.path = std::move(*path);
  if (question != std::string_view::npos) {
    for (const std::string& pair : base::split_any(target.substr(question + 1), "&")) {
      if (pair.empty()) continue;
      size_t eq = pair.find('=');
      std::string_view p = pair;
      auto name = percent_decode(p.substr(0, eq), true);
      auto value = percent_decode(eq == std::string::npos ? "" : p.substr(eq + 1), true);
      if (!name || !value) return Error{"bad percent-encoding in the query"};
      request.query[base::to_lower(*name)] = std::move(*value);
    }
  }

  bool have_host = false;
  while (!head.empty()) {
    end = head.find("\r\n");
    if (end == std::string_view::npos) return Error{"header line without CRLF"};
    std::string_view field = head.substr(0, end);
    head.remove_prefix(end + 2);
    if (field.empty()) break;  // the blank line that ends the head
    size_t colon = field.find(':');
    // RFC 9112 §5.1: no whitespace between the name and the colon; no obsolete folding.
    if (colon == std::string_view::npos || !is_token(field.substr(0, colon)))
      return Error{"malformed header field"};
    std::string name = base::to_lower(field.substr(0, colon));
    std::string_view value = trim(field.substr(colon + 1));
    if (name == "host") {
      if (have_host) return Error{"more than one Host header"};  // RFC 9112 §3.2
      have_host = true;
      std::string host = base::to_lower(value);
      if (size_t c = host.rfind(':'); c != std::string::npos && host.find(']') == std::string::npos)
        host.resize(c);
      request.host = std::move(host);
    } else if (name == "content-length") {
      auto n = base::parse_int(value);
      if (!n || *n < 0) return Error{"bad Content-Length"};
      if (static_cast<unsigned long long>(*n) > max_body) return Error{"body too large"};
      request.content_length = static_cast<size_t>(*n);
    } else if (name == "transfer-encoding") {
      return Error{"chunked request bodies are not accepted"};
    }
  }
  if (version == "HTTP/1.1" && !have_host) return Error{"HTTP/1.1 request without Host"};
  return request;
}

}  // namespace correio::http
