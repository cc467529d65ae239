// The client autoconfiguration service: a small HTTPS server (master.cf command
// "autoconfig", off unless listed) that hands mail clients the documents of documents.hpp
// for the domains this installation serves, with the smtpd certificates by default.
#pragma once

#include "service/daemon.hpp"

namespace correio::autoconfig {

int autoconfig_main(const service::DaemonArgs& args);

// `correio autoconfig-dns [DOMAIN...]`: the DNS records to publish for each domain
// (default: mydomain), read from this configuration's main.cf and master.cf.
int autoconfig_dns_main(int argc, char** argv);

}  // namespace correio::autoconfig
