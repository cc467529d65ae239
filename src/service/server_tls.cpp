// main.cf to tls::ServerCertificates for any protocol daemon (see server_tls.hpp).
#include "service/server_tls.hpp"

#include <fmt/format.h>

#include "maps/map.hpp"

namespace correio::service {

Result<std::unique_ptr<tls::ServerCertificates>> open_server_certificates(
    const config::Config& config, std::string_view prefix, base::Logger& log) {
  tls::ServerCertificates::Options options;
  auto param = [&](std::string_view suffix) { return fmt::format("{}_tls_{}", prefix, suffix); };
  options.files.chain_files = config.get_list(param("chain_files"));
  options.files.cert_file = config.get(param("cert_file"));
  options.files.key_file = config.get(param("key_file"));
  // Postfix: the chain files win, and setting both is worth a warning.
  if (!options.files.chain_files.empty() && !options.files.cert_file.empty())
    log.warning("{} is set: ignoring {} and {}", param("chain_files"), param("cert_file"),
                param("key_file"));
  options.check_interval = config.get_time("tls_certificate_check_interval");

  std::string sni = config.get("tls_server_sni_maps");
  if (!sni.empty()) {
    auto maps = maps::open_maps(sni);
    if (!maps) return Error{"tls_server_sni_maps: " + maps.error().message};
    std::shared_ptr<maps::MapList> table = std::move(*maps);
    options.sni_lookup = [table](std::string_view key) { return table->lookup(key); };
  }
  return tls::ServerCertificates::open(std::move(options), log);
}

}  // namespace correio::service
