// METADATA (RFC 5464): entry-name rules and the file the entries are kept in.
#include <gtest/gtest.h>

#include "imapd/metadata_entry.hpp"
#include "mailbox/metadata_file.hpp"

namespace correio::imapd {
namespace {

TEST(MetadataEntry, NormalizesAndRefuses) {
  EXPECT_EQ(normalize_metadata_entry("/private/Comment"), "/private/comment");
  EXPECT_EQ(normalize_metadata_entry("/SHARED"), "/shared");
  EXPECT_EQ(normalize_metadata_entry("/shared/vendor/example.com/x"),
            "/shared/vendor/example.com/x");
  for (const char* bad :
       {"", "/", "shared/comment", "/comment", "/privatex", "/shared//comment", "/shared/comment/",
        "/shared/*", "/shared/%", "/shared/a b", "/shared/\x01", "/shared/\xc3\xa9"}) {
    EXPECT_FALSE(normalize_metadata_entry(bad)) << bad;
  }
}

TEST(MetadataEntry, SettableAndWithin) {
  EXPECT_FALSE(settable_metadata_entry("/shared"));
  EXPECT_FALSE(settable_metadata_entry("/private"));
  EXPECT_FALSE(settable_metadata_entry("/shared/vendor/example.com"));
  EXPECT_FALSE(settable_metadata_entry("/shared/vendor"));
  EXPECT_TRUE(settable_metadata_entry("/shared/vendor/example.com/x"));
  EXPECT_TRUE(settable_metadata_entry("/private/comment"));
  EXPECT_TRUE(metadata_entry_within("/private/a", "/private/a", 0));
  EXPECT_FALSE(metadata_entry_within("/private/a/b", "/private/a", 0));
  EXPECT_TRUE(metadata_entry_within("/private/a/b", "/private/a", 1));
  EXPECT_FALSE(metadata_entry_within("/private/a/b/c", "/private/a", 1));
  EXPECT_TRUE(metadata_entry_within("/private/a/b/c", "/private/a", -1));
  EXPECT_FALSE(metadata_entry_within("/private/ab", "/private/a", -1));
}

TEST(MetadataFile, RoundTripsBinaryValues) {
  mailbox::MetadataEntries entries{{"/private/comment", "line 1\r\nline 2"},
                                   {"/shared/x", std::string("a\0b\n", 4)},
                                   {"/shared/empty", ""}};
  auto text = mailbox::format_metadata(entries);
  EXPECT_EQ(mailbox::parse_metadata(text), entries);
  EXPECT_EQ(mailbox::parse_metadata(""), mailbox::MetadataEntries{});
  for (std::string bad :
       {std::string("junk"), text.substr(0, text.size() - 1),
        std::string("correio-metadata 1\n/x 5\nab\n"), std::string("correio-metadata 1\n/x y\n\n"),
        std::string("correio-metadata 1\n/a\x01 1\nx\n")}) {
    EXPECT_FALSE(mailbox::parse_metadata(bad)) << bad;
  }
}

}  // namespace
}  // namespace correio::imapd
