// `correio autoconfig-dns [-c DIR] [DOMAIN...]`: the DNS records that let mail clients
// find this server (RFC 6186 SRV, autoconfig/autodiscover names), for the administrator
// to publish. Read from main.cf and master.cf, like the documents the service serves.
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "autoconfig/autoconfig.hpp"
#include "autoconfig/documents.hpp"
#include "autoconfig/mail_services.hpp"
#include "base/strings.hpp"
#include "config/config.hpp"
#include "config/master_cf.hpp"

namespace correio::autoconfig {

int autoconfig_dns_main(int argc, char** argv) {
  std::string dir;
  std::vector<std::string> domains;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-c" && i + 1 < argc) {
      dir = argv[++i];
    } else if (!a.empty() && a[0] == '-') {
      std::fprintf(stderr, "usage: autoconfig-dns [-c config_dir] [domain...]\n");
      return 1;
    } else {
      domains.push_back(base::to_lower(a));
    }
  }
  if (dir.empty()) {
    const char* env = std::getenv("MAIL_CONFIG");
    dir = env != nullptr ? env : "/etc/correio";
  }
  auto config = config::Config::load(dir);
  if (!config) {
    std::fprintf(stderr, "autoconfig-dns: fatal: %s\n", config.error().message.c_str());
    return 1;
  }
  auto master = config::load_master_cf(dir);
  if (!master) {
    std::fprintf(stderr, "autoconfig-dns: fatal: %s\n", master.error().message.c_str());
    return 1;
  }
  auto services = client_services(*config, *master);
  if (!services) {
    std::fprintf(stderr, "autoconfig-dns: fatal: %s\n", services.error().message.c_str());
    return 1;
  }
  int https_port = 0;
  for (const auto& s : *master) {
    if (s.command != "autoconfig" || s.type != "inet") continue;
    std::string port = s.name.substr(s.name.rfind(':') + 1);
    if (auto n = base::parse_int(port)) https_port = static_cast<int>(*n);
    if (port == "https") https_port = 443;
  }
  if (domains.empty()) domains.push_back(config->get("mydomain"));
  std::string server = config->get("autoconfig_server_name");
  for (const auto& domain : domains) {
    Account account{"", domain, server, false};
    std::fputs(dns_records(account, *services, https_port).c_str(), stdout);
  }
  return 0;
}

}  // namespace correio::autoconfig
