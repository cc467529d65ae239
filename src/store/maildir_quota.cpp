// Quota rules and Maildir usage (see maildir_quota.hpp).
#include "store/maildir_quota.hpp"

#include <dirent.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <string>

#include "base/strings.hpp"

namespace correio::store {
namespace {

std::optional<uint64_t> parse_size(std::string_view value) {
  uint64_t number = 0;
  size_t i = 0;
  while (i < value.size() && value[i] >= '0' && value[i] <= '9') {
    if (number > (UINT64_MAX - 9) / 10) return std::nullopt;
    number = number * 10 + static_cast<uint64_t>(value[i] - '0');
    ++i;
  }
  if (i == 0) return std::nullopt;
  std::string_view unit = value.substr(i);
  int shift = 0;
  if (unit.empty() || unit == "b" || unit == "B")
    shift = 0;
  else if (unit == "k" || unit == "K")
    shift = 10;
  else if (unit == "M" || unit == "m")
    shift = 20;
  else if (unit == "G" || unit == "g")
    shift = 30;
  else if (unit == "T" || unit == "t")
    shift = 40;
  else
    return std::nullopt;
  if (shift && number > (UINT64_MAX >> shift)) return std::nullopt;
  return number << shift;
}

// The S=size of a Maildir file name ("1700000000.M1P2.host,S=1234:2,S"), else nullopt.
std::optional<uint64_t> size_in_name(std::string_view name) {
  size_t at = name.find(",S=");
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view rest = name.substr(at + 3);
  rest = rest.substr(0, rest.find_first_of(",:"));
  uint64_t n = 0;
  if (rest.empty()) return std::nullopt;
  for (char c : rest) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  return n;
}

Status count_directory(const std::filesystem::path& dir, MaildirUsage& usage) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) {
    if (errno == ENOENT) return {};
    return Error{"open " + dir.string() + ": " + std::strerror(errno)};
  }
  while (dirent* e = ::readdir(d)) {
    std::string_view name = e->d_name;
    if (name.empty() || name.front() == '.') continue;
    uint64_t size = 0;
    if (auto in_name = size_in_name(name)) {
      size = *in_name;
    } else {
      struct stat st {};
      if (::stat((dir / e->d_name).c_str(), &st) != 0) continue;  // gone meanwhile
      if (!S_ISREG(st.st_mode)) continue;
      size = static_cast<uint64_t>(st.st_size);
    }
    usage.bytes += size;
    ++usage.messages;
  }
  ::closedir(d);
  return {};
}

Status count_folder(const std::filesystem::path& folder, MaildirUsage& usage) {
  for (const char* sub : {"cur", "new"})
    if (auto st = count_directory(folder / sub, usage); !st) return st;
  return {};
}

}  // namespace

void apply_quota_rule(std::string_view rule, QuotaLimits& limits) {
  rule = base::trim(rule);
  if (!rule.starts_with("*:")) return;
  for (const auto& part : base::split_any(rule.substr(2), ":")) {
    std::string_view p = part;
    size_t eq = p.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = p.substr(0, eq), value = p.substr(eq + 1);
    if (key == "storage" || key == "bytes") {
      // Dovecot's storage is in kilobytes without a unit; bytes is in bytes.
      auto n = parse_size(value);
      if (n && key == "storage" && !value.empty() && value.back() >= '0' && value.back() <= '9')
        *n <<= 10;
      if (n) limits.storage_bytes = *n;
    } else if (key == "messages") {
      if (auto n = parse_size(value)) limits.messages = *n;
    }
  }
}

Result<MaildirUsage> maildir_usage(const std::filesystem::path& root) {
  MaildirUsage usage;
  if (auto st = count_folder(root, usage); !st) return st.error();
  DIR* d = ::opendir(root.c_str());
  if (!d) {
    if (errno == ENOENT) return usage;
    return Error{"open " + root.string() + ": " + std::strerror(errno)};
  }
  std::vector<std::string> folders;
  while (dirent* e = ::readdir(d)) {
    std::string_view name = e->d_name;
    if (name.size() > 1 && name.front() == '.' && name != "..") folders.emplace_back(name);
  }
  ::closedir(d);
  for (const auto& f : folders)
    if (auto st = count_folder(root / f, usage); !st) return st.error();
  return usage;
}

bool quota_allows(const QuotaLimits& limits, const MaildirUsage& usage, uint64_t size,
                  unsigned grace_percent) {
  if (limits.messages && usage.messages + 1 > limits.messages) return false;
  if (!limits.storage_bytes) return true;
  if (usage.bytes >= limits.storage_bytes) return false;
  uint64_t ceiling = limits.storage_bytes + limits.storage_bytes / 100 * grace_percent;
  return usage.bytes + size <= ceiling;
}

}  // namespace correio::store
