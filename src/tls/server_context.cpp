// Server TLS contexts: the protocol and cipher policy, keys and certificate chains.
#include "tls/server_context.hpp"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

namespace correio::tls {
namespace {

std::string openssl_reason() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown error";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof buf);
  return buf;
}

struct ChainStackDeleter {
  void operator()(STACK_OF(X509) * stack) const { sk_X509_pop_free(stack, X509_free); }
};

}  // namespace

std::vector<std::string> ServerOptions::files() const {
  if (!chain_files.empty()) return chain_files;
  std::vector<std::string> out{cert_file};
  if (key_file != cert_file) out.push_back(key_file);
  return out;
}

bool ServerOptions::any_handed() const {
  if (!handed) return false;
  for (const auto& file : files())
    if (handed->find(file) != nullptr) return true;
  return false;
}

Result<std::vector<KeyChain>> read_key_chains(const ServerOptions& options) {
  const HandedFiles* handed = options.handed.get();
  if (!options.chain_files.empty()) return read_chain_files(options.chain_files, handed);
  if (options.cert_file.empty() || options.key_file.empty())
    return Error{"TLS needs both a certificate file and a key file"};
  return read_cert_and_key(options.cert_file, options.key_file, handed);
}

Result<std::shared_ptr<asio::ssl::context>> make_server_context(const std::vector<KeyChain>& chains,
                                                                const ServerPolicy& policy) {
  if (chains.empty()) return Error{"no private key and certificate"};
  ERR_clear_error();
  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  SSL_CTX* native = ctx->native_handle();
  // No tickets: a ticket key shared by nobody would only break resumption across our
  // worker processes; no renegotiation (a client-triggered CPU sink and old attacks).
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                                  SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_TICKET);
  if (auto st = apply_policy(native, policy); !st) return st.error();
  for (const auto& chain : chains) {
    std::unique_ptr<STACK_OF(X509), ChainStackDeleter> stack(sk_X509_new_null());
    if (!stack) return Error{"out of memory"};
    for (const auto& cert : chain.chain) {
      X509_up_ref(cert.get());
      if (sk_X509_push(stack.get(), cert.get()) <= 0) {
        X509_free(cert.get());
        return Error{"out of memory"};
      }
    }
    // Copies what it keeps (references); one slot per key type, so RSA + ECDSA coexist.
    if (SSL_CTX_use_cert_and_key(native, chain.leaf.get(), chain.key.get(), stack.get(), 1) != 1)
      return Error{"cannot use the key and certificate: " + openssl_reason()};
  }
  return ctx;
}

Result<std::shared_ptr<asio::ssl::context>> make_server_context(const ServerOptions& options,
                                                                const ServerPolicy& policy) {
  auto chains = read_key_chains(options);
  if (!chains) return chains.error();
  return make_server_context(*chains, policy);
}

std::string describe_session(SSL* ssl) {
  const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl);
  int alg_bits = 0;
  int bits = cipher ? SSL_CIPHER_get_bits(cipher, &alg_bits) : 0;
  return fmt::format("{} with cipher {} ({}/{} bits)", SSL_get_version(ssl),
                     cipher ? SSL_CIPHER_get_name(cipher) : "unknown", bits, alg_bits);
}

}  // namespace correio::tls
