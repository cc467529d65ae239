// A server daemon's key and certificate file names (see server_tls_files.hpp).
#include "config/server_tls_files.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <utility>

namespace correio::config {

std::vector<std::string> ServerTlsFiles::all() const {
  std::vector<std::string> out;
  auto add = [&](const std::string& file) {
    if (!file.empty() && std::find(out.begin(), out.end(), file) == out.end()) out.push_back(file);
  };
  if (!chain_files.empty()) {
    for (const auto& file : chain_files) add(file);
    return out;
  }
  // No certificate, no TLS (a key_file inherited from smtpd's means nothing alone).
  if (cert_file.empty()) return out;
  add(cert_file);
  add(key_file);
  return out;
}

ServerTlsFiles server_tls_files(const Config& config, std::string_view prefix) {
  auto param = [&](std::string_view suffix) { return fmt::format("{}_tls_{}", prefix, suffix); };
  ServerTlsFiles files;
  files.chain_files = config.get_list(param("chain_files"));
  files.cert_file = config.get(param("cert_file"));
  files.key_file = config.get(param("key_file"));
  return files;
}

std::string_view server_tls_prefix(std::string_view command) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 6> kPrefixes{{
      {"smtpd", "smtpd"},
      {"imapd", "imapd"},
      {"imap-login", "imapd"},
      {"pop3d", "pop3d"},
      {"pop3-login", "pop3d"},
      {"autoconfig", "autoconfig"},
  }};
  for (const auto& [name, prefix] : kPrefixes)
    if (name == command) return prefix;
  return {};
}

}  // namespace correio::config
