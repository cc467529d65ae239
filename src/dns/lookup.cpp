// c-ares driven by Asio: c-ares reports the sockets it waits on through its socket-state
// callback, Asio waits for them to become readable or writable, and each readiness (or
// c-ares' own retry time-out) is handed back with ares_process_fd. Each query waits on its
// own timer, which the query's callback cancels; when the time limit passes first, the
// caller stops waiting and gets a temporary failure, and c-ares ends the query by its own
// time-outs (cancelling it would cancel every other query on the shared channel too).
#include "dns/lookup.hpp"

#include <ares.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>

#include <algorithm>
#include <asio/experimental/as_tuple.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <map>

#include "base/strings.hpp"
#include "dns/message.hpp"

namespace correio::dns {
namespace {

using asio::experimental::as_tuple;

Outcome outcome_of(int status) {
  switch (status) {
    case ARES_SUCCESS:
      return Outcome::found;
    case ARES_ENOTFOUND:
    case ARES_ENODATA:
    case ARES_ENONAME:
    case ARES_EBADNAME:
      return Outcome::not_found;
    default:
      return Outcome::temporary;  // time-out, server failure, refused, cancelled
  }
}

// One query's result, shared between the waiting coroutine and c-ares' callback (which
// also runs when the channel is destroyed with the query still open).
struct Pending {
  bool done = false;
  Answer answer;
  MxAnswer mx;                         // Want::mx
  RawAnswer raw;                       // Want::raw
  asio::steady_timer* wake = nullptr;  // cancelled when the answer arrives
};

}  // namespace

struct Lookup::Driver : std::enable_shared_from_this<Lookup::Driver> {
  struct Watch {
    explicit Watch(asio::any_io_executor ex, int fd) : descriptor(ex, fd) {}
    asio::posix::stream_descriptor descriptor;
    ares_socket_t fd = ARES_SOCKET_BAD;
    bool want_read = false, want_write = false;
    bool reading = false, writing = false;
    bool closed = false;  // c-ares closed the socket; the descriptor was released
  };

  explicit Driver(asio::any_io_executor ex) : executor(ex), retry_timer(ex) {}

  ~Driver() {
    // Ends any open query (its callback runs with ARES_EDESTRUCTION) and closes c-ares'
    // sockets, telling us through the socket-state callback first.
    if (channel) ares_destroy(channel);
    for (auto& [fd, watch] : watches) close_watch(*watch);
    ares_library_cleanup();
  }

  static void on_socket_state(void* data, ares_socket_t fd, int readable, int writable) {
    static_cast<Driver*>(data)->socket_state(fd, readable != 0, writable != 0);
  }

  static void close_watch(Watch& watch) {
    if (watch.closed) return;
    watch.closed = true;
    watch.descriptor.release();  // c-ares owns and closes the descriptor itself
  }

  void socket_state(ares_socket_t fd, bool readable, bool writable) {
    auto it = watches.find(fd);
    if (!readable && !writable) {
      if (it != watches.end()) {
        close_watch(*it->second);
        watches.erase(it);
      }
      return;
    }
    if (it == watches.end()) {
      auto watch = std::make_shared<Watch>(executor, fd);
      watch->fd = fd;
      it = watches.emplace(fd, std::move(watch)).first;
    }
    it->second->want_read = readable;
    it->second->want_write = writable;
    arm(it->second);
  }

