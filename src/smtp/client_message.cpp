// Building the SMTP client's transaction commands and DATA payload.
#include "smtp/client_message.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "base/strings.hpp"
#include "smtp/address.hpp"

namespace correio::smtp {
namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

}  // namespace

ServerFeatures parse_ehlo_features(const std::vector<std::string>& lines) {
  ServerFeatures f;
  f.esmtp = true;
  for (size_t i = 1; i < lines.size(); ++i) {
    auto words = base::split_any(lines[i], " ");
    if (words.empty()) continue;
    std::string keyword = upper(words[0]);
    if (keyword == "PIPELINING")
      f.pipelining = true;
    else if (keyword == "STARTTLS")
      f.starttls = true;
    else if (keyword == "8BITMIME")
      f.eight_bit = true;
    else if (keyword == "SMTPUTF8")
      f.smtputf8 = true;
    else if (keyword == "DSN")
      f.dsn = true;
    else if (keyword == "SIZE") {
      f.size = true;
      // RFC 1870 §4: "SIZE 10240000"; no number or 0 means no fixed limit.
      if (words.size() > 1)
        if (auto n = base::parse_int(words[1]); n && *n > 0)
          f.size_limit = static_cast<uint64_t>(*n);
    } else if (keyword == "AUTH") {
      for (size_t w = 1; w < words.size(); ++w) f.auth.push_back(upper(words[w]));
    }
  }
  return f;
}

std::string mail_command(std::string_view sender, const MailOptions& o, const ServerFeatures& s) {
  std::string out = "MAIL FROM:<" + std::string(sender) + ">";
  if (s.size) out += " SIZE=" + std::to_string(o.size);     // RFC 1870 §6
  if (s.eight_bit && o.eight_bit) out += " BODY=8BITMIME";  // RFC 6152 §3
  if (s.smtputf8 && o.smtputf8) out += " SMTPUTF8";         // RFC 6531 §3.4
  if (s.dsn) {
    if (!o.ret.empty()) out += " RET=" + o.ret;
    if (!o.envid.empty()) out += " ENVID=" + encode_xtext(o.envid);
  }
  return out + "\r\n";
}

std::string rcpt_command(std::string_view recipient, const RcptOptions& o,
                         const ServerFeatures& s) {
  std::string out = "RCPT TO:<" + std::string(recipient) + ">";
  if (s.dsn) {
    if (!o.notify.empty()) out += " NOTIFY=" + o.notify;
    // RFC 3461 §4.2: "ORCPT=addr-type;xtext".
    if (size_t semi = o.orcpt.find(';'); semi != std::string::npos && semi > 0)
      out += " ORCPT=" + o.orcpt.substr(0, semi) + ";" + encode_xtext(o.orcpt.substr(semi + 1));
  }
  return out + "\r\n";
}

std::string data_payload(std::string_view content) {
  // Sized exactly (a CR and perhaps a dot per line, the final ".\r\n"), so that a large
  // message is built with one allocation and copied once.
  size_t lines = static_cast<size_t>(std::count(content.begin(), content.end(), '\n')) + 1;
  std::string out;
  out.reserve(content.size() + 2 * lines + 3);
  while (!content.empty()) {
    size_t nl = content.find('\n');
    std::string_view line = content.substr(0, nl);
    content.remove_prefix(nl == std::string_view::npos ? content.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.starts_with(".")) out += '.';  // RFC 5321 §4.5.2
    out.append(line);
    out += "\r\n";
  }
  out += ".\r\n";
  return out;
}

bool has_8bit(std::string_view bytes) {
  // Eight bytes at a time: any byte with its high bit set.
  constexpr uint64_t kHighBits = 0x8080808080808080ULL;
  size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, bytes.data() + i, sizeof word);
    if (word & kHighBits) return true;
  }
  for (; i < bytes.size(); ++i)
    if (static_cast<unsigned char>(bytes[i]) >= 0x80) return true;
  return false;
}

}  // namespace correio::smtp
