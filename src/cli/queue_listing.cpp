// Collecting and formatting the queue listing (see queue_listing.hpp).
#include "cli/queue_listing.hpp"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "base/strings.hpp"
#include "queue/defer_log.hpp"
#include "queue/queue_file_reader.hpp"

namespace correio::cli {
namespace {

// asctime()'s first 20 characters, as Postfix prints them: "Tue Jun  4 12:00:00 ".
std::string arrival_text(int64_t us) {
  std::time_t t = static_cast<std::time_t>(us / 1000000);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a %b %e %H:%M:%S ", &tm);
  return buf;
}

char status_mark(const std::string& queue_name) {
  if (queue_name == "active") return '*';
  if (queue_name == "hold") return '!';
  return ' ';
}

std::string printable_sender(const std::string& sender) {
  return sender.empty() ? "MAILER-DAEMON" : sender;
}

}  // namespace

const std::vector<queue::QueueName>& listed_queues() {
  static const std::vector<queue::QueueName> queues = {
      queue::QueueName::hold, queue::QueueName::incoming, queue::QueueName::active,
      queue::QueueName::deferred};
  return queues;
}

std::string address_domain(const std::string& address) {
  size_t at = address.rfind('@');
  return at == std::string::npos ? std::string() : base::to_lower(address.substr(at + 1));
}

Result<std::vector<ListedMessage>> collect_queue(const queue::Queue& q,
                                                 const std::vector<queue::QueueName>& queues,
                                                 std::vector<std::string>* warnings) {
  std::vector<ListedMessage> out;
  for (queue::QueueName name : queues) {
    auto ids = q.list(name);
    if (!ids) return ids.error();
    for (const auto& id : *ids) {
      auto path = q.path(id, name);
      struct stat st {};
      if (::stat(path.c_str(), &st) != 0) continue;  // moved or delivered meanwhile
      // incoming/ files being written are not messages yet (Postfix: mode 0700 = complete).
      if (name == queue::QueueName::incoming && !(st.st_mode & S_IXUSR)) continue;
      auto file = queue::read_queue_file(path);
      if (!file) {
        if (::access(path.c_str(), F_OK) != 0) continue;  // gone meanwhile
        if (warnings) warnings->push_back(id + ": " + file.error().message);
        continue;
      }
      ListedMessage m;
      m.queue_name = std::string(queue::queue_name(name));
      m.id = id;
      m.arrival_us = file->envelope.arrival_us;
      m.message_size = file->message_size;
      m.file_size = static_cast<uint64_t>(st.st_size);
      m.sender = file->envelope.sender;
      std::map<std::string, std::string> reasons;
      if (auto log = queue::read_defer_log(q, id))
        for (const auto& f : *log) reasons[f.recipient] = f.reason;
      for (const auto& r : file->envelope.recipients) {
        if (r.done) continue;
        auto it = reasons.find(r.address);
        m.recipients.push_back({r.address, it == reasons.end() ? "" : it->second});
      }
      out.push_back(std::move(m));
    }
  }
  return out;
}

std::string format_mailq(const std::vector<ListedMessage>& messages) {
  if (messages.empty()) return "Mail queue is empty\n";
  std::string out = fmt::format("{:<11} {:>7} {:<20} {}\n", "-Queue ID-", "--Size--",
                                "----Arrival Time----", "-Sender/Recipient-------");
  uint64_t bytes = 0;
  bool first = true;
  for (const auto& m : messages) {
    if (!first) out += "\n";
    first = false;
    bytes += m.file_size;
    out += fmt::format("{:<11} {:>7} {:.20} {}\n", m.id + status_mark(m.queue_name), m.message_size,
                       arrival_text(m.arrival_us), printable_sender(m.sender));
    // Recipients with a deferral reason first, the reason printed once per run of equal
    // reasons and right-aligned to column 76, then the others (Postfix's showq).
    std::string last_reason;
    for (const auto& r : m.recipients) {
      if (r.delay_reason.empty()) continue;
      if (r.delay_reason != last_reason) {
        size_t pad = r.delay_reason.size() < 76 ? 76 - r.delay_reason.size() : 0;
        out += std::string(pad, ' ') + "(" + r.delay_reason + ")\n";
        last_reason = r.delay_reason;
      }
      out += fmt::format("{:<11} {:>7} {:<20} {}\n", "", "", "", r.address);
    }
    for (const auto& r : m.recipients)
      if (r.delay_reason.empty())
        out += fmt::format("{:<11} {:>7} {:<20} {}\n", "", "", "", r.address);
  }
  size_t n = messages.size();
  out += fmt::format("\n-- {} Kbytes in {} Request{}.\n", bytes / 1024, n, n == 1 ? "" : "s");
  return out;
}

std::string format_json(const std::vector<ListedMessage>& messages) {
  std::string out;
  for (const auto& m : messages) {
    // ordered_json keeps Postfix's key order, for people who read the lines.
    nlohmann::ordered_json j = {{"queue_name", m.queue_name},
                                {"queue_id", m.id},
                                {"arrival_time", m.arrival_us / 1000000},
                                {"message_size", m.message_size},
                                {"forced_expire", false},
                                {"sender", m.sender},
                                {"recipients", nlohmann::ordered_json::array()}};
    for (const auto& r : m.recipients) {
      nlohmann::ordered_json rj = {{"address", r.address}};
      if (!r.delay_reason.empty()) rj["delay_reason"] = r.delay_reason;
      j["recipients"].push_back(std::move(rj));
    }
    // Queue files written before smtpd refused invalid UTF-8 may still hold some: such
    // bytes become U+FFFD instead of an exception or a line no JSON parser accepts.
    out += j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    out += '\n';
  }
  return out;
}

}  // namespace correio::cli
