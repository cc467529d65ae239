// sendmail(1): Postfix's sendmail-compatible posting command. Reads a message on standard
// input and drops it into queue_directory/maildrop for pickup(8); exits 0 only once the
// file is synced to disk. Also -bp (mailq), -bi (newaliases) and -q (flush).
// SECURITY: runs as the invoking (unprivileged) user; writes only its own file in the
// world-writable, sticky, unlistable maildrop directory (src/queue/maildrop_file.hpp).
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/sendmail_options.hpp"
#include "config/config.hpp"
#include "queue/maildrop_file.hpp"

namespace correio::cli {
namespace {

constexpr size_t kMaxHeaderSection = 4 * 1024 * 1024;

int fatal(int status, const std::string& message) {
  std::fprintf(stderr, "sendmail: fatal: %s\n", message.c_str());
  return status;
}

// Standard input, one line at a time, with CRLF made LF and, unless -i, the lone "."
// line ending the message (RFC 5321 §4.1.1.4 habit of old MUAs).
class InputLines {
 public:
  explicit InputLines(bool ignore_dots) : ignore_dots_(ignore_dots) {}

  // Next line with its LF (the last line may lack it); false at the end.
  bool next(std::string& line) {
    line.clear();
    if (done_) return false;
    int c;
    while ((c = std::getc(stdin)) != EOF) {
      line += static_cast<char>(c);
      if (c == '\n') break;
    }
    if (std::ferror(stdin)) {
      error_ = errno;
      done_ = true;
      return false;
    }
    if (line.empty()) {
      done_ = true;
      return false;
    }
    if (line.size() >= 2 && line[line.size() - 2] == '\r' && line.back() == '\n')
      line.erase(line.size() - 2, 1);
    if (!ignore_dots_ && (line == ".\n" || line == ".")) {
      done_ = true;
      return false;
    }
    return true;
  }
  int error() const { return error_; }

