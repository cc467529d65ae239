// A list of client networks as Postfix writes mynetworks: "127.0.0.0/8 [::1]/128 10.1.2.3".
// Matches the client's address. "/file/name" entries are read as more networks (Postfix's
// pattern file); "type:table" entries (cidr:, hash:) and DNS names are refused, not
// silently ignored.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace correio::smtpd {

class ClientNetworks {
 public:
  // Errors name the bad element: "bad network: 10.0.0.0/33", "/etc/x: bad network ...",
  // "table lookups are not supported here: cidr:/etc/x (list the networks, or a /file)".
  static Result<ClientNetworks> parse(std::string_view list);
  bool contains(std::string_view address) const;
  bool empty() const { return networks_.empty(); }

 private:
  struct Network {
    unsigned char bytes[16];
    int length;  // 4 or 16
    int prefix;
  };
  Status add(std::string_view list, int depth);
  std::vector<Network> networks_;
};

}  // namespace correio::smtpd
