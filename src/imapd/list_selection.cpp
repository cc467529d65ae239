// LIST and LSUB selection (see list_selection.hpp).
#include "imapd/list_selection.hpp"

#include <map>

#include "imapd/list_pattern.hpp"

namespace correio::imapd {
namespace {

constexpr char kSep = mailbox::kHierarchySeparator;

bool matches_any(const ListRequest& r, std::string_view name) {
  for (const auto& pattern : r.patterns)
    if (list_pattern_matches(r.reference + pattern, name, kSep)) return true;
  return false;
}

bool is_descendant(std::string_view name, std::string_view parent) {
  return name.size() > parent.size() + 1 && name.starts_with(parent) && name[parent.size()] == kSep;
}

// Every ancestor of `name`: "a.b.c" -> "a", "a.b".
std::vector<std::string> ancestors(std::string_view name) {
  std::vector<std::string> out;
  for (size_t at = name.find(kSep); at != std::string_view::npos; at = name.find(kSep, at + 1))
    out.emplace_back(name.substr(0, at));
  return out;
}

}  // namespace

std::vector<ListEntry> select_list_entries(const ListRequest& r,
                                           const std::vector<mailbox::FolderInfo>& folders,
                                           const std::set<std::string>& subscribed) {
  // The candidates in the folder list's order, then subscribed names that have no folder
  // (deleted since): LIST (SUBSCRIBED) shows them \NonExistent (RFC 5258 §3.1).
  std::map<std::string, mailbox::FolderInfo> by_name;
  std::vector<std::string> order;
  for (const auto& f : folders) {
    if (by_name.emplace(f.name, f).second) order.push_back(f.name);
  }
  for (const auto& name : subscribed) {
    if (!r.select_subscribed || by_name.contains(name)) continue;
    mailbox::FolderInfo gone{name, false, false, ""};
    for (const auto& f : folders)
      gone.has_children = gone.has_children || is_descendant(f.name, name);
    by_name.emplace(name, gone);
    order.push_back(name);
  }
  // RECURSIVEMATCH: the parents of subscribed names are candidates for CHILDINFO even when
  // no folder of theirs is left (RFC 5258 §3.5; Dovecot lists them \NonExistent).
  if (r.select_subscribed && r.recursive_match) {
    for (const auto& name : subscribed) {
      for (auto& parent : ancestors(name)) {
        if (by_name.contains(parent)) continue;
        by_name.emplace(parent, mailbox::FolderInfo{parent, false, true, ""});
        order.push_back(std::move(parent));
      }
    }
  }
  // Children are told when asked for, and unasked to a plain LIST (RFC 5258 §4 allows
  // it; Dovecot does so, and no more).
  bool children = r.return_children || !r.extended;
  bool want_subscribed = r.return_subscribed || r.select_subscribed;

  std::vector<ListEntry> out;
  for (const auto& name : order) {
    const mailbox::FolderInfo& f = by_name.at(name);
    bool is_subscribed = subscribed.contains(name);
    bool childinfo = false;
    if (r.recursive_match) {
      // A descendant that satisfies the selection but that the pattern does not reach.
      for (const auto& s : subscribed)
        childinfo = childinfo || (is_descendant(s, name) && !matches_any(r, s));
    }
    if (!matches_any(r, name)) continue;
    if (r.select_subscribed && !is_subscribed && !childinfo) continue;
    if (r.select_special_use && f.special_use.empty()) continue;
    ListEntry e{name, "", f.exists, childinfo};
    auto add = [&](std::string_view a) {
      if (!e.attributes.empty()) e.attributes += ' ';
      e.attributes += a;
    };
    if (want_subscribed && is_subscribed) add("\\Subscribed");
    // \NonExistent implies \Noselect; a plain LIST says \Noselect, which every client
    // knows (RFC 5258 §3.4), as Dovecot does.
    if (!f.exists && (is_subscribed || !r.select_subscribed || childinfo))
      add(r.extended ? "\\NonExistent" : "\\Noselect");
    // A parent listed only for CHILDINFO carries no other attribute (RFC 5258 §5 example).
    bool listed_for_children_only = r.select_subscribed && !is_subscribed;
    if (children && !listed_for_children_only)
      add(f.has_children ? "\\HasChildren" : "\\HasNoChildren");
    // Special-use attributes when asked for, and unasked to a plain LIST (RFC 6154 §1
    // allows it; Dovecot does so).
    bool special = r.return_special_use || r.select_special_use || !r.extended;
    if (!listed_for_children_only && special && !f.special_use.empty()) add(f.special_use);
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<LsubEntry> select_lsub_entries(std::string_view pattern,
                                           const std::vector<std::string>& subscribed,
                                           const std::vector<mailbox::FolderInfo>& folders) {
  std::map<std::string, std::string, std::less<>> special_use;
  for (const auto& f : folders)
    if (!f.special_use.empty()) special_use.emplace(f.name, f.special_use);
  auto special = [&](const std::string& name) {
    auto it = special_use.find(name);
    return it == special_use.end() ? std::string() : it->second;
  };
  std::set<std::string> names(subscribed.begin(), subscribed.end());
  std::vector<LsubEntry> out;
  std::set<std::string> parents;
  for (const auto& name : subscribed) {
    if (list_pattern_matches(pattern, name, kSep)) {
      out.push_back({name, special(name)});
      continue;
    }
    // RFC 3501 §6.3.9: a subscribed name hidden by '%' brings its parent, \Noselect.
    if (pattern.find('%') == std::string_view::npos) continue;
    for (const auto& parent : ancestors(name)) {
      if (names.contains(parent) || !list_pattern_matches(pattern, parent, kSep)) continue;
      std::string attributes = "\\Noselect";
      if (auto use = special(parent); !use.empty()) attributes += " " + use;
      if (parents.insert(parent).second) out.push_back({parent, attributes});
    }
  }
  return out;
}

}  // namespace correio::imapd