 private:
  bool ignore_dots_;
  bool done_ = false;
  int error_ = 0;
};

std::string login_name() {
  if (passwd* pw = ::getpwuid(::getuid())) return pw->pw_name;
  return "uid" + std::to_string(::getuid());
}

std::string gecos_name() {
  passwd* pw = ::getpwuid(::getuid());
  if (!pw || !pw->pw_gecos) return "";
  std::string g = pw->pw_gecos;
  return g.substr(0, g.find(','));
}

int deliver(const SendmailOptions& o) {
  auto config = config::Config::load(config::resolve_config_dir(o.config_dir));
  if (!config) return fatal(kExConfig, config.error().message);
  if (!o.extract_recipients && o.recipients.empty())
    return fatal(kExUsage,
                 "Recipient addresses must be specified on the command line or via the -t "
                 "option");
  long long size_limit = config->get_int("message_size_limit");

  // The header section first: -t needs its recipients before the envelope is written.
  InputLines input(o.ignore_dots);
  std::string headers, line, first_body_line;
  bool more = false;
  while ((more = input.next(line))) {
    if (line == "\n") {
      first_body_line = line;
      break;
    }
    bool header_like = line[0] == ' ' || line[0] == '\t' || line.find(':') != std::string::npos;
    if (!header_like) {  // no blank line before the body: the headers ended here
      first_body_line = line;
      break;
    }
    headers += line;
    if (headers.size() > kMaxHeaderSection) return fatal(kExDataErr, "header section too large");
  }
  if (input.error())
    return fatal(kExNoInput, std::string("read standard input: ") + std::strerror(input.error()));
  HeaderScan scan = scan_headers(headers, o.extract_recipients);

  queue::Envelope env;
  env.sender = o.sender ? *o.sender : login_name();
  env.full_name = o.full_name ? *o.full_name : (o.sender ? "" : gecos_name());
  unsigned notify = o.notify.empty() ? 0 : parse_notify(o.notify).value_or(0);
  auto add = [&](const std::string& a) {
    env.recipients.push_back({a, a, "", static_cast<uint8_t>(notify)});
  };
  for (const auto& r : o.recipients) add(r);
  for (const auto& r : scan.recipients) add(r);
  if (env.recipients.empty())
    return fatal(kExDataErr, "No recipient addresses found in message header");
  env.dsn_ret = o.ret == "full"   ? queue::DsnRet::full
                : o.ret == "hdrs" ? queue::DsnRet::hdrs
                                  : queue::DsnRet::unspecified;
  env.dsn_envid = o.envid;
  env.client.protocol = "local";

  std::filesystem::path maildrop =
      std::filesystem::path(config->get("queue_directory")) / "maildrop";
  auto writer = queue::MaildropWriter::create(maildrop, env);
  if (!writer) return fatal(kExTempFail, writer.error().message);
  auto append = [&](std::string_view bytes) -> int {
    if (auto st = writer->append_content(bytes); !st) return fatal(kExTempFail, st.error().message);
    if (size_limit > 0 && writer->content_size() > static_cast<unsigned long long>(size_limit))
      return fatal(kExDataErr, "message file too big");
    return 0;
  };
  if (int st = append(scan.headers_without_bcc)) return st;
  if (more) {
    if (int st = append(first_body_line)) return st;
    while (input.next(line))
      if (int st = append(line)) return st;
  }
  if (input.error())
    return fatal(kExNoInput, std::string("read standard input: ") + std::strerror(input.error()));
  auto name = writer->commit();
  if (!name) return fatal(kExTempFail, name.error().message);
  // Queued: pickup will take it, so a late sync failure must not ask the caller to retry.
  if (!writer->durability_warning().empty())
    std::fprintf(stderr, "sendmail: warning: message queued, but %s\n",
                 writer->durability_warning().c_str());
  return 0;
}

// Runs another command of the binary with its own argv.
int run_as(int (*command)(int, char**), const char* name, const char* config_dir) {
  std::string n = name, c = "-c", d = config_dir ? config_dir : "";
  char* args[] = {n.data(), c.data(), d.data(), nullptr};
  return config_dir ? command(3, args) : command(1, args);
}

}  // namespace

int sendmail_main(int argc, char** argv) {
  SendmailParse parsed = parse_sendmail_args(argc, argv);
  if (!parsed.options) {
    std::fprintf(stderr, "sendmail: %s\n", parsed.error.c_str());
    std::fprintf(stderr,
                 "usage: sendmail [-t] [-i] [-f sender] [-F full_name] [-N dsn] [-R ret] "
                 "[-V envid] [-bm|-bp|-bi] [--] [recipient ...]\n");
    return kExUsage;
  }
  const SendmailOptions& o = *parsed.options;
  switch (o.mode) {
    case SendmailOptions::Mode::list_queue:
      return run_as(mailq_main, "mailq", o.config_dir);
    case SendmailOptions::Mode::new_aliases:
      return run_as(newaliases_main, "newaliases", o.config_dir);
    case SendmailOptions::Mode::flush_queue: {
      // -q is postqueue -f; -qRsite is postqueue -s site.
      std::string n = "postqueue", f = o.flush_site.empty() ? "-f" : "-s", site = o.flush_site;
      std::string c = "-c", d = o.config_dir ? o.config_dir : "";
      std::vector<char*> args{n.data(), f.data()};
      if (!site.empty()) args.push_back(site.data());
      if (o.config_dir) {
        args.push_back(c.data());
        args.push_back(d.data());
      }
      int argc = static_cast<int>(args.size());
      args.push_back(nullptr);
      return postqueue_main(argc, args.data());
    }
    case SendmailOptions::Mode::smtp:
      return fatal(kExUsage, "-bs is not supported; use the smtpd service");
    case SendmailOptions::Mode::deliver:
      break;
  }
  return deliver(o);
}

}  // namespace correio::cli
