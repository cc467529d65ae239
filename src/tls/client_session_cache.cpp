// The SMTP client's in-memory TLS session cache (see client_session_cache.hpp).
#include "tls/client_session_cache.hpp"

#include <ctime>

namespace correio::tls {
namespace {

// What an SSL object carries for the new-session callback: which cache, which key.
struct Tag {
  ClientSessionCache* cache;
  std::string key;
};

void free_tag(void*, void* pointer, CRYPTO_EX_DATA*, int, long, void*) {
  delete static_cast<Tag*>(pointer);
}

// OpenSSL's ex_data slots are process-wide by design; the index is made once.
int tag_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, free_tag);
  return index;
}

bool still_valid(const SSL_SESSION* session) {
  long expires = static_cast<long>(SSL_SESSION_get_time(session)) +
                 static_cast<long>(SSL_SESSION_get_timeout(session));
  return SSL_SESSION_is_resumable(session) == 1 && expires > static_cast<long>(std::time(nullptr));
}

}  // namespace

ClientSessionCache::ClientSessionCache(SSL_CTX* ctx, std::chrono::seconds timeout)
    : ctx_(ctx), timeout_(timeout) {
  SSL_CTX_set_session_cache_mode(ctx_, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
  SSL_CTX_sess_set_new_cb(ctx_, &ClientSessionCache::on_new_session);
}

ClientSessionCache::~ClientSessionCache() {
  SSL_CTX_sess_set_new_cb(ctx_, nullptr);
}

void ClientSessionCache::prepare(SSL* ssl, const std::string& key) {
  if (tag_index() < 0) return;
  // The SSL object owns its tag (free_tag runs when it is freed).
  SSL_set_ex_data(ssl, tag_index(), new Tag{this, key});
  auto it = sessions_.find(key);
  if (it == sessions_.end()) return;
  if (!still_valid(it->second.get())) {
    sessions_.erase(it);
    return;
  }
  // A copy: OpenSSL marks the session of a connection freed without close_notify as not
  // resumable (ssl_clear_bad_session), which must not spoil the kept one.
  SSL_SESSION* copy = SSL_SESSION_dup(it->second.get());
  if (copy == nullptr) return;
  SSL_set_session(ssl, copy);  // takes its own reference
  SSL_SESSION_free(copy);
}

int ClientSessionCache::on_new_session(SSL* ssl, SSL_SESSION* session) {
  auto* tag = static_cast<Tag*>(SSL_get_ex_data(ssl, tag_index()));
  if (tag == nullptr) return 0;
  // A copy for the same reason as in prepare(); OpenSSL keeps its reference (return 0).
  if (SSL_SESSION* copy = SSL_SESSION_dup(session)) tag->cache->keep(tag->key, copy);
  return 0;
}

void ClientSessionCache::keep(const std::string& key, SSL_SESSION* session) {
  SSL_SESSION_set_timeout(session, static_cast<long>(timeout_.count()));
  sessions_[key].reset(session);
  // Expired entries go when a new one comes; the map stays as small as the servers used.
  for (auto it = sessions_.begin(); it != sessions_.end();)
    it = still_valid(it->second.get()) ? std::next(it) : sessions_.erase(it);
}

}  // namespace correio::tls
