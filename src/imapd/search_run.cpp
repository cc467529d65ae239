// Running a SEARCH program (see search_run.hpp).
#include "imapd/search_run.hpp"

#include "imapd/parser.hpp"

namespace correio::imapd {

bool charset_supported(std::string_view charset) {
  return iequals(charset, "UTF-8") || iequals(charset, "US-ASCII");
}

std::vector<Match> run_search(SelectedView& view, const SearchKey& program,
                              const std::vector<uint32_t>* saved) {
  std::vector<Match> matches;
  uint32_t n = view.exists();
  // The per-message state the subject's loaders fill on demand; reset for each message
  // (one SearchSubject and its two loaders serve the whole folder).
  uint32_t uid = 0;
  std::optional<std::string> raw;
  bool tried = false, header_tried = false;
  std::string_view header;
  SearchSubject subject;
  subject.max_seq = n;
  subject.max_uid = view.max_uid();
  subject.saved = saved;
  subject.folder = view.box().path();
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
      // The store's cached header block (computed from `raw` when already read).
      if (auto h = view.box().header(uid, tried && raw ? &*raw : nullptr)) header = *h;
    }
    return header;
  };
  for (uint32_t seq = 1; seq <= n; ++seq) {
    const mailbox::MessageInfo* m = view.message_at(seq);
    if (m == nullptr) continue;
    uid = m->uid;
    raw.reset();
    tried = header_tried = false;
    header = {};
    subject.seq = seq;
    subject.message = m;
    if (search_matches(program, subject)) matches.push_back({seq, m});
  }
  return matches;
}

}  // namespace correio::imapd
