// The showq request and reply, shared by the daemon (showq_main.cpp) and its clients
// (mailq, postqueue -p/-j in src/cli/postqueue.cpp). Header-only, no I/O.
//
//   client: "mailq\n" or "json\n"
//   daemon: "ok\n" and the listing, then it closes; nothing when it cannot list the queue
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace correio::showq {

enum class Format { mailq, json };
constexpr std::string_view kMailqRequest = "mailq\n";
constexpr std::string_view kJsonRequest = "json\n";
constexpr std::string_view kReplyOk = "ok\n";
// At most this many bytes are read before the request line must have ended.
constexpr std::size_t kMaxRequest = 64;

// The format a request line (without its newline) asks for; nullopt when unknown.
inline std::optional<Format> parse_request(std::string_view line) {
  if (line == kMailqRequest.substr(0, kMailqRequest.size() - 1)) return Format::mailq;
  if (line == kJsonRequest.substr(0, kJsonRequest.size() - 1)) return Format::json;
  return std::nullopt;
}

}  // namespace correio::showq
