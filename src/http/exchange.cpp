// Reading a request and writing the answer (see exchange.hpp).
#include "http/exchange.hpp"

#include <fmt/format.h>

namespace correio::http {

namespace {
const char* reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 413:
      return "Content Too Large";
    case 503:
      return "Service Unavailable";
  }
  return "Error";
}
}  // namespace

Response error_response(int status, std::string_view text) {
  return {status, "text/plain; charset=utf-8", std::string(text) + "\n", {}};
}

asio::awaitable<Exchange> read_request(io::Connection& conn, size_t max_head, size_t max_body,
                                       std::chrono::seconds timeout) {
  Exchange exchange;
  io::RequestScope deadline(conn, std::chrono::steady_clock::now() + timeout);
  std::string head;
  for (;;) {
    io::LineResult line = co_await conn.read_line(max_head);
    if (line.status != io::ReadStatus::ok) {
      if (line.status == io::ReadStatus::too_long)
        exchange.error = error_response(400, "header line too long");
      co_return exchange;
    }
    head += line.line;
    if (head.size() > max_head) {
      exchange.error = error_response(400, "request head too large");
      co_return exchange;
    }
    if (line.line == "\r\n" || line.line == "\n") break;
  }
  auto request = parse_request_head(head, max_body);
  if (!request) {
    exchange.error = error_response(request.error().message == "body too large" ? 413 : 400,
                                    request.error().message);
    co_return exchange;
  }
  if (request->content_length > 0 &&
      co_await conn.read_exact(request->content_length, exchange.body) != io::ReadStatus::ok)
    co_return exchange;  // gone or too slow: nothing to answer
  exchange.request = std::move(*request);
  co_return exchange;
}

asio::awaitable<void> write_response(io::Connection& conn, const Response& response) {
  std::string cache =
      response.cache_control.empty() ? "" : "Cache-Control: " + response.cache_control + "\r\n";
  std::string out = fmt::format(
      "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n{}Connection: close\r\n\r\n{}",
      response.status, reason(response.status), response.content_type, response.body.size(), cache,
      response.body);
  co_await conn.write(out);
  co_await conn.drain_and_close();
}

}  // namespace correio::http
