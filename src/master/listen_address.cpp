// From master.cf service names and inet_interfaces/inet_protocols to the list of addresses
// the master binds (see listeners.hpp). Name lookups use getaddrinfo/getservbyname, which
// read /etc/hosts and /etc/services; no DNS is needed for numeric addresses.
#include <arpa/inet.h>
#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include "base/strings.hpp"
#include "master/listeners.hpp"

namespace correio::master {
namespace {

struct Protocols {
  bool ipv4 = false;
  bool ipv6 = false;
};

bool kernel_has_ipv6() {
  static const bool has = [] {
    int fd = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    ::close(fd);
    return true;
  }();
  return has;
}

Result<Protocols> parse_protocols(std::string_view text) {
  Protocols p;
  auto items = base::split_list(text);
  if (items.empty()) items.push_back("all");
  for (const auto& item : items) {
    if (base::iequals(item, "all")) {
      p.ipv4 = true;
      p.ipv6 = kernel_has_ipv6();  // "all" means what the kernel supports, as in Postfix
    } else if (base::iequals(item, "ipv4")) {
      p.ipv4 = true;
    } else if (base::iequals(item, "ipv6")) {
      p.ipv6 = true;
    } else {
      return Error{fmt::format("bad inet_protocols value: {}", item)};
    }
  }
  return p;
}

ListenerSpec inet(std::string address, uint16_t port) {
  ListenerSpec spec;
  spec.kind = ListenerSpec::Kind::inet;
  spec.address = std::move(address);
  spec.port = port;
  spec.is_public = true;
  return spec;
}

// Numeric addresses directly; host names through getaddrinfo (e.g. "localhost").
Result<std::vector<std::string>> resolve_host(const std::string& host, Protocols protocols) {
  in6_addr scratch{};
  if (::inet_pton(AF_INET, host.c_str(), &scratch) == 1) return std::vector<std::string>{host};
  if (::inet_pton(AF_INET6, host.c_str(), &scratch) == 1) return std::vector<std::string>{host};
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  if (int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &list); rc != 0)
    return Error{fmt::format("host not found: {}: {}", host, ::gai_strerror(rc))};
  std::vector<std::string> out;
  for (addrinfo* ai = list; ai; ai = ai->ai_next) {
    char buf[INET6_ADDRSTRLEN] = {};
    if (ai->ai_family == AF_INET && protocols.ipv4) {
      ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(ai->ai_addr)->sin_addr, buf, sizeof buf);
    } else if (ai->ai_family == AF_INET6 && protocols.ipv6) {
      ::inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(ai->ai_addr)->sin6_addr, buf,
                  sizeof buf);
    } else {
      continue;
    }
    if (std::find(out.begin(), out.end(), buf) == out.end()) out.emplace_back(buf);
  }
  ::freeaddrinfo(list);
  if (out.empty()) return Error{fmt::format("host {}: no address for inet_protocols", host)};
  return out;
}

}  // namespace

Result<InetName> parse_inet_name(std::string_view name) {
  InetName out;
  if (name.empty()) return Error{"empty service name"};
  if (name.front() == '[') {
    auto close = name.find(']');
    if (close == std::string_view::npos) return Error{fmt::format("missing ']' in {}", name)};
    out.host = std::string(name.substr(1, close - 1));
    std::string_view rest = name.substr(close + 1);
    if (rest.size() < 2 || rest.front() != ':')
      return Error{fmt::format("missing port after address in {}", name)};
    out.port = std::string(rest.substr(1));
  } else if (auto colon = name.rfind(':'); colon != std::string_view::npos) {
    out.host = std::string(name.substr(0, colon));
    out.port = std::string(name.substr(colon + 1));
    if (out.host.find(':') != std::string::npos)
      return Error{fmt::format("IPv6 address must be written in brackets: {}", name)};
    if (out.host.empty() || out.host == "*") out.host.clear();
  } else {
    out.port = std::string(name);
  }
  if (out.port.empty()) return Error{fmt::format("missing port in {}", name)};
  return out;
}

Result<uint16_t> resolve_port(std::string_view port) {
  if (auto number = base::parse_int(port)) {
    if (*number < 1 || *number > 65535) return Error{fmt::format("bad port number: {}", port)};
    return static_cast<uint16_t>(*number);
  }
  std::string name(port);
  servent* entry = ::getservbyname(name.c_str(), "tcp");
  if (!entry) return Error{fmt::format("unknown service: {}/tcp", port)};
  return static_cast<uint16_t>(ntohs(static_cast<uint16_t>(entry->s_port)));
}

Result<std::vector<ListenerSpec>> inet_listeners(std::string_view name,
                                                 const std::vector<std::string>& interfaces,
                                                 std::string_view protocols_text) {
  auto parsed = parse_inet_name(name);
  if (!parsed) return parsed.error();
  auto port = resolve_port(parsed->port);
  if (!port) return port.error();
  auto protocols = parse_protocols(protocols_text);
  if (!protocols) return protocols.error();

  std::vector<ListenerSpec> out;
  auto add_host = [&](const std::string& host) -> Status {
    auto addresses = resolve_host(host, *protocols);
    if (!addresses) return addresses.error();
    for (auto& a : *addresses) out.push_back(inet(a, *port));
    return {};
  };
  if (!parsed->host.empty()) {
    if (auto st = add_host(parsed->host); !st) return st.error();
    return out;
  }
  std::vector<std::string> items = interfaces;
  if (items.empty()) items.push_back("all");
  for (const auto& item : items) {
    if (base::iequals(item, "all")) {
      if (protocols->ipv4) out.push_back(inet("0.0.0.0", *port));
      if (protocols->ipv6) out.push_back(inet("::", *port));
    } else if (base::iequals(item, "loopback-only")) {
      if (protocols->ipv4) out.push_back(inet("127.0.0.1", *port));
      if (protocols->ipv6) out.push_back(inet("::1", *port));
    } else if (auto st = add_host(item); !st) {
      return st.error();
    }
  }
  if (out.empty()) return Error{fmt::format("{}: no address to listen on", name)};
  return out;
}

std::string ListenerSpec::key() const {
  switch (kind) {
    case Kind::inet:
      if (address.find(':') != std::string::npos) return fmt::format("inet:[{}]:{}", address, port);
      return fmt::format("inet:{}:{}", address, port);
    case Kind::unix_stream:
      return "unix:" + path.string();
    case Kind::fifo:
      return "fifo:" + path.string();
  }
  return {};
}

std::string ListenerSpec::describe() const {
  if (kind == Kind::inet) return fmt::format("{} port {}", address, port);
  return path.string();
}

}  // namespace correio::master
