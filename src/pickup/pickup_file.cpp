// One maildrop file into the queue (see pickup_file.hpp).
#include "pickup/pickup_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "base/file.hpp"
#include "base/strings.hpp"
#include "cleanup/content_inspector.hpp"
#include "cleanup/duplicate_filter.hpp"
#include "cleanup/header_cleanup.hpp"
#include "cleanup/received.hpp"
#include "queue/queue_directories.hpp"
#include "queue/queue_file_reader.hpp"
#include "queue/queue_file_writer.hpp"

namespace correio::pickup {
namespace {

using Kind = PickupOutcome::Kind;

PickupOutcome outcome(Kind kind, std::string reason) {
  PickupOutcome o;
  o.kind = kind;
  o.reason = std::move(reason);
  return o;
}

// Reads at most `limit` bytes from `fd`; more is an error.
Result<std::string> read_all(int fd, size_t limit) {
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error{std::string("read: ") + std::strerror(errno)};
    if (n == 0) return out;
    if (out.size() + static_cast<size_t>(n) > limit) return Error{"message file too big"};
    out.append(buf, static_cast<size_t>(n));
  }
}

// Moves a bad submission aside for the administrator rather than deleting it.
PickupOutcome reject(const PickupSettings& s, const std::string& name, std::string reason) {
  auto from = s.queue_directory / "maildrop" / name;
  auto to = s.queue_directory / "corrupt" / name;
  if (::rename(from.c_str(), to.c_str()) != 0 && errno != ENOENT)
    ::unlink(from.c_str());  // cannot keep it; never loop on it
  return outcome(Kind::rejected, std::move(reason));
}

std::string from_header(const queue::Envelope& e, const std::string& sender) {
  std::string address = sender.empty() ? "MAILER-DAEMON" : sender;
  if (e.full_name.empty()) return address;
  // RFC 5322 §3.2.4: the display name as a quoted-string when it has specials.
  bool plain = true;
  for (char c : e.full_name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == ' ' || c == '-' || c == '\'' ||
          static_cast<unsigned char>(c) >= 0x80))
      plain = false;
  if (plain) return e.full_name + " <" + address + ">";
  std::string quoted = "\"";
  for (char c : e.full_name) {
    if (c == '"' || c == '\\') quoted += '\\';
    if (c != '\r' && c != '\n') quoted += c;
  }
  return quoted + "\" <" + address + ">";
}

// cleanup_addr_sender() and cleanup_addr_recipient() for a local submission: the rewritten
// sender, each recipient's final addresses remembering the original, the copies
// (NOTIFY=NEVER), duplicates dropped. Error: a table failed or an alias limit was hit
// (Postfix defers: the file stays for the next scan).
// `with_copies` false: no bcc copies (forwarded mail, CLEANUP_FLAG_BCC_OK unset).
Status rewrite_envelope(cleanup::AddressRewriter& rewriter, const queue::Envelope& in,
                        bool with_copies, queue::Envelope& out) {
  auto sender = rewriter.sender(in.sender);
  if (!sender) return sender.error();
  out.sender = *sender;
  auto copies = with_copies ? rewriter.sender_copies(*sender)
                            : Result<std::vector<std::string>>(std::vector<std::string>());
  if (!copies) return copies.error();
  cleanup::DuplicateFilter filter(rewriter.enable_original_recipient());
  auto add = [&](const std::string& address, const std::string& original, const std::string& orcpt,
                 uint8_t notify) {
    if (filter.first(address, original, orcpt, notify))
      out.recipients.push_back({address, original, orcpt, notify});
  };
  for (const auto& r : in.recipients) {
    auto one = rewriter.recipient(r.address);
    if (!one) return one.error();
    if (!one->limit_error.empty()) return Error{one->limit_error};
    for (const auto& final : one->addresses) add(final, r.address, r.orcpt, r.notify);
    if (with_copies) copies->insert(copies->end(), one->copies.begin(), one->copies.end());
  }
  for (const auto& copy : *copies) add(copy, copy, "", queue::kNotifyNever);
  return {};
}

// Content inspection's verdict on a local submission, as Postfix's cleanup carries it out
// for pickup: REJECT returns the message to the sender (qmgr bounces every recipient with
// the table's text), HOLD, REDIRECT and BCC as for smtpd. (A 4.x.x REJECT or a failed
// table leaves the maildrop file for a later scan: see pickup_file().)
Status carry_out_verdict(const cleanup::CheckVerdict& verdict, queue::QueueFileWriter& writer) {
  if (verdict.hold) writer.set_hold();
  // FILTER overrides content_filter (the last FILTER wins).
  if (!verdict.filter.empty())
    if (auto st = writer.set_filter(verdict.filter); !st) return st;
  std::vector<queue::Recipient> extra;
  bool replace = !verdict.redirect.empty();
  if (replace) {
    extra.push_back({verdict.redirect, verdict.redirect, "", 0});
  } else {
    for (const auto& a : verdict.bcc) extra.push_back({a, a, "", queue::kNotifyNever});
  }
  if (extra.empty() && !verdict.reject) return {};
  return writer.set_extracted(extra, replace, verdict.reject.value_or(""));
}

