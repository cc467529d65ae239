// URLAUTH mailbox access keys, tokens and checks (see urlauth_keys.hpp).
#include "mailbox/urlauth_keys.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <array>

#include "base/dotlock.hpp"
#include "base/file.hpp"
#include "mailbox/detail/fs_util.hpp"

namespace correio::mailbox {
namespace fs = std::filesystem;

namespace {
constexpr std::string_view kHeader = "correio-urlauth-keys 1\n";
constexpr const char* kFile = "correio-urlauth-keys";
constexpr size_t kKeyBytes = 32;  // RFC 4467 §7: at least 128 bits

std::string to_hex(const unsigned char* data, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < size; ++i) {
    out += kDigits[data[i] >> 4];
    out += kDigits[data[i] & 0xF];
  }
  return out;
}

std::optional<std::string> from_hex(std::string_view hex) {
  auto value = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = value(hex[i]), lo = value(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

Result<UrlauthKeys> read_keys(const fs::path& file) {
  bool missing = false;
  auto text = base::read_file(file, detail::kAnySize, &missing);
  if (!text) return text.error();
  if (missing) return UrlauthKeys{};
  auto keys = parse_urlauth_keys(*text);
  if (!keys) return Error{"corrupt URLAUTH key file " + file.string()};
  return std::move(*keys);
}

// Runs `edit` on the keys under the file's dot-lock and writes them back (mode 0600).
Status update_keys(const fs::path& file, const std::function<void(UrlauthKeys&)>& edit) {
  base::DotlockOptions how;
  how.timeout = std::chrono::seconds(120);
  how.stale = std::chrono::seconds(30);
  auto lock = base::Dotlock::acquire(file, how);
  if (!lock) return lock.error();
  auto keys = read_keys(file);
  if (!keys) return keys.error();
  edit(*keys);
  return lock->replace(format_urlauth_keys(*keys));
}
}  // namespace

std::optional<UrlauthKeys> parse_urlauth_keys(std::string_view text) {
  if (text.empty()) return UrlauthKeys{};
  if (!text.starts_with(kHeader)) return std::nullopt;
  text.remove_prefix(kHeader.size());
  UrlauthKeys keys;
  while (!text.empty()) {
    size_t end = text.find('\n');
    if (end == std::string_view::npos) return std::nullopt;  // truncated
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end + 1);
    size_t space = line.find(' ');
    if (space != kKeyBytes * 2 || space + 1 >= line.size()) return std::nullopt;
    std::string_view key = line.substr(0, space);
    if (!from_hex(key)) return std::nullopt;
    keys[std::string(line.substr(space + 1))] = std::string(key);
  }
  return keys;
}

std::string format_urlauth_keys(const UrlauthKeys& keys) {
  std::string out(kHeader);
  for (const auto& [folder, key] : keys) out += key + " " + folder + "\n";
  return out;
}

Result<std::string> urlauth_key(const MailUser& user, std::string_view folder, bool create) {
  if (folder.empty() || folder.find_first_of("\r\n") != std::string_view::npos)
    return Error{"invalid folder name"};
  fs::path file = user.root() / kFile;
  auto keys = read_keys(file);
  if (!keys) return keys.error();
  if (auto it = keys->find(std::string(folder)); it != keys->end()) return it->second;
  if (!create) return std::string();
  std::string key;
  Status written = update_keys(file, [&](UrlauthKeys& current) {
    auto& slot = current[std::string(folder)];
    if (slot.empty()) {  // another session may have made it meanwhile: keep that one
      std::array<unsigned char, kKeyBytes> bytes{};
      if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
        current.erase(std::string(folder));
        return;
      }
      slot = to_hex(bytes.data(), bytes.size());
    }
    key = slot;
  });
  if (!written) return written.error();
  if (key.empty()) return Error{"cannot generate a random URLAUTH key"};
  return key;
}

Status reset_urlauth_keys(const MailUser& user, std::string_view folder) {
  return update_keys(user.root() / kFile, [&](UrlauthKeys& keys) {
    if (folder.empty())
      keys.clear();
    else
      keys.erase(std::string(folder));
  });
}

std::string urlauth_token(std::string_view key_hex, std::string_view rump) {
  auto key = from_hex(key_hex);
  if (!key || key->empty()) return std::string();
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int size = 0;
  if (HMAC(EVP_sha256(), key->data(), static_cast<int>(key->size()),
           reinterpret_cast<const unsigned char*>(rump.data()), rump.size(), mac.data(),
           &size) == nullptr)
    return std::string();
  return to_hex(mac.data(), size);
}

std::string_view urlauth_verdict_text(UrlauthVerdict verdict) {
  switch (verdict) {
    case UrlauthVerdict::ok:
      return "";
    case UrlauthVerdict::expired:
      return "URLAUTH has expired";
    case UrlauthVerdict::not_permitted:
      return "the URL's access identifier does not allow this user";
    case UrlauthVerdict::bad_mechanism:
      return "unsupported URLAUTH mechanism";
    case UrlauthVerdict::bad_token:
      return "URLAUTH verification failed";
    case UrlauthVerdict::unavailable:
      return "the mailbox access keys cannot be read now";
  }
  return "";
}

UrlauthVerdict check_urlauth(const MailUser& owner, const mail::UrlauthUrl& url,
                             const UrlauthRequester& who, int64_t now) {
  if (url.mechanism != "INTERNAL") return UrlauthVerdict::bad_mechanism;
  // RFC 4467 §3: "submit+X" only for the submission server acting for X; "user+X" only
  // for X's own IMAP session; "authuser" for any authenticated user; "anonymous" for all.
  const std::string& access = url.access;
  bool permitted = access == "anonymous" || (access == "authuser" && !who.user.empty()) ||
                   (who.submit && access == "submit+" + who.user && !who.user.empty()) ||
                   (!who.submit && access == "user+" + who.user && !who.user.empty());
  if (!permitted) return UrlauthVerdict::not_permitted;
  if (url.expire && *url.expire <= now) return UrlauthVerdict::expired;  // RFC 4467 §3
  auto key = urlauth_key(owner, url.url.mailbox, false);
  if (!key) return UrlauthVerdict::unavailable;
  std::string expected = key->empty() ? std::string() : urlauth_token(*key, url.rump);
  // Constant time: the comparison must not tell an attacker how much of a guess was right.
  if (expected.empty() || expected.size() != url.token.size() ||
      CRYPTO_memcmp(expected.data(), url.token.data(), expected.size()) != 0)
    return UrlauthVerdict::bad_token;
  return UrlauthVerdict::ok;
}

}  // namespace correio::mailbox
