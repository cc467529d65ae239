// Parsing of the FETCH data items (see fetch_items.hpp).
#include "imapd/fetch_items.hpp"

#include <cctype>

#include "base/strings.hpp"

namespace correio::imapd {
namespace {

// Parses "[section]" after BODY / BODY.PEEK / BINARY...; the parser is at '['.
bool parse_section_spec(Parser& p, mail::SectionSpec& spec, std::string& echoed) {
  if (!p.consume('[')) return p.fail("Expected '['");
  std::string_view rest = p.rest();
  size_t end = 0;
  bool in_quote = false;
  for (; end < rest.size(); ++end) {
    char ch = rest[end];
    if (in_quote && ch == '\\') {
      ++end;
      continue;
    }
    if (ch == '"') in_quote = !in_quote;
    if (ch == ']' && !in_quote) break;
    if (ch == '\r' || ch == '\n') return p.fail("Unterminated section");
  }
  if (end >= rest.size()) return p.fail("Unterminated section");
  auto parsed = mail::parse_section(rest.substr(0, end));
  if (!parsed) return p.fail("Invalid section");
  spec = *parsed;
  echoed = mail::section_to_string(spec);
  for (size_t i = 0; i <= end; ++i) (void)p.consume(rest[i]);
  return true;
}

bool parse_partial(Parser& p, FetchItem& item) {
  if (!p.consume('<')) return true;
  auto start = p.number();
  if (!start) return false;
  uint64_t length = UINT64_MAX;
  if (p.consume('.')) {
    auto n = p.number();
    if (!n || *n == 0) return p.fail("Invalid partial length");
    length = *n;
  } else {
    item.partial_no_length = true;
  }
  if (!p.consume('>')) return p.fail("Invalid partial");
  item.partial = std::make_pair(*start, length);
  return true;
}

}  // namespace

bool parse_fetch_item(Parser& p, std::vector<FetchItem>& items) {
  using K = FetchItem::Kind;
  // Item names stop at '[' (BODY.PEEK[...]), which an atom would swallow.
  std::string u;
  while (!p.rest().empty()) {
    char ch = p.rest()[0];
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '.') break;
    u += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    (void)p.consume(ch);
  }
  if (u.empty()) return p.fail("Expected a FETCH item");
  auto simple = [&](K kind, std::string label) {
    items.push_back({kind, std::move(label), {}, false, std::nullopt, false});
  };
  if (u == "ALL" || u == "FAST" || u == "FULL") {
    simple(K::flags, "FLAGS");
    simple(K::internal_date, "INTERNALDATE");
    simple(K::size, "RFC822.SIZE");
    if (u != "FAST") simple(K::envelope, "ENVELOPE");
    if (u == "FULL") simple(K::body, "BODY");
    return true;
  }
  if (u == "UID") return simple(K::uid, "UID"), true;
  if (u == "FLAGS") return simple(K::flags, "FLAGS"), true;
  if (u == "INTERNALDATE") return simple(K::internal_date, "INTERNALDATE"), true;
  if (u == "RFC822.SIZE") return simple(K::size, "RFC822.SIZE"), true;
  if (u == "ENVELOPE") return simple(K::envelope, "ENVELOPE"), true;
  if (u == "BODYSTRUCTURE") return simple(K::body_structure, "BODYSTRUCTURE"), true;
  if (u == "MODSEQ") return simple(K::modseq, "MODSEQ"), true;
  if (u == "EMAILID") return simple(K::email_id, "EMAILID"), true;
  if (u == "THREADID") return simple(K::thread_id, "THREADID"), true;
  if (u == "SAVEDATE") return simple(K::save_date, "SAVEDATE"), true;
  if (u == "PREVIEW") {
    // RFC 8970 §4: PREVIEW (LAZY) may answer NIL when no preview is at hand; ours is
    // always computed, so LAZY changes nothing.
    std::string_view rest = p.rest();
    if (rest.size() >= 7 && rest[0] == ' ' && rest[1] == '(') {
      Parser look(rest.substr(2));
      auto mod = look.atom();
      if (mod && upper(*mod) == "LAZY" && look.consume(')')) {
        (void)p.consume(' ');
        (void)p.consume('(');
        (void)p.atom();
        (void)p.consume(')');
      }
    }
    return simple(K::preview, "PREVIEW"), true;
  }
  if (u == "RFC822" || u == "RFC822.HEADER" || u == "RFC822.TEXT") {
    FetchItem item{K::section, u, {}, u == "RFC822.HEADER", std::nullopt, false};
    if (u == "RFC822.HEADER") item.section.kind = mail::SectionSpec::Kind::kHeader;
    if (u == "RFC822.TEXT") item.section.kind = mail::SectionSpec::Kind::kText;
    items.push_back(std::move(item));
    return true;
  }
  if (u == "BODY" && !p.peek('[')) return simple(K::body, "BODY"), true;
  if (u == "BODY" || u == "BODY.PEEK" || u == "BINARY" || u == "BINARY.PEEK" ||
      u == "BINARY.SIZE") {
    FetchItem item{K::section, "", {}, u.ends_with(".PEEK"), std::nullopt, false};
    if (u.starts_with("BINARY")) item.kind = u == "BINARY.SIZE" ? K::binary_size : K::binary;
    std::string echoed;
    if (!parse_section_spec(p, item.section, echoed)) return false;
    if (item.kind != K::section && item.section.kind != mail::SectionSpec::Kind::kFull) {
      return p.fail("BINARY takes only a part number");
    }
    std::string base =
        u.starts_with("BINARY") ? (u == "BINARY.SIZE" ? "BINARY.SIZE" : "BINARY") : "BODY";
    item.label = base + "[" + echoed + "]";
    if (item.kind != K::binary_size && !parse_partial(p, item)) return false;
    items.push_back(std::move(item));
    return true;
  }
  return p.fail("Unknown FETCH item " + u);
}

