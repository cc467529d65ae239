// The per-io_context resolver channel (see the header).
#include "dns/shared_lookup.hpp"

namespace correio::dns {

asio::execution_context::id SharedLookup::id;

SharedLookup::SharedLookup(asio::execution_context& context)
    : asio::execution_context::service(context) {}

Result<std::shared_ptr<Lookup>> SharedLookup::get(const asio::any_io_executor& executor,
                                                  const ResolverOptions& options,
                                                  std::chrono::seconds max_age) {
  auto now = std::chrono::steady_clock::now();
  bool same = lookup_ && options.servers == options_.servers &&
              options.time_limit == options_.time_limit &&
              options.hosts_file == options_.hosts_file && options.dnssec == options_.dnssec &&
              now - opened_ < max_age;
  if (same) return lookup_;
  auto opened = Lookup::open(executor, options);
  if (!opened) {
    if (lookup_) return lookup_;  // the previous channel is better than none
    return opened.error();
  }
  lookup_ = std::move(opened.value());
  options_ = options;
  opened_ = now;
  return lookup_;
}

void SharedLookup::shutdown() {
  lookup_.reset();
}

}  // namespace correio::dns
