// RFC 5256 §4 THREAD=ORDEREDSUBJECT and THREAD=REFERENCES.
#include "mail/threading.hpp"

#include <algorithm>
#include <map>
#include <unordered_map>

#include "mail/detail/rfc822_tokens.hpp"
#include "mail/message_search.hpp"

namespace correio::mail {
namespace {

constexpr std::size_t kNone = static_cast<std::size_t>(-1);

struct Node {
  const ThreadMessage* message = nullptr;  // nullptr: a dummy container
  std::size_t parent = kNone;
  std::vector<std::size_t> children;
};

// The msg-ids ("<...>") in a References/In-Reply-To/Message-ID value, in order. Lenient:
// anything between '<' and '>' without whitespace inside counts (Dovecot does similar).
std::vector<std::string> message_ids(std::string_view value) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < value.size()) {
    if (value[i] == '(') {
      detail::Rfc822Lexer lex(value.substr(i));
      (void)lex.comment();
      i += lex.position();
      continue;
    }
    if (value[i] != '<') {
      ++i;
      continue;
    }
    std::size_t close = value.find('>', i);
    if (close == std::string_view::npos) break;
    std::string id;
    for (std::size_t k = i + 1; k < close; ++k)
      if (value[k] != ' ' && value[k] != '\t' && value[k] != '\r' && value[k] != '\n')
        id.push_back(value[k]);
    if (!id.empty() && id.find('<') == std::string::npos) out.push_back(std::move(id));
    i = close + 1;
  }
  return out;
}

// Prints a thread list: a node with one child continues on the same level ("a b"), more
// children are parenthesised ("a (b)(c)"), a dummy prints only its children. Iterative, so
// long reply chains cannot exhaust the stack.
void print_thread(const std::vector<Node>& nodes, std::size_t root, std::string& out) {
  struct Frame {
    std::size_t node;
    std::size_t next_child;
    bool wrapped;  // printed inside its own parentheses
  };
  out.push_back('(');
  std::vector<Frame> stack{{root, 0, false}};
  bool first_token = true;
  while (!stack.empty()) {
    Frame& f = stack.back();
    const Node& n = nodes[f.node];
    if (f.next_child == 0 && n.message != nullptr) {
      if (!first_token && out.back() != '(') out.push_back(' ');
      out += std::to_string(n.message->id);
      first_token = false;
    }
    if (f.next_child >= n.children.size()) {
      if (f.wrapped) out.push_back(')');
      stack.pop_back();
      continue;
    }
    std::size_t child = n.children[f.next_child++];
    bool wrap = n.children.size() > 1;
    if (wrap) {
      if (f.next_child == 1 && n.message != nullptr) out.push_back(' ');
      out.push_back('(');
    }
    stack.push_back({child, 0, wrap});
  }
  out.push_back(')');
}

class ThreadSorter {
 public:
  explicit ThreadSorter(std::vector<Node>& nodes) : nodes_(nodes) {}
  // The date a node sorts by: its own, or its first child's for a dummy.
  const ThreadMessage* key(std::size_t i) const {
    std::size_t guard = 0;
    while (nodes_[i].message == nullptr && !nodes_[i].children.empty() && guard++ < nodes_.size())
      i = nodes_[i].children.front();
    return nodes_[i].message;
  }
  bool less(std::size_t a, std::size_t b) const {
    const ThreadMessage* x = key(a);
    const ThreadMessage* y = key(b);
    if (x == nullptr || y == nullptr) return x != nullptr;
    if (x->sent_date != y->sent_date) return x->sent_date < y->sent_date;
    return x->id < y->id;
  }
  void sort(std::vector<std::size_t>& v) const {
    std::stable_sort(v.begin(), v.end(), [&](std::size_t a, std::size_t b) { return less(a, b); });
  }
  // Sorts every node's children, deepest first (post-order), iteratively.
  void sort_all(const std::vector<std::size_t>& roots) {
    std::vector<std::size_t> order;
    std::vector<std::size_t> stack(roots.begin(), roots.end());
    while (!stack.empty()) {
      std::size_t n = stack.back();
      stack.pop_back();
      order.push_back(n);
      for (std::size_t c : nodes_[n].children) stack.push_back(c);
    }
    for (auto it = order.rbegin(); it != order.rend(); ++it) sort(nodes_[*it].children);
  }

