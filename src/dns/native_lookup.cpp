// getaddrinfo on a private thread (see native_lookup.hpp).
#include "dns/native_lookup.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <asio/co_spawn.hpp>
#include <asio/use_awaitable.hpp>
#include <set>

namespace correio::dns {
namespace {

// Runs on the pool's thread: nothing here touches the caller's state.
asio::awaitable<Answer> blocking_addresses(std::string name, int family) {
  addrinfo hints{};
  hints.ai_family = family;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  int rc = ::getaddrinfo(name.c_str(), nullptr, &hints, &list);
  Answer answer;
  if (rc != 0) {
    bool definite = rc == EAI_NONAME
#ifdef EAI_NODATA
                    || rc == EAI_NODATA
#endif
        ;
    answer.outcome = definite ? Outcome::not_found : Outcome::temporary;
    answer.error = ::gai_strerror(rc);
    co_return answer;
  }
  std::set<std::string> seen;  // one entry per address, not per socket type
  for (addrinfo* ai = list; ai; ai = ai->ai_next) {
    char text[INET6_ADDRSTRLEN] = {};
    const void* raw =
        ai->ai_family == AF_INET
            ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(ai->ai_addr)->sin_addr)
            : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(ai->ai_addr)->sin6_addr);
    if (ai->ai_family != family || !::inet_ntop(family, raw, text, sizeof text)) continue;
    if (seen.insert(text).second) answer.items.emplace_back(text);
  }
  ::freeaddrinfo(list);
  answer.outcome = answer.items.empty() ? Outcome::not_found : Outcome::found;
  co_return answer;
}

}  // namespace

asio::awaitable<Answer> NativeLookup::addresses_of(const std::string& name, int family) {
  // The completion comes back through use_awaitable on this coroutine's own executor.
  auto work = blocking_addresses(name, family);
  co_return co_await asio::co_spawn(pool_.get_executor(), std::move(work), asio::use_awaitable);
}

}  // namespace correio::dns
