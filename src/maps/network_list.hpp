// Postfix's network match list (mynetworks, smtpd_client_event_limit_exceptions, ...):
// "127.0.0.0/8 [::1]/128 10.1.2.3 !192.0.2.0/24 cidr:/etc/postfix/network_table /file".
// Matches a client's IP address. Items are tried in order and the first that matches
// decides: "!item" excludes, a "/file/name" is read as more items (one or more per line,
// "#" comments), a "type:table" matches when looking the address up finds anything (the
// value is ignored, as postconf(5) says for mynetworks). Host names are refused, not
// silently ignored. A value type: copies share their open tables; not thread-safe (a Map
// is not), use one from one thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "maps/map.hpp"

namespace correio::maps {

class NetworkList {
 public:
  // Errors name the bad item, and the file and line it came from: "bad network address:
  // x", "/etc/nets, line 3: bad network prefix: 10.0.0.0/33", "open /etc/nets: ...",
  // "cidr:/etc/x: open ...". Tables are opened here, so a missing one is found at start.
  static Result<NetworkList> parse(std::string_view list);

  // Whether `address` ("192.0.2.1", "2001:db8::1", "[::1]") is in the list; a table that
  // cannot be read (a temporary failure) is an Error, as Postfix's match list reports it.
  Result<bool> match(std::string_view address) const;
  // match(), with a failed table lookup taken as "not in the list": for callers where
  // that is the safe side (not trusted, not exempt).
  bool contains(std::string_view address) const;
  bool empty() const { return items_.empty(); }

 private:
  struct Item {
    bool negated = false;
    std::shared_ptr<Map> table;  // a type:table item; else the network below
    unsigned char bytes[16] = {};
    int length = 0;  // 4 or 16
    int prefix = 0;
  };
  Status add(std::string_view list, int depth);
  Status add_item(std::string item, int depth);
  std::vector<Item> items_;
};

}  // namespace correio::maps
