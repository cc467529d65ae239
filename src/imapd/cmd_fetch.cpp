// FETCH and UID FETCH (RFC 9051 §6.4.5, RFC 3516 BINARY, RFC 7162 CHANGEDSINCE / MODSEQ /
// VANISHED). ENVELOPE and BODYSTRUCTURE come from the folder's cache when present, else
// from the MIME parser, and are cached for the next client.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <thread>

#include "base/strings.hpp"
#include "imapd/cache_fields.hpp"
#include "imapd/cache_fill.hpp"
#include "imapd/fetch_items.hpp"
#include "imapd/object_ids.hpp"
#include "imapd/response.hpp"
#include "imapd/session.hpp"
#include "mail/header_fields.hpp"
#include "mail/imap_section.hpp"
#include "mail/imap_structure.hpp"
#include "mail/mime_parser.hpp"
#include "mail/preview.hpp"

namespace correio::imapd {
namespace {

// The message as FETCH needs it, loaded at most once per message and response.
struct LoadedMessage {
  std::string raw;
  std::optional<mail::MimePart> root;
  const mail::MimePart& structure() {
    if (!root) root = mail::parse_mime(raw);
    return *root;
  }
};

void append_partial(std::string& out, const FetchItem& item, std::string_view bytes,
                    bool binary_literal) {
  std::string_view slice = bytes;
  if (item.partial) {
    uint64_t start = item.partial->first;
    slice = start >= bytes.size() ? std::string_view() : bytes.substr(start, item.partial->second);
  }
  out += item.label;
  if (item.partial) out += fmt::format("<{}>", item.partial->first);
  out += ' ';
  if (binary_literal) {
    out += fmt::format("~{{{}}}\r\n", slice.size());
    out += slice;
  } else {
    out += fmt::format("{{{}}}\r\n", slice.size());
    size_t start = out.size();
    out += slice;
    // RFC 9051 §4.3: an ordinary literal carries no NUL. A stored NUL goes out as 0x80,
    // as Dovecot sends it: one byte for one, so <partial> offsets and RFC822.SIZE hold.
    // BINARY[] sends NULs unchanged, in a literal8 (above).
    base::replace_nul(out, start, '\x80');
  }
}

}  // namespace

bool Session::prefill_cache(const std::vector<uint32_t>& seqs,
                            std::optional<uint64_t> changed_since) {
  // Worth it only for many misses: threads are started per call.
  constexpr size_t kMinMisses = 64;
  constexpr size_t kChunk = 1024;
  mailbox::Mailbox& box = selected_->box();
  auto reader = box.cache_reader();
  if (!reader) return false;
  std::vector<uint32_t> uids;
  std::vector<std::string> paths;
  for (uint32_t seq : seqs) {
    const mailbox::MessageInfo* m = selected_->message_at(seq);
    if (m == nullptr || (changed_since && m->modseq <= *changed_since)) continue;
    auto env = reader->get(m->uid, kEnvelopeCacheField);
    auto bs = reader->get(m->uid, kBodyStructureCacheField);
    if (env && *env && bs && *bs) continue;
    uids.push_back(m->uid);
    paths.push_back(m->path);
  }
  if (uids.size() < kMinMisses) return false;
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  for (size_t first = 0; first < uids.size(); first += kChunk) {
    size_t last = std::min(uids.size(), first + kChunk);
    std::vector<std::string> chunk(paths.begin() + first, paths.begin() + last);
    std::vector<CacheValues> values = compute_cache_values(chunk, threads);
    // Failed puts or an unreadable file only mean the FETCH loop computes that message.
    for (size_t i = 0; i < values.size(); ++i) {
      if (!values[i].ok) continue;
      (void)box.cache_put(uids[first + i], kEnvelopeCacheField, values[i].envelope);
      (void)box.cache_put(uids[first + i], kBodyStructureCacheField, values[i].body_structure);
      (void)box.cache_put(uids[first + i], kHeaderCacheField, values[i].header);
    }
    if (Status s = box.flush_cache(); !s) return false;
  }
  return true;
}

asio::awaitable<void> Session::cmd_fetch(const Command& c, Parser& p) {
  using K = FetchItem::Kind;
  auto set = p.sequence_set();
  if (!set || !p.space()) {
    bad(c, "Error in IMAP command FETCH: Invalid arguments.");
    co_return;
  }
  std::vector<FetchItem> items;
  bool ok_items = true;
  if (p.consume('(')) {
    for (;;) {
      if (!parse_fetch_item(p, items)) {
        ok_items = false;
        break;
      }
      if (p.consume(')')) break;
      if (!p.space()) {
        ok_items = false;
        break;
      }
    }
  } else {
    ok_items = parse_fetch_item(p, items);
  }
  if (!ok_items) {
    bad(c, "Error in IMAP command FETCH: " + p.error());
    co_return;
  }
  std::optional<uint64_t> changed_since;
  std::optional<PartialRange> partial;
  bool vanished = false;
  if (p.consume(' ')) {
    if (!p.consume('(')) {
      bad(c, "Invalid FETCH modifiers.");
      co_return;
    }
    while (!p.consume(')')) {
      auto mod = p.atom();
      if (!mod) {
        bad(c, "Invalid FETCH modifiers.");
        co_return;
      }
      std::string u = upper(*mod);
      if (u == "CHANGEDSINCE") {
        auto n = p.space() ? p.number() : std::nullopt;
        if (!n) {
          bad(c, "Invalid CHANGEDSINCE.");
          co_return;
        }
        changed_since = *n;
        condstore_ = true;
      } else if (u == "VANISHED") {
        vanished = true;
      } else if (u == "PARTIAL" && !partial) {
        // RFC 9394 §3.2: only the messages at these positions of the set.
        auto text = p.space() ? p.atom() : std::nullopt;
        partial = text ? parse_partial_range(*text) : std::nullopt;
        if (!partial) {
          bad(c, "Invalid PARTIAL range.");
          co_return;
        }
      } else {
        bad(c, "Unknown FETCH modifier " + u);
        co_return;
      }
      p.consume(' ');
    }
  }
  if (!p.at_end()) {
    bad(c, "Error in IMAP command FETCH: Extra arguments.");
    co_return;
  }
  if (vanished && (!c.uid || !qresync_ || !changed_since)) {
    bad(c, "VANISHED needs UID FETCH with CHANGEDSINCE after ENABLE QRESYNC.");
    co_return;
  }
  bool set_is_uids = expand_saved_result(*set, c.uid);
  if (!set_is_uids && !selected_->sequence_numbers_in_range(*set)) {
    bad(c, "Error in IMAP command " + c.name + ": Invalid messageset");
    co_return;
  }
  report_changes(false);
  if (c.uid && std::none_of(items.begin(), items.end(),
                            [](const FetchItem& i) { return i.kind == K::uid; })) {
    items.insert(items.begin(), {K::uid, "UID", {}, false, std::nullopt, false});
  }
  bool asks_modseq = std::any_of(items.begin(), items.end(),
                                 [](const FetchItem& i) { return i.kind == K::modseq; });
  if (changed_since && !asks_modseq) {
    items.push_back({K::modseq, "MODSEQ", {}, false, std::nullopt, false});
  }
  // FETCH MODSEQ is a CONDSTORE enabling command (RFC 7162 §3.1).
  if (asks_modseq) condstore_ = true;
  if (vanished) {
    auto gone = selected_->box().expunged_since(*changed_since);
    if (gone) {
      std::vector<uint32_t> in_set;
      for (uint32_t uid : *gone) {
        if (set->contains(uid, selected_->max_uid())) in_set.push_back(uid);
      }
      if (!in_set.empty()) untagged("VANISHED (EARLIER) " + format_number_set(in_set));
    }
  }
  bool marks_seen =
      !selected_->read_only() && std::any_of(items.begin(), items.end(), [](const FetchItem& i) {
        return (i.kind == K::section || i.kind == K::binary) && !i.peek;
      });
  bool any_expunged = false;
  bool unknown_cte = false;
  mailbox::Mailbox& box = selected_->box();
  // One index read transaction for every cache lookup of this FETCH (none: compute).
  std::optional<mailbox::Mailbox::CacheReader> reader;
  std::vector<uint32_t> seqs = selected_->resolve(*set, set_is_uids);
  if (partial) {
    // Positions count the messages the FETCH would return: present, and changed since
    // CHANGEDSINCE when given (RFC 9394 §3.2).
    std::erase_if(seqs, [&](uint32_t seq) {
      const mailbox::MessageInfo* m = selected_->message_at(seq);
      return m == nullptr || (changed_since && m->modseq <= *changed_since);
    });
    seqs = partial_window(seqs, *partial);
  }
  bool wants_structure = std::any_of(items.begin(), items.end(), [](const FetchItem& i) {
    return i.kind == K::envelope || i.kind == K::body_structure;
  });
  if (wants_structure || std::any_of(items.begin(), items.end(),
                                     [](const FetchItem& i) { return i.kind == K::body; })) {
    if (auto r = box.cache_reader()) reader.emplace(std::move(*r));
  }
  // At the first cache miss, the rest of the set is filled on all cores at once (a warm
  // cache costs nothing extra).
  bool prefill_tried = !wants_structure;
  size_t position = 0;
  auto prefill_rest = [&]() -> bool {
    if (prefill_tried || !reader) return false;
    prefill_tried = true;
    std::vector<uint32_t> rest(seqs.begin() + static_cast<std::ptrdiff_t>(position), seqs.end());
    if (!prefill_cache(rest, changed_since)) return false;
    reader.reset();  // a new snapshot sees what was just committed
    if (auto r = box.cache_reader()) reader.emplace(std::move(*r));
    return true;
  };
  for (; position < seqs.size(); ++position) {
    uint32_t seq = seqs[position];
    const mailbox::MessageInfo* m = selected_->message_at(seq);
    if (m == nullptr) {
      any_expunged = true;
      continue;
    }
    if (changed_since && m->modseq <= *changed_since) continue;
    uint32_t uid = m->uid;
    bool flags_changed_now = false;
    if (marks_seen && !m->flags.has(mailbox::kSeen)) {
      mailbox::Flags seen;
      seen.system = mailbox::kSeen;
      std::vector<uint32_t> one{uid};
      auto stored = box.store_flags(one, mailbox::StoreMode::kAdd, seen);
      if (stored && !stored->changed.empty()) {
        selected_->mark_reported(uid, stored->changed.front().modseq);
        flags_changed_now = true;
      }
      m = box.find(uid);
      if (m == nullptr) continue;
    }
    std::optional<LoadedMessage> loaded;
    bool load_failed = false;
    auto message = [&]() -> LoadedMessage* {
      if (!loaded && !load_failed) {
        auto raw = box.read_message(uid);
        if (!raw) {
          load_failed = true;
          return nullptr;
        }
        loaded.emplace();
        loaded->raw = std::move(*raw);
      }
      return loaded ? &*loaded : nullptr;
    };
    // A cache miss parses the message once and stores everything FETCH and SEARCH take
    // from the cache: a client that asks for ENVELOPE asks for BODYSTRUCTURE next.
    // (A failed put only means the value is computed again next time.)
    auto append_cached = [&](std::string& out, std::string_view field) {
      for (int pass = 0; pass < 2 && reader; ++pass) {
        if (auto hit = reader->get(uid, field); hit && *hit) {
          out += **hit;
          return;
        }
        if (pass == 0 && !prefill_rest()) break;
      }
      LoadedMessage* msg = message();
      if (msg == nullptr) {
        out += "NIL";
        return;
      }
      const mail::MimePart& root = msg->structure();
      std::string_view header = std::string_view(msg->raw).substr(0, root.header_size);
      if (field == std::string_view(kBodyCacheField)) {
        std::string value = mail::imap_body_structure(msg->raw, root, false);
        out += value;
        (void)box.cache_put(uid, field, value);
        return;
      }
      std::string envelope = mail::imap_envelope(header);
      std::string structure = mail::imap_body_structure(msg->raw, root, true);
      out += field == std::string_view(kEnvelopeCacheField) ? envelope : structure;
      (void)box.cache_put(uid, kEnvelopeCacheField, envelope);
      (void)box.cache_put(uid, kBodyStructureCacheField, structure);
      (void)box.cache_put(uid, kHeaderCacheField, header);
    };
    std::string line = fmt::format("* {} FETCH (", seq);
    bool first = true;
    bool flags_written = false;
    for (const FetchItem& item : items) {
      if (!first) line += ' ';
      first = false;
      switch (item.kind) {
        case K::uid:
          line += fmt::format("UID {}", uid);
          break;
        case K::flags:
          line += "FLAGS " + format_flags(m->flags, m->recent);
          flags_written = true;
          break;
        case K::internal_date:
          line += "INTERNALDATE " + format_internal_date(static_cast<time_t>(m->internal_date));
          break;
        case K::size:
          line += fmt::format("RFC822.SIZE {}", m->vsize);
          break;
        case K::modseq:
          line += fmt::format("MODSEQ ({})", m->modseq);
          break;
        case K::preview: {
          LoadedMessage* msg = message();
          line += "PREVIEW ";
          if (msg == nullptr) {
            line += "NIL";
          } else {
            append_string(line, mail::message_preview(msg->raw, msg->structure()));
          }
          break;
        }
        case K::email_id:
          line += "EMAILID (" + email_object_id(m->path) + ")";
          break;
        case K::thread_id:
          line += "THREADID NIL";
          break;
        case K::save_date: {
          auto saved = save_date(m->path);
          line += "SAVEDATE " +
                  (saved ? format_internal_date(static_cast<time_t>(*saved)) : std::string("NIL"));
          break;
        }
        case K::envelope:
          line += "ENVELOPE ";
          append_cached(line, kEnvelopeCacheField);
          break;
        case K::body:
          line += "BODY ";
          append_cached(line, kBodyCacheField);
          break;
        case K::body_structure:
          line += "BODYSTRUCTURE ";
          append_cached(line, kBodyStructureCacheField);
          break;
        case K::section: {
          LoadedMessage* msg = message();
          std::string bytes =
              msg ? mail::section_bytes(msg->raw, msg->structure(), item.section) : "";
          append_partial(line, item, bytes, false);
          break;
        }
        case K::binary:
        case K::binary_size: {
          LoadedMessage* msg = message();
          if (msg == nullptr) {
            line += item.label + " NIL";
            break;
          }
          auto content = mail::binary_section(msg->raw, msg->structure(), item.section);
          if (content.status == mail::BinaryContent::Status::kUnknownCte) {
            unknown_cte = true;
            line += item.label + " NIL";
            break;
          }
          if (item.kind == K::binary_size) {
            line += fmt::format("{} {}", item.label, content.data.size());
          } else {
            append_partial(line, item, content.data, content.has_nul);
          }
          break;
        }
      }
    }
    if (flags_changed_now && !flags_written) {
      line += " FLAGS " + format_flags(m->flags, m->recent);
      flags_written = true;
    }
    if (flags_written && condstore_ &&
        std::none_of(items.begin(), items.end(),
                     [](const FetchItem& i) { return i.kind == K::modseq; })) {
      line += fmt::format(" MODSEQ ({})", m->modseq);
    }
    line += ")\r\n";
    out_ += line;
    bool sent = co_await flush_if_large();
    if (!sent) {
      state_ = State::logout;
      co_return;
    }
  }
  if (unknown_cte) {
    no(c, "[UNKNOWN-CTE] Unknown Content-Transfer-Encoding.");
    co_return;
  }
  if (any_expunged) {
    // Another session expunged some of them and this one may not say so during FETCH
    // (RFC 9051 §7.5.1): what still exists was returned, which is a success; the code
    // tells the client to NOOP soon (RFC 5530 §3), as Dovecot answers.
    ok(c, "[EXPUNGEISSUED] Some messages were already expunged.");
    co_return;
  }
  ok(c, "Fetch completed.");
}

}  // namespace correio::imapd
