// Parsing of LIST's arguments (see list_args.hpp).
#include "imapd/list_args.hpp"

#include "imapd/status_items.hpp"

namespace correio::imapd {

Result<ListArgs> parse_list_args(Parser& p) {
  // LIST [(selection options)] reference (pattern | (patterns)) [RETURN (options)]
  ListArgs args;
  ListRequest& r = args.request;
  std::vector<std::string>& status_items = args.status_items;
  if (p.consume('(')) {
    r.extended = true;
    while (!p.consume(')')) {
      auto opt = p.atom();
      if (!opt) {
        return Error{"Invalid LIST selection options."};
      }
      std::string u = upper(*opt);
      if (u == "SUBSCRIBED") {
        r.select_subscribed = true;
      } else if (u == "SPECIAL-USE") {
        r.select_special_use = true;
      } else if (u == "RECURSIVEMATCH") {
        r.recursive_match = true;
      } else if (u != "REMOTE") {
        return Error{"Unknown LIST selection option " + u};
      }
      p.consume(' ');
    }
    if (r.recursive_match && !r.select_subscribed) {
      return Error{"RECURSIVEMATCH needs another selection option."};
    }
    if (!p.space()) {
      return Error{"Invalid LIST arguments."};
    }
  }
  auto reference = p.mailbox();
  if (!reference || !p.space()) {
    return Error{"Error in IMAP command LIST: Invalid arguments."};
  }
  r.reference = *reference;
  if (p.consume('(')) {
    r.extended = true;
    for (;;) {
      auto pat = p.list_mailbox();
      if (!pat) {
        return Error{"Invalid LIST patterns."};
      }
      r.patterns.push_back(*pat);
      if (p.consume(')')) break;
      if (!p.space()) {
        return Error{"Invalid LIST patterns."};
      }
    }
  } else {
    auto pat = p.list_mailbox();
    if (!pat) {
      return Error{"Error in IMAP command LIST: Invalid pattern."};
    }
    r.patterns.push_back(*pat);
  }
  if (p.consume(' ')) {
    r.extended = true;
    if (!p.consume_word("RETURN") || !p.space() || !p.consume('(')) {
      return Error{"Invalid LIST return options."};
    }
    while (!p.consume(')')) {
      auto opt = p.atom();
      if (!opt) {
        return Error{"Invalid LIST return options."};
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
          return Error{"Invalid LIST STATUS items."};
        }
      } else {
        return Error{"Unknown LIST return option " + u};
      }
      p.consume(' ');
    }
  }
  if (!p.at_end()) {
    return Error{"Error in IMAP command LIST: Extra arguments."};
  }
  return args;
}

}  // namespace correio::imapd
