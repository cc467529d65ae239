// A list of client networks as Postfix writes mynetworks: "127.0.0.0/8 [::1]/128 10.1.2.3".
// Matches the client's address; no DNS names and no table lookups yet (roadmap step 1).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace correio::smtpd {

class ClientNetworks {
 public:
  // Errors name the bad element: "bad network: 10.0.0.0/33".
  static Result<ClientNetworks> parse(std::string_view list);
  bool contains(std::string_view address) const;
  bool empty() const { return networks_.empty(); }

 private:
  struct Network {
    unsigned char bytes[16];
    int length;  // 4 or 16
    int prefix;
  };
  std::vector<Network> networks_;
};

}  // namespace correio::smtpd
