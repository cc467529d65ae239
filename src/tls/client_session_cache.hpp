// TLS sessions the SMTP client keeps for resumption with the same server (Postfix's
// smtp_tls_session_cache_timeout; Postfix keeps them in tlsmgr's database, Correio in the
// memory of each smtp process). A session is offered again only to the same server, SNI,
// protocols and ciphers (the key the caller chooses), and only until the timeout.
// Not thread-safe: one cache per event loop; it must outlive the connections it served.
#pragma once

#include <openssl/ssl.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>

namespace correio::tls {

class ClientSessionCache {
 public:
  // `timeout` > 0. Installs the new-session callback on `ctx` (client-side caching only;
  // OpenSSL's internal store stays off).
  ClientSessionCache(SSL_CTX* ctx, std::chrono::seconds timeout);
  ~ClientSessionCache();
  ClientSessionCache(const ClientSessionCache&) = delete;
  ClientSessionCache& operator=(const ClientSessionCache&) = delete;

  // Before the handshake: `ssl` will store its new session under `key`, and resumes the
  // session kept under it, if one is still valid.
  void prepare(SSL* ssl, const std::string& key);

  size_t size() const { return sessions_.size(); }

 private:
  struct SessionFree {
    void operator()(SSL_SESSION* s) const { SSL_SESSION_free(s); }
  };
  static int on_new_session(SSL* ssl, SSL_SESSION* session);
  void keep(const std::string& key, SSL_SESSION* session);

  SSL_CTX* ctx_;
  std::chrono::seconds timeout_;
  std::map<std::string, std::unique_ptr<SSL_SESSION, SessionFree>> sessions_;
};

}  // namespace correio::tls
