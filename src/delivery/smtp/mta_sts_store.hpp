// The MTA-STS policy cache on disk (Correio's smtp_tls_mta_sts_cache_directory), so that a
// policy outlives a restart as RFC 8461 §5.1 wants ("senders SHOULD cache a policy for its
// max_age"): one small text file per domain with the TXT record's id, the fetch time and
// the policy as fetched. Files are written whole (a temporary file, then rename()), so that
// several smtp processes may share the directory. Not thread-safe; one per agent.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "delivery/smtp/mta_sts_policy.hpp"

namespace correio::delivery::smtp_agent {

struct StsCacheRecord {
  std::string id;  // the "_mta-sts" TXT record's id when the policy was fetched
  std::chrono::system_clock::time_point fetched;
  std::string body;  // the policy file as served (§3.2)
  StsPolicy policy;  // body, parsed
};

// "id: ID\nfetched: UNIX-SECONDS\n\nBODY". The body is parsed again by parse_sts_policy on
// reading (the file is input like the network's). Errors name the missing or bad field.
std::string format_sts_cache(const StsCacheRecord& record);
Result<StsCacheRecord> parse_sts_cache(std::string_view text);

class StsStore {
 public:
  explicit StsStore(std::filesystem::path directory) : directory_(std::move(directory)) {}

  // The record of `domain` (lower case); nullopt when there is none. Errors: a file that
  // cannot be read or parsed (the caller warns and goes on without it).
  Result<std::optional<StsCacheRecord>> load(std::string_view domain) const;
  // Writes the record of `domain`, creating the directory (0700) when needed.
  Status save(std::string_view domain, const StsCacheRecord& record) const;

  const std::filesystem::path& directory() const { return directory_; }

 private:
  // The file of `domain`; empty for a name that is no plain domain (never a path).
  std::filesystem::path file_of(std::string_view domain) const;
  std::filesystem::path directory_;
};

}  // namespace correio::delivery::smtp_agent
