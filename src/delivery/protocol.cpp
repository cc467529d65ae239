// Encoding of delivery requests and results as xtext attribute lines.
#include "delivery/protocol.hpp"

#include <charconv>

#include "base/strings.hpp"
#include "smtp/address.hpp"

namespace correio::delivery {
namespace {

Result<std::string> unxtext(std::string_view value) {
  std::string out;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] != '+') {
      out += value[i];
      continue;
    }
    if (i + 2 >= value.size()) return Error{"bad xtext escape"};
    int hi = nibble(value[i + 1]), lo = nibble(value[i + 2]);
    if (hi < 0 || lo < 0) return Error{"bad xtext escape"};
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

template <typename Int>
bool parse_number(std::string_view s, Int& out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && end == s.data() + s.size();
}

// A space-separated field: xtext, with "=" (which xtext never produces) for the empty string.
std::string field(std::string_view value) {
  return value.empty() ? std::string("=") : smtp::encode_xtext(value);
}
Result<std::string> unfield(std::string_view value) {
  if (value == "=") return std::string();
  return unxtext(value);
}

void add(std::string& out, std::string_view name, std::string_view value) {
  out += name;
  out += '=';
  out += smtp::encode_xtext(value);
  out += '\n';
}

// Splits "a b c" (already unxtexted fields are joined by single spaces after xtext, so a
// space can only be a separator).
std::vector<std::string> fields(std::string_view value) {
  return base::split_any(value, " ");
}

}  // namespace

std::string_view status_name(DeliveryStatus status) {
  switch (status) {
    case DeliveryStatus::sent:
      return "sent";
    case DeliveryStatus::bounced:
      return "bounced";
    case DeliveryStatus::deferred:
      break;
  }
  return "deferred";
}

std::string encode_request(const DeliveryRequest& r) {
  std::string out;
  add(out, "queue_id", r.queue_id);
  add(out, "queue_file", r.queue_file);
  add(out, "transport", r.transport);
  add(out, "nexthop", r.nexthop);
  add(out, "sender", r.sender);
  add(out, "arrival_us", std::to_string(r.arrival_us));
  add(out, "active_us", std::to_string(r.active_us));
  for (const auto& rcpt : r.recipients) {
    // Each field xtext-encoded on its own, so the spaces between them are unambiguous.
    out += "recipient=" + std::to_string(rcpt.offset) + " " + std::to_string(rcpt.notify) + " " +
           field(rcpt.address) + " " + field(rcpt.original) + " " + field(rcpt.orcpt) + "\n";
  }
  return out;
}

Result<DeliveryRequest> decode_request(std::string_view text) {
  DeliveryRequest r;
  for (const auto& line : base::split_any(text, "\n")) {
    size_t eq = line.find('=');
    if (eq == std::string::npos) return Error{"delivery request: bad line"};
    std::string name = line.substr(0, eq);
    std::string_view raw = std::string_view(line).substr(eq + 1);
    if (name == "recipient") {
      auto f = fields(raw);
      RequestRecipient rcpt;
      unsigned notify = 0;
      if (f.size() != 5 || !parse_number(f[0], rcpt.offset) || !parse_number(f[1], notify) ||
          notify > 255)
        return Error{"delivery request: bad recipient attribute"};
      auto address = unfield(f[2]), original = unfield(f[3]), orcpt = unfield(f[4]);
      if (!address || !original || !orcpt) return Error{"delivery request: bad recipient xtext"};
      rcpt.notify = static_cast<uint8_t>(notify);
      rcpt.address = *address;
      rcpt.original = *original;
      rcpt.orcpt = *orcpt;
      r.recipients.push_back(std::move(rcpt));
      continue;
    }
    auto value = unxtext(raw);
    if (!value) return Error{"delivery request: bad xtext in " + name};
    if (name == "queue_id")
      r.queue_id = *value;
    else if (name == "queue_file")
      r.queue_file = *value;
    else if (name == "transport")
      r.transport = *value;
    else if (name == "nexthop")
      r.nexthop = *value;
    else if (name == "sender")
      r.sender = *value;
    else if (name == "arrival_us") {
      if (!parse_number(*value, r.arrival_us)) return Error{"delivery request: bad arrival_us"};
    } else if (name == "active_us") {
      if (!parse_number(*value, r.active_us)) return Error{"delivery request: bad active_us"};
    } else {
      return Error{"delivery request: unknown attribute " + name};
    }
  }
  if (r.queue_id.empty() || r.queue_file.empty() || r.recipients.empty())
    return Error{"delivery request: missing queue_id, queue_file or recipients"};
  return r;
}

std::string encode_results(const std::vector<RecipientResult>& results) {
  std::string out;
  for (const auto& r : results) {
    out += "result=" + std::to_string(r.offset) + " " + std::string(status_name(r.status)) + " " +
           field(r.dsn) + " " + field(r.text);
    // Two more fields only when there is a remote server's word to carry, and a seventh
    // when a success was relayed or passed on, or a deferral was the site's failure.
    bool success_kind =
        r.status == DeliveryStatus::sent && r.success != RecipientResult::Success::delivered;
    bool site = r.status == DeliveryStatus::deferred && r.site_failure;
    if (!r.remote_mta.empty() || !r.diagnostic.empty() || success_kind || site)
      out += " " + field(r.remote_mta) + " " + field(r.diagnostic);
    if (success_kind)
      out += r.success == RecipientResult::Success::relayed ? " relayed" : " passed";
    if (site) out += " site";
    out += "\n";
  }
  return out;
}

Result<std::vector<RecipientResult>> decode_results(std::string_view text) {
  std::vector<RecipientResult> out;
  for (const auto& line : base::split_any(text, "\n")) {
    if (line.rfind("result=", 0) != 0) return Error{"delivery result: bad line"};
    auto f = fields(std::string_view(line).substr(7));
    RecipientResult r;
    if ((f.size() != 4 && f.size() != 6 && f.size() != 7) || !parse_number(f[0], r.offset))
      return Error{"delivery result: bad result"};
    if (f[1] == "sent")
      r.status = DeliveryStatus::sent;
    else if (f[1] == "bounced")
      r.status = DeliveryStatus::bounced;
    else if (f[1] == "deferred")
      r.status = DeliveryStatus::deferred;
    else
      return Error{"delivery result: bad status " + f[1]};
    auto dsn = unfield(f[2]), reason = unfield(f[3]);
    if (!dsn || !reason) return Error{"delivery result: bad xtext"};
    r.dsn = *dsn;
    r.text = *reason;
    if (f.size() >= 6) {
      auto remote = unfield(f[4]), diagnostic = unfield(f[5]);
      if (!remote || !diagnostic) return Error{"delivery result: bad xtext"};
      r.remote_mta = *remote;
      r.diagnostic = *diagnostic;
    }
    if (f.size() == 7) {
      if (f[6] == "relayed")
        r.success = RecipientResult::Success::relayed;
      else if (f[6] == "passed")
        r.success = RecipientResult::Success::passed;
      else if (f[6] == "site" && r.status == DeliveryStatus::deferred)
        r.site_failure = true;
      else
        return Error{"delivery result: bad success kind " + f[6]};
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace correio::delivery
