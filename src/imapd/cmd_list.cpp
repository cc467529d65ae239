// LIST (RFC 9051 §6.3.9 with RFC 5258 LIST-EXTENDED, RFC 5819 LIST-STATUS, RFC 6154
// SPECIAL-USE) and LSUB (RFC 3501 §6.3.9): the arguments are parsed here, the selection
// is list_selection.cpp's.
#include <set>

#include "imapd/list_selection.hpp"
#include "imapd/response.hpp"
#include "imapd/session.hpp"
#include "imapd/status_items.hpp"

namespace correio::imapd {
namespace {

std::string quoted_separator() {
  return std::string("\"") + mailbox::kHierarchySeparator + "\"";
}

}  // namespace

asio::awaitable<void> Session::cmd_list(const Command& c, Parser& p) {
  // LIST [(selection options)] reference (pattern | (patterns)) [RETURN (options)]
  ListRequest r;
  std::vector<std::string> status_items;
  if (p.consume('(')) {
    r.extended = true;
    while (!p.consume(')')) {
      auto opt = p.atom();
      if (!opt) {
        bad(c, "Invalid LIST selection options.");
        co_return;
      }
      std::string u = upper(*opt);
      if (u == "SUBSCRIBED") {
        r.select_subscribed = true;
      } else if (u == "SPECIAL-USE") {
        r.select_special_use = true;
      } else if (u == "RECURSIVEMATCH") {
        r.recursive_match = true;
      } else if (u != "REMOTE") {
        bad(c, "Unknown LIST selection option " + u);
        co_return;
      }
      p.consume(' ');
    }
    if (r.recursive_match && !r.select_subscribed) {
      bad(c, "RECURSIVEMATCH needs another selection option.");
      co_return;
    }
    if (!p.space()) {
      bad(c, "Invalid LIST arguments.");
      co_return;
    }
  }
  auto reference = p.mailbox();
  if (!reference || !p.space()) {
    bad(c, "Error in IMAP command LIST: Invalid arguments.");
    co_return;
  }
  r.reference = *reference;
  if (p.consume('(')) {
    r.extended = true;
    for (;;) {
      auto pat = p.list_mailbox();
      if (!pat) {
        bad(c, "Invalid LIST patterns.");
        co_return;
      }
      r.patterns.push_back(*pat);
      if (p.consume(')')) break;
      if (!p.space()) {
        bad(c, "Invalid LIST patterns.");
        co_return;
      }
    }
  } else {
    auto pat = p.list_mailbox();
    if (!pat) {
      bad(c, "Error in IMAP command LIST: Invalid pattern.");
      co_return;
    }
    r.patterns.push_back(*pat);
  }
  if (p.consume(' ')) {
    r.extended = true;
    if (!p.consume_word("RETURN") || !p.space() || !p.consume('(')) {
      bad(c, "Invalid LIST return options.");
      co_return;
    }
    while (!p.consume(')')) {
      auto opt = p.atom();
      if (!opt) {
        bad(c, "Invalid LIST return options.");
        co_return;
      }
      std::string u = upper(*opt);
      if (u == "SUBSCRIBED") {
        r.return_subscribed = true;
      } else if (u == "CHILDREN") {
        r.return_children = true;
      } else if (u == "SPECIAL-USE") {
        r.return_special_use = true;
      } else if (u == "STATUS") {
        if (!p.space() || !parse_status_items(p, status_items)) {
          bad(c, "Invalid LIST STATUS items.");
          co_return;
        }
      } else {
        bad(c, "Unknown LIST return option " + u);
        co_return;
      }
      p.consume(' ');
    }
  }
  if (!p.at_end()) {
    bad(c, "Error in IMAP command LIST: Extra arguments.");
    co_return;
  }
  // LIST "" "": the hierarchy delimiter and root (RFC 9051 §6.3.9).
  if (r.patterns.size() == 1 && r.patterns[0].empty()) {
    untagged("LIST (\\Noselect) " + quoted_separator() + " \"\"");
    ok(c, "List completed.");
    co_return;
  }
  auto folders = user_->list_folders();
  if (!folders) {
    no(c, "[SERVERBUG] " + folders.error().message);
    co_return;
  }
  std::set<std::string> subscribed;
  if (r.return_subscribed || r.select_subscribed) {
    if (auto subs = user_->subscriptions()) subscribed.insert(subs->begin(), subs->end());
  }
  for (const ListEntry& e : select_list_entries(r, *folders, subscribed)) {
    std::string line = "LIST (" + e.attributes + ") " + quoted_separator() + " ";
    append_astring(line, e.name);
    if (e.childinfo_subscribed) line += " (CHILDINFO (\"SUBSCRIBED\"))";
    untagged(line);
    if (!status_items.empty() && e.exists) {
      auto st = user_->status(e.name);
      if (st)
        untagged(
            status_line(e.name, *st, status_items, deleted_count(*user_, e.name, status_items)));
    }
  }
  ok(c, "List completed.");
}

asio::awaitable<void> Session::cmd_lsub(const Command& c, Parser& p) {
  auto reference = p.mailbox();
  bool sp = reference.has_value() && p.space();
  auto pattern = sp ? p.list_mailbox() : std::nullopt;
  if (!pattern || !p.at_end()) {
    bad(c, "Error in IMAP command LSUB: Invalid arguments.");
    co_return;
  }
  auto subs = user_->subscriptions();
  if (!subs) {
    no(c, "[SERVERBUG] " + subs.error().message);
    co_return;
  }
  auto folders = user_->list_folders();
  if (!folders) {
    no(c, "[SERVERBUG] " + folders.error().message);
    co_return;
  }
  for (const LsubEntry& e : select_lsub_entries(*reference + *pattern, *subs, *folders)) {
    std::string line = "LSUB (" + e.attributes + ") " + quoted_separator() + " ";
    append_astring(line, e.name);
    untagged(line);
  }
  ok(c, "Lsub completed.");
}

}  // namespace correio::imapd
