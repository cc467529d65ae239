// Default and SNI certificates, and their reload when the files change (see
// server_certificates.hpp).
#include "tls/server_certificates.hpp"

#include <fmt/format.h>

#include "base/base64.hpp"
#include "base/file.hpp"

namespace correio::tls {
namespace {

using base::FileStamp;

std::vector<FileStamp> stamp(const std::vector<std::string>& files) {
  std::vector<FileStamp> out;
  for (const auto& file : files) out.push_back(base::file_stamp(file));
  return out;
}

// An SNI name as it may appear in a log line: printable ASCII only, bounded.
std::string printable(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 100)) out += (c > 0x20 && c < 0x7f) ? c : '?';
  return out;
}

// Maximum number of distinct SNI table values kept loaded; beyond it the cache starts over
// (values come from the administrator's table, so this only bounds a huge table's memory).
constexpr size_t kMaxSniContexts = 1000;

}  // namespace

// One set of keys and chains: where it comes from, the version loaded, and its context.
struct ServerCertificates::Entry {
  ServerOptions files;  // empty files: the PEM text below (a base64 table value)
  std::string pem;      // chain PEM from the table itself; never reloaded
  std::string origin;   // for log lines
  std::vector<FileStamp> loaded;
  std::vector<FileStamp> failed;  // a broken version already reported
  std::chrono::steady_clock::time_point checked;
  std::shared_ptr<asio::ssl::context> ctx;
};

std::vector<std::string> sni_lookup_keys(std::string_view name) {
  // RFC 6066 §3: a DNS hostname, no trailing dot; we also refuse what is not LDH, so a
  // table key can never be matched by a crafted name ("*", "..", control characters).
  if (name.empty() || name.size() > 253 || name.front() == '.' || name.back() == '.') return {};
  std::string lower;
  for (char c : name) {
    char l = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    bool ok = (l >= 'a' && l <= 'z') || (l >= '0' && l <= '9') || l == '-' || l == '_' || l == '.';
    if (!ok) return {};
    if (l == '.' && !lower.empty() && lower.back() == '.') return {};
    lower += l;
  }
  std::vector<std::string> keys{lower};
  for (size_t dot = lower.find('.'); dot != std::string::npos; dot = lower.find('.', dot + 1))
    keys.push_back(lower.substr(dot));
  return keys;
}

ServerCertificates::ServerCertificates(Options options, base::Logger& log)
    : options_(std::move(options)), log_(log) {}

ServerCertificates::~ServerCertificates() = default;

Result<std::unique_ptr<ServerCertificates>> ServerCertificates::open(Options options,
                                                                     base::Logger& log) {
  std::unique_ptr<ServerCertificates> self(new ServerCertificates(std::move(options), log));
  self->default_ = std::make_unique<Entry>();
  self->default_->files = self->options_.files;
  auto files = self->options_.files.files();
  self->default_->origin = fmt::format("{}", fmt::join(files, ", "));
  if (auto st = self->load(*self->default_); !st) return st.error();
  return self;
}

Status ServerCertificates::load(Entry& entry) {
  bool from_files = entry.pem.empty();
  auto stamps = from_files ? stamp(entry.files.files()) : std::vector<FileStamp>{};
  entry.checked = std::chrono::steady_clock::now();
  auto chains =
      from_files ? read_key_chains(entry.files) : parse_key_chains(entry.pem, entry.origin);
  if (!chains) {
    entry.failed = std::move(stamps);
    return chains.error();
  }
  auto ctx = make_server_context(*chains, options_.policy);
  if (!ctx) {
    entry.failed = std::move(stamps);
    return Error{fmt::format("{}: {}", entry.origin, ctx.error().message)};
  }
  if (options_.sni_lookup)
    SSL_CTX_set_tlsext_servername_callback((*ctx)->native_handle(), &on_servername);
  SSL_CTX_set_tlsext_servername_arg((*ctx)->native_handle(), this);
  entry.loaded = std::move(stamps);
  entry.failed.clear();
  entry.ctx = std::move(*ctx);
  return {};
}