// The milters' decision, as Postfix's cleanup carries it out for pickup mail: a reject
// returns the message to the sender (as header_checks REJECT), a quarantine holds it, a
// changed sender or recipient list is written as the queue file's envelope.
Status carry_out_milters(const MilterOutcome& m, const queue::Envelope& env,
                         queue::QueueFileWriter& writer, const PickupOutcome& done,
                         base::Logger& log) {
  if (m.kind == MilterOutcome::Kind::reject) {
    // "550 5.7.1 text": the enhanced code and text are what the bounce says.
    std::string_view r = m.reply;
    std::string_view text = r.size() > 4 ? r.substr(4) : std::string_view("5.7.1 rejected");
    log.info("{}: milter-reject: END-OF-MESSAGE from localhost[127.0.0.1]: {}; from=<{}>",
             done.queue_id, r, env.sender);
    if (!text.starts_with('5'))
      return writer.set_extracted({}, false, "5.7.1 " + std::string(text));
    return writer.set_extracted({}, false, text);
  }
  if (m.kind != MilterOutcome::Kind::proceed) return {};
  if (m.envelope_changed)
    if (auto st = writer.rewrite_envelope(env); !st) return st;
  // milter_header_checks' HOLD, FILTER, REDIRECT, BCC, as header_checks' are carried out.
  if (auto st = carry_out_verdict(m.checks, writer); !st) return st;
  if (m.hold) {
    log.info("{}: milter-hold: END-OF-MESSAGE from localhost[127.0.0.1]: {}; from=<{}>",
             done.queue_id, *m.hold, env.sender);
    writer.set_hold();
  }
  return {};
}

// DISCARD: claim delivery; the maildrop file goes, nothing is queued (the uncommitted
// writer removes its file).
PickupOutcome discard(const std::filesystem::path& path, PickupOutcome done) {
  done.kind = Kind::skipped;
  done.reason = "discarded by content inspection";
  if (::unlink(path.c_str()) != 0 && errno != ENOENT)
    return outcome(Kind::retry, std::string("unlink maildrop file: ") + std::strerror(errno));
  return done;
}

// Whether the file's "internal_source" may be believed: only the mail system's own
// processes write maildrop files as root or as pickup's own user (mail_owner); sendmail
// run by anyone else leaves the submitter's uid on the file.
bool internal_mail(const queue::Envelope& in, uid_t owner) {
  return in.internal_source == "forward" && (owner == 0 || owner == ::geteuid());
}

}  // namespace

PickupSettings PickupSettings::from_config(const config::Config& config) {
  PickupSettings s;
  s.queue_directory = config.get("queue_directory");
  s.myhostname = config.get("myhostname");
  s.myorigin = config.get("myorigin");
  s.mail_name = config.get("mail_name");
  s.header_size_limit = config.get_int("header_size_limit");
  s.hopcount_limit = static_cast<int>(config.get_int("hopcount_limit"));
  s.message_size_limit = config.get_int("message_size_limit");
  s.content_filter = std::string(base::trim(config.get("content_filter")));
  return s;
}

std::string qualify(const std::string& address, const std::string& myorigin) {
  if (address.empty() || address.find('@') != std::string::npos || myorigin.empty()) return address;
  return address + "@" + myorigin;
}

