// Encoding a queue file in memory: envelope records, content records, the end record.
#include "queue/queue_file_format.hpp"

#include "queue/record.hpp"

namespace correio::queue {
namespace {

std::string version_data() {
  std::string v(kQueueFileMagic);
  v.push_back(static_cast<char>(kQueueFileVersion));
  return v;
}

Status check_length(std::string_view what, size_t size) {
  if (size > kMaxRecordData) return Error{std::string(what) + " too long for the queue file"};
  return {};
}

Status append_attribute(std::string& out, std::string_view name, std::string_view value) {
  if (value.empty()) return {};
  std::string data = std::string(name) + "=" + std::string(value);
  if (auto st = check_length(name, data.size()); !st) return st;
  append_record(out, RecordType::attribute, data);
  return {};
}

Status append_recipient(std::string& out, const Recipient& r) {
  std::string data(1, static_cast<char>(r.notify & 0x0f));
  append_string(data, r.address);
  append_string(data, r.original);
  append_string(data, r.orcpt);
  if (auto st = check_length("recipient", data.size()); !st) return st;
  append_record(out, RecordType::recipient, data);
  return {};
}

}  // namespace

uint64_t size_record_data_offset() {
  // version record, time record, then the size record's header.
  return (kRecordHeaderSize + kQueueFileMagic.size() + 1) + (kRecordHeaderSize + 8) +
         kRecordHeaderSize;
}

Result<std::string> encode_envelope(const Envelope& env, std::string_view queue_id) {
  if (env.recipients.empty()) return Error{"no recipients"};
  std::string out;
  append_record(out, RecordType::version, version_data());
  std::string num;
  append_u64(num, static_cast<uint64_t>(env.arrival_us));
  append_record(out, RecordType::arrival_time, num);
  num.clear();
  append_u64(num, 0);
  append_record(out, RecordType::message_size, num);

  const char* ret = env.dsn_ret == DsnRet::full   ? "FULL"
                    : env.dsn_ret == DsnRet::hdrs ? "HDRS"
                                                  : "";
  const std::pair<std::string_view, std::string_view> attrs[] = {
      {"ret", ret},
      {"envid", env.dsn_envid},
      {"client_name", env.client.name},
      {"client_address", env.client.address},
      {"helo_name", env.client.helo},
      {"protocol", env.client.protocol},
      {"sasl_username", env.client.sasl_username},
      {"full_name", env.full_name},
      {"internal_source", env.internal_source},
      // Content lines always end in LF; the attribute stays for the readers of older
      // releases, whose default was CRLF.
      {"line_ending", "lf"},
      {"queue_id", queue_id.empty() ? std::string_view(env.queue_id) : queue_id},
  };
  for (const auto& [name, value] : attrs)
    if (auto st = append_attribute(out, name, value); !st) return st.error();

  append_record(out, RecordType::delay_warning, {});
  if (auto st = check_length("sender", env.sender.size()); !st) return st.error();
  append_record(out, RecordType::sender, env.sender);
  for (const Recipient& r : env.recipients)
    if (auto st = append_recipient(out, r); !st) return st.error();
  append_record(out, RecordType::end_of_envelope, {});
  return out;
}

Result<std::string> encode_extracted(const std::vector<Recipient>& recipients, bool replace,
                                     std::string_view rejected) {
  std::string out;
  if (!rejected.empty()) {
    std::string data = std::string(kContentRejected) + std::string(rejected);
    if (auto st = check_length("reject text", data.size()); !st) return st.error();
    append_record(out, RecordType::attribute, data);
  }
  if (replace) {
    if (recipients.empty()) return Error{"no recipients"};
    append_record(out, RecordType::attribute, kReplaceRecipients);
  }
  for (const Recipient& r : recipients)
    if (auto st = append_recipient(out, r); !st) return st.error();
  return out;
}

Status append_filter_record(std::string& out, std::string_view filter) {
  if (filter.empty()) return {};
  if (auto st = check_length("content filter", filter.size()); !st) return st;
  append_record(out, RecordType::filter, filter);
  return {};
}

void append_content_records(std::string& out, std::string_view content) {
  while (!content.empty()) {
    std::string_view chunk = content.substr(0, kMaxRecordData);
    append_record(out, RecordType::content, chunk);
    content.remove_prefix(chunk.size());
  }
}

void append_end_record(std::string& out, uint64_t offset) {
  std::string data;
  append_u64(data, offset);
  append_record(out, RecordType::end, data);
}

Result<std::string> encode_queue_file(const Envelope& envelope, std::string_view content) {
  auto out = encode_envelope(envelope);
  if (!out) return out;
  std::string size;
  append_u64(size, content.size());
  out->replace(size_record_data_offset(), 8, size);
  append_content_records(*out, content);
  if (auto st = append_filter_record(*out, envelope.content_filter); !st) return st.error();
  append_end_record(*out, out->size());
  return out;
}

}  // namespace correio::queue
