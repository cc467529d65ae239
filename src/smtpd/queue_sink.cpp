// Adapts smtpd's envelope to a queue file and commits it through the group-commit batcher.
#include "smtpd/queue_sink.hpp"

#include <sys/statvfs.h>

#include <algorithm>
#include <chrono>
#include <optional>

#include "base/clock.hpp"
#include "base/strings.hpp"
#include "cleanup/duplicate_filter.hpp"

namespace correio::smtpd {
namespace {

uint8_t notify_bits(const std::string& notify) {
  uint8_t bits = 0;
  for (const auto& item : base::split_any(notify, ",")) {
    if (item == "success") bits |= queue::kNotifySuccess;
    if (item == "failure") bits |= queue::kNotifyFailure;
    if (item == "delay") bits |= queue::kNotifyDelay;
    if (item == "never") bits |= queue::kNotifyNever;
  }
  return bits;
}

queue::Envelope to_queue_envelope(const Envelope& in) {
  queue::Envelope out;
  out.arrival_us = base::now_us();
  out.sender = in.rewritten_sender.value_or(in.sender);
  // Postfix's cleanup_out_recipient(): one queue record per final recipient, each
  // remembering the original (orig_rcpt), duplicates dropped.
  cleanup::DuplicateFilter filter(in.duplicates_by_original);
  auto add = [&](const std::string& address, const std::string& original, const std::string& orcpt,
                 uint8_t notify) {
    if (filter.first(address, original, orcpt, notify))
      out.recipients.push_back({address, original, orcpt, notify});
  };
  for (const auto& r : in.recipients) {
    if (r.rewritten.empty()) add(r.address, r.address, r.orcpt, notify_bits(r.notify));
    for (const auto& final : r.rewritten) add(final, r.address, r.orcpt, notify_bits(r.notify));
  }
  for (const auto& copy : in.copies) add(copy, copy, "", queue::kNotifyNever);
  out.dsn_ret = in.ret == "FULL"   ? queue::DsnRet::full
                : in.ret == "HDRS" ? queue::DsnRet::hdrs
                                   : queue::DsnRet::unspecified;
  out.dsn_envid = in.envid;
  out.client = {in.client_name, in.client_address, in.helo_name, in.protocol, in.sasl_username};
  return out;
}

class QueueMessageWriter final : public MessageWriter {
 public:
  QueueMessageWriter(queue::QueueFileWriter writer, queue::CommitBatcher& batcher)
      : writer_(std::move(writer)), id_(writer_->id()), batcher_(batcher) {}

  const std::string& queue_id() const override { return id_; }
  Status append(std::string_view content) override { return writer_->append_content(content); }
  void hold() override { writer_->set_hold(); }
  Status add_recipients(const std::vector<std::string>& addresses, bool replace) override {
    std::vector<queue::Recipient> recipients;
    // Postfix gives header_checks' BCC recipients NOTIFY=NEVER: no report to the sender
    // about a copy the sender never asked for; a REDIRECT stays as the original was.
    for (const auto& a : addresses)
      recipients.push_back({a, a, "", replace ? uint8_t{0} : uint8_t{queue::kNotifyNever}});
    return writer_->set_extracted(recipients, replace);
  }
  Status replace_envelope(const Envelope& envelope) override {
    return writer_->rewrite_envelope(to_queue_envelope(envelope));
  }
  Status filter(std::string_view transport_destination) override {
    return writer_->set_filter(transport_destination);
  }
  void commit(std::function<void(Result<std::string>)> done) override {
    std::string id = id_;
    batcher_.commit_async(std::move(*writer_), [done = std::move(done), id](Status status) {
      if (status) {
        done(id);
      } else {
        done(status.error());
      }
    });
    writer_.reset();
  }

 private:
  std::optional<queue::QueueFileWriter> writer_;  // empty once handed to the batcher
  std::string id_;
  queue::CommitBatcher& batcher_;
};

}  // namespace

bool QueueSink::has_room(long long bytes) const {
  if (queue_minfree_ <= 0 && bytes <= 0) return true;
  struct statvfs fs {};
  // When the file system cannot say, let the write itself find out (452 at DATA's end).
  if (::statvfs(queue_directory_.c_str(), &fs) != 0) return true;
  // Blocks an unprivileged writer may use: mail_owner is not root.
  long double free_bytes = static_cast<long double>(fs.f_bavail) * fs.f_frsize;
  return free_bytes >= static_cast<long double>(std::max(0LL, queue_minfree_)) +
                           static_cast<long double>(std::max(0LL, bytes));
}

Result<std::unique_ptr<MessageWriter>> QueueSink::begin(const Envelope& envelope) {
  auto writer =
      queue::QueueFileWriter::create(queue_directory_, to_queue_envelope(envelope), &pool_);
  if (!writer) return writer.error();
  return std::unique_ptr<MessageWriter>(
      std::make_unique<QueueMessageWriter>(std::move(writer.value()), batcher_));
}

}  // namespace correio::smtpd
