// Which mailboxes LIST and LSUB return and with which attributes (RFC 9051 §6.3.9, RFC
// 5258 LIST-EXTENDED, RFC 3501 §6.3.9 LSUB): a pure function of the folders, the
// subscriptions and the request, so it is tested without a server. Attribute order and
// choices the RFCs leave open follow Dovecot. Private to imapd.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "mailbox/mailbox.hpp"

namespace correio::imapd {

struct ListRequest {
  std::string reference;
  std::vector<std::string> patterns;
  bool extended = false;  // selection options, a pattern list or RETURN options were given
  bool select_subscribed = false, select_special_use = false, recursive_match = false;
  bool return_subscribed = false, return_children = false, return_special_use = false;
};

struct ListEntry {
  std::string name;
  std::string attributes;             // "\\Subscribed \\HasNoChildren", without parentheses
  bool exists = true;                 // false: \NonExistent (or \Noselect) — no STATUS
  bool childinfo_subscribed = false;  // RFC 5258 §3.5 CHILDINFO ("SUBSCRIBED")
};

std::vector<ListEntry> select_list_entries(const ListRequest& request,
                                           const std::vector<mailbox::FolderInfo>& folders,
                                           const std::set<std::string>& subscribed);

struct LsubEntry {
  std::string name;
  // "\Noselect" for a parent of a subscribed name that '%' hides, not subscribed itself;
  // the folder's special-use attribute, as Dovecot adds it.
  std::string attributes;
};

std::vector<LsubEntry> select_lsub_entries(std::string_view pattern,
                                           const std::vector<std::string>& subscribed,
                                           const std::vector<mailbox::FolderInfo>& folders);

}  // namespace correio::imapd
