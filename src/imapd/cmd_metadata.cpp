// GETMETADATA and SETMETADATA (RFC 5464 METADATA and METADATA-SERVER): entries of a
// mailbox, or of the account for the mailbox name "", stored by mailbox::MailUser.
// Answers as Dovecot does: entries in lower case, NIL for a missing entry at DEPTH 0.
#include <fmt/format.h>

#include "imapd/metadata_entry.hpp"
#include "imapd/response.hpp"
#include "imapd/session.hpp"

namespace correio::imapd {
namespace {

// Limits the RFC leaves to the server (§4.3: [METADATA MAXSIZE n], [METADATA TOOMANY]).
constexpr size_t kMaxValueSize = 64 * 1024;
constexpr size_t kMaxEntries = 500;

void append_value(std::string& out, const std::string& value) {
  if (value.find('\0') != std::string::npos) {
    out += fmt::format("~{{{}}}\r\n", value.size());  // binary: literal8 (RFC 5464 §5)
    out += value;
  } else {
    append_string(out, value);
  }
}

// entries = entry / "(" entry *(SP entry) ")"
std::optional<std::vector<std::string>> parse_entries(Parser& p) {
  std::vector<std::string> names;
  bool list = p.consume('(');
  do {
    if (list && !names.empty() && !p.space()) return std::nullopt;
    if (p.peek('~')) return std::nullopt;  // an entry name is an astring, not literal8
    auto raw = p.astring();
    auto name = raw ? normalize_metadata_entry(*raw) : std::nullopt;
    if (!name) return std::nullopt;
    names.push_back(std::move(*name));
  } while (list && !p.consume(')'));
  return names;
}

}  // namespace

asio::awaitable<void> Session::cmd_getmetadata(const Command& c, Parser& p) {
  // getmetadata = "GETMETADATA" [SP getmetadata-options] SP mailbox SP entries
  std::optional<size_t> max_size;
  int depth = 0;
  if (p.consume('(')) {
    bool first = true;
    while (!p.consume(')')) {
      if (!first && !p.space()) {
        bad(c, "Error in IMAP command GETMETADATA: Invalid options.");
        co_return;
      }
      first = false;
      if (p.consume_word("MAXSIZE") && p.space() && !p.peek('"')) {
        auto n = p.number();
        if (!n || *n > UINT32_MAX) {
          bad(c, "Error in IMAP command GETMETADATA: Invalid MAXSIZE.");
          co_return;
        }
        max_size = *n;
      } else if (p.consume_word("DEPTH") && p.space()) {
        if (p.consume_word("infinity")) {
          depth = -1;
        } else if (p.consume('0')) {
          depth = 0;
        } else if (p.consume('1')) {
          depth = 1;
        } else {
          bad(c, "Error in IMAP command GETMETADATA: Invalid DEPTH.");
          co_return;
        }
      } else {
        bad(c, "Error in IMAP command GETMETADATA: Invalid options.");
        co_return;
      }
    }
    if (first || !p.space()) {
      bad(c, "Error in IMAP command GETMETADATA: Invalid options.");
      co_return;
    }
  }
  auto box = p.mailbox();
  auto entries = box && p.space() ? parse_entries(p) : std::nullopt;
  if (!entries || !p.at_end()) {
    bad(c, "Error in IMAP command GETMETADATA: Invalid arguments.");
    co_return;
  }
  auto stored = user_->metadata(*box);
  if (!stored) {
    no(c, stored.error().message);
    co_return;
  }
  std::string items;
  size_t longest_skipped = 0;
  auto add = [&](const std::string& name, const std::string* value) {
    if (value && max_size && value->size() > *max_size) {
      longest_skipped = std::max(longest_skipped, value->size());
      return;
    }
    if (!items.empty()) items += ' ';
    items += name;
    items += ' ';
    if (value)
      append_value(items, *value);
    else
      items += "NIL";
  };
  for (const std::string& base : *entries) {
    if (depth == 0) {
      auto it = stored->find(base);
      add(base, it == stored->end() ? nullptr : &it->second);
      continue;
    }
    // DEPTH 1 / infinity: the entry and its descendants that exist (RFC 5464 §4.2.2).
    for (auto it = stored->lower_bound(base); it != stored->end() && it->first.starts_with(base);
         ++it) {
      if (metadata_entry_within(it->first, base, depth)) add(it->first, &it->second);
    }
  }
  if (!items.empty()) {
    std::string line = "METADATA ";
    append_astring(line, *box);
    untagged(line + " (" + items + ")");
  }
  if (longest_skipped > 0) {
    ok(c, fmt::format("[METADATA LONGENTRIES {}] Getmetadata completed.", longest_skipped));
  } else {
    ok(c, "Getmetadata completed.");
  }
}

asio::awaitable<void> Session::cmd_setmetadata(const Command& c, Parser& p) {
  // setmetadata = "SETMETADATA" SP mailbox SP entry-values
  // entry-values = "(" entry-value *(SP entry-value) ")"; entry-value = entry SP value
  auto box = p.mailbox();
  if (!box || !p.space() || !p.consume('(')) {
    bad(c, "Error in IMAP command SETMETADATA: Invalid arguments.");
    co_return;
  }
  std::vector<std::pair<std::string, std::optional<std::string>>> changes;
  while (!p.consume(')')) {
    if (!changes.empty() && !p.space()) {
      bad(c, "Error in IMAP command SETMETADATA: Invalid arguments.");
      co_return;
    }
    auto raw = p.peek('~') ? std::nullopt : p.astring();
    auto name = raw ? normalize_metadata_entry(*raw) : std::nullopt;
    if (!name || !settable_metadata_entry(*name) || !p.space()) {
      bad(c, "Error in IMAP command SETMETADATA: Invalid entry name.");
      co_return;
    }
    std::optional<std::string> value;
    if (!p.consume_word("NIL")) {
      bool binary = p.peek('~');
      value = p.peek('"') || p.peek('{') || binary ? p.string(true) : std::nullopt;
      // Text values use CRLF line ends (§3.2); literal8 values are octets.
      bool bare_eol = false;
      if (value && !binary) {
        for (size_t i = 0; i < value->size(); ++i) {
          char ch = (*value)[i];
          if ((ch == '\n' && (i == 0 || (*value)[i - 1] != '\r')) ||
              (ch == '\r' && (i + 1 >= value->size() || (*value)[i + 1] != '\n')))
            bare_eol = true;
        }
      }
      if (!value || bare_eol) {
        bad(c, "Error in IMAP command SETMETADATA: Invalid value.");
        co_return;
      }
      if (value->size() > kMaxValueSize) {
        no(c, fmt::format("[METADATA MAXSIZE {}] Metadata value too large.", kMaxValueSize));
        co_return;
      }
    }
    changes.emplace_back(std::move(*name), std::move(value));
  }
  if (changes.empty() || !p.at_end()) {
    bad(c, "Error in IMAP command SETMETADATA: Invalid arguments.");
    co_return;
  }
  if (box->empty()) {
    for (const auto& change : changes) {
      if (change.first == "/shared/admin") {  // the server's own entry (§3.2.1.1)
        no(c, "[CANNOT] The /shared/admin entry cannot be changed.");
        co_return;
      }
    }
  }
  bool too_many = false;
  Status saved = user_->update_metadata(*box, [&](mailbox::MetadataEntries& entries) {
    for (auto& [name, value] : changes) {
      if (value)
        entries[name] = std::move(*value);
      else
        entries.erase(name);
    }
    too_many = entries.size() > kMaxEntries;
    return !too_many;
  });
  if (too_many) {
    no(c, "[METADATA TOOMANY] Too many metadata entries.");
  } else if (!saved) {
    no(c, saved.error().message);
  } else {
    ok(c, "Setmetadata completed.");
  }
}

}  // namespace correio::imapd
