// The prefix headers of a delivered copy (see mail_copy.hpp).
#include "delivery/mail_copy.hpp"

#include <fmt/format.h>

namespace correio::delivery {
namespace {

std::string header_safe(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c == '\r' || c == '\n') c = ' ';
  return out;
}

}  // namespace

std::string prefix_headers(std::string_view sender, std::string_view recipient,
                           std::string_view original, bool with_original) {
  std::string out = fmt::format("Return-Path: <{}>\n", header_safe(sender));
  if (with_original) out += fmt::format("X-Original-To: {}\n", header_safe(original));
  out += fmt::format("Delivered-To: {}\n", header_safe(recipient));
  return out;
}

}  // namespace correio::delivery
