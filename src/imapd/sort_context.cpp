// CONTEXT=SORT (RFC 5267 §4.3): the ESEARCH ADDTO/REMOVEFROM data for a sort context, where
// every item carries the position in the sorted result (a SEARCH context writes 0 there).
#include <fmt/format.h>

#include <unordered_set>

#include "imapd/search_update.hpp"
#include "imapd/selected_view.hpp"

namespace correio::imapd {
namespace {

struct Run {
  size_t position;             // 1-based position of the run's first message
  std::vector<uint32_t> uids;  // consecutive in the list, in its order
};

// The runs of consecutive positions in `list` whose UID `pick` accepts.
template <typename Pick>
std::vector<Run> runs_of(const std::vector<uint32_t>& list, Pick pick) {
  std::vector<Run> runs;
  for (size_t i = 0; i < list.size(); ++i) {
    if (!pick(list[i])) continue;
    if (!runs.empty() && runs.back().position + runs.back().uids.size() == i + 1) {
      runs.back().uids.push_back(list[i]);
    } else {
      runs.push_back({i + 1, {list[i]}});
    }
  }
  return runs;
}

std::string item(std::string_view name, const Run& run,
                 const std::function<uint32_t(uint32_t)>& number_of) {
  // The set lists the messages in sort order, as ESORT's ALL does (RFC 5267 §3.2):
  // only ascending runs are compressed to ranges.
  std::vector<uint32_t> numbers;
  for (uint32_t uid : run.uids) numbers.push_back(number_of(uid));
  return fmt::format(" {} ({} {})", name, run.position, format_number_set(numbers));
}

}  // namespace

std::string sort_update_data(const std::vector<uint32_t>& before,
                             const std::vector<uint32_t>& after,
                             const std::function<uint32_t(uint32_t)>& number_of) {
  std::unordered_set<uint32_t> in_before(before.begin(), before.end());
  std::unordered_set<uint32_t> in_after(after.begin(), after.end());
  // Sort keys never change (they are header fields, size and arrival), so the messages
  // that stay keep their relative order: removals and insertions describe the change.
  auto removed = runs_of(before, [&](uint32_t uid) { return !in_after.contains(uid); });
  auto added = runs_of(after, [&](uint32_t uid) { return !in_before.contains(uid); });
  std::string out;
  // RFC 5267 §4.3: removals first (as for SEARCH contexts); the last one first, so that
  // each position is still the message's position in the list the client holds.
  for (auto it = removed.rbegin(); it != removed.rend(); ++it)
    out += item("REMOVEFROM", *it, number_of);
  // Additions in ascending position: each lands where it stands in the new result.
  for (const auto& run : added) out += item("ADDTO", run, number_of);
  return out;
}

}  // namespace correio::imapd
