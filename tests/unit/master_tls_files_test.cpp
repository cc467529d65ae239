// Which key files the master reads for a service and hands down (master/tls_files.hpp,
// config/server_tls_files.hpp), and the post-login services that get none
// (master/implicit_services.hpp).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "config/config.hpp"
#include "config/server_tls_files.hpp"
#include "master/implicit_services.hpp"
#include "master/tls_files.hpp"

namespace correio::master {
namespace {

config::Config make_config(const std::string& text) {
  auto main_cf = config::MainCf::parse(text, "main.cf");
  EXPECT_TRUE(main_cf) << main_cf.error().message;
  auto config = config::Config::from_main_cf(*main_cf, "/nonexistent");
  EXPECT_TRUE(config) << config.error().message;
  return std::move(*config);
}

TEST(ServerTlsFiles, FollowsPostfixDefaultsAndLayouts) {
  auto config = make_config("smtpd_tls_cert_file = /etc/c.pem\nsmtpd_tls_key_file = /etc/k.pem\n");
  EXPECT_EQ(config::server_tls_files(config, "smtpd").all(),
            (std::vector<std::string>{"/etc/c.pem", "/etc/k.pem"}));
  // imapd's default to smtpd's; the key in the certificate file counts once.
  auto same = make_config("smtpd_tls_cert_file = /etc/both.pem\n");
  EXPECT_EQ(config::server_tls_files(same, "imapd").all(),
            (std::vector<std::string>{"/etc/both.pem"}));
  // The chain files win.
  auto chains = make_config(
      "smtpd_tls_cert_file = /etc/c.pem\nimapd_tls_chain_files = /etc/rsa.pem, /etc/ec.pem\n");
  EXPECT_EQ(config::server_tls_files(chains, "imapd").all(),
            (std::vector<std::string>{"/etc/rsa.pem", "/etc/ec.pem"}));
  EXPECT_EQ(config::server_tls_prefix("imap-login"), "imapd");
  EXPECT_EQ(config::server_tls_prefix("pop3-login"), "pop3d");
  EXPECT_EQ(config::server_tls_prefix("smtpd"), "smtpd");
  EXPECT_EQ(config::server_tls_prefix("qmgr"), "");
}

TEST(TlsHandout, ReadsTheFilesAndSeesTheirRenewal) {
  char tmpl[] = "/tmp/correio-handout-XXXXXX";
  std::filesystem::path dir = ::mkdtemp(tmpl);
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir / name, std::ios::trunc) << text;
    return (dir / name).string();
  };
  std::string cert = write("cert.pem", "CERT"), key = write("key.pem", "KEY");
  auto config = make_config("smtpd_tls_cert_file = " + cert + "\nsmtpd_tls_key_file = " + key +
                            "\npop3d_tls_key_file = " + (dir / "missing.pem").string() + "\n");
  EXPECT_FALSE(prepare_tls_handout(config, "qmgr"));  // presents no certificate

  auto handout = prepare_tls_handout(config, "smtpd");
  ASSERT_TRUE(handout);
  EXPECT_TRUE(handout->problems.empty());
  auto back = tls::read_handed(handout->bundle.get());
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back->find(cert), "CERT");
  EXPECT_EQ(*back->find(key), "KEY");
  EXPECT_FALSE(tls_files_changed(*handout));
  // Not PEM: the check before replacing processes refuses it, naming the file.
  auto check = check_tls_handout(*handout, config, "smtpd");
  ASSERT_FALSE(check);
  EXPECT_NE(check.error().message.find(cert), std::string::npos) << check.error().message;

  // A renewal by rename (new inode) is seen.
  std::filesystem::rename(write("new.pem", "CERT2"), cert);
  EXPECT_TRUE(tls_files_changed(*handout));

  // A file nobody can read is left to the service, and said why.
  auto partial = prepare_tls_handout(config, "pop3-login");
  ASSERT_TRUE(partial);
  ASSERT_EQ(partial->problems.size(), 1u);
  EXPECT_NE(partial->problems[0].find("missing.pem"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(ImplicitServices, PostLoginServicesGetNoKey) {
  auto config = make_config("smtpd_tls_cert_file = /etc/c.pem\nsmtpd_tls_key_file = /etc/k.pem\n");
  config::MasterService imaps;
  imaps.name = "imaps";
  imaps.type = "inet";
  imaps.command = "imapd";
  imaps.overrides = {{"imapd_tls_wrappermode", "yes"}};
  std::vector<config::MasterService> services{imaps};
  add_implicit_services(config, services);
  auto find = [&](const std::string& command) {
    return std::find_if(services.begin(), services.end(),
                        [&](const auto& s) { return s.command == command; });
  };
  auto login = find("imap-login");
  ASSERT_NE(login, services.end());
  EXPECT_EQ(login->overrides, imaps.overrides);  // the listener keeps its TLS
  auto post = find("imapd");
  ASSERT_NE(post, services.end());
  EXPECT_EQ(post->name, "imapd-imaps");
  auto effective = config.with_overrides(post->overrides);
  ASSERT_TRUE(effective);
  EXPECT_FALSE(effective->get_bool("imapd_tls_wrappermode"));
  EXPECT_TRUE(config::server_tls_files(*effective, "imapd").all().empty());
  EXPECT_FALSE(prepare_tls_handout(*effective, "imapd"));
  EXPECT_NE(find("auth"), services.end());
}

}  // namespace
}  // namespace correio::master
