// MTA-STS policy retrieval (RFC 8461 §3.3): HTTPS GET of
// https://mta-sts.DOMAIN/.well-known/mta-sts.txt with a certificate that must verify for
// mta-sts.DOMAIN against the smtp client's trust store (smtp_tls_CAfile or the system's),
// no redirects, a 200 answer of type text/plain, at most 64 KiB. Runs on the caller's
// executor; nothing is shared between calls.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/ssl/context.hpp>
#include <chrono>
#include <string>

#include "base/result.hpp"
#include "dns/lookup.hpp"

namespace correio::delivery::smtp_agent {

// The policy body. Errors say what failed: "mta-sts.example.com: certificate not
// verified: num=62:hostname mismatch", "... answered HTTP 404", "... is not text/plain".
asio::awaitable<Result<std::string>> fetch_sts_policy(asio::any_io_executor executor,
                                                      dns::Lookup& lookup, asio::ssl::context& tls,
                                                      const std::string& domain,
                                                      std::chrono::seconds timeout);

}  // namespace correio::delivery::smtp_agent
