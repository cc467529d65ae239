// One HTTP/1.1 request and its answer on a connection (Connection: close), for Correio's
// small HTTP services (autoconfig, metrics): the head read with a size limit, the body by
// Content-Length, the whole request within one deadline, and the response written.
#pragma once

#include <asio/awaitable.hpp>
#include <chrono>
#include <optional>
#include <string>

#include "http/request.hpp"
#include "io/connection.hpp"

namespace correio::http {

struct Response {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::string cache_control;  // empty: no Cache-Control header
};

// A plain-text error response: "text\n".
Response error_response(int status, std::string_view text);

struct Exchange {
  std::optional<HttpRequest> request;  // set when the head parsed
  std::string body;
  // When `request` is empty: the error to answer with, or nothing when the client went
  // away (or was too slow) and no answer is due.
  std::optional<Response> error;
};

// Reads one request: a head of at most `max_head` bytes and a body of at most `max_body`,
// all within `timeout` however slowly it trickles in.
asio::awaitable<Exchange> read_request(io::Connection& conn, size_t max_head, size_t max_body,
                                       std::chrono::seconds timeout);

// Writes `response` and closes the connection.
asio::awaitable<void> write_response(io::Connection& conn, const Response& response);

}  // namespace correio::http
