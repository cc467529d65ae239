// postconf -Me/-MX/-M#/-Pe/-PX on master.cf text (expected outputs are what Postfix 3.7's
// postconf writes for the same input; tests/integration/test_postconf_vs_postfix.py
// compares with the real program).
#include "cli/postconf_master_edit.hpp"

#include <gtest/gtest.h>

namespace correio::cli::postconf {
namespace {

constexpr std::string_view kMaster =
    "# header\n"
    "smtp      inet  n       -       y       -       -       smtpd\n"
    "submission inet n       -       y       -       -       smtpd\n"
    "  -o syslog_name=postfix/submission\n"
    "#  -o smtpd_sasl_auth_enable=yes\n"
    "  -o smtpd_tls_security_level=encrypt\n"
    "pickup    unix  n       -       y       60      1       pickup\n";

std::string edit(MasterEditMode mode, std::vector<std::string> args) {
  std::vector<MasterEditRequest> requests;
  for (const auto& a : args) {
    auto r = parse_master_edit_argument(a, mode);
    EXPECT_TRUE(r.ok()) << a;
    if (r) requests.push_back(*r);
  }
  auto out = edit_master_cf_text(kMaster, "master.cf", mode, requests);
  EXPECT_TRUE(out.ok());
  return out ? *out : "";
}

TEST(MasterEdit, SetParameterRewritesOnlyThatEntryAfterItsComments) {
  EXPECT_EQ(edit(MasterEditMode::kSetParameter, {"submission/inet/smtpd_tls_security_level=may"}),
            "# header\n"
            "smtp      inet  n       -       y       -       -       smtpd\n"
            "#  -o smtpd_sasl_auth_enable=yes\n"
            "submission inet  n       -       y       -       -       smtpd\n"
            "    -o syslog_name=postfix/submission\n"
            "    -o smtpd_tls_security_level=may\n"
            "pickup    unix  n       -       y       60      1       pickup\n");
}

TEST(MasterEdit, CommentOutAndRemoveWholeEntries) {
  std::string commented = edit(MasterEditMode::kCommentOutEntry, {"submission/inet"});
  EXPECT_NE(commented.find("#submission inet n"), std::string::npos);
  EXPECT_NE(commented.find("#  -o syslog_name=postfix/submission\n"), std::string::npos);
  std::string removed = edit(MasterEditMode::kRemoveEntry, {"submission/inet"});
  EXPECT_EQ(removed.find("submission inet"), std::string::npos);
  EXPECT_EQ(removed.find("-o syslog_name"), std::string::npos);
  EXPECT_NE(removed.find("#  -o smtpd_sasl_auth_enable=yes\n"), std::string::npos);
}

TEST(MasterEdit, NewEntryIsAppended) {
  std::string out = edit(MasterEditMode::kSetEntry,
                         {"smtps/inet=smtps inet n - y - - smtpd -o smtpd_tls_wrappermode=yes"});
  EXPECT_TRUE(out.starts_with(kMaster));
  EXPECT_EQ(out.substr(kMaster.size()),
            "smtps      inet  n       -       y       -       -       smtpd\n"
            "    -o smtpd_tls_wrappermode=yes\n");
}

TEST(MasterEdit, ArgumentErrorsArePostfixs) {
  auto p = parse_master_edit_argument("smtp/inet/a", MasterEditMode::kSetParameter);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().message, "missing '=' after attribute name: \"smtp/inet/a\"");
  EXPECT_FALSE(parse_master_edit_argument("smtp", MasterEditMode::kRemoveEntry).ok());
  EXPECT_FALSE(parse_master_edit_argument("smtp/inet/x=a b", MasterEditMode::kSetParameter).ok());
}

TEST(MasterEdit, SetFieldReplacesOneColumn) {
  std::string out = edit(MasterEditMode::kSetField, {"pickup/unix/process_limit=2"});
  EXPECT_NE(out.find("pickup     unix  n       -       y       60      2       pickup\n"),
            std::string::npos)
      << out;
  // Other entries are kept byte for byte.
  EXPECT_NE(out.find("submission inet n       -       y       -       -       smtpd\n"),
            std::string::npos);
}

TEST(MasterEdit, SetCommandFieldReplacesCommandAndArguments) {
  // As Postfix's pcf_edit_master_field(): the -o overrides are part of the command field.
  std::string out =
      edit(MasterEditMode::kSetField, {"submission/inet/command=smtpd -o syslog_name=sub"});
  EXPECT_NE(out.find("submission inet  n       -       y       -       -       smtpd\n"
                     "    -o syslog_name=sub\n"),
            std::string::npos)
      << out;
  EXPECT_EQ(out.find("smtpd_tls_security_level=encrypt"), std::string::npos);
}

TEST(MasterEdit, SetFieldRefusesBadNamesAndValues) {
  auto bad_name = parse_master_edit_argument("smtp/inet/colour=y", MasterEditMode::kSetField);
  ASSERT_FALSE(bad_name.ok());
  EXPECT_EQ(bad_name.error().message, "invalid field name: \"colour\"");
  EXPECT_FALSE(parse_master_edit_argument("smtp/inet=x", MasterEditMode::kSetField).ok());
  EXPECT_FALSE(parse_master_edit_argument("smtp/inet/chroot", MasterEditMode::kSetField).ok());
  // A value master would refuse is refused when the entry is rewritten.
  std::vector<MasterEditRequest> requests{
      *parse_master_edit_argument("smtp/inet/process_limit=many", MasterEditMode::kSetField)};
  auto out = edit_master_cf_text(kMaster, "master.cf", MasterEditMode::kSetField, requests);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.error().message.find("invalid maxproc field \"many\""), std::string::npos);
}

}  // namespace
}  // namespace correio::cli::postconf
