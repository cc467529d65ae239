// The master's listening sockets: parsing master.cf service names into addresses
// ("127.0.0.1:2525", "[::1]:25", "2525", "smtp", "host:smtp"), and binding them.
// Sockets are plain file descriptors owned by a ListenerSet, so that a reload keeps the
// ones whose address did not change (clients never see a refused connection).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace correio::master {

// A master.cf inet service name split into host and port; host is empty when the name
// is only a port (then inet_interfaces applies).
struct InetName {
  std::string host;  // without brackets: "::1"
  std::string port;  // "2525" or a service name: "smtp"
};
Result<InetName> parse_inet_name(std::string_view name);

// A decimal port, or a name looked up with getservbyname(name, "tcp").
Result<uint16_t> resolve_port(std::string_view port);

struct ListenerSpec {
  enum class Kind { inet, unix_stream, fifo };
  Kind kind = Kind::inet;
  std::string address;         // numeric IPv4/IPv6 address (inet)
  uint16_t port = 0;           // (inet)
  std::filesystem::path path;  // socket or fifo path (unix_stream, fifo)
  bool is_public = false;      // world-reachable socket/fifo (private column "n")
  long owner_uid = -1;         // chown the socket/fifo to this user (master runs as root)
  long owner_gid = -1;

  // Identity across reloads: "inet:127.0.0.1:2525", "inet:[::1]:25", "unix:/q/private/x".
  std::string key() const;
  // For messages: "127.0.0.1 port 2525" (as Postfix writes it), or the path.
  std::string describe() const;
};

// The inet listeners of service `name`. `interfaces` is inet_interfaces split into items
// ("all", "loopback-only", addresses or host names); `protocols` is inet_protocols.
Result<std::vector<ListenerSpec>> inet_listeners(std::string_view name,
                                                 const std::vector<std::string>& interfaces,
                                                 std::string_view protocols);

// Binds one listener; the descriptor is close-on-exec and non-blocking.
Result<int> open_listener(const ListenerSpec& spec, int backlog);

// The open listening sockets by key.
class ListenerSet {
 public:
  ListenerSet() = default;
  ListenerSet(const ListenerSet&) = delete;
  ListenerSet& operator=(const ListenerSet&) = delete;
  ~ListenerSet();

  // The descriptor of an already open listener with this key, or -1.
  int find(const std::string& key) const;
  // Opens `spec` unless a listener with its key is already open; returns its descriptor.
  Result<int> open(const ListenerSpec& spec, int backlog);
  // Closes every listener whose key is not in `keep` (after a reload).
  void close_except(const std::vector<std::string>& keep);
  void close_all();

 private:
  struct Entry {
    int fd;
    ListenerSpec spec;
  };
  std::map<std::string, Entry> open_;
};

}  // namespace correio::master