  void arm(const std::shared_ptr<Watch>& watch) {
    if (watch->closed) return;
    std::weak_ptr<Driver> weak = weak_from_this();
    if (watch->want_read && !watch->reading) {
      watch->reading = true;
      watch->descriptor.async_wait(asio::posix::descriptor_base::wait_read,
                                   [weak, watch](std::error_code ec) {
                                     watch->reading = false;
                                     auto self = weak.lock();
                                     if (!self || watch->closed || ec) return;
                                     self->process(watch->fd, ARES_SOCKET_BAD);
                                     self->arm(watch);
                                   });
    }
    if (watch->want_write && !watch->writing) {
      watch->writing = true;
      watch->descriptor.async_wait(asio::posix::descriptor_base::wait_write,
                                   [weak, watch](std::error_code ec) {
                                     watch->writing = false;
                                     auto self = weak.lock();
                                     if (!self || watch->closed || ec) return;
                                     self->process(ARES_SOCKET_BAD, watch->fd);
                                     self->arm(watch);
                                   });
    }
  }

  void process(ares_socket_t read_fd, ares_socket_t write_fd) {
    ares_process_fd(channel, read_fd, write_fd);
    schedule_timeouts();
  }

  // c-ares' per-try time-outs and retries happen only when it is called: wake it then.
  void schedule_timeouts() {
    timeval tv{};
    timeval* next = ares_timeout(channel, nullptr, &tv);
    if (!next) {
      retry_timer.cancel();
      return;
    }
    retry_timer.expires_after(std::chrono::seconds(next->tv_sec) +
                              std::chrono::microseconds(next->tv_usec));
    std::weak_ptr<Driver> weak = weak_from_this();
    retry_timer.async_wait([weak](std::error_code ec) {
      auto self = weak.lock();
      if (!self || ec) return;
      self->process(ARES_SOCKET_BAD, ARES_SOCKET_BAD);
    });
  }

