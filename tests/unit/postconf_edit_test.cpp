// postconf -e / -X / -# on main.cf text, output folding, and whole-command runs.
#include "cli/postconf_edit.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace correio::cli::postconf {
namespace {

namespace fs = std::filesystem;

const char* kMainCf =
    "# Global settings\n"
    "myhostname = mx.example.org\n"
    "mydestination = $myhostname,\n"
    "    localhost.$mydomain,\n"
    "# a comment inside the entry\n"
    "    localhost\n"
    "\n"
    "relayhost =\n";

TEST(EditMainCf, ReplaceKeepsCommentsAndOrder) {
  std::vector<std::string> warnings;
  std::string out =
      edit_main_cf_text(kMainCf, EditMode::kSet,
                        {{"mydestination", "localhost"}, {"relayhost", "[gw]:587"}}, &warnings);
  EXPECT_EQ(out,
            "# Global settings\n"
            "myhostname = mx.example.org\n"
            "mydestination = localhost\n"
            "# a comment inside the entry\n"
            "\n"
            "relayhost = [gw]:587\n");
  EXPECT_TRUE(warnings.empty());
}

TEST(EditMainCf, AppendsNewEntriesSortedByName) {
  std::string out = edit_main_cf_text("a = 1", EditMode::kSet, {{"zz", "2"}, {"mm", "3"}}, nullptr);
  EXPECT_EQ(out, "a = 1\nmm = 3\nzz = 2\n");
}

TEST(EditMainCf, Remove) {
  std::string out = edit_main_cf_text(kMainCf, EditMode::kRemove, {{"mydestination", ""}}, nullptr);
  EXPECT_EQ(out,
            "# Global settings\n"
            "myhostname = mx.example.org\n"
            "# a comment inside the entry\n"
            "\n"
            "relayhost =\n");
}

TEST(EditMainCf, CommentOutEveryPhysicalLine) {
  std::string out =
      edit_main_cf_text(kMainCf, EditMode::kCommentOut, {{"mydestination", ""}}, nullptr);
  EXPECT_EQ(out,
            "# Global settings\n"
            "myhostname = mx.example.org\n"
            "#mydestination = $myhostname,\n"
            "#    localhost.$mydomain,\n"
            "# a comment inside the entry\n"
            "#    localhost\n"
            "\n"
            "relayhost =\n");
}

TEST(EditMainCf, MultipleEntriesAreAllEditedWithAWarning) {
  std::vector<std::string> warnings;
  std::string out =
      edit_main_cf_text("a = 1\nb = 2\na = 3\n", EditMode::kSet, {{"a", "9"}}, &warnings);
  EXPECT_EQ(out, "a = 9\nb = 2\na = 9\n");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0], "multiple entries for \"a\"");
}

TEST(EditMainCf, LaterRequestWins) {
  std::vector<std::string> warnings;
  std::string out = edit_main_cf_text("", EditMode::kSet, {{"a", "1"}, {"a", "2"}}, &warnings);
  EXPECT_EQ(out, "a = 2\n");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0], "ignoring earlier request: 'a = 1'");
}

TEST(EditMainCf, NameMatchIsExact) {
  std::string out = edit_main_cf_text("mydomain = a\nmydomainx = b\nmydomain=c\n",
                                      EditMode::kRemove, {{"mydomain", ""}}, nullptr);
  EXPECT_EQ(out, "mydomainx = b\n");
}

TEST(ParseEditArgument, Forms) {
  auto a = parse_edit_argument("relayhost = [smtp.example.com]:587");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->name, "relayhost");
  EXPECT_EQ(a->value, "[smtp.example.com]:587");
  auto b = parse_edit_argument("x=");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->value, "");
  EXPECT_FALSE(parse_edit_argument("novalue").ok());
  EXPECT_FALSE(parse_edit_argument("bad name=1").ok());
  EXPECT_FALSE(parse_edit_argument("a=b\nc=d").ok());
}

TEST(FormatLine, CollapsesBlanksAndFolds) {
  EXPECT_EQ(format_line("a =  b\t c", false), "a = b c\n");
  EXPECT_EQ(format_line("name =", false), "name =\n");
  std::string longv = "mydestination =";
  for (int i = 0; i < 12; ++i) longv += " domain" + std::to_string(i) + ".example";
  std::string folded = format_line(longv, true);
  EXPECT_NE(folded.find("\n    domain"), std::string::npos) << folded;
  std::istringstream lines(folded);
  for (std::string l; std::getline(lines, l);) EXPECT_LT(l.size(), 80u) << l;
  EXPECT_EQ(format_line(longv, false).find('\n'), format_line(longv, false).size() - 1);
}

