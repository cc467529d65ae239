// STATUS items (RFC 9051 §6.3.11, RFC 8438 SIZE, RFC 7162 HIGHESTMODSEQ, RFC 9208
// DELETED): parsing the item list and writing the response, for STATUS and for LIST's
// RETURN (STATUS ...) (RFC 5819). Private to imapd.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "imapd/parser.hpp"
#include "mailbox/mailbox.hpp"

namespace correio::imapd {

// The STATUS items of a parenthesised list; false on a syntax error or unknown item.
bool parse_status_items(Parser& p, std::vector<std::string>& items);

// "STATUS name (ITEM value ...)" for the requested items, in the client's order.
std::string status_line(const std::string& name, const mailbox::FolderStatus& st,
                        const std::vector<std::string>& items, uint32_t deleted);

// The number of \Deleted messages, which the index does not count: only when asked for.
uint32_t deleted_count(mailbox::MailUser& user, const std::string& name,
                       const std::vector<std::string>& items);

}  // namespace correio::imapd
