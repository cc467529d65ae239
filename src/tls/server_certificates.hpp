// The certificates one server daemon presents: the default key/certificate chain(s), the
// per-name ones chosen by SNI (Postfix's tls_server_sni_maps), and the reload of renewed
// files without a restart (a certbot renewal needs no `correio reload`).
//
// Every protocol daemon (smtpd, imapd, pop3d) owns one ServerCertificates and asks it for
// context() before each handshake. New handshakes see a renewed certificate at most
// check_interval after the files changed; established sessions keep theirs (OpenSSL
// reference-counts each SSL_CTX). A renewed file that does not load keeps the previous
// certificate in use and is logged as a warning naming the file.
//
// Not thread-safe: one daemon thread. The object must outlive every handshake started with
// a context it returned (its SNI callback points to it); daemons keep it for their life.
#pragma once

#include <asio/ssl/context.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/log.hpp"
#include "base/result.hpp"
#include "tls/server_context.hpp"

namespace correio::tls {

class ServerCertificates {
 public:
  // A tls_server_sni_maps lookup: "mail.example.com" or ".example.com" to a list of chain
  // files (Postfix's key-then-chain layout) or to base64 of such PEM text. nullopt: no entry;
  // an Error: the table failed (the default certificate is used, with a warning).
  using SniLookup = std::function<Result<std::optional<std::string>>(std::string_view key)>;

  struct Options {
    ServerOptions files;   // the default certificate(s)
    ServerPolicy policy;   // protocols and ciphers of every context, SNI ones included
    SniLookup sni_lookup;  // empty: SNI is ignored, everyone gets the default
    // How often, at most, the files are stat()ed for a change; zero: before every handshake.
    std::chrono::steady_clock::duration check_interval = std::chrono::seconds(60);
  };

  // Loads the default certificate now; its error is the daemon's TLS start-up error.
  // `log` must outlive the object.
  static Result<std::unique_ptr<ServerCertificates>> open(Options options, base::Logger& log);

  // The context for a new handshake: the default one, reloaded first when due and changed.
  // With SNI, OpenSSL's servername callback switches the handshake to the named context.
  std::shared_ptr<asio::ssl::context> context();

  ServerCertificates(const ServerCertificates&) = delete;
  ServerCertificates& operator=(const ServerCertificates&) = delete;
  ~ServerCertificates();

 private:
  struct Entry;
  ServerCertificates(Options options, base::Logger& log);
  Status load(Entry& entry);
  std::shared_ptr<asio::ssl::context> current(Entry& entry);
  std::shared_ptr<asio::ssl::context> for_server_name(std::string_view name);
  static int on_servername(SSL* ssl, int* alert, void* self);

  Options options_;
  base::Logger& log_;
  std::unique_ptr<Entry> default_;
  // SNI contexts by table value (several names may share one chain).
  std::map<std::string, std::unique_ptr<Entry>, std::less<>> by_value_;
};

// The lookup keys Postfix tries for an SNI name: the name itself, then each ancestor domain
// with a leading dot ("a.b.example" -> "a.b.example", ".b.example", ".example").
// Empty when `name` is not a valid DNS name (the client sent garbage).
std::vector<std::string> sni_lookup_keys(std::string_view name);

}  // namespace correio::tls
