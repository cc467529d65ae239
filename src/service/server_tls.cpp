// main.cf to a protocol daemon's TLS policy and tls::ServerCertificates (server_tls.hpp).
#include "service/server_tls.hpp"

#include <fmt/format.h>

#include "base/strings.hpp"
#include "config/server_tls_files.hpp"
#include "maps/map.hpp"

namespace correio::service {
namespace {

// "/etc/correio/main.cf:12: " when main.cf sets `name` itself, else "" (a default, or a
// master.cf -o override: the value printed then says enough).
std::string where(const config::Config& config, std::string_view name) {
  const config::MainCfEntry* entry = config.main_cf().find(name);
  auto raw = config.raw(name);
  if (entry == nullptr || !raw || *raw != entry->value) return "";
  return fmt::format("{}:{}: ", config.main_cf().file_name(), entry->line);
}

Error bad_value(const config::Config& config, const std::string& name, const Error& why) {
  return Error{fmt::format("{}bad {} value \"{}\": {}", where(config, name), name, config.get(name),
                           why.message)};
}

Result<std::unique_ptr<tls::ServerCertificates>> open_certificates(const Context& ctx,
                                                                   std::string_view prefix,
                                                                   tls::ServerPolicy policy) {
  const config::Config& config = ctx.config;
  tls::ServerCertificates::Options options;
  options.policy = std::move(policy);
  auto param = [&](std::string_view suffix) { return fmt::format("{}_tls_{}", prefix, suffix); };
  config::ServerTlsFiles files = config::server_tls_files(config, prefix);
  options.files.chain_files = std::move(files.chain_files);
  options.files.cert_file = std::move(files.cert_file);
  options.files.key_file = std::move(files.key_file);
  options.files.handed = ctx.tls_files;
  // Postfix: the chain files win, and setting both is worth a warning.
  if (!options.files.chain_files.empty() && !options.files.cert_file.empty())
    ctx.log.warning("{} is set: ignoring {} and {}", param("chain_files"), param("cert_file"),
                    param("key_file"));
  options.check_interval = config.get_time("tls_certificate_check_interval");

  std::string sni = config.get("tls_server_sni_maps");
  if (!sni.empty()) {
    auto maps = maps::open_maps(sni);
    if (!maps) return Error{"tls_server_sni_maps: " + maps.error().message};
    std::shared_ptr<maps::MapList> table = std::move(*maps);
    options.sni_lookup = [table](std::string_view key) { return table->lookup(key); };
  }
  return tls::ServerCertificates::open(std::move(options), ctx.log);
}

}  // namespace

Result<tls::ServerPolicy> server_tls_policy(const config::Config& config, std::string_view prefix,
                                            bool required) {
  // Only smtpd has Postfix's opportunistic/mandatory pair of parameters.
  bool mandatory = required && prefix == "smtpd";
  auto param = [&](std::string_view suffix) {
    return fmt::format("{}_tls_{}{}", prefix, mandatory ? "mandatory_" : "", suffix);
  };
  tls::ServerPolicy policy;
  std::string protocols = param("protocols");
  auto set = tls::parse_protocols(config.get(protocols));
  if (!set) return bad_value(config, protocols, set.error());
  policy.protocols = *set;

  tls::CipherLists lists{config.get("tls_high_cipherlist"), config.get("tls_medium_cipherlist"),
                         config.get("tls_null_cipherlist")};
  std::string grade = param("ciphers");
  std::string exclude_name = fmt::format("{}_tls_exclude_ciphers", prefix);
  std::string exclude = config.get(exclude_name);
  // Postfix: the mandatory exclusions add to the general ones.
  if (mandatory) exclude += " " + config.get("smtpd_tls_mandatory_exclude_ciphers");
  auto graded = tls::cipher_list(config.get(grade), "", lists);
  if (!graded) return bad_value(config, grade, graded.error());
  auto list = tls::cipher_list(config.get(grade), exclude, lists);
  if (!list) return bad_value(config, exclude_name, list.error());
  policy.cipher_list = std::move(*list);

  // What OpenSSL thinks of the list is part of the configuration check: try it now.
  SSL_CTX* probe = SSL_CTX_new(TLS_server_method());
  if (probe == nullptr) return Error{"cannot create a TLS context (out of memory?)"};
  Status applied = tls::apply_policy(probe, policy);
  SSL_CTX_free(probe);
  if (!applied) {
    // Name the parameter holding the list of this grade, where the fault most likely is.
    std::string g(base::trim(config.get(grade)));
    std::string list_name = g == "high"   ? "tls_high_cipherlist"
                            : g == "null" ? "tls_null_cipherlist"
                                          : "tls_medium_cipherlist";
    return Error{fmt::format("{}bad {} value \"{}\" (for {} = {}, with {} = \"{}\"): {}",
                             where(config, list_name), list_name, config.get(list_name), grade, g,
                             exclude_name, config.get(exclude_name), applied.error().message)};
  }
  return policy;
}

Result<std::unique_ptr<tls::ServerCertificates>> open_server_tls(const Context& ctx,
                                                                 std::string_view prefix,
                                                                 bool required) {
  auto policy = server_tls_policy(ctx.config, prefix, required);
  if (!policy) return policy.error();
  auto certificates = open_certificates(ctx, prefix, std::move(*policy));
  if (certificates) return certificates;
  if (required)
    return Error{"TLS is required here but unavailable: " + certificates.error().message};
  ctx.log.warning("TLS library problem: {}; TLS is not offered", certificates.error().message);
  return std::unique_ptr<tls::ServerCertificates>();
}

Result<std::unique_ptr<tls::ServerCertificates>> open_configured_server_tls(
    const Context& ctx, std::string_view prefix) {
  std::string p(prefix);
  bool wrappermode = ctx.config.get_bool(p + "_tls_wrappermode");
  bool configured = !ctx.config.get(p + "_tls_cert_file").empty() ||
                    !ctx.config.get(p + "_tls_chain_files").empty();
  if (configured) return open_server_tls(ctx, prefix, wrappermode);
  if (wrappermode)
    return Error{
        fmt::format("{0}_tls_wrappermode = yes needs {0}_tls_cert_file or {0}_tls_chain_files", p)};
  return std::unique_ptr<tls::ServerCertificates>();
}

std::vector<std::string> tls_policy_problems(const config::Config& config,
                                             std::string_view prefix) {
  // smtpd: both policies, since a client's STARTTLS or a -o override may pick either.
  std::vector<bool> uses =
      prefix == "smtpd" ? std::vector<bool>{false, true} : std::vector<bool>{false};
  for (bool required : uses)
    if (auto policy = server_tls_policy(config, prefix, required); !policy)
      return {"error: " + policy.error().message};
  return {};
}

}  // namespace correio::service
