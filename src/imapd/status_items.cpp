// STATUS items (see status_items.hpp).
#include "imapd/status_items.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "imapd/object_ids.hpp"
#include "imapd/response.hpp"

namespace correio::imapd {

bool parse_status_items(Parser& p, std::vector<std::string>& items) {
  if (!p.consume('(')) return p.fail("Missing '(' before STATUS items");
  for (;;) {
    auto item = p.atom();
    if (!item) return false;
    std::string u = upper(*item);
    static const std::set<std::string> known = {"MESSAGES",      "RECENT",  "UIDNEXT",
                                                "UIDVALIDITY",   "UNSEEN",  "SIZE",
                                                "HIGHESTMODSEQ", "DELETED", "MAILBOXID"};
    if (!known.contains(u)) return p.fail("Unknown STATUS item " + u);
    items.push_back(u);
    if (p.consume(')')) return true;
    if (!p.space()) return false;
  }
}

std::string status_line(const std::string& name, const mailbox::FolderStatus& st,
                        const std::vector<std::string>& items, uint32_t deleted) {
  std::string s = "STATUS ";
  append_astring(s, name);
  s += " (";
  bool first = true;
  for (const auto& item : items) {
    if (!first) s += ' ';
    first = false;
    if (item == "MESSAGES") s += fmt::format("MESSAGES {}", st.messages);
    if (item == "RECENT") s += fmt::format("RECENT {}", st.recent);
    if (item == "UIDNEXT") s += fmt::format("UIDNEXT {}", st.uid_next);
    if (item == "UIDVALIDITY") s += fmt::format("UIDVALIDITY {}", st.uid_validity);
    if (item == "UNSEEN") s += fmt::format("UNSEEN {}", st.unseen);
    if (item == "SIZE") s += fmt::format("SIZE {}", st.vsize);
    if (item == "HIGHESTMODSEQ") s += fmt::format("HIGHESTMODSEQ {}", st.highest_modseq);
    if (item == "DELETED") s += fmt::format("DELETED {}", deleted);
    if (item == "MAILBOXID") s += "MAILBOXID (" + mailbox_object_id(st.uid_validity) + ")";
  }
  s += ')';
  return s;
}

uint32_t deleted_count(mailbox::MailUser& user, const std::string& name,
                       const std::vector<std::string>& items) {
  if (std::find(items.begin(), items.end(), "DELETED") == items.end()) return 0;
  uint32_t deleted = 0;
  if (auto box = user.open_mailbox(name, true)) {
    if ((*box)->sync()) {
      for (const auto& m : (*box)->messages()) deleted += m.flags.has(mailbox::kDeleted);
    }
  }
  return deleted;
}

}  // namespace correio::imapd
