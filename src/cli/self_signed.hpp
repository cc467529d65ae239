// A self-signed certificate for the quick start, made with OpenSSL's API (no openssl(1)).
#pragma once

#include <filesystem>
#include <string>

#include "base/result.hpp"

namespace correio::cli {

// Writes an EC P-256 key (mode 0600) and a one-year self-signed certificate for
// `hostname`, with subjectAltName DNS:hostname, DNS:localhost, IP:127.0.0.1, IP:::1.
Status write_self_signed_certificate(const std::filesystem::path& cert_file,
                                     const std::filesystem::path& key_file,
                                     const std::string& hostname);

}  // namespace correio::cli
