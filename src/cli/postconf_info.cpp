// postconf -m, -a, -A, -l and -T: what this build supports, in Postfix's output format
// (one name a line). Needs no configuration file.
#include "cli/postconf_info.hpp"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/opensslv.h>

#include "config/parameters.hpp"
#include "maps/map.hpp"

namespace correio::cli::postconf {

std::string info_lines(char option) {
  std::string out;
  switch (option) {
    case 'm':  // lookup table types (maps/map.cpp)
      for (auto t : maps::map_types()) out += fmt::format("{}\n", t);
      break;
    case 'a':
      // smtpd_sasl_type: the SMTP server asks Correio's auth service (Dovecot's auth
      // protocol, over smtpd_sasl_path); there is no Cyrus library.
      out = "correio\n";
      break;
    case 'A':
      break;  // The SMTP/LMTP client has no SASL (smtp_sasl_auth_enable is not supported).
    case 'l':
      // mailbox_delivery_lock: mbox delivery takes a dotlock, then an fcntl lock
      // (store/mbox.cpp); there is no flock().
      out = "fcntl\ndotlock\n";
      break;
    default:
      break;
  }
  return out;
}

Result<std::string> tls_info(std::string_view mode) {
  if (mode == "compile-version") return std::string(OPENSSL_VERSION_TEXT) + "\n";
  if (mode == "run-version") return std::string(OpenSSL_version(OPENSSL_VERSION)) + "\n";
  // The key types OpenSSL loads from smtpd_tls_cert_file/key_file for a TLS server, named
  // and ordered as Postfix 3.7 prints them with the same OpenSSL.
  if (mode == "public-key-algorithms") return std::string("dsa\necdsa\nrsa\n");
  // Correio's own mode (Postfix 3.7 has none): `postconf -h mail_version` needs no main.cf
  // this way.
  if (mode == "mail-version")
    return config::default_value(*config::find_parameter("mail_version"), "") + "\n";
  return Error{fmt::format("unknown 'postconf -T' mode: {}", mode)};
}

}  // namespace correio::cli::postconf
