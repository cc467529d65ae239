// CONTEXT=SEARCH and CONTEXT=SORT updates (see search_update.hpp) and the session's side
// of them: starting an update from SEARCH or SORT, re-running updates when the mailbox
// changed, CANCELUPDATE.
#include "imapd/search_update.hpp"

#include <algorithm>
#include <iterator>

#include "imapd/selected_view.hpp"
#include "imapd/session.hpp"

namespace correio::imapd {

std::string search_update_data(const std::vector<uint32_t>& before,
                               const std::vector<uint32_t>& after,
                               const std::function<uint32_t(uint32_t)>& number_of) {
  std::vector<uint32_t> removed, added;
  std::set_difference(before.begin(), before.end(), after.begin(), after.end(),
                      std::back_inserter(removed));
  std::set_difference(after.begin(), after.end(), before.begin(), before.end(),
                      std::back_inserter(added));
  auto numbers = [&](const std::vector<uint32_t>& uids) {
    std::vector<uint32_t> out;
    for (uint32_t uid : uids) out.push_back(number_of(uid));
    std::sort(out.begin(), out.end());
    return format_number_set(out);
  };
  std::string out;
  if (!removed.empty()) out += " REMOVEFROM (0 " + numbers(removed) + ")";
  if (!added.empty()) out += " ADDTO (0 " + numbers(added) + ")";
  return out;
}

bool Session::start_search_update(const Command& c, SearchKey program,
                                  const std::vector<Match>& matches,
                                  std::vector<SortCriterion> sort) {
  for (const auto& u : search_updates_) {
    if (u.tag == c.tag) return false;  // the tag already names an update
  }
  SearchUpdate update{c.tag, c.uid, std::move(program), std::move(sort), {}};
  for (const auto& m : matches) update.results.push_back(m.message->uid);
  if (update.sort.empty()) std::sort(update.results.begin(), update.results.end());
  search_updates_.push_back(std::move(update));
  return true;
}

void Session::report_search_updates() {
  if (search_updates_.empty() || !selected_) return;
  // Re-run only when something the results could depend on moved.
  auto& box = selected_->box();
  std::array<uint64_t, 4> now{selected_->exists(), selected_->max_uid(), box.highest_modseq(),
                              box.messages().size()};
  if (now == updates_seen_) return;
  updates_seen_ = now;
  std::vector<uint32_t> saved = saved_search_;
  for (auto& update : search_updates_) {
    std::vector<Match> found = run_search(*selected_, update.program, &saved);
    if (!update.sort.empty()) found = sort_matches(box, update.sort, found);  // CONTEXT=SORT
    std::vector<uint32_t> results;
    for (const auto& m : found) results.push_back(m.message->uid);
    if (update.sort.empty()) std::sort(results.begin(), results.end());
    // Sequence numbers are those the client knows now: an expunged message is removed
    // from the result before its EXPUNGE is sent.
    auto number_of = [&](uint32_t uid) { return update.uid ? uid : selected_->seq_of(uid); };
    std::string data = update.sort.empty() ? search_update_data(update.results, results, number_of)
                                           : sort_update_data(update.results, results, number_of);
    update.results = std::move(results);
    if (data.empty()) continue;
    untagged("ESEARCH (TAG \"" + update.tag + "\")" + (update.uid ? " UID" : "") + data);
  }
}

asio::awaitable<void> Session::cmd_cancelupdate(const Command& c, Parser& p) {
  // "CANCELUPDATE" 1*(SP quoted) (RFC 5267 §5)
  // (The dispatcher consumed the SP after the command name.)
  std::vector<std::string> tags;
  do {
    auto tag = p.peek('"') ? p.string() : std::nullopt;
    if (!tag) break;
    tags.push_back(std::move(*tag));
  } while (p.space());
  if (tags.empty() || !p.at_end()) {
    bad(c, "Error in IMAP command CANCELUPDATE: Invalid parameters.");
    co_return;
  }
  for (const auto& tag : tags) {
    if (std::none_of(search_updates_.begin(), search_updates_.end(),
                     [&](const SearchUpdate& u) { return u.tag == tag; })) {
      no(c, "Unknown tag.");
      co_return;
    }
  }
  std::erase_if(search_updates_, [&](const SearchUpdate& u) {
    return std::find(tags.begin(), tags.end(), u.tag) != tags.end();
  });
  ok(c, "Updates cancelled.");
}

}  // namespace correio::imapd
