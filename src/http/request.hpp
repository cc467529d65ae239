// The head of an HTTP/1.1 request (RFC 9112 §2-3), as much as Correio's small HTTP
// services (autoconfig, metrics) need: method, path, query parameters, Host and
// Content-Length. Everything else is ignored; anything malformed is an error, answered 400.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace correio::http {

struct HttpRequest {
  std::string method;                        // "GET", "POST"
  std::string path;                          // percent-decoded, without the query
  std::map<std::string, std::string> query;  // percent-decoded; '+' is a blank
  std::string host;                          // Host header, lower case, without the port
  size_t content_length = 0;
};

// `head` is everything up to and including the blank line that ends the header section.
// Limits: the caller bounds the head's size; a Content-Length above `max_body` is an error.
Result<HttpRequest> parse_request_head(std::string_view head, size_t max_body);

// application/x-www-form-urlencoded and URI percent-decoding; nullopt on a bad escape.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_blank);

}  // namespace correio::http
