// sendmail(1) command line and -t header scan (see sendmail_options.hpp).
#include "cli/sendmail_options.hpp"

#include <cstring>

#include "base/strings.hpp"
#include "mail/address_list.hpp"
#include "queue/envelope.hpp"

namespace correio::cli {
namespace {

// Options that take a value, as Postfix's sendmail getopt string has them.
bool takes_value(char c) {
  return c != 0 && std::strchr("BCFLNRVXfhor", c) != nullptr;
}

}  // namespace

std::string strip_angles(std::string_view address) {
  std::string_view a = base::trim(address);
  if (a.size() >= 2 && a.front() == '<' && a.back() == '>') a = a.substr(1, a.size() - 2);
  return std::string(a);
}

std::optional<unsigned> parse_notify(std::string_view value) {
  unsigned bits = 0;
  for (const auto& word : base::split_any(base::to_lower(value), ", ")) {
    if (word == "never")
      bits |= queue::kNotifyNever;
    else if (word == "success")
      bits |= queue::kNotifySuccess;
    else if (word == "failure")
      bits |= queue::kNotifyFailure;
    else if (word == "delay")
      bits |= queue::kNotifyDelay;
    else
      return std::nullopt;
  }
  if ((bits & queue::kNotifyNever) && bits != queue::kNotifyNever) return std::nullopt;
  return bits;
}

SendmailParse parse_sendmail_args(int argc, char** argv) {
  SendmailOptions o;
  int i = 1;
  for (; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--") {
      ++i;
      break;
    }
    if (arg.size() < 2 || arg[0] != '-') break;
    char opt = arg[1];
    std::string_view rest = arg.substr(2);
    // -oXXX: sendmail's old option syntax. -oi is -i; the others are ignored, as Postfix
    // does (-oA, -oQ and -om among them).
    if (opt == 'o' && !rest.empty()) {
      if (rest == "i") o.ignore_dots = true;
      continue;
    }
    if (opt == 'b') {
      if (rest == "m")
        o.mode = SendmailOptions::Mode::deliver;
      else if (rest == "p")
        o.mode = SendmailOptions::Mode::list_queue;
      else if (rest == "i")
        o.mode = SendmailOptions::Mode::new_aliases;
      else if (rest == "s")
        o.mode = SendmailOptions::Mode::smtp;
      else
        return {std::nullopt, "unsupported option: " + std::string(arg)};
      continue;
    }
    if (opt == 'q') {  // -q: process the queue now; -qInterval (daemon) is not supported
      // -qRsite (Postfix's sendmail): that site's mail now, through its fast flush log.
      if (rest.starts_with("R")) {
        if (rest.size() == 1) return {std::nullopt, "specify: -qRsitename"};
        o.flush_site = std::string(rest.substr(1));
      } else if (!rest.empty()) {
        return {std::nullopt, "unsupported option: " + std::string(arg)};
      }
      o.mode = SendmailOptions::Mode::flush_queue;
      continue;
    }
    if (opt == 'I') {
      o.mode = SendmailOptions::Mode::new_aliases;
      continue;
    }
    if (opt == 't' || opt == 'i' || opt == 'v' || opt == 'n' || opt == 'U' || opt == 'A' ||
        opt == 'G' || opt == 'm' || opt == 'x') {
      if (!rest.empty()) return {std::nullopt, "unsupported option: " + std::string(arg)};
      if (opt == 't') o.extract_recipients = true;
      if (opt == 'i') o.ignore_dots = true;
      continue;  // -v, -n, -U, -A, -G, -m, -x: accepted and ignored
    }
    if (!takes_value(opt)) return {std::nullopt, "invalid option -- '" + std::string(1, opt) + "'"};
    std::string value;
    const char* value_ptr = nullptr;
    if (!rest.empty()) {
      value_ptr = argv[i] + 2;
    } else if (i + 1 < argc) {
      value_ptr = argv[++i];
    }
    if (value_ptr) {
      value = value_ptr;
    } else {
      return {std::nullopt, "option requires an argument -- '" + std::string(1, opt) + "'"};
    }
    switch (opt) {
      case 'f':
      case 'r':
        o.sender = strip_angles(value);
        break;
      case 'F':
        o.full_name = value;
        break;
      case 'N':
        if (!parse_notify(value)) return {std::nullopt, "bad -N option value: " + value};
        o.notify = value;
        break;
      case 'R': {
        std::string r = base::to_lower(value);
        if (r != "full" && r != "hdrs") return {std::nullopt, "bad -R option value: " + value};
        o.ret = r;
        break;
      }
      case 'V':
        o.envid = value;
        break;
      case 'C':
        o.config_dir = value_ptr;
        break;
      default:  // -B body type, -L label, -X log file, -h hop count, -o x value: ignored
        break;
    }
  }
  for (; i < argc; ++i) {
    std::string r = strip_angles(argv[i]);
    // Postfix splits "a@x, b@y" given as one operand.
    for (const auto& part : base::split_any(r, ", "))
      if (!part.empty()) o.recipients.push_back(strip_angles(part));
  }
  return {std::move(o), ""};
}

HeaderScan scan_headers(std::string_view headers, bool extract) {
  // Unfold into logical headers, each with its original lines.
  std::vector<std::string> fields;
  size_t pos = 0;
  while (pos < headers.size()) {
    size_t lf = headers.find('\n', pos);
    size_t end = lf == std::string_view::npos ? headers.size() : lf + 1;
    std::string_view line = headers.substr(pos, end - pos);
    bool continuation = !fields.empty() && !line.empty() && (line[0] == ' ' || line[0] == '\t');
    if (continuation)
      fields.back() += line;
    else
      fields.emplace_back(line);
    pos = end;
  }
  auto name_of = [](const std::string& f) {
    size_t colon = f.find(':');
    return colon == std::string::npos ? std::string()
                                      : base::to_lower(base::trim(f.substr(0, colon)));
  };
  bool resent = false;
  for (const auto& f : fields)
    if (name_of(f).rfind("resent-", 0) == 0) resent = true;
  HeaderScan scan;
  for (const auto& f : fields) {
    std::string name = name_of(f);
    if (extract) {
      std::string_view bare = resent && name.rfind("resent-", 0) == 0
                                  ? std::string_view(name).substr(7)
                              : resent ? std::string_view()
                                       : std::string_view(name);
      if (bare == "to" || bare == "cc" || bare == "bcc") {
        auto found = mail::parse_addr_specs(std::string_view(f).substr(f.find(':') + 1));
        scan.recipients.insert(scan.recipients.end(), found.begin(), found.end());
      }
    }
    if (name == "bcc" || name == "resent-bcc") continue;
    scan.headers_without_bcc += f;
  }
  return scan;
}

}  // namespace correio::cli
