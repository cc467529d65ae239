// The server side of Correio's one TLS layer (OpenSSL through asio::ssl): a context per
// set of keys and certificate chains under one protocol and cipher policy (tls/policy.hpp),
// shared by every protocol daemon. A context is immutable after creation; the
// daemons get theirs from ServerCertificates (server_certificates.hpp), which adds SNI
// and the reload of renewed certificates.
#pragma once

#include <asio/ssl/context.hpp>
#include <memory>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "tls/key_chain.hpp"
#include "tls/policy.hpp"

namespace correio::tls {

// Where a server's keys and certificates live, in Postfix's two styles.
struct ServerOptions {
  std::string cert_file;  // PEM: certificate, then the chain
  std::string key_file;   // PEM: private key (may be the same file as cert_file)
  // Postfix 3.4 smtpd_tls_chain_files: key, certificate, chain, [key, certificate, ...].
  // When not empty, cert_file and key_file are ignored.
  std::vector<std::string> chain_files;
  // Files the master read for this process (handed_files.hpp): taken from here instead of
  // the disk, and never re-read; null or without the file: read from the disk.
  std::shared_ptr<const HandedFiles> handed;

  // Every file named above, for change detection.
  std::vector<std::string> files() const;
  // Whether any of files() came from `handed`: then the master watches them, not we.
  bool any_handed() const;
};

// Reads the files of `options`. Errors name the file and OpenSSL's reason:
// "cannot open /etc/x.pem: No such file or directory".
Result<std::vector<KeyChain>> read_key_chains(const ServerOptions& options);

// A context presenting `chains` (one per key algorithm, e.g. RSA and ECDSA) under `policy`.
// Errors: a cipher list OpenSSL selects nothing from, a key that does not fit.
Result<std::shared_ptr<asio::ssl::context>> make_server_context(const std::vector<KeyChain>& chains,
                                                                const ServerPolicy& policy = {});

// read_key_chains, then make_server_context.
Result<std::shared_ptr<asio::ssl::context>> make_server_context(const ServerOptions& options,
                                                                const ServerPolicy& policy = {});

// "TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)", as Postfix logs it.
std::string describe_session(SSL* ssl);

}  // namespace correio::tls
