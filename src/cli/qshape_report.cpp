// The qshape table (see qshape_report.hpp). Column layout, bucket edges, domain
// normalisation and ordering follow Postfix's qshape(1) so that scripts reading its
// output keep working.
#include "cli/qshape_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "base/strings.hpp"

namespace correio::cli {
namespace {

constexpr int kMinDomainWidth = 18;

// Bucket 0 is the total; 1..buckets by age, the last one open-ended.
int bucket_of(int64_t age_us, const QshapeOptions& o) {
  double m = static_cast<double>(age_us) / 1e6 / (60.0 * o.bucket_minutes);
  if (m < 1) return 1;
  int b = o.linear ? static_cast<int>(m + 1) : 2 + static_cast<int>(std::log2(m));
  return std::min(b, o.buckets);
}

// "User@Sub..Example.ORG." -> "sub.example.org"; the null address is MAILER-DAEMON.
std::string domain_of(const std::string& address) {
  std::string a = base::to_lower(address);
  if (a.empty()) return "MAILER-DAEMON";
  size_t at = a.rfind('@');
  if (at != std::string::npos) a = a.substr(at + 1);
  std::string d;
  for (char c : a)
    if (!(c == '.' && !d.empty() && d.back() == '.')) d += c;
  if (!d.empty() && d.front() == '.') d.erase(0, 1);
  if (!d.empty() && d.back() == '.') d.pop_back();
  return d;
}

// "a.b.example.org" -> ".b.example.org" -> ".example.org"; top-level domains never.
bool to_parent(std::string& d) {
  size_t start = !d.empty() && d.front() == '.' ? 1 : 0;
  size_t dot = d.find('.', start);
  if (dot == std::string::npos || dot == start) return false;
  if (d.find('.', dot + 1) == std::string::npos) return false;
  d = d.substr(dot);
  return true;
}

}  // namespace

std::string qshape_report(const std::vector<QshapeMessage>& messages, const QshapeOptions& o,
                          int64_t now_us) {
  size_t columns = static_cast<size_t>(o.buckets) + 1;
  std::map<std::string, std::vector<long>> counts;
  std::map<std::string, long> subdomains;
  auto row = [&](const std::string& d) -> std::vector<long>& {
    auto& r = counts[d];
    r.resize(columns);
    return r;
  };
  row("TOTAL");
  for (const auto& m : messages) {
    int b = bucket_of(now_us - m.arrival_us, o);
    std::vector<std::string> addresses =
        o.senders ? std::vector<std::string>{m.sender} : m.recipients;
    for (const auto& a : addresses) {
      ++row("TOTAL")[0];
      ++row("TOTAL")[static_cast<size_t>(b)];
      std::string d = domain_of(a);
      bool child_new = false;
      for (;;) {
        auto& r = row(d);
        bool seen = r[0]++ > 0;
        ++r[static_cast<size_t>(b)];
        if (child_new) ++subdomains[d];
        child_new = !seen;
        if (!o.parents || !to_parent(d)) break;
      }
    }
  }

  // Headings: T, then the upper age of each bucket, the last one "N+".
  std::vector<std::string> heads;
  std::vector<size_t> widths;
  long t = 0;
  int domain_width = o.width;
  for (size_t i = 0; i < columns; ++i) {
    std::string h = i == 0 ? "T" : std::to_string(t);
    if (i == columns - 1 && i > 0) h = std::to_string(t) + "+";
    size_t l = std::max(std::to_string(counts["TOTAL"][i]).size(), h.size());
    l = l > 2 ? l + 1 : 3;
    heads.push_back(h);
    widths.push_back(l);
    domain_width -= static_cast<int>(l);
    if (i + 1 < columns - 1) t += (t && !o.linear) ? t : o.bucket_minutes;
  }
  size_t dw = static_cast<size_t>(std::max(domain_width, kMinDomainWidth));

  std::string out;
  auto print = [&](const std::string& d, const std::vector<std::string>& cells) {
    if (d.size() > dw) {
      out += d.front() == '.' ? ".+" + d.substr(d.size() - (dw - 2))
                              : "+" + d.substr(d.size() - (dw - 1));
    } else {
      out += std::string(dw - d.size(), ' ') + d;
    }
    for (size_t i = 0; i < cells.size(); ++i) out += fmt::format("{:>{}}", cells[i], widths[i]);
    out += "\n";
  };
  print("", heads);
  std::vector<std::pair<std::string, std::vector<long>>> rows(counts.begin(), counts.end());
  std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    if (a.second[0] != b.second[0]) return a.second[0] > b.second[0];
    return a.first.size() < b.first.size();
  });
  for (const auto& [d, r] : rows) {
    if (!d.empty() && d.front() == '.' && subdomains[d] < o.min_subdomains) continue;
    std::vector<std::string> cells;
    for (long n : r) cells.push_back(std::to_string(n));
    print(d, cells);
  }
  return out;
}

}  // namespace correio::cli
