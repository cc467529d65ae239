// The pure checks behind client name verification (client_name.hpp), kept free of Asio so
// that tests and the fuzz target use them alone. Thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace correio::dns {

// A syntactically valid, non-numeric host name (RFC 1035 labels, at most 255 bytes).
bool valid_hostname(std::string_view name);

// AF_INET or AF_INET6 for an address in text form; 0 when `text` is not an address.
int address_family(std::string_view text);
// Whether `address` is one of `addresses` (all textual; compared as binary addresses).
bool address_listed(std::string_view address, const std::vector<std::string>& addresses);

}  // namespace correio::dns
