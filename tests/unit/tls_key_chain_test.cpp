// Key and certificate chain loading (tls/key_chain.hpp), SNI lookup keys and the reload of
// renewed files (tls/server_certificates.hpp), with keys and certificates made here.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "base/log.hpp"
#include "tls/handed_files.hpp"
#include "tls/key_chain.hpp"
#include "tls/server_certificates.hpp"
#include "tls/server_context.hpp"

namespace correio::tls {
namespace {

struct Pem {
  std::string key, cert;
};

// A fresh P-256 key and a self-signed certificate for `cn`, as PEM text.
Pem make_pair(const std::string& cn) {
  KeyPtr key(EVP_EC_gen("P-256"));
  CertPtr cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509_sign(cert.get(), key.get(), EVP_sha256());
  auto to_text = [](auto write) {
    BIO* bio = BIO_new(BIO_s_mem());
    write(bio);
    char* data = nullptr;
    long n = BIO_get_mem_data(bio, &data);
    std::string text(data, static_cast<size_t>(n));
    BIO_free(bio);
    return text;
  };
  Pem pem;
  pem.key = to_text([&](BIO* b) {
    PEM_write_bio_PrivateKey(b, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  });
  pem.cert = to_text([&](BIO* b) { PEM_write_bio_X509(b, cert.get()); });
  return pem;
}

std::string subject_cn(X509* cert) {
  char buf[256] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, buf, sizeof buf);
  return buf;
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/correio-tls-test-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string write(const std::string& name, const std::string& text) const {
    auto file = path_ / name;
    std::ofstream(file, std::ios::binary | std::ios::trunc) << text;
    return file.string();
  }

 private:
  std::filesystem::path path_;
};

TEST(KeyChain, KeyThenCertificateThenIssuers) {
  Pem a = make_pair("a.example"), b = make_pair("b.example"), issuer = make_pair("ca");
  auto chains = parse_key_chains(a.key + a.cert + issuer.cert + b.key + b.cert, "test.pem");
  ASSERT_TRUE(chains) << chains.error().message;
  ASSERT_EQ(chains->size(), 2u);
  EXPECT_EQ(subject_cn((*chains)[0].leaf.get()), "a.example");
  ASSERT_EQ((*chains)[0].chain.size(), 1u);
  EXPECT_EQ(subject_cn((*chains)[0].chain[0].get()), "ca");
  EXPECT_EQ(subject_cn((*chains)[1].leaf.get()), "b.example");
  EXPECT_TRUE((*chains)[1].chain.empty());
}

TEST(KeyChain, RefusesWrongOrderMismatchAndGarbage) {
  Pem a = make_pair("a.example"), b = make_pair("b.example");
  auto order = parse_key_chains(a.cert + a.key, "x.pem");
  ASSERT_FALSE(order);
  EXPECT_EQ(order.error().message,
            "x.pem: certificate before any private key (the key must come first)");
  auto mismatch = parse_key_chains(a.key + b.cert, "x.pem");
  ASSERT_FALSE(mismatch);
  EXPECT_EQ(mismatch.error().message, "x.pem: private key does not match the certificate after it");
  EXPECT_FALSE(parse_key_chains(a.key, "x.pem"));
  EXPECT_FALSE(parse_key_chains(a.key + a.key + a.cert, "x.pem"));
  EXPECT_FALSE(parse_key_chains("", "x.pem"));
  auto garbage =
      parse_key_chains("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "x.pem");
  ASSERT_FALSE(garbage);
  EXPECT_EQ(garbage.error().message.rfind("x.pem: ", 0), 0u) << garbage.error().message;
  auto other = parse_key_chains("-----BEGIN FOO-----\nAAAA\n-----END FOO-----\n", "x.pem");
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().message, "x.pem: unexpected PEM block \"FOO\"");
}

TEST(KeyChain, EncryptedKeyIsRefusedNotPrompted) {
  KeyPtr key(EVP_EC_gen("P-256"));
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PKCS8PrivateKey(bio, key.get(), EVP_aes_128_cbc(), nullptr, 0, nullptr,
                                const_cast<char*>("secret"));
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  std::string encrypted(data, static_cast<size_t>(n));
  BIO_free(bio);
  auto chains = parse_key_chains(encrypted + make_pair("a").cert, "enc.pem");
  ASSERT_FALSE(chains);
  EXPECT_NE(chains.error().message.find("encrypted keys are not supported"), std::string::npos);
}

TEST(KeyChain, LegacyPairInEitherFileLayout) {
  TempDir dir;
  Pem a = make_pair("a.example");
  auto cert = dir.write("cert.pem", a.cert);
  auto key = dir.write("key.pem", a.key);
  auto both = dir.write("both.pem", a.cert + a.key);  // Postfix's key_file = $cert_file
  auto separate = read_cert_and_key(cert, key);
  ASSERT_TRUE(separate) << separate.error().message;
  EXPECT_EQ(subject_cn((*separate)[0].leaf.get()), "a.example");
  auto combined = read_cert_and_key(both, both);
  ASSERT_TRUE(combined) << combined.error().message;
  auto missing = read_cert_and_key(dir.write("none.pem", ""), key);
  ASSERT_FALSE(missing);
  auto absent = read_cert_and_key("/nonexistent/cert.pem", key);
  ASSERT_FALSE(absent);
  EXPECT_EQ(absent.error().message, "cannot open /nonexistent/cert.pem: No such file or directory");
  auto wrong = read_cert_and_key(cert, dir.write("other.pem", make_pair("b").key));
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.error().message.find("does not match"), std::string::npos);
}

TEST(KeyChain, ChainFilesConcatenateInOrder) {
  TempDir dir;
  Pem a = make_pair("a.example");
  // The key may sit in the file before its certificate (Postfix's rule).
  auto chains = read_chain_files({dir.write("k.pem", a.key), dir.write("c.pem", a.cert)});
  ASSERT_TRUE(chains) << chains.error().message;
  auto ctx = make_server_context(*chains);
  ASSERT_TRUE(ctx) << ctx.error().message;
  EXPECT_EQ(subject_cn(SSL_CTX_get0_certificate((*ctx)->native_handle())), "a.example");
  EXPECT_EQ(SSL_CTX_get_min_proto_version((*ctx)->native_handle()), TLS1_2_VERSION);
}

TEST(SniLookupKeys, NameThenAncestorDomains) {
  EXPECT_EQ(sni_lookup_keys("Mail.Example.COM"),
            (std::vector<std::string>{"mail.example.com", ".example.com", ".com"}));
  EXPECT_EQ(sni_lookup_keys("localhost"), (std::vector<std::string>{"localhost"}));
  EXPECT_TRUE(sni_lookup_keys("").empty());
  EXPECT_TRUE(sni_lookup_keys(".example.com").empty());
  EXPECT_TRUE(sni_lookup_keys("example.com.").empty());
  EXPECT_TRUE(sni_lookup_keys("a..example").empty());
  EXPECT_TRUE(sni_lookup_keys("*.example.com").empty());
  EXPECT_TRUE(sni_lookup_keys("a b").empty());
  EXPECT_TRUE(sni_lookup_keys(std::string(254, 'a')).empty());
}

TEST(ServerCertificates, ReloadsChangedFilesAndKeepsTheOldOneWhenBroken) {
  TempDir dir;
  base::Logger log(base::Logger::Options{"correio", "test", "/dev/null", "host"});
  Pem first = make_pair("first"), second = make_pair("second");
  auto file = dir.write("live.pem", first.key + first.cert);
  ServerCertificates::Options options;
  options.files.chain_files = {file};
  options.check_interval = std::chrono::seconds(0);
  auto certs = ServerCertificates::open(options, log);
  ASSERT_TRUE(certs) << certs.error().message;
  auto cn = [&] {
    return subject_cn(SSL_CTX_get0_certificate((*certs)->context()->native_handle()));
  };
  EXPECT_EQ(cn(), "first");
  auto before = (*certs)->context();
  EXPECT_EQ((*certs)->context(), before);  // unchanged files: the same context

  std::filesystem::rename(dir.write("new.pem", second.key + second.cert), file);
  EXPECT_EQ(cn(), "second");
  // The context handed out before is untouched (sessions keep their certificate).
  EXPECT_EQ(subject_cn(SSL_CTX_get0_certificate(before->native_handle())), "first");

  dir.write("live.pem", "broken");
  EXPECT_EQ(cn(), "second");
  dir.write("live.pem", first.key + first.cert + "\n");
  EXPECT_EQ(cn(), "first");
}

TEST(ServerCertificates, CheckIntervalLimitsStats) {
  TempDir dir;
  base::Logger log(base::Logger::Options{"correio", "test", "/dev/null", "host"});
  Pem first = make_pair("first"), second = make_pair("second");
  auto file = dir.write("live.pem", first.key + first.cert);
  ServerCertificates::Options options;
  options.files.chain_files = {file};
  options.check_interval = std::chrono::hours(1);
  auto certs = ServerCertificates::open(options, log);
  ASSERT_TRUE(certs);
  std::filesystem::rename(dir.write("new.pem", second.key + second.cert), file);
  EXPECT_EQ(subject_cn(SSL_CTX_get0_certificate((*certs)->context()->native_handle())), "first");
}

// The master's bundle (handed_files.hpp): what goes in comes out, through a sealed memfd
// nobody can change afterwards.
TEST(HandedFiles, RoundTripThroughASealedMemfd) {
  HandedFiles files;
  files.add("/etc/ssl/private/mail.key", "KEY\nwith newlines\n");
  files.add("/etc/ssl/certs/mail.pem", "");
  auto fd = write_sealed(files);
  ASSERT_TRUE(fd) << fd.error().message;
  EXPECT_LT(::write(fd->get(), "x", 1), 0);  // sealed: no writer, not even the master
  EXPECT_NE(::fcntl(fd->get(), F_GET_SEALS) & F_SEAL_WRITE, 0);
  auto back = read_handed(fd->get());
  ASSERT_TRUE(back) << back.error().message;
  ASSERT_EQ(back->size(), 2u);
  ASSERT_NE(back->find("/etc/ssl/private/mail.key"), nullptr);
  EXPECT_EQ(*back->find("/etc/ssl/private/mail.key"), "KEY\nwith newlines\n");
  EXPECT_EQ(*back->find("/etc/ssl/certs/mail.pem"), "");
  EXPECT_EQ(back->find("/etc/ssl/private/other.key"), nullptr);
}

TEST(HandedFiles, RefusesMalformedBundles) {
  std::string magic = "correio-handed-files 1\n";
  EXPECT_TRUE(HandedFiles::parse(magic));
  EXPECT_FALSE(HandedFiles::parse("something else\n"));
  EXPECT_FALSE(HandedFiles::parse(magic + "5 3\n/a/b\nab"));        // truncated
  EXPECT_FALSE(HandedFiles::parse(magic + "4 2\n/a/b\nxyz\n"));     // length disagrees
  EXPECT_FALSE(HandedFiles::parse(magic + "0 2\n\nxy\n"));          // empty path
  EXPECT_FALSE(HandedFiles::parse(magic + "x 2\n/a\nxy\n"));        // not a number
  EXPECT_FALSE(HandedFiles::parse(magic + "2 99999999999\n/a\n"));  // too long a number
  auto twice = HandedFiles::parse(magic + "2 1\n/a\nx\n2 1\n/a\ny\n");
  ASSERT_FALSE(twice);
  EXPECT_NE(twice.error().message.find("duplicate"), std::string::npos);
}

// A process given the key by the master reads it from the bundle, not from the disk (where
// it may not open it); renewals of handed files are the master's to notice.
TEST(ServerCertificates, TakesHandedFilesAndLeavesTheirRenewalToTheMaster) {
  TempDir dir;
  base::Logger log(base::Logger::Options{"correio", "test", "/dev/null", "host"});
  Pem first = make_pair("handed"), second = make_pair("on-disk");
  auto file = dir.write("live.pem", second.key + second.cert);
  auto handed = std::make_shared<HandedFiles>();
  handed->add(file, first.key + first.cert);
  ServerCertificates::Options options;
  options.files.chain_files = {file};
  options.files.handed = handed;
  options.check_interval = std::chrono::seconds(0);
  auto certs = ServerCertificates::open(options, log);
  ASSERT_TRUE(certs) << certs.error().message;
  auto cn = [&] {
    return subject_cn(SSL_CTX_get0_certificate((*certs)->context()->native_handle()));
  };
  EXPECT_EQ(cn(), "handed");  // not the file's own text
  EXPECT_TRUE(options.files.any_handed());

  // A file not in the bundle is read from the disk, as before.
  ServerOptions unhanded;
  unhanded.cert_file = unhanded.key_file = dir.write("other.pem", second.key + second.cert);
  unhanded.handed = handed;
  EXPECT_FALSE(unhanded.any_handed());
  auto chains = read_key_chains(unhanded);
  ASSERT_TRUE(chains) << chains.error().message;
}

}  // namespace
}  // namespace correio::tls