class PostconfRun : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("correio-postconf-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  }
  std::string read(const std::string& name) {
    std::ifstream in(dir_ / name);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  int run_args(std::vector<std::string> args) {
    args.insert(args.begin(), {"postconf", "-c", dir_.string()});
    out_.clear();
    err_.clear();
    return run(args, out_, err_);
  }
  fs::path dir_;
  std::string out_, err_;
};

TEST_F(PostconfRun, NondefaultSortedUnexpanded) {
  write("main.cf",
        "myorigin = $mydomain\nmydomain = example.org\nx_list = a\n"
        "relay_domains = $x_list\n");
  EXPECT_EQ(run_args({"-n"}), 0);
  // -c DIR names the directory, so -n shows config_directory as Postfix does.
  EXPECT_EQ(out_, "config_directory = " + dir_.string() +
                      "\nmydomain = example.org\nmyorigin = $mydomain\n"
                      "relay_domains = $x_list\nx_list = a\n");
  EXPECT_EQ(err_, "");
}

// Postfix warns about an unknown, unreferenced name and does not print it.
TEST_F(PostconfRun, UnusedParameterWarnedNotPrinted) {
  write("main.cf", "virtual_alias_map = hash:/x\n");
  EXPECT_EQ(run_args({"-n"}), 0);
  EXPECT_EQ(out_, "config_directory = " + dir_.string() + "\n");
  EXPECT_EQ(err_, "postconf: warning: " + (dir_ / "main.cf").string() +
                      ": unused parameter: virtual_alias_map=hash:/x\n");
}

TEST_F(PostconfRun, ReferenceFromMasterCfCounts) {
  write("main.cf", "my_restrictions = permit_sasl_authenticated, reject\n");
  write("master.cf",
        "submission inet n - y - - smtpd -o smtpd_client_restrictions=$my_restrictions\n");
  EXPECT_EQ(run_args({"-n"}), 0);
  EXPECT_EQ(err_, "");
}

TEST_F(PostconfRun, NamesHideNameExpand) {
  write("main.cf", "myhostname = mx.example.org\n");
  EXPECT_EQ(run_args({"mydomain", "myorigin", "nosuch"}), 0);
  EXPECT_EQ(out_, "mydomain = example.org\nmyorigin = $myhostname\n");
  EXPECT_EQ(err_, "postconf: warning: nosuch: unknown parameter\n");
  EXPECT_EQ(run_args({"-hx", "myorigin", "smtpd_banner"}), 0);
  EXPECT_EQ(out_, "mx.example.org\nmx.example.org ESMTP Correio\n");
  EXPECT_EQ(run_args({"-d", "myorigin", "relayhost"}), 0);
  EXPECT_EQ(out_, "myorigin = $myhostname\nrelayhost =\n");
}

TEST_F(PostconfRun, AllParametersIncludeMainCf) {
  write("main.cf", "relayhost = [gw]\n");
  EXPECT_EQ(run_args({}), 0);
  EXPECT_NE(out_.find("\nrelayhost = [gw]\n"), std::string::npos);
  EXPECT_NE(out_.find("\nmail_name = Correio\n"), std::string::npos);
  EXPECT_NE(out_.find("config_directory = " + dir_.string() + "\n"), std::string::npos);
}

TEST_F(PostconfRun, SyntaxErrorIsFatalWithFileAndLine) {
  write("main.cf", "a = 1\nbroken line\n");
  EXPECT_EQ(run_args({"-n"}), 1);
  EXPECT_EQ(err_, "postconf: fatal: " + (dir_ / "main.cf").string() +
                      ":2: missing '=' after parameter name: \"broken\"\n");
}

TEST_F(PostconfRun, LoopIsFatalWhenExpanding) {
  write("main.cf", "a = $b\nb = $a\n");
  EXPECT_EQ(run_args({"-n"}), 0);  // -n does not expand, as in Postfix
  EXPECT_EQ(run_args({"-x", "a"}), 1);
  EXPECT_NE(err_.find(":1: parameter a: recursion"), std::string::npos) << err_;
}

TEST_F(PostconfRun, EditRoundTripKeepsCommentsAndPermissions) {
  write("main.cf", kMainCf);
  ::chmod((dir_ / "main.cf").c_str(), 0640);
  EXPECT_EQ(run_args({"-e", "relayhost = [smtp.example.com]:587", "inet_interfaces=all"}), 0);
  EXPECT_EQ(err_, "");
  std::string text = read("main.cf");
  EXPECT_NE(text.find("relayhost = [smtp.example.com]:587\n"), std::string::npos);
  EXPECT_NE(text.find("# Global settings\n"), std::string::npos);
  EXPECT_EQ(text.substr(text.size() - 22), "inet_interfaces = all\n");
  struct stat st {};
  ASSERT_EQ(::stat((dir_ / "main.cf").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  EXPECT_FALSE(fs::exists(dir_ / "main.cf.tmp"));
  // Implied -e, then -X and -#.
  EXPECT_EQ(run_args({"soft_bounce=yes"}), 0);
  EXPECT_NE(read("main.cf").find("soft_bounce = yes\n"), std::string::npos);
  EXPECT_EQ(run_args({"-X", "soft_bounce"}), 0);
  EXPECT_EQ(read("main.cf").find("soft_bounce"), std::string::npos);
  EXPECT_EQ(run_args({"-#", "myhostname"}), 0);
  EXPECT_NE(read("main.cf").find("#myhostname = mx.example.org\n"), std::string::npos);
  EXPECT_EQ(run_args({"-X", "a=b"}), 1);
  EXPECT_EQ(err_, "postconf: fatal: -X or -# requires parameter names without value\n");
}

TEST_F(PostconfRun, EditCreatesMissingMainCf) {
  EXPECT_EQ(run_args({"-e", "myhostname=mx.example.org"}), 0);
  EXPECT_EQ(read("main.cf"), "myhostname = mx.example.org\n");
}

const char* kMasterCf =
    "# service type  private unpriv  chroot  wakeup  maxproc command + args\n"
    "smtp      inet  n       -       y       -       -       smtpd\n"
    "submission inet n       -       y       -       -       smtpd\n"
    "  -o syslog_name=postfix/submission\n"
    "  -o smtpd_tls_security_level=encrypt\n"
    "  -o smtpd_sasl_auth_enable=yes\n"
    "pickup    unix  n       -       y       60      1       pickup\n";

TEST_F(PostconfRun, MasterEntries) {
  write("master.cf", kMasterCf);
  EXPECT_EQ(run_args({"-M", "smtp/inet"}), 0);
  EXPECT_EQ(out_, "smtp       inet  n       -       y       -       -       smtpd\n");
  EXPECT_EQ(run_args({"-M", "pickup", "nosuch/unix"}), 0);
  EXPECT_EQ(out_, "pickup     unix  n       -       y       60      1       pickup\n");
  EXPECT_EQ(err_, "postconf: warning: unmatched request: \"nosuch/unix\"\n");
  EXPECT_EQ(run_args({"-Mf", "submission"}), 0);
  EXPECT_EQ(out_,
            "submission inet  n       -       y       -       -       smtpd\n"
            "    -o syslog_name=postfix/submission\n"
            "    -o smtpd_tls_security_level=encrypt\n"
            "    -o smtpd_sasl_auth_enable=yes\n");
}

TEST_F(PostconfRun, MasterParamsAndFields) {
  write("master.cf", kMasterCf);
  EXPECT_EQ(run_args({"-P"}), 0);
  EXPECT_EQ(out_,
            "submission/inet/smtpd_sasl_auth_enable = yes\n"
            "submission/inet/smtpd_tls_security_level = encrypt\n"
            "submission/inet/syslog_name = postfix/submission\n");
  EXPECT_EQ(run_args({"-P", "submission/inet/syslog_name"}), 0);
  EXPECT_EQ(out_, "submission/inet/syslog_name = postfix/submission\n");
  EXPECT_EQ(run_args({"-F", "pickup/unix"}), 0);
  EXPECT_EQ(out_,
            "pickup/unix/service = pickup\n"
            "pickup/unix/type = unix\n"
            "pickup/unix/private = n\n"
            "pickup/unix/unprivileged = -\n"
            "pickup/unix/chroot = y\n"
            "pickup/unix/wakeup = 60\n"
            "pickup/unix/process_limit = 1\n"
            "pickup/unix/command = pickup\n");
  EXPECT_EQ(run_args({"-F", "submission/inet/command"}), 0);
  EXPECT_EQ(out_,
            "submission/inet/command = smtpd -o syslog_name=postfix/submission -o "
            "smtpd_tls_security_level=encrypt -o smtpd_sasl_auth_enable=yes\n");
}

TEST_F(PostconfRun, MasterSyntaxErrorIsFatal) {
  write("master.cf", "smtp inet n - y - -\n");
  EXPECT_EQ(run_args({"-M"}), 1);
  EXPECT_EQ(err_, "postconf: fatal: " + (dir_ / "master.cf").string() +
                      ":1: too few fields (7 of 8) in \"smtp inet n - y - -\"\n");
}

TEST_F(PostconfRun, ReferenceMarkdownListsEveryParameter) {
  EXPECT_EQ(run_args({"--reference-markdown"}), 0);
  EXPECT_EQ(out_.rfind("# Configuration reference\n", 0), 0u);
  EXPECT_NE(out_.find("| `smtpd_banner` | `$myhostname ESMTP $mail_name` |"), std::string::npos);
  EXPECT_NE(out_.find("| `relayhost` | *(empty)* |"), std::string::npos);
  EXPECT_EQ(out_, reference_markdown());
}

TEST_F(PostconfRun, BadOption) {
  EXPECT_EQ(run_args({"-Q"}), 1);
  EXPECT_EQ(err_.rfind("postconf: fatal: usage:", 0), 0u);
}

}  // namespace
}  // namespace correio::cli::postconf