 private:
  std::vector<Node>& nodes_;
};

}  // namespace

std::string thread_orderedsubject(const std::vector<ThreadMessage>& messages) {
  // §4 ORDEREDSUBJECT: sort by base subject then sent date; each run of equal subjects is
  // one thread whose first message is the parent of all the others.
  std::vector<std::pair<std::string, const ThreadMessage*>> sorted;
  for (const ThreadMessage& m : messages)
    sorted.emplace_back(ascii_casemap(base_subject(m.subject)), &m);
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first < b.first;
    if (a.second->sent_date != b.second->sent_date)
      return a.second->sent_date < b.second->sent_date;
    return a.second->id < b.second->id;
  });
  std::vector<Node> nodes;
  nodes.reserve(sorted.size());
  std::vector<std::size_t> roots;
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    nodes.push_back(Node{sorted[i].second, kNone, {}});
    if (i > 0 && sorted[i].first == sorted[i - 1].first) {
      nodes[roots.back()].children.push_back(i);
    } else {
      roots.push_back(i);
    }
  }
  ThreadSorter sorter(nodes);
  sorter.sort(roots);  // threads in order of their first message's sent date
  std::string out;
  for (std::size_t r : roots) print_thread(nodes, r, out);
  return out;
}

std::string thread_references(const std::vector<ThreadMessage>& messages) {
  std::vector<Node> nodes;
  nodes.reserve(messages.size() * 2);
  std::unordered_map<std::string, std::size_t> by_id;
  auto container = [&](const std::string& id) {
    auto [it, inserted] = by_id.try_emplace(id, nodes.size());
    if (inserted) nodes.push_back(Node{});
    return it->second;
  };
  auto is_ancestor = [&](std::size_t a, std::size_t of) {  // a is `of` or above it
    // A container without children is nobody's ancestor: skips the walk in the common case.
    if (a != of && nodes[a].children.empty()) return false;
    for (std::size_t p = of, guard = 0; p != kNone && guard <= nodes.size();
         p = nodes[p].parent, ++guard)
      if (p == a) return true;
    return false;
  };
  auto unlink = [&](std::size_t child) {
    std::size_t p = nodes[child].parent;
    if (p == kNone) return;
    auto& siblings = nodes[p].children;
    siblings.erase(std::remove(siblings.begin(), siblings.end(), child), siblings.end());
    nodes[child].parent = kNone;
  };
  auto link = [&](std::size_t parent, std::size_t child) {
    nodes[child].parent = parent;
    nodes[parent].children.push_back(child);
  };

  // (1) Containers for each message and each referenced id; parent links from the chains.
  std::size_t unique_counter = 0;
  for (const ThreadMessage& m : messages) {
    std::vector<std::string> own = message_ids(m.message_id);
    std::size_t self;
    // A message without a valid or with a duplicate Message-ID gets a unique container.
    if (own.empty() || (by_id.count(own.front()) && nodes[by_id[own.front()]].message)) {
      self = container("\x01unique-" + std::to_string(unique_counter++));
    } else {
      self = container(own.front());
    }
    nodes[self].message = &m;
    std::vector<std::string> refs = message_ids(m.references);
    if (refs.empty()) {
      std::vector<std::string> irt = message_ids(m.in_reply_to);
      if (!irt.empty()) refs.push_back(irt.front());
    }
    std::size_t previous = kNone;
    for (const std::string& r : refs) {
      std::size_t c = container(r);
      if (previous != kNone && nodes[c].parent == kNone && !is_ancestor(c, previous))
        link(previous, c);
      previous = c;
    }
    // (1B) the last reference is this message's parent, replacing any earlier guess.
    if (previous != kNone && previous != self && !is_ancestor(self, previous)) {
      unlink(self);
      link(previous, self);
    } else if (previous == kNone) {
      unlink(self);
    }
  }
  // (2) the root set.
  std::vector<std::size_t> roots;
  for (std::size_t i = 0; i < nodes.size(); ++i)
    if (nodes[i].parent == kNone) roots.push_back(i);

  // (4) prune dummies: childless ones go; others are replaced by their children, except
  // at the root level where a dummy with several children stays.
  std::vector<std::size_t> stack;
  auto prune = [&](std::vector<std::size_t>& level, bool root_level) {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < level.size(); ++i) {
      std::size_t n = level[i];
      if (nodes[n].message == nullptr) {
        if (nodes[n].children.empty()) continue;
        if (!root_level || nodes[n].children.size() == 1) {
          for (std::size_t c : nodes[n].children) {
            nodes[c].parent = nodes[n].parent;
            level.push_back(c);  // re-examined (it may be a dummy too)
          }
          nodes[n].children.clear();
          continue;
        }
      }
      out.push_back(n);
    }
    level = std::move(out);
  };
  prune(roots, true);
  stack.assign(roots.begin(), roots.end());
  while (!stack.empty()) {
    std::size_t n = stack.back();
    stack.pop_back();
    prune(nodes[n].children, false);
    for (std::size_t c : nodes[n].children) {
      nodes[c].parent = n;
      stack.push_back(c);
    }
  }
  for (std::size_t r : roots) nodes[r].parent = kNone;

  // (5) sort the root set by sent date (a dummy by its earliest child).
  ThreadSorter sorter(nodes);
  sorter.sort_all(roots);
  sorter.sort(roots);

  // (6) merge threads with the same base subject.
  auto subject_of = [&](std::size_t n, bool& reply) -> std::string {
    const ThreadMessage* m = nodes[n].message;
    if (m == nullptr && !nodes[n].children.empty()) m = nodes[nodes[n].children.front()].message;
    reply = false;
    if (m == nullptr) return "";
    return ascii_casemap(base_subject(m->subject, reply));
  };
  std::map<std::string, std::size_t> by_subject;
  std::map<std::size_t, std::size_t> wrapped_by;  // root -> the dummy that took its place
  for (std::size_t r : roots) {
    bool reply = false;
    std::string s = subject_of(r, reply);
    if (s.empty()) continue;
    auto it = by_subject.find(s);
    if (it == by_subject.end()) {
      by_subject.emplace(s, r);
      continue;
    }
    std::size_t old = it->second;
    bool old_reply = false;
    (void)subject_of(old, old_reply);
    // RFC 5256 §2.2 step 6B: never replace a dummy; else the current container wins when
    // it is a dummy, or when the table's message is a reply and the current one is not.
    bool old_dummy = nodes[old].message == nullptr;
    bool r_dummy = nodes[r].message == nullptr;
    if (!old_dummy && (r_dummy || (old_reply && !reply))) it->second = r;
  }
  for (std::size_t r : roots) {
    if (nodes[r].parent != kNone) continue;  // already merged into another thread
    bool reply = false;
    std::string s = subject_of(r, reply);
    auto it = s.empty() ? by_subject.end() : by_subject.find(s);
    if (it == by_subject.end() || it->second == r) continue;
    std::size_t t = it->second;
    bool t_reply = false;
    (void)subject_of(t, t_reply);
    bool t_dummy = nodes[t].message == nullptr;
    bool r_dummy = nodes[r].message == nullptr;
    if (t_dummy && r_dummy) {
      for (std::size_t c : nodes[r].children) link(t, c);
      nodes[r].children.clear();
    } else if (t_dummy || (!t_reply && reply)) {
      link(t, r);
    } else {
      // Otherwise both become siblings under a new dummy that takes t's place.
      std::size_t d = nodes.size();
      nodes.push_back(Node{});
      link(d, t);
      link(d, r);
      it->second = d;
      wrapped_by[t] = d;
    }
  }
  // Each thread keeps the place in the sorted root set of the container the subject table
  // held (step 6: a merged thread stays where that container was; a new dummy takes its
  // place), not that of its earliest member — as Dovecot orders them.
  std::vector<std::size_t> merged_roots;
  for (std::size_t r : roots) {
    std::size_t top = nodes[r].parent == kNone ? r : wrapped_by.count(r) ? wrapped_by[r] : kNone;
    if (top == kNone) continue;  // merged into another thread
    while (nodes[top].parent != kNone) top = nodes[top].parent;
    if (nodes[top].message == nullptr && nodes[top].children.empty()) continue;
    merged_roots.push_back(top);
  }
  // (7) sort the children of every thread.
  sorter.sort_all(merged_roots);
  std::string out;
  for (std::size_t r : merged_roots) print_thread(nodes, r, out);
  return out;
}

}  // namespace correio::mail
