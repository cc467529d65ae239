// Which key and certificate files a server daemon presents, named once for the daemon
// that loads them (service/server_tls.hpp) and the master that reads them as root and
// hands them down (master/tls_files.hpp).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"

namespace correio::config {

// Postfix's two layouts under main.cf prefix P: P_tls_chain_files (key, certificate,
// chain, ...), which wins, else P_tls_cert_file with P_tls_key_file (the same file when
// the key is in it).
struct ServerTlsFiles {
  std::vector<std::string> chain_files;
  std::string cert_file;
  std::string key_file;
  // Every file named, in order, each once; empty when neither chain files nor a
  // certificate file is configured.
  std::vector<std::string> all() const;
};

ServerTlsFiles server_tls_files(const Config& config, std::string_view prefix);

// The main.cf prefix of a master.cf command's server certificate: "smtpd" for smtpd,
// "imapd" for imapd and imap-login, "pop3d" for pop3d and pop3-login, "autoconfig" for
// autoconfig; empty for commands that present none.
std::string_view server_tls_prefix(std::string_view command);

}  // namespace correio::config