PickupOutcome pickup_file(const PickupSettings& s, const std::string& name,
                          const BeforeCommit& before_commit) {
  auto path = s.queue_directory / "maildrop" / name;
  // O_NOFOLLOW and the checks below: the file belongs to an arbitrary local user.
  base::Fd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return outcome(Kind::skipped, "vanished");
    if (errno == ELOOP) return reject(s, name, "not a regular file");
    return outcome(Kind::retry, std::string("open: ") + std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0)
    return outcome(Kind::retry, std::string("fstat: ") + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return reject(s, name, "not a regular file");
  // A hard link to someone else's file is not a submission.
  if (st.st_nlink != 1) return reject(s, name, "file has more than one link");
  size_t limit = queue::kMaxQueueFileSize;
  if (s.message_size_limit > 0)
    limit = static_cast<size_t>(s.message_size_limit) + 256 * 1024;  // + envelope records
  auto bytes = read_all(fd.get(), limit);
  if (!bytes) return reject(s, name, bytes.error().message);
  auto file = queue::parse_queue_file(*bytes, true);
  if (!file) return reject(s, name, file.error().message);
  const queue::Envelope& in = file->envelope;
  // local(8)'s forwarded copies: Postfix hands them to cleanup with
  // CLEANUP_FLAG_MASK_INTERNAL (mappings only), so neither header/body checks, nor the bcc
  // maps, nor a Received: line of pickup's touch them.
  const bool internal = internal_mail(in, st.st_uid);

  auto now = std::chrono::system_clock::now();
  queue::Envelope env;
  env.arrival_us =
      std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
  if (s.rewriter) {
    if (auto rewritten = rewrite_envelope(*s.rewriter, in, !internal, env); !rewritten)
      return outcome(Kind::retry, rewritten.error().message);
  } else {
    env.sender = qualify(in.sender, s.myorigin);
    for (const auto& r : in.recipients)
      env.recipients.push_back({qualify(r.address, s.myorigin), r.address, r.orcpt, r.notify});
  }
  env.dsn_ret = in.dsn_ret;
  env.dsn_envid = in.dsn_envid;
  env.client = {"localhost", "127.0.0.1", "", "local", ""};

  auto writer = queue::QueueFileWriter::create(s.queue_directory, env);
  if (!writer) return outcome(Kind::retry, writer.error().message);
  if (auto st2 = writer->set_filter(s.content_filter); !st2)
    return outcome(Kind::retry, st2.error().message);
  PickupOutcome done;
  done.kind = Kind::queued;
  done.queue_id = writer->id();
  done.uid = st.st_uid;
  done.sender = env.sender;
  done.recipients = env.recipients.size();

  cleanup::PickupReceivedInfo received;
  received.myhostname = s.myhostname;
  received.mail_name = s.mail_name;
  received.uid = st.st_uid;
  received.queue_id = done.queue_id;
  received.when = now;
  cleanup::HeaderOptions options;
  options.queue_id = done.queue_id;
  options.myhostname = s.myhostname;
  options.header_size_limit = s.header_size_limit;
  options.hopcount_limit = s.hopcount_limit;
  options.arrival = now;
  options.missing_from = from_header(in, env.sender);
  if (s.rewriter)
    options.rewrite_header = [rewriter = s.rewriter.get()](std::string_view header) {
      return rewriter->header(header);
    };
  cleanup::HeaderCleanup cleanup(options);
  std::string out = internal ? std::string() : cleanup::pickup_received_header(received);
  bool rejected_by_checks = false;
  if (s.checks && s.log && !internal) {
    // header_checks(5) for local submissions too: "from local", no proto= or helo=.
    cleanup::ContentInspector inspector(
        *s.checks, {done.queue_id, "local", env.sender, env.recipients.front().address, "", ""},
        *s.log);
    std::string received_line = std::move(out), inspected;
    out.clear();
    inspector.own_header(received_line, out);
    inspector.feed(file->content_bytes, inspected);
    inspector.finish(inspected);
    cleanup.feed(inspected, out);
    cleanup.finish(out);
    const cleanup::CheckVerdict& verdict = inspector.verdict();
    rejected_by_checks = verdict.reject.has_value();
    // Postfix's pickup leaves the file for later when cleanup fails temporarily.
    if (verdict.reject && verdict.reject->starts_with('4'))
      return outcome(Kind::retry, "content inspection: " + *verdict.reject);
    if (auto st2 = carry_out_verdict(verdict, *writer); !st2)
      return outcome(Kind::retry, st2.error().message);
    if (verdict.discard) return discard(path, std::move(done));
  } else {
    cleanup.feed(file->content_bytes, out);
    cleanup.finish(out);
  }
  if (cleanup.too_many_hops()) return reject(s, name, "too many hops");
  if (const auto& failed = cleanup.rewrite_error())
    return outcome(Kind::retry, "header address rewriting: " + failed->message);
  if (s.milters && !internal && !rejected_by_checks) {
    // Postfix's cleanup does the same for mail it generates itself only with
    // internal_mail_filter_classes, which Correio has not: forwarded copies skip them.
    MilterOutcome m = s.milters->filter(env, out, done.queue_id);
    if (auto st2 = carry_out_milters(m, env, *writer, done, *s.log); !st2)
      return outcome(Kind::retry, st2.error().message);
    if (m.kind == MilterOutcome::Kind::tempfail) return outcome(Kind::retry, "milter: " + m.reply);
    if (m.kind == MilterOutcome::Kind::discard) return discard(path, std::move(done));
  }
  if (auto st2 = writer->append_content(out); !st2)
    return outcome(Kind::retry, st2.error().message);
  done.message_id = cleanup.message_id();
  if (before_commit) before_commit(done);
  if (auto st2 = writer->commit(); !st2) return outcome(Kind::retry, st2.error().message);

  // The message is durable in incoming/: the submission may go.
  if (::unlink(path.c_str()) != 0 && errno != ENOENT)
    done.reason = std::string("unlink maildrop file: ") + std::strerror(errno);
  else if (auto synced = base::errno_status(base::fsync_directory(path.parent_path()),
                                            "fsync " + (path.parent_path()).string());
           !synced)
    done.reason = synced.error().message;  // a crash may bring it back: a duplicate at worst
  return done;
}

}  // namespace correio::pickup
