// The `pipe` daemon: serves qmgr's connections one request at a time and runs the
// command for each recipient batch (see pipe_main.hpp).
#include "delivery/pipe/pipe_main.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <memory>

#include "base/clock.hpp"
#include "base/strings.hpp"
#include "delivery/agent_io.hpp"
#include "delivery/log_line.hpp"
#include "delivery/pipe/pipe_command.hpp"
#include "queue/queue_file_reader.hpp"
#include "store/mbox.hpp"

namespace correio::delivery::pipe_agent {
namespace {

constexpr long kDefaultRecipientLimit = 50;  // Postfix's default_destination_recipient_limit
constexpr int kDefaultTimeLimit = 1000;      // Postfix's command_time_limit
constexpr auto kRequestTimeout = std::chrono::seconds(3600);

struct Settings {
  std::string service;
  PipeOptions options;
  std::optional<Identity> who;
  size_t recipient_limit = kDefaultRecipientLimit;
  int time_limit = kDefaultTimeLimit;
  std::string recipient_delimiter;
};

bool has(const PipeOptions& o, char flag) {
  return o.flags.find(flag) != std::string::npos;
}

// The message as pipe(8) writes it: optional From_ line and Return-Path:, Delivered-To:,
// X-Original-To: headers, then the content with `eol` line endings, '.' doubled at line
// starts (flag .), "From " quoted as ">From " (flag >), a blank line appended (flag B).
std::string format_message(const Settings& s, const DeliveryRequest& request,
                           const RequestRecipient& rcpt, const queue::QueueFile& file) {
  const PipeOptions& o = s.options;
  const std::string& eol = o.eol;
  std::string out;
  if (has(o, 'F'))
    out += std::string(base::trim(store::mbox_from_line(request.sender, ::time(nullptr)))) + eol;
  if (has(o, 'R')) out += "Return-Path: <" + request.sender + ">" + eol;
  std::string to = has(o, 'h') ? base::to_lower(rcpt.address) : rcpt.address;
  if (has(o, 'D')) out += "Delivered-To: " + to + eol;
  if (has(o, 'O'))
    out += "X-Original-To: " + (rcpt.original.empty() ? rcpt.address : rcpt.original) + eol;
  std::string_view content = file.content_bytes;
  while (!content.empty()) {
    size_t nl = content.find('\n');
    std::string_view line = content.substr(0, nl);
    content.remove_prefix(nl == std::string_view::npos ? content.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (has(o, '.') && line.starts_with(".")) out += '.';
    if (has(o, '>') && line.starts_with("From ")) out += '>';
    out.append(line);
    out += eol;
  }
  if (has(o, 'B')) out += eol;
  return out;
}

std::vector<RecipientResult> deliver(const Settings& s, const DeliveryRequest& request,
                                     base::Logger& log) {
  int64_t start_us = base::now_us();
  auto file = queue::read_queue_file(request.queue_file, /*with_content=*/true);
  std::vector<RecipientResult> results;
  // One command per recipient when argv names a per-recipient macro; otherwise one
  // command per batch of SERVICE_destination_recipient_limit recipients, whose D/O
  // headers name the batch's first recipient (Postfix wants limit 1 with D or O).
  size_t batch = needs_one_recipient(s.options) ? 1 : std::max<size_t>(1, s.recipient_limit);
  for (size_t first = 0; first < request.recipients.size(); first += batch) {
    size_t last = std::min(request.recipients.size(), first + batch);
    const RequestRecipient& rcpt = request.recipients[first];
    CommandResult r;
    if (!file) {
      r = {DeliveryStatus::deferred, "4.3.0", "cannot read queue file: " + file.error().message};
    } else if (s.options.size_limit && file->content_bytes.size() > s.options.size_limit) {
      r = {DeliveryStatus::bounced, "5.2.3", "message file too big"};
    } else {
      Expansion e{request.sender,
                  rcpt.address,
                  rcpt.original,
                  request.nexthop,
                  file->envelope.client.address,
                  request.queue_id,
                  file->content_bytes.size(),
                  s.recipient_delimiter};
      auto argv = expand_argv(s.options, e);
      if (!argv)
        r = {DeliveryStatus::deferred, "4.3.5",
             "mail system configuration error: " + argv.error().message};
      else
        r = run_pipe(*argv, format_message(s, request, rcpt, *file), s.who ? &*s.who : nullptr,
                     s.options.directory, s.time_limit);
      if (r.status == DeliveryStatus::sent) r.text = "delivered via " + s.service + " service";
    }
    for (size_t i = first; i < last; ++i) {
      const RequestRecipient& one = request.recipients[i];
      results.push_back({one.offset, r.status, r.dsn, r.text});
      RecipientLogLine line;
      line.queue_id = request.queue_id;
      line.to = one.address;
      line.orig_to = one.original;
      line.relay = s.service;
      line.times = {request.arrival_us, request.active_us, start_us, start_us, base::now_us()};
      line.dsn = r.dsn;
      line.status = r.status;
      line.text = r.text;
      log.info("{}", format_recipient_log(line));
    }
  }
  return results;
}

Result<Settings> settings_from(const service::Context& ctx) {
  Settings s;
  s.service = ctx.args.service_name;
  auto options = parse_pipe_options(ctx.args.args);
  if (!options) return options.error();
  s.options = std::move(*options);
  if (!s.options.user.empty()) {
    auto who = lookup_identity(s.options.user);
    if (!who) return who.error();
    s.who = *who;
  } else if (::geteuid() == 0) {
    return Error{"pipe: service " + s.service + ": user= is required"};
  }
  auto number = [&](const std::string& name) -> std::optional<long long> {
    auto raw = ctx.config.raw(name);
    if (!raw) return std::nullopt;
    return base::parse_int(base::trim(*raw));
  };
  if (auto n = number(s.service + "_destination_recipient_limit"); n && *n > 0)
    s.recipient_limit = static_cast<size_t>(*n);
  if (auto n = number(s.service + "_time_limit"); n && *n > 0) s.time_limit = static_cast<int>(*n);
  s.recipient_delimiter = ctx.config.get("recipient_delimiter");
  return s;
}

}  // namespace

int pipe_main(const service::DaemonArgs& args) {
  auto settings = std::make_shared<Settings>();
  service::StreamDaemon daemon;
  daemon.process_name = "pipe";
  daemon.init = [settings](service::Context& ctx) -> Status {
    auto s = settings_from(ctx);
    if (!s) return s.error();
    *settings = std::move(*s);
    return {};
  };
  daemon.local_session = [settings](
                             service::Context& ctx,
                             asio::local::stream_protocol::socket socket) -> asio::awaitable<void> {
    co_await serve_requests(socket, kRequestTimeout, ctx.log, [&](const DeliveryRequest& request) {
      return deliver(*settings, request, ctx.log);
    });
  };
  return service::run_stream_daemon(args, daemon);
}

}  // namespace correio::delivery::pipe_agent
