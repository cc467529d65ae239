// NOTIFY argument parsing (see notify_args.hpp).
#include "imapd/notify_args.hpp"

namespace correio::imapd {
namespace {

constexpr size_t kMaxItems = 64;

std::optional<NotifyFilter::Kind> filter_kind(const std::string& u) {
  using K = NotifyFilter::Kind;
  if (u == "SELECTED") return K::selected;
  if (u == "SELECTED-DELAYED") return K::selected_delayed;
  if (u == "INBOXES") return K::inboxes;
  if (u == "PERSONAL") return K::personal;
  if (u == "SUBSCRIBED") return K::subscribed;
  if (u == "SUBTREE") return K::subtree;
  if (u == "MAILBOXES") return K::mailboxes;
  return std::nullopt;
}

// RFC 5465 §8: one-or-more-mailbox = mailbox / "(" mailbox *(SP mailbox) ")"
bool mailbox_list(Parser& p, std::vector<std::string>& out) {
  bool list = p.consume('(');
  do {
    auto name = p.mailbox();
    if (!name || out.size() >= kMaxItems) return false;
    out.push_back(std::move(*name));
  } while (list && p.space());
  return !list || p.consume(')');
}

// events = ( "(" event *(SP event) ")" ) / "NONE"; false on a syntax error.
bool events(Parser& p, NotifyParse& result, unsigned& bits, std::vector<FetchItem>& fetch) {
  if (p.consume_word("NONE")) return true;
  if (!p.consume('(')) return false;
  do {
    auto word = p.atom();
    if (!word) return false;
    std::string u = upper(*word);
    unsigned bit = 0;
    if (u == "MESSAGENEW") bit = kMessageNew;
    if (u == "MESSAGEEXPUNGE") bit = kMessageExpunge;
    if (u == "FLAGCHANGE") bit = kFlagChange;
    if (u == "ANNOTATIONCHANGE") bit = kAnnotationChange;
    if (u == "MAILBOXNAME") bit = kMailboxName;
    if (u == "SUBSCRIPTIONCHANGE") bit = kSubscriptionChange;
    if (u == "MAILBOXMETADATACHANGE") bit = kMailboxMetadataChange;
    if (u == "SERVERMETADATACHANGE") bit = kServerMetadataChange;
    if (bit == kMessageNew && p.peek(' ')) {
      // RFC 5465 §8: "MessageNew" [SP "(" fetch-att *(SP fetch-att) ")"]
      Parser probe = p;
      if (probe.space() && probe.consume('(')) {
        p = probe;
        do {
          if (!parse_fetch_item(p, fetch)) return false;
        } while (p.space());
        if (!p.consume(')') || fetch.size() > kMaxItems) return false;
      }
    }
    if (bit == 0 || bit == kAnnotationChange) {
      if (result.bad_event.empty()) result.bad_event = *word;
    }
    bits |= bit;
  } while (p.space());
  return p.consume(')');
}

}  // namespace

NotifyParse parse_notify(Parser& p) {
  NotifyParse result;
  if (p.consume_word("NONE")) {
    result.none = true;
    if (!p.at_end()) result.error = "NOTIFY NONE takes no arguments";
    return result;
  }
  if (!p.consume_word("SET") || !p.space()) {
    result.error = "Expected NONE or SET";
    return result;
  }
  NotifySpec spec;
  if (p.consume_word("STATUS")) {
    spec.status = true;
    if (!p.space()) {
      result.error = "Missing event groups";
      return result;
    }
  }
  do {
    NotifyFilter filter;
    auto word = p.consume('(') ? p.atom() : std::nullopt;
    auto kind = word ? filter_kind(upper(*word)) : std::nullopt;
    if (!kind || spec.filters.size() >= kMaxItems) {
      result.error = "Invalid event group";
      return result;
    }
    filter.kind = *kind;
    bool needs_names =
        filter.kind == NotifyFilter::Kind::subtree || filter.kind == NotifyFilter::Kind::mailboxes;
    if (needs_names && (!p.space() || !mailbox_list(p, filter.mailboxes))) {
      result.error = "Invalid mailbox list";
      return result;
    }
    if (!p.space() || !events(p, result, filter.events, filter.fetch) || !p.consume(')')) {
      result.error = "Invalid events";
      return result;
    }
    if (!result.bad_event.empty()) return result;
    // RFC 5465 §5: MessageNew and MessageExpunge together; FlagChange needs both.
    bool new_ = filter.events & kMessageNew, expunge = filter.events & kMessageExpunge;
    if (new_ != expunge || ((filter.events & kFlagChange) && !new_)) {
      result.error = "MessageNew and MessageExpunge must be given together (RFC 5465 5.2)";
      return result;
    }
    for (const FetchItem& item : filter.fetch) {
      // A notification must not change the mailbox: BODY[...] and BINARY[...] without
      // .PEEK (and RFC822, RFC822.TEXT) would set \Seen on every new message, which
      // Dovecot refuses too.
      if ((item.kind == FetchItem::Kind::section || item.kind == FetchItem::Kind::binary) &&
          !item.peek) {
        result.error = "MessageNew's fetch attributes may not set \\Seen (use BODY.PEEK)";
        return result;
      }
    }
    bool selected = filter.kind == NotifyFilter::Kind::selected ||
                    filter.kind == NotifyFilter::Kind::selected_delayed;
    if (selected && notify_selected_filter(spec) != nullptr) {
      // RFC 5465 §6: SELECTED and SELECTED-DELAYED are two ways to name one mailbox.
      result.error = "SELECTED and SELECTED-DELAYED may be given once";
      return result;
    }
    spec.filters.push_back(std::move(filter));
  } while (p.space());
  if (!p.at_end()) {
    result.error = "Invalid arguments";
    return result;
  }
  result.spec = std::move(spec);
  return result;
}

const NotifyFilter* notify_selected_filter(const NotifySpec& spec) {
  for (const auto& f : spec.filters) {
    if (f.kind == NotifyFilter::Kind::selected || f.kind == NotifyFilter::Kind::selected_delayed)
      return &f;
  }
  return nullptr;
}

bool notify_covers(const NotifyFilter& filter, const std::string& name,
                   const std::set<std::string>& subscribed) {
  using K = NotifyFilter::Kind;
  switch (filter.kind) {
    case K::selected:
    case K::selected_delayed:
      return false;  // the selected mailbox reports as without NOTIFY
    case K::inboxes:
      return name == "INBOX";  // the personal namespace has one inbox
    case K::personal:
      return true;
    case K::subscribed:
      return subscribed.contains(name);
    case K::subtree:
      for (const auto& m : filter.mailboxes) {
        if (name == m || (name.size() > m.size() && name.starts_with(m) &&
                          name[m.size()] == mailbox::kHierarchySeparator))
          return true;
      }
      return false;
    case K::mailboxes:
      for (const auto& m : filter.mailboxes) {
        if (name == m) return true;
      }
      return false;
  }
  return false;
}

}  // namespace correio::imapd
