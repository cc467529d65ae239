// Feeds arbitrary bytes to the IMAP command-level parsers: tags, strings, literals,
// sequence sets, flag lists, dates, whole search programs, SEARCH/SORT RETURN options
// (PARTIAL ranges), SORT criteria, SORT's and THREAD's arguments, NOTIFY arguments,
// CATENATE's IMAP URLs, URLAUTH URLs and FETCH's arguments (items, sections, modifiers)
// with their plan.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "imapd/command_reader.hpp"
#include "imapd/fetch_items.hpp"
#include "imapd/fetch_plan.hpp"
#include "imapd/list_args.hpp"
#include "imapd/list_pattern.hpp"
#include "imapd/metadata_entry.hpp"
#include "imapd/notify_args.hpp"
#include "imapd/parser.hpp"
#include "imapd/search_program.hpp"
#include "imapd/search_return.hpp"
#include "imapd/select_args.hpp"
#include "imapd/sort_args.hpp"
#include "imapd/sort_order.hpp"
#include "imapd/store_args.hpp"
#include "mail/imap_url.hpp"
#include "mail/urlauth_url.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  using namespace correio::imapd;
  LiteralAnnouncement literal;
  (void)parse_literal_announcement(input, literal);
  {
    Parser p(input);
    if (p.tag() && p.space()) (void)parse_search_program(p);
  }
  {
    Parser p(input);
    (void)parse_store_args(p);
  }
  {
    Parser p(input);
    (void)parse_list_args(p);
  }
  {
    Parser p(input);
    (void)parse_select_args(p, "SELECT", true);
  }
  {
    Parser p(input);
    if (auto args = parse_fetch_args(p)) {
      FetchPlan plan =
          plan_fetch(std::move(args->items), true, args->changed_since.has_value(), false);
      (void)plan;
    }
  }
  {
    Parser p(input);
    (void)p.sequence_set();
    (void)p.flag_list(true);
    (void)p.date_time();
    (void)p.astring();
    (void)p.list_mailbox();
  }
  {
    Parser p(input);
    if (auto options = parse_return_options(p, true); options && options->partial) {
      // A window never holds more than the range or the results.
      std::vector<uint32_t> results(size % 64, 7);
      auto window = partial_window(results, *options->partial);
      if (window.size() > results.size() ||
          window.size() > options->partial->high - options->partial->low + 1)
        __builtin_trap();
    }
  }
  if (auto url = correio::mail::parse_imap_url(input, "user"); url && url->uid == 0)
    __builtin_trap();
  (void)correio::mail::utf8_to_modified_utf7(input);
  // URLAUTH URLs (RFC 4467): a parsed URL always names a user, a message and an access;
  // the rump it signs is a prefix of the input.
  for (bool full : {false, true}) {
    auto u = correio::mail::parse_urlauth_url(input, full);
    if (u && (u->url.user.empty() || u->url.uid == 0 || u->access.empty() ||
              !input.starts_with(u->rump) || (full && u->token.size() < 32)))
      __builtin_trap();
  }
  {
    // NOTIFY arguments: a result is a spec, NONE, an error or an unsupported event.
    Parser p(input);
    NotifyParse n = parse_notify(p);
    bool outcomes = n.spec.has_value() + n.none + !n.error.empty() + !n.bad_event.empty() > 0;
    if (!outcomes || (n.spec && n.spec->filters.empty())) __builtin_trap();
    // MessageNew's fetch attributes never include one that sets \Seen (RFC 5465 §5.2).
    for (const auto& f : n.spec ? n.spec->filters : std::vector<NotifyFilter>{}) {
      for (const auto& item : f.fetch) {
        if ((item.kind == FetchItem::Kind::section || item.kind == FetchItem::Kind::binary) &&
            !item.peek)
          __builtin_trap();
      }
    }
  }
  {
    // SORT criteria (CONTEXT=SORT re-sorts with them).
    Parser p(input);
    if (auto criteria = parse_sort_criteria(p); criteria && criteria->empty()) __builtin_trap();
  }
  {
    // SORT's and THREAD's whole arguments: parsed SORT always has criteria.
    Parser p(input);
    if (auto args = parse_sort_args(p); args && args->criteria.empty()) __builtin_trap();
    Parser q(input);
    (void)parse_thread_args(q);
  }
  if (auto entry = normalize_metadata_entry(input);
      entry && normalize_metadata_entry(*entry) != entry)
    __builtin_trap();
  size_t half = size / 2;
  (void)list_pattern_matches(input.substr(0, half), input.substr(half), '.');
  return 0;
}