  asio::any_io_executor executor;
  ares_channel channel = nullptr;
  std::map<ares_socket_t, std::shared_ptr<Watch>> watches;
  asio::steady_timer retry_timer;
};

namespace {

enum class Want { names, addresses, mx, raw };

void fill(Pending& pending, Want want, const hostent* host) {
  if (!host) return;
  if (want == Want::names) {
    if (host->h_name && *host->h_name) pending.answer.items.emplace_back(host->h_name);
    return;
  }
  for (char** a = host->h_addr_list; a && *a; ++a) {
    char text[INET6_ADDRSTRLEN] = {};
    if (inet_ntop(host->h_addrtype, *a, text, sizeof text)) pending.answer.items.emplace_back(text);
  }
}

// c-ares' callback argument: the shared result and what the caller wants from it.
struct CallbackArg {
  std::shared_ptr<Pending> pending;
  Want want;
};

void on_host(void* arg, int status, int /*timeouts*/, hostent* host) {
  std::unique_ptr<CallbackArg> owned(static_cast<CallbackArg*>(arg));
  Pending& pending = *owned->pending;
  pending.done = true;
  pending.answer.outcome = outcome_of(status);
  if (status == ARES_SUCCESS)
    fill(pending, owned->want, host);
  else
    pending.answer.error = ares_strerror(status);
  if (pending.answer.outcome == Outcome::found && pending.answer.items.empty())
    pending.answer.outcome = Outcome::not_found;
  if (status != ARES_EDESTRUCTION && pending.wake) pending.wake->cancel();
}

// ares_getaddrinfo's callback: every address of the answer, in c-ares' order.
void on_addrinfo(void* arg, int status, int /*timeouts*/, ares_addrinfo* result) {
  std::unique_ptr<CallbackArg> owned(static_cast<CallbackArg*>(arg));
  Pending& pending = *owned->pending;
  pending.done = true;
  pending.answer.outcome = outcome_of(status);
  if (status == ARES_SUCCESS && result) {
    for (const ares_addrinfo_node* node = result->nodes; node; node = node->ai_next) {
      char text[INET6_ADDRSTRLEN] = {};
      const void* bytes = nullptr;
      if (node->ai_family == AF_INET)
        bytes = &reinterpret_cast<const sockaddr_in*>(node->ai_addr)->sin_addr;
      else if (node->ai_family == AF_INET6)
        bytes = &reinterpret_cast<const sockaddr_in6*>(node->ai_addr)->sin6_addr;
      if (!bytes || !inet_ntop(node->ai_family, bytes, text, sizeof text)) continue;
      if (std::find(pending.answer.items.begin(), pending.answer.items.end(), text) ==
          pending.answer.items.end())
        pending.answer.items.emplace_back(text);
    }
  } else if (status != ARES_SUCCESS) {
    pending.answer.error = ares_strerror(status);
  }
  if (result) ares_freeaddrinfo(result);
  if (pending.answer.outcome == Outcome::found && pending.answer.items.empty())
    pending.answer.outcome = Outcome::not_found;
  if (status != ARES_EDESTRUCTION && pending.wake) pending.wake->cancel();
}

// ares_query's callback for an MX query: the records, parsed by c-ares (which skips the
// CNAME records a recursive server puts before them).
// ares_send (unlike ares_query) reports a response with NXDOMAIN or no answer records as
// a success; this turns them into ares_query's statuses. `authentic` gets the AD bit.
int send_status(int status, const unsigned char* buffer, int length, bool& authentic) {
  if (status != ARES_SUCCESS || !buffer || length <= 0) return status;
  auto header = read_header({buffer, static_cast<size_t>(length)});
  if (!header) return ARES_EBADRESP;
  authentic = header->authentic;
  if (header->rcode == 3) return ARES_ENOTFOUND;
  if (header->rcode != 0) return ARES_ESERVFAIL;
  return header->answer_count == 0 ? ARES_ENODATA : ARES_SUCCESS;
}

void on_mx(void* arg, int status, int /*timeouts*/, unsigned char* buffer, int length) {
  std::unique_ptr<CallbackArg> owned(static_cast<CallbackArg*>(arg));
  Pending& pending = *owned->pending;
  pending.done = true;
  MxAnswer& mx = pending.mx;
  status = send_status(status, buffer, length, mx.authentic);
  mx.outcome = outcome_of(status);
  mx.no_such_domain = status == ARES_ENOTFOUND;
  if (status == ARES_SUCCESS) {
    ares_mx_reply* replies = nullptr;
    int rc = ares_parse_mx_reply(buffer, length, &replies);
    for (ares_mx_reply* r = replies; rc == ARES_SUCCESS && r; r = r->next)
      mx.records.push_back({r->priority, r->host ? std::string(r->host) : std::string()});
    if (replies) ares_free_data(replies);
    // ENODATA: an answer without MX records (a CNAME chain only), which is "no MX".
    if (rc != ARES_SUCCESS && rc != ARES_ENODATA) {
      mx.outcome = Outcome::temporary;
      mx.error = std::string("malformed reply: ") + ares_strerror(rc);
    } else if (mx.records.empty()) {
      mx.outcome = Outcome::not_found;
    }
  } else {
    mx.error = ares_strerror(status);
  }
  if (status != ARES_EDESTRUCTION && pending.wake) pending.wake->cancel();
}

// ares_send's callback for query(): the whole response.
void on_raw(void* arg, int status, int /*timeouts*/, unsigned char* buffer, int length) {
  std::unique_ptr<CallbackArg> owned(static_cast<CallbackArg*>(arg));
  Pending& pending = *owned->pending;
  pending.done = true;
  RawAnswer& raw = pending.raw;
  status = send_status(status, buffer, length, raw.authentic);
  raw.outcome = outcome_of(status);
  raw.no_such_domain = status == ARES_ENOTFOUND;
  if (buffer && length > 0) raw.message.assign(buffer, buffer + length);
  if (status != ARES_SUCCESS) raw.error = ares_strerror(status);
  if (status != ARES_EDESTRUCTION && pending.wake) pending.wake->cancel();
}

// ares_query's callback for an NS query: the name server host names (c-ares puts them
// in the hostent's aliases).
void on_ns(void* arg, int status, int /*timeouts*/, unsigned char* buffer, int length) {
  std::unique_ptr<CallbackArg> owned(static_cast<CallbackArg*>(arg));
  Pending& pending = *owned->pending;
  pending.done = true;
  Answer& answer = pending.answer;
  answer.outcome = outcome_of(status);
  if (status == ARES_SUCCESS) {
    hostent* host = nullptr;
    int rc = ares_parse_ns_reply(buffer, length, &host);
    for (char** alias = host ? host->h_aliases : nullptr; rc == ARES_SUCCESS && alias && *alias;
         ++alias)
      answer.items.emplace_back(*alias);
    if (host) ares_free_hostent(host);
    if (rc != ARES_SUCCESS && rc != ARES_ENODATA) {
      answer.outcome = Outcome::temporary;
      answer.error = std::string("malformed reply: ") + ares_strerror(rc);
    } else if (answer.items.empty()) {
      answer.outcome = Outcome::not_found;
    }
  } else {
    answer.error = ares_strerror(status);
  }
  if (status != ARES_EDESTRUCTION && pending.wake) pending.wake->cancel();
}

// Runs one query: `start` hands c-ares the callback argument; the coroutine waits until
// the callback ran or the time limit passed. It holds the driver, so the channel outlives
// the query even when its Lookup is replaced meanwhile.
template <typename Start>
asio::awaitable<std::shared_ptr<Pending>> run_pending(std::shared_ptr<Lookup::Driver> driver,
                                                      std::chrono::milliseconds limit, Want want,
                                                      Start start) {
  auto pending = std::make_shared<Pending>();
  asio::steady_timer wake(driver->executor);
  pending->wake = &wake;
  wake.expires_after(limit);
  start(new CallbackArg{pending, want});
  driver->schedule_timeouts();
  while (!pending->done) {
    auto [ec] = co_await wake.async_wait(as_tuple(asio::use_awaitable));
    if (!ec) break;  // the time limit passed first
  }
  pending->wake = nullptr;
  if (!pending->done) {
    pending->answer.error = "time limit exceeded";
    pending->mx.error = "time limit exceeded";
    pending->raw.error = "time limit exceeded";
  }
  co_return pending;
}

template <typename Start>
asio::awaitable<Answer> run(std::shared_ptr<Lookup::Driver> driver, std::chrono::milliseconds limit,
                            Want want, Start start) {
  auto pending = co_await run_pending(std::move(driver), limit, want, std::move(start));
  // The callback may still run later (time limit passed): leave it its own copy.
  co_return pending->done ? std::move(pending->answer) : Answer(pending->answer);
}

}  // namespace

Lookup::Lookup(std::shared_ptr<Driver> driver) : driver_(std::move(driver)) {}

Lookup::~Lookup() = default;

Result<std::unique_ptr<Lookup>> Lookup::open(asio::any_io_executor executor,
                                             const ResolverOptions& options) {
  if (int rc = ares_library_init(ARES_LIB_INIT_ALL); rc != ARES_SUCCESS)
    return Error{std::string("c-ares: ") + ares_strerror(rc)};
  auto driver = std::make_shared<Driver>(executor);
  ares_options ao{};
  ao.sock_state_cb = &Driver::on_socket_state;
  ao.sock_state_cb_data = driver.get();
  // Two tries per server inside the overall limit.
  ao.timeout = static_cast<int>(std::max<long long>(200, options.time_limit.count() / 3));
  ao.tries = 2;
  int mask = ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES;
  char dns_only[] = "b";  // c-ares' lookup order: "b" DNS ("bind") only, no "f" (files)
  if (!options.hosts_file) {
    ao.lookups = dns_only;
    mask |= ARES_OPT_LOOKUPS;
  }
  if (int rc = ares_init_options(&driver->channel, &ao, mask); rc != ARES_SUCCESS) {
    driver->channel = nullptr;
    return Error{std::string("c-ares: ") + ares_strerror(rc)};
  }
  if (!options.servers.empty()) {
    std::string csv = base::join(options.servers, ",");
    if (int rc = ares_set_servers_ports_csv(driver->channel, csv.c_str()); rc != ARES_SUCCESS)
      return Error{"bad dns_resolver_servers \"" + csv + "\": " + ares_strerror(rc)};
  }
  auto lookup = std::unique_ptr<Lookup>(new Lookup(std::move(driver)));
  lookup->time_limit_ = options.time_limit;
  lookup->dnssec_ = options.dnssec;
  return lookup;
}

asio::awaitable<Answer> Lookup::names_of(std::string_view address) {
  unsigned char bytes[16];
  std::string text(address);
  int family = text.find(':') == std::string::npos ? AF_INET : AF_INET6;
  if (inet_pton(family, text.c_str(), bytes) != 1)
    co_return Answer{Outcome::not_found, {}, "not an IP address"};
  int length = family == AF_INET ? 4 : 16;
  ares_channel channel = driver_->channel;
  co_return co_await run(driver_, time_limit_, Want::names, [&](CallbackArg* arg) {
    ares_gethostbyaddr(channel, bytes, length, family, &on_host, arg);
  });
}

asio::awaitable<Answer> Lookup::addresses_of(std::string_view name, int family) {
  std::string text(name);
  ares_channel channel = driver_->channel;
  co_return co_await run(driver_, time_limit_, Want::addresses, [&](CallbackArg* arg) {
    // NOSORT: callers want the set, not RFC 6724's order, and sorting costs c-ares a UDP
    // socket, a connect and a close per address (to learn the source address it would use).
    ares_addrinfo_hints hints{};
    hints.ai_flags = ARES_AI_NOSORT;
    hints.ai_family = family;
    hints.ai_socktype = SOCK_STREAM;
    ares_getaddrinfo(channel, text.c_str(), nullptr, &hints, &on_addrinfo, arg);
  });
}

asio::awaitable<MxAnswer> Lookup::mx_of(std::string_view name) {
  std::string text(name);
  ares_channel channel = driver_->channel;
  std::vector<uint8_t> secure;
  if (dnssec_) {
    auto built = secure_query(text, kTypeMx);
    if (!built) co_return MxAnswer{Outcome::not_found, false, false, {}, built.error().message};
    secure = std::move(*built);
  }
  auto pending = co_await run_pending(driver_, time_limit_, Want::mx, [&](CallbackArg* arg) {
    // Postfix's RES_USE_DNSSEC: the same question with DO and AD set.
    if (!secure.empty())
      ares_send(channel, secure.data(), static_cast<int>(secure.size()), &on_mx, arg);
    else
      ares_query(channel, text.c_str(), ns_c_in, ns_t_mx, &on_mx, arg);
  });
  co_return pending->done ? std::move(pending->mx) : MxAnswer(pending->mx);
}

asio::awaitable<RawAnswer> Lookup::query(std::string_view name, uint16_t type) {
  auto built = secure_query(name, type);
  if (!built) co_return RawAnswer{Outcome::not_found, false, false, {}, built.error().message};
  std::vector<uint8_t> message = std::move(*built);
  ares_channel channel = driver_->channel;
  auto pending = co_await run_pending(driver_, time_limit_, Want::raw, [&](CallbackArg* arg) {
    ares_send(channel, message.data(), static_cast<int>(message.size()), &on_raw, arg);
  });
  co_return pending->done ? std::move(pending->raw) : RawAnswer(pending->raw);
}

asio::awaitable<Answer> Lookup::ns_of(std::string_view name) {
  std::string text(name);
  ares_channel channel = driver_->channel;
  co_return co_await run(driver_, time_limit_, Want::names, [&](CallbackArg* arg) {
    ares_query(channel, text.c_str(), ns_c_in, ns_t_ns, &on_ns, arg);
  });
}

}  // namespace correio::dns
