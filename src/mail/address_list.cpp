// Address-list tokenizing for sendmail -t (see address_list.hpp).
#include "mail/address_list.hpp"

namespace correio::mail {
namespace {

// Collects the addr-spec of one mailbox: the text inside <...> if there is one, else
// the bare words. Comments are dropped; quoted strings are kept with their quotes when
// they are a local part, dropped when they are a display name (outside <>).
class Collector {
 public:
  explicit Collector(std::vector<std::string>& out, size_t limit) : out_(out), limit_(limit) {}

  void add_char(char c) {
    if (in_angle_)
      angle_ += c;
    else
      bare_ += c;
  }
  void open_angle() {
    in_angle_ = true;
    angle_.clear();
    saw_angle_ = true;
  }
  void close_angle() { in_angle_ = false; }
  // The current mailbox cannot be parsed (an unterminated quoted string): it is dropped.
  void reject() { rejected_ = true; }
  // End of one mailbox (',' or ';' or the end).
  void finish() {
    std::string a = rejected_ ? std::string() : saw_angle_ ? angle_ : bare_;
    // An obsolete source route: "@relay1,@relay2:user@example.org" keeps the last part.
    if (!a.empty() && a.front() == '@') {
      size_t colon = a.find(':');
      a = colon == std::string::npos ? std::string() : a.substr(colon + 1);
    }
    if (!a.empty() && out_.size() < limit_) out_.push_back(std::move(a));
    bare_.clear();
    angle_.clear();
    in_angle_ = saw_angle_ = rejected_ = false;
  }
  // "group-name:" — what came before the colon was a display name, not an address.
  void start_group() {
    bare_.clear();
    angle_.clear();
    saw_angle_ = false;
  }
  bool in_angle() const { return in_angle_; }

 private:
  std::vector<std::string>& out_;
  size_t limit_;
  std::string bare_, angle_;
  bool in_angle_ = false, saw_angle_ = false, rejected_ = false;
};

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

}  // namespace

std::vector<std::string> parse_addr_specs(std::string_view value, size_t limit) {
  std::vector<std::string> out;
  Collector c(out, limit);
  size_t i = 0;
  while (i < value.size()) {
    char ch = value[i];
    if (ch == '(') {  // comment, possibly nested (RFC 5322 §3.2.2)
      int depth = 0;
      for (; i < value.size(); ++i) {
        if (value[i] == '\\') {
          ++i;
          continue;
        }
        if (value[i] == '(') ++depth;
        if (value[i] == ')' && --depth == 0) break;
      }
      ++i;
      continue;
    }
    if (ch == '"') {  // quoted string: a local part, or a display name
      std::string q = "\"";
      for (++i; i < value.size() && value[i] != '"'; ++i) {
        if (value[i] == '\\' && i + 1 < value.size()) q += value[i++];
        q += value[i];
      }
      // RFC 5322 §3.2.4: a quoted string ends with DQUOTE. One that runs to the end of the
      // value is not closed here on the writer's behalf: the mailbox holding it is dropped
      // (it would otherwise become an address nobody wrote).
      if (i >= value.size()) {
        c.reject();
        break;
      }
      q += '"';
      ++i;
      for (char qc : q) c.add_char(qc);
      continue;
    }
    if (ch == '<') {
      c.open_angle();
    } else if (ch == '>') {
      c.close_angle();
    } else if (ch == ',' && !c.in_angle()) {
      c.finish();
    } else if (ch == ';' && !c.in_angle()) {
      c.finish();
    } else if (ch == ':' && !c.in_angle()) {
      c.start_group();
    } else if (!is_space(ch)) {
      c.add_char(ch);
    } else if (!c.in_angle()) {
      // Kept so that "Jane Doe" without <> is seen as a phrase, not an address.
      c.add_char(' ');
    }
    ++i;
  }
  c.finish();
  // Bare forms with spaces ("Jane Doe" without <>) are not addresses; trim the others.
  std::vector<std::string> clean;
  for (auto& a : out) {
    size_t b = a.find_first_not_of(' '), e = a.find_last_not_of(' ');
    if (b == std::string::npos) continue;
    std::string t = a.substr(b, e - b + 1);
    if (t.find(' ') != std::string::npos) continue;
    clean.push_back(std::move(t));
  }
  return clean;
}

}  // namespace correio::mail
