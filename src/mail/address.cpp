// RFC 5322 §3.4 address lists for IMAP ENVELOPE (RFC 3501 §7.4.2) and SORT keys
// (RFC 5256 §3, RFC 5957). Lenient like Dovecot's message-address parser: a missing local
// part or domain becomes MISSING_MAILBOX / MISSING_DOMAIN, a trailing comment names an
// address that has no display name.
#include "mail/address.hpp"

#include "mail/detail/rfc822_tokens.hpp"
#include "mail/encoded_words.hpp"

namespace correio::mail {
namespace {

constexpr std::string_view kMissingMailbox = "MISSING_MAILBOX";
constexpr std::string_view kMissingDomain = "MISSING_DOMAIN";
constexpr std::size_t kMaxAddresses = 10000;

using detail::Rfc822Lexer;

// Words of a phrase or local part: atoms, dots and quoted strings, until a delimiter.
struct Words {
  std::string phrase;   // words joined by single spaces (display-name form)
  std::string joined;   // words concatenated (local-part form)
  std::string comment;  // the last comment seen
  bool any = false;
};

void skip_cfws_keep_comment(Rfc822Lexer& lex, std::string& comment) {
  while (!lex.at_end()) {
    char c = lex.peek();
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      lex.advance();
    } else if (c == '(') {
      comment = lex.comment();
    } else {
      break;
    }
  }
}

Words read_words(Rfc822Lexer& lex) {
  Words w;
  bool last_dot = false;
  while (true) {
    skip_cfws_keep_comment(lex, w.comment);
    char c = lex.peek();
    std::string word;
    bool dot = false;
    if (c == '"') {
      word = lex.quoted_string();
    } else if (c == '.') {
      lex.advance();
      word = ".";
      dot = true;
    } else if (!lex.at_end() && detail::is_atext(c)) {
      word = std::string(lex.dot_atom());
    } else {
      break;
    }
    // Display names keep the dot attached ("Joe Q. Public"); local parts join everything.
    if (!w.phrase.empty() && !dot && !last_dot) w.phrase.push_back(' ');
    w.phrase += word;
    w.joined += word;
    last_dot = dot;
    w.any = true;
  }
  return w;
}

// A domain (dot-separated atoms, or a [literal]); a comment after it goes to `comment`.
std::string read_domain(Rfc822Lexer& lex, std::string& comment) {
  skip_cfws_keep_comment(lex, comment);
  std::string domain;
  if (lex.peek() == '[') {
    // Domain literal: kept with its brackets.
    while (!lex.at_end()) {
      char c = lex.peek();
      domain.push_back(c);
      lex.advance();
      if (c == ']') break;
    }
  } else {
    while (!lex.at_end()) {
      std::string_view atom = lex.dot_atom();  // includes dots
      if (atom.empty()) break;
      domain += atom;
      skip_cfws_keep_comment(lex, comment);
      if (lex.peek() != '.') break;
    }
  }
  skip_cfws_keep_comment(lex, comment);
  return domain;
}

// angle-addr after '<': [route ":"] local "@" domain ">"
void read_angle_addr(Rfc822Lexer& lex, Address& a) {
  std::string comment;
  skip_cfws_keep_comment(lex, comment);
  if (lex.peek() == '@') {
    // Obsolete source route "@a,@b:" (RFC 5322 §4.4).
    std::string route;
    while (lex.peek() == '@' || lex.peek() == ',') {
      route.push_back(lex.peek());
      lex.advance();
      if (route.back() == '@') route += read_domain(lex, comment);
      skip_cfws_keep_comment(lex, comment);
    }
    if (lex.peek() == ':') {
      lex.advance();
      a.route = route;
    }
  }
  Words local = read_words(lex);
  a.mailbox = local.joined;
  if (lex.peek() == '@') {
    lex.advance();
    a.host = read_domain(lex, comment);
  }
  // Skip to '>' (garbage inside the brackets is dropped).
  while (!lex.at_end() && lex.peek() != '>') lex.advance();
  if (lex.peek() == '>') lex.advance();
  skip_cfws_keep_comment(lex, comment);
}

void fill_missing(Address& a) {
  if (a.mailbox.empty()) a.mailbox = kMissingMailbox;
  if (a.host.empty()) a.host = kMissingDomain;
}

}  // namespace

std::vector<Address> parse_address_list(std::string_view value) {
  std::vector<Address> out;
  Rfc822Lexer lex(value);
  bool in_group = false;
  while (!lex.at_end() && out.size() < kMaxAddresses) {
    std::size_t start = lex.position();
    std::string comment;
    skip_cfws_keep_comment(lex, comment);
    char c = lex.peek();
    if (c == ',') {
      lex.advance();
      continue;
    }
    if (c == ';') {
      lex.advance();
      if (in_group) {
        Address end;
        end.is_group_end = true;
        out.push_back(end);
        in_group = false;
      }
      continue;
    }
    if (lex.at_end()) break;
    Words words = read_words(lex);
    Address a;
    c = lex.peek();
    if (c == ':' && !in_group && words.any) {
      lex.advance();
      a.mailbox = words.phrase;
      a.is_group_start = true;
      out.push_back(a);
      in_group = true;
      continue;
    }
    if (c == '<') {
      lex.advance();
      a.name = words.phrase;
      a.has_name = !words.phrase.empty();
      read_angle_addr(lex, a);
    } else if (c == '@') {
      lex.advance();
      a.mailbox = words.joined;
      std::string trailing;
      a.host = read_domain(lex, trailing);
      if (!trailing.empty()) {
        a.name = trailing;
        a.has_name = true;
      }
    } else if (words.any) {
      a.mailbox = words.joined;
      if (!words.comment.empty()) {
        a.name = words.comment;
        a.has_name = true;
      }
    }
    if (words.any || c == '<' || c == '@') {
      fill_missing(a);
      out.push_back(a);
    }
    // Skip anything up to the next separator.
    while (!lex.at_end() && lex.peek() != ',' && lex.peek() != ';') {
      if (lex.peek() == '"') {
        (void)lex.quoted_string();
      } else if (lex.peek() == '(') {
        (void)lex.comment();
      } else {
        lex.advance();
      }
    }
    if (lex.position() == start) lex.advance();  // always make progress
  }
  if (in_group) {
    Address end;
    end.is_group_end = true;
    out.push_back(end);
  }
  return out;
}

namespace {

// The first address as IMAP's ENVELOPE lists it: a group's start counts, its name being
// the addr-mailbox (RFC 3501 §7.4.2), so "Undisclosed:;" sorts as "Undisclosed" — what
// Dovecot does, and what "the first address" of RFC 5256 §3 means in IMAP terms.
const Address* first_address(const std::vector<Address>& list) {
  for (const Address& a : list)
    if (!a.is_group_end) return &a;
  return nullptr;
}

}  // namespace

std::string sort_key_mailbox(std::string_view header_value) {
  std::vector<Address> list = parse_address_list(header_value);
  const Address* a = first_address(list);
  if (a == nullptr || a->mailbox == kMissingMailbox) return "";
  return a->mailbox;
}

std::string sort_key_display(std::string_view header_value) {
  std::vector<Address> list = parse_address_list(header_value);
  const Address* a = first_address(list);
  if (a == nullptr) return "";
  if (a->is_group_start) return a->mailbox;  // the group's display name
  if (a->has_name) {
    std::string name = decode_encoded_words(a->name);
    if (!name.empty()) return name;
  }
  std::string spec = a->mailbox == kMissingMailbox ? "" : a->mailbox;
  if (a->host != kMissingDomain) spec += "@" + a->host;
  return spec;
}

}  // namespace correio::mail
