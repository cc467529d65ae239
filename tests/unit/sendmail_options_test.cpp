// sendmail(1)'s command line, the -t header scan and the address-list tokenizer.
#include "cli/sendmail_options.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mail/address_list.hpp"
#include "queue/envelope.hpp"

namespace correio::cli {
namespace {

SendmailParse parse(std::vector<std::string> args) {
  static std::vector<std::string> storage;
  storage = std::move(args);
  storage.insert(storage.begin(), "sendmail");
  static std::vector<char*> argv;
  argv.clear();
  for (auto& a : storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  return parse_sendmail_args(static_cast<int>(storage.size()), argv.data());
}

TEST(SendmailOptions, PostfixOptionsAndRecipients) {
  auto p = parse({"-t", "-oi", "-f", "<me@example.org>", "-FJane Doe", "-N", "success,delay", "-R",
                  "HDRS", "-V", "env-1", "-oem", "-odb", "--", "a@x.org", "<b@y.org>"});
  ASSERT_TRUE(p.options) << p.error;
  const auto& o = *p.options;
  EXPECT_TRUE(o.extract_recipients);
  EXPECT_TRUE(o.ignore_dots);
  EXPECT_EQ(o.sender, "me@example.org");
  EXPECT_EQ(o.full_name, "Jane Doe");
  EXPECT_EQ(o.notify, "success,delay");
  EXPECT_EQ(o.ret, "hdrs");
  EXPECT_EQ(o.envid, "env-1");
  EXPECT_EQ(o.mode, SendmailOptions::Mode::deliver);
  EXPECT_EQ(o.recipients, (std::vector<std::string>{"a@x.org", "b@y.org"}));
}

TEST(SendmailOptions, ModesAndNullSender) {
  EXPECT_EQ(parse({"-bp"}).options->mode, SendmailOptions::Mode::list_queue);
  EXPECT_EQ(parse({"-bi"}).options->mode, SendmailOptions::Mode::new_aliases);
  EXPECT_EQ(parse({"-I"}).options->mode, SendmailOptions::Mode::new_aliases);
  EXPECT_EQ(parse({"-q"}).options->mode, SendmailOptions::Mode::flush_queue);
  EXPECT_EQ(parse({"-f", "<>", "x"}).options->sender, "");
  EXPECT_EQ(parse({"-C", "/etc/x", "a"}).options->config_dir, std::string("/etc/x"));
  // Operands after the first non-option are all recipients, even "-x"-looking ones.
  EXPECT_EQ(parse({"a@x", "-i"}).options->recipients, (std::vector<std::string>{"a@x", "-i"}));
}

TEST(SendmailOptions, UsageErrors) {
  EXPECT_FALSE(parse({"-bx"}).options);
  EXPECT_FALSE(parse({"-f"}).options);
  EXPECT_FALSE(parse({"-N", "sometimes"}).options);
  EXPECT_FALSE(parse({"-N", "never,success"}).options);
  EXPECT_FALSE(parse({"-R", "body"}).options);
  EXPECT_FALSE(parse({"-K"}).options);
}

TEST(SendmailOptions, NotifyBits) {
  EXPECT_EQ(parse_notify("never"), queue::kNotifyNever);
  EXPECT_EQ(parse_notify("delay, FAILURE"), queue::kNotifyDelay | queue::kNotifyFailure);
  EXPECT_FALSE(parse_notify("bogus"));
}

TEST(ScanHeaders, ExtractsToCcBccAndDropsBcc) {
  auto s = scan_headers(
      "From: me@example.org\n"
      "To: \"Doe, Jane\" <jane@example.org>, bob@example.org (Bob)\n"
      "Cc: team: a@x.org, b@x.org;\n"
      "Bcc: hidden@example.org,\n"
      " also-hidden@example.org\n"
      "Subject: hi\n\n",
      true);
  EXPECT_EQ(s.recipients,
            (std::vector<std::string>{"jane@example.org", "bob@example.org", "a@x.org", "b@x.org",
                                      "hidden@example.org", "also-hidden@example.org"}));
  EXPECT_EQ(s.headers_without_bcc,
            "From: me@example.org\n"
            "To: \"Doe, Jane\" <jane@example.org>, bob@example.org (Bob)\n"
            "Cc: team: a@x.org, b@x.org;\n"
            "Subject: hi\n\n");
}

TEST(ScanHeaders, ResentHeadersWinAndWithoutExtractNothingIsCollected) {
  auto s = scan_headers("To: old@x.org\nResent-To: new@x.org\nResent-Bcc: secret@x.org\n", true);
  EXPECT_EQ(s.recipients, (std::vector<std::string>{"new@x.org", "secret@x.org"}));
  EXPECT_EQ(s.headers_without_bcc, "To: old@x.org\nResent-To: new@x.org\n");
  EXPECT_TRUE(scan_headers("To: a@x.org\n", false).recipients.empty());
}

TEST(AddressList, Forms) {
  using mail::parse_addr_specs;
  EXPECT_EQ(parse_addr_specs("a@x.org"), (std::vector<std::string>{"a@x.org"}));
  EXPECT_EQ(parse_addr_specs("Jane Doe <j@x.org>"), (std::vector<std::string>{"j@x.org"}));
  EXPECT_EQ(parse_addr_specs("<@relay.org:u@x.org>"), (std::vector<std::string>{"u@x.org"}));
  EXPECT_EQ(parse_addr_specs("undisclosed-recipients:;"), (std::vector<std::string>{}));
  EXPECT_EQ(parse_addr_specs("Jane Doe"), (std::vector<std::string>{}));
  EXPECT_EQ(parse_addr_specs("\"odd,name\"@x.org, (c) b@x.org"),
            (std::vector<std::string>{"\"odd,name\"@x.org", "b@x.org"}));
  EXPECT_EQ(parse_addr_specs("a@x, b@x, c@x", 2), (std::vector<std::string>{"a@x", "b@x"}));
}

}  // namespace
}  // namespace correio::cli
