// qshape(1)'s table: messages by domain and age bucket, as Postfix's qshape prints it.
// Pure function of the messages and options (unit-tested).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace correio::cli {

struct QshapeOptions {
  int buckets = 10;        // -b: age buckets after the total column
  int bucket_minutes = 5;  // -t: the first bucket's age limit
  bool linear = false;     // -l: buckets are multiples of bucket_minutes, not doublings
  bool senders = false;    // -s: sender domains instead of recipient domains
  bool parents = false;    // -p: also totals for parent domains (".example.org")
  int min_subdomains = 5;  // -m: parent domains shown with at least this many subdomains
  int width = 80;          // -w: the last column ends at this column
};

struct QshapeMessage {
  int64_t arrival_us = 0;
  std::string sender;
  std::vector<std::string> recipients;  // pending ones
};

std::string qshape_report(const std::vector<QshapeMessage>& messages, const QshapeOptions& options,
                          int64_t now_us);

}  // namespace correio::cli
