// Host addresses from the system's own naming service (getaddrinfo: nsswitch.conf, the
// hosts file, NIS, ...), for the SMTP client's smtp_host_lookup = native. getaddrinfo
// blocks, so it runs on a private thread and the caller's coroutine resumes on its own
// executor with the answer.
// Ownership: one NativeLookup per daemon; destroying it waits for lookups in progress.
// addresses_of() may be called from any number of coroutines of one executor.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/thread_pool.hpp>
#include <string>

#include "dns/lookup.hpp"

namespace correio::dns {

class NativeLookup {
 public:
  NativeLookup() : pool_(1) {}
  ~NativeLookup() { pool_.join(); }
  NativeLookup(const NativeLookup&) = delete;
  NativeLookup& operator=(const NativeLookup&) = delete;

  // The addresses of `name` in `family` (AF_INET or AF_INET6). not_found for EAI_NONAME
  // and EAI_NODATA, temporary for EAI_AGAIN and the other failures.
  asio::awaitable<Answer> addresses_of(const std::string& name, int family);

 private:
  asio::thread_pool pool_;
};

}  // namespace correio::dns