Result<FetchArgs> parse_fetch_args(Parser& p) {
  FetchArgs args;
  auto set = p.sequence_set();
  if (!set || !p.space()) return Error{"Error in IMAP command FETCH: Invalid arguments."};
  args.set = std::move(*set);
  bool ok_items = true;
  if (p.consume('(')) {
    for (;;) {
      if (!parse_fetch_item(p, args.items)) {
        ok_items = false;
        break;
      }
      if (p.consume(')')) break;
      if (!p.space()) {
        ok_items = false;
        break;
      }
    }
  } else {
    ok_items = parse_fetch_item(p, args.items);
  }
  if (!ok_items) return Error{"Error in IMAP command FETCH: " + p.error()};
  if (p.consume(' ')) {
    if (!p.consume('(')) return Error{"Invalid FETCH modifiers."};
    while (!p.consume(')')) {
      auto mod = p.atom();
      if (!mod) return Error{"Invalid FETCH modifiers."};
      std::string u = upper(*mod);
      if (u == "CHANGEDSINCE") {
        auto n = p.space() ? p.number() : std::nullopt;
        if (!n) return Error{"Invalid CHANGEDSINCE."};
        args.changed_since = *n;
      } else if (u == "VANISHED") {
        args.vanished = true;
      } else if (u == "PARTIAL" && !args.partial) {
        // RFC 9394 §3.2: only the messages at these positions of the set.
        auto text = p.space() ? p.atom() : std::nullopt;
        args.partial = text ? parse_partial_range(*text) : std::nullopt;
        if (!args.partial) return Error{"Invalid PARTIAL range."};
      } else {
        return Error{"Unknown FETCH modifier " + u};
      }
      p.consume(' ');
    }
  }
  if (!p.at_end()) return Error{"Error in IMAP command FETCH: Extra arguments."};
  return args;
}

}  // namespace correio::imapd