std::shared_ptr<asio::ssl::context> ServerCertificates::current(Entry& entry) {
  auto now = std::chrono::steady_clock::now();
  // Handed files are the master's to watch (it restarts us when they change).
  // The bundle lookups only once the interval is up, not before every handshake.
  if (!entry.pem.empty() || now - entry.checked < options_.check_interval ||
      entry.files.any_handed())
    return entry.ctx;
  entry.checked = now;
  auto stamps = stamp(entry.files.files());
  if (stamps == entry.loaded || stamps == entry.failed) return entry.ctx;
  if (auto st = load(entry); !st) {
    // load() left entry.ctx alone: new handshakes keep the previous certificate.
    log_.warning("cannot load renewed TLS certificate: {}; still using the previous one",
                 st.error().message);
    return entry.ctx;
  }
  log_.info("TLS certificate reloaded from {}", entry.origin);
  return entry.ctx;
}

std::shared_ptr<asio::ssl::context> ServerCertificates::context() {
  return current(*default_);
}

std::shared_ptr<asio::ssl::context> ServerCertificates::for_server_name(std::string_view name) {
  auto keys = sni_lookup_keys(name);
  if (keys.empty()) {
    log_.info("TLS SNI name \"{}\" is not a valid host name; using the default certificate",
              printable(name));
    return nullptr;
  }
  std::optional<std::string> value;
  for (const auto& key : keys) {
    auto found = options_.sni_lookup(key);
    if (!found) {
      log_.warning("tls_server_sni_maps lookup of {}: {}; using the default certificate", key,
                   found.error().message);
      return nullptr;
    }
    if (*found) {
      value = std::move(**found);
      break;
    }
  }
  if (!value) {
    log_.info("TLS SNI name {} has no tls_server_sni_maps entry; using the default certificate",
              keys.front());
    return nullptr;
  }
  auto it = by_value_.find(*value);
  if (it != by_value_.end()) return current(*it->second);

  // Postfix: a list of chain files, or (tables filled outside Postfix, SQL) base64 of the
  // concatenated PEM text.
  auto entry = std::make_unique<Entry>();
  std::string compact;
  for (char c : *value)
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') compact += c;
  auto decoded = base::base64_decode(compact);
  if (decoded && decoded->starts_with("-----BEGIN")) {
    entry->pem = std::move(*decoded);
    entry->origin = fmt::format("tls_server_sni_maps entry for {}", keys.front());
  } else {
    std::string file;
    for (char c : *value) {
      if (c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        if (!file.empty()) entry->files.chain_files.push_back(std::move(file));
        file.clear();
      } else {
        file += c;
      }
    }
    if (!file.empty()) entry->files.chain_files.push_back(std::move(file));
    if (entry->files.chain_files.empty()) {
      log_.warning("tls_server_sni_maps entry for {} is empty; using the default certificate",
                   keys.front());
      return nullptr;
    }
    entry->origin = fmt::format("{}", fmt::join(entry->files.chain_files, ", "));
  }
  if (auto st = load(*entry); !st) {
    // Not cached: the next handshake with this name tries again (the files may be fixed).
    log_.warning("cannot load TLS certificate for SNI name {}: {}; using the default one",
                 keys.front(), st.error().message);
    return nullptr;
  }
  if (by_value_.size() >= kMaxSniContexts) by_value_.clear();
  auto ctx = entry->ctx;
  by_value_.emplace(std::move(*value), std::move(entry));
  return ctx;
}

// OpenSSL calls this during the ClientHello, before it picks the certificate.
int ServerCertificates::on_servername(SSL* ssl, int* /*alert*/, void* arg) {
  const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  if (name == nullptr || arg == nullptr) return SSL_TLSEXT_ERR_NOACK;
  auto* self = static_cast<ServerCertificates*>(arg);
  std::shared_ptr<asio::ssl::context> ctx;
  try {
    ctx = self->for_server_name(name);
  } catch (const std::exception&) {
    // Nothing may unwind through OpenSSL's C frames; the default certificate is used.
  }
  if (!ctx) return SSL_TLSEXT_ERR_NOACK;  // the default certificate stays
  // Takes its own reference to the SSL_CTX: the session keeps it even if we reload.
  if (SSL_set_SSL_CTX(ssl, ctx->native_handle()) == nullptr) return SSL_TLSEXT_ERR_NOACK;
  return SSL_TLSEXT_ERR_OK;
}

}  // namespace correio::tls
