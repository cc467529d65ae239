// LIST's and LSUB's response lines (see list_response.hpp).
#include "imapd/list_response.hpp"

#include "imapd/response.hpp"
#include "mailbox/mailbox.hpp"

namespace correio::imapd {
namespace {

std::string quoted_separator() {
  return std::string("\"") + mailbox::kHierarchySeparator + "\"";
}

}  // namespace

std::string list_response(const ListEntry& entry) {
  std::string line = "LIST (" + entry.attributes + ") " + quoted_separator() + " ";
  append_astring(line, entry.name);
  if (entry.childinfo_subscribed) line += " (CHILDINFO (\"SUBSCRIBED\"))";
  return line;
}

std::string lsub_response(const LsubEntry& entry) {
  std::string line = "LSUB (" + entry.attributes + ") " + quoted_separator() + " ";
  append_astring(line, entry.name);
  return line;
}

std::string list_root_response() {
  return "LIST (\\Noselect) " + quoted_separator() + " \"\"";
}

}  // namespace correio::imapd
