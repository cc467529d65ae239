// LIST/LSUB selection (imapd/list_selection.hpp) on folder lists written by hand; the
// integration test test_imap_list_vs_dovecot.py compares the same rules with Dovecot.
#include <gtest/gtest.h>

#include "imapd/list_selection.hpp"

namespace correio::imapd {
namespace {

const std::vector<mailbox::FolderInfo> kFolders = {
    {"INBOX", true, false, ""},        {"Archive", true, true, "\\Archive"},
    {"Archive.2024", false, true, ""}, {"Archive.2024.Q1", true, false, ""},
    {"Lists", true, true, ""},         {"Lists.Debian", true, false, ""},
};

std::vector<std::string> lines(const std::vector<ListEntry>& entries) {
  std::vector<std::string> out;
  for (const auto& e : entries)
    out.push_back("(" + e.attributes + ") " + e.name +
                  (e.childinfo_subscribed ? " CHILDINFO" : ""));
  return out;
}

TEST(ListSelection, PlainListSaysNoselectAndChildren) {
  ListRequest r{"", {"*"}};
  auto got = lines(select_list_entries(r, kFolders, {}));
  EXPECT_EQ(got[1], "(\\HasChildren \\Archive) Archive");
  EXPECT_EQ(got[2], "(\\Noselect \\HasChildren) Archive.2024");
}

TEST(ListSelection, SubscribedSelectionListsDeletedNamesAndChildInfo) {
  ListRequest r{"", {"%"}, true, true, false, true};
  std::set<std::string> subscribed = {"INBOX", "Gone", "Lists.Debian"};
  auto got = lines(select_list_entries(r, kFolders, subscribed));
  EXPECT_EQ(got, (std::vector<std::string>{"(\\Subscribed) INBOX", "() Lists CHILDINFO",
                                           "(\\Subscribed \\NonExistent) Gone"}));
}

TEST(ListSelection, LsubShowsHiddenParentsAsNoselect) {
  auto got = select_lsub_entries("%", {"INBOX", "Archive.2024.Q1"}, kFolders);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].name, "INBOX");
  EXPECT_EQ(got[1].name, "Archive");
  EXPECT_EQ(got[1].attributes, "\\Noselect \\Archive");
  auto deeper = select_lsub_entries("Archive.%", {"Archive.2024.Q1"}, kFolders);
  ASSERT_EQ(deeper.size(), 1u);
  EXPECT_EQ(deeper[0].name, "Archive.2024");
}

}  // namespace
}  // namespace correio::imapd
