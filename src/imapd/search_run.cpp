// Running a SEARCH program (see search_run.hpp).
#include "imapd/search_run.hpp"

#include "imapd/cache_fields.hpp"
#include "imapd/parser.hpp"
#include "mail/header_fields.hpp"

namespace correio::imapd {

bool charset_supported(std::string_view charset) {
  return iequals(charset, "UTF-8") || iequals(charset, "US-ASCII");
}

std::optional<std::string> message_header(mailbox::Mailbox& box, uint32_t uid,
                                          const std::string* raw) {
  if (auto hit = box.cache_get(uid, kHeaderCacheField); hit && *hit) return std::move(**hit);
  std::optional<std::string> loaded;
  if (raw == nullptr) {
    auto r = box.read_message(uid);
    if (!r) return std::nullopt;
    loaded = std::move(*r);
    raw = &*loaded;
  }
  std::string header = raw->substr(0, mail::find_header_end(*raw).header_size);
  // A failed put only means the next search reads the file again.
  (void)box.cache_put(uid, kHeaderCacheField, header);
  return header;
}

std::vector<Match> run_search(SelectedView& view, const SearchKey& program,
                              const std::vector<uint32_t>* saved) {
  std::vector<Match> matches;
  // Header searches read the cached header blocks in one index read transaction.
  std::optional<mailbox::Mailbox::CacheReader> reader;
  if (search_needs_content(program)) {
    if (auto r = view.box().cache_reader()) reader.emplace(std::move(*r));
  }
  uint32_t n = view.exists();
  // The per-message state the subject's loaders fill on demand; reset for each message
  // (one SearchSubject and its two loaders serve the whole folder).
  uint32_t uid = 0;
  std::optional<std::string> raw, header;
  bool tried = false, header_tried = false;
  std::string_view cached_header;
  SearchSubject subject;
  subject.max_seq = n;
  subject.max_uid = view.max_uid();
  subject.saved = saved;
  subject.raw = [&]() -> const std::string* {
    if (!tried) {
      tried = true;
      auto r = view.box().read_message(uid);
      if (r) raw = std::move(*r);
    }
    return raw ? &*raw : nullptr;
  };
  subject.header = [&]() -> std::string_view {
    if (!header_tried) {
      header_tried = true;
      if (reader) {
        if (auto hit = reader->get(uid, kHeaderCacheField); hit && *hit) cached_header = **hit;
      }
      if (cached_header.data() == nullptr)
        header = message_header(view.box(), uid, tried && raw ? &*raw : nullptr);
    }
    if (cached_header.data() != nullptr) return cached_header;
    return header ? std::string_view(*header) : std::string_view();
  };
  for (uint32_t seq = 1; seq <= n; ++seq) {
    const mailbox::MessageInfo* m = view.message_at(seq);
    if (m == nullptr) continue;
    uid = m->uid;
    raw.reset();
    header.reset();
    tried = header_tried = false;
    cached_header = {};
    subject.seq = seq;
    subject.message = m;
    if (search_matches(program, subject)) matches.push_back({seq, m});
  }
  return matches;
}

}  // namespace correio::imapd
