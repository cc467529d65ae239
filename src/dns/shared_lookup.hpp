// One resolver channel shared by every coroutine of an io_context, so that a connection
// does not pay for setting one up (c-ares reads resolv.conf, hosts and nsswitch.conf and
// opens a socket: about 25 system calls). Reopened after `max_age` so that a changed
// resolv.conf is seen, as Postfix's short-lived smtpd processes would see it.
//
// It is an Asio service of the io_context rather than a member of some longer-lived
// object: the io_context shuts it down before the reactor and timer services its channel
// uses, so the channel never outlives them.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/execution_context.hpp>
#include <chrono>
#include <memory>

#include "base/result.hpp"
#include "dns/lookup.hpp"

namespace correio::dns {

class SharedLookup : public asio::execution_context::service {
 public:
  // Asio finds a service by this tag (asio::use_service<SharedLookup>(io)); it holds no state.
  static asio::execution_context::id id;

  explicit SharedLookup(asio::execution_context& context);

  // The channel for `executor` (which must belong to this service's io_context), opened
  // now if there is none yet, it is older than `max_age`, or `options` changed. Callers
  // keep the returned pointer until their lookups end: a replaced channel lives on until
  // then. On an open error the previous channel, if any, is returned instead.
  Result<std::shared_ptr<Lookup>> get(const asio::any_io_executor& executor,
                                      const ResolverOptions& options,
                                      std::chrono::seconds max_age = std::chrono::seconds(60));

 private:
  void shutdown() override;

  std::shared_ptr<Lookup> lookup_;
  ResolverOptions options_;
  std::chrono::steady_clock::time_point opened_{};
};

}  // namespace correio::dns
