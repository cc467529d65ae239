// Planning a FETCH (see fetch_plan.hpp).
#include "imapd/fetch_plan.hpp"

#include <algorithm>

#include "mailbox/mailbox.hpp"

namespace correio::imapd {

FetchPlan plan_fetch(std::vector<FetchItem> items, bool uid_command, bool changed_since,
                     bool read_only) {
  using K = FetchItem::Kind;
  FetchPlan plan;
  plan.items = std::move(items);
  auto has = [&](K kind) {
    return std::any_of(plan.items.begin(), plan.items.end(),
                       [kind](const FetchItem& i) { return i.kind == kind; });
  };
  // RFC 9051 §6.4.9: UID FETCH returns the UID even when not asked for.
  if (uid_command && !has(K::uid))
    plan.items.insert(plan.items.begin(), {K::uid, "UID", {}, false, std::nullopt, false});
  plan.asks_modseq = has(K::modseq);
  // RFC 7162 §3.1.4.1: CHANGEDSINCE implies MODSEQ in every response.
  if (changed_since && !plan.asks_modseq)
    plan.items.push_back({K::modseq, "MODSEQ", {}, false, std::nullopt, false});
  plan.has_modseq = plan.asks_modseq || changed_since;
  for (const FetchItem& item : plan.items) {
    switch (item.kind) {
      case K::section:
      case K::binary:
        // RFC 9051 §6.4.5: BODY[...] sets \Seen, BODY.PEEK[...] does not.
        if (!item.peek && !read_only) plan.marks_seen = true;
        plan.needs_message = true;
        break;
      case K::binary_size:
      case K::preview:
        plan.needs_message = true;
        break;
      case K::envelope:
        plan.cached_fields |= mailbox::kCacheEnvelope;
        break;
      case K::body_structure:
        plan.cached_fields |= mailbox::kCacheBodyStructure;
        break;
      case K::body:
        plan.cached_fields |= mailbox::kCacheBody;
        break;
      default:
        break;
    }
  }
  return plan;
}

}  // namespace correio::imapd
