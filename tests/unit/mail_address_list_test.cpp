// parse_addr_specs on malformed quoted strings (issue 20 item 6): an unterminated quoted
// string drops its mailbox instead of being closed, and never lengthens an address.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mail/address_list.hpp"

namespace correio::mail {
namespace {

using Addresses = std::vector<std::string>;

TEST(AddressListQuotes, UnterminatedQuoteIsNotClosed) {
  // The fuzz input that found it (fuzz/seeds/address_list_fuzz/unterminated-quote-crash):
  // it used to give "\xbe\"\xff\"", one byte longer than the input.
  EXPECT_EQ(parse_addr_specs("\xbe\"\xff"), Addresses{});
  EXPECT_EQ(parse_addr_specs("\"john@example.org"), Addresses{});
  EXPECT_EQ(parse_addr_specs("<\"abc@example.org>"), Addresses{});
  // A backslash escaping the end of the value leaves the string open too.
  EXPECT_EQ(parse_addr_specs("\"abc\\\"@example.org\\"), Addresses{});
}

TEST(AddressListQuotes, EarlierMailboxesSurvive) {
  // The open quote swallows the rest of the value, so only the mailboxes before it stay.
  EXPECT_EQ(parse_addr_specs("a@example.org, <b@example.org>, \"c@example.org, d@x"),
            (Addresses{"a@example.org", "b@example.org"}));
}

TEST(AddressListQuotes, TerminatedQuotesStillWork) {
  EXPECT_EQ(parse_addr_specs("\"a;b\"@example.org"), Addresses{"\"a;b\"@example.org"});
  EXPECT_EQ(parse_addr_specs("\"Doe, Jane\" <jane@example.org>"), Addresses{"jane@example.org"});
  EXPECT_EQ(parse_addr_specs("\"x\\\"y\"@example.org"), Addresses{"\"x\\\"y\"@example.org"});
}

TEST(AddressListQuotes, NoAddressIsLongerThanItsInput) {
  for (std::string input : {"\"", "\"\"", "\\\"", "<\"", "(\"", "a\"b", "\"a\"\"", "\"\\"}) {
    for (const auto& a : parse_addr_specs(input)) {
      EXPECT_FALSE(a.empty()) << input;
      EXPECT_LE(a.size(), input.size()) << input;
    }
  }
}

}  // namespace
}  // namespace correio::mail
