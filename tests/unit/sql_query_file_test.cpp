// Postfix-style SQL query files: parameters, hosts, FILE:LINE errors, and the %s %u %d
// expansion with the client's escaping.
#include <gtest/gtest.h>

#include "sql/query_file.hpp"

using namespace correio::sql;

namespace {

// A stand-in for a client library's escape: doubles quotes, so tests can see it ran.
correio::Result<std::string> double_quotes(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out;
}

std::string expand(std::string_view query, std::string_view key) {
  auto r = expand_query(query, key, double_quotes);
  EXPECT_TRUE(r.ok());
  return r && *r ? **r : "<suppressed>";
}

}  // namespace

TEST(QueryFile, ParsesPostfixStyleFile) {
  auto f = parse_query_file(
      "# users\n"
      "hosts = inet:db1.example:5433, db2 unix:/run/postgresql [2001:db8::1]:5432\n"
      "user = correio\n"
      "password = s3cr=t # not a comment\n"
      "dbname = mail\n"
      "query = SELECT password\n"
      "  FROM users WHERE user = '%s'\n"
      "iterate_query = SELECT user FROM users\n"
      "domain = Example.ORG example.net\n"
      "connect_timeout = 7\n",
      "pgsql-users.cf");
  ASSERT_TRUE(f.ok()) << f.error().message;
  ASSERT_EQ(f->hosts.size(), 4u);
  EXPECT_EQ(f->hosts[0].name, "db1.example");
  EXPECT_EQ(f->hosts[0].port, 5433u);
  EXPECT_EQ(f->hosts[1].name, "db2");
  EXPECT_FALSE(f->hosts[1].port);
  EXPECT_EQ(f->hosts[2].unix_path, "/run/postgresql");
  EXPECT_EQ(f->hosts[3].name, "2001:db8::1");
  EXPECT_EQ(f->hosts[3].port, 5432u);
  EXPECT_EQ(f->user, "correio");
  EXPECT_EQ(f->password, "s3cr=t # not a comment");
  EXPECT_EQ(f->dbname, "mail");
  // A continuation line continues the value (main.cf syntax).
  EXPECT_EQ(f->query.substr(0, 15), "SELECT password");
  EXPECT_EQ(f->query.substr(f->query.size() - 28), "FROM users WHERE user = '%s'");
  EXPECT_EQ(f->iterate_query, "SELECT user FROM users");
  EXPECT_EQ(f->domains, (std::vector<std::string>{"example.org", "example.net"}));
  EXPECT_EQ(f->connect_timeout, 7u);
}

TEST(QueryFile, DefaultsToLocalhost) {
  auto f = parse_query_file("dbname = mail\nquery = SELECT 1 WHERE x = '%s'\n", "f.cf");
  ASSERT_TRUE(f.ok()) << f.error().message;
  ASSERT_EQ(f->hosts.size(), 1u);
  EXPECT_EQ(f->hosts[0].name, "localhost");
  EXPECT_EQ(f->connect_timeout, 5u);
}

TEST(QueryFile, ErrorsNameFileAndLine) {
  auto error = [](std::string_view text) {
    auto f = parse_query_file(text, "my.cf");
    EXPECT_FALSE(f.ok());
    return f ? std::string() : f.error().message;
  };
  EXPECT_EQ(error("dbname = x\n\nqeury = SELECT 1\n"),
            "my.cf:3: error: unknown parameter \"qeury\"");
  EXPECT_EQ(error("dbname = x\nquery = SELECT '%x'\n"),
            "my.cf:2: error: unknown expansion \"%x\" in the query (use %s, %u, %d or %%)");
  EXPECT_EQ(error("dbname = x\nquery = SELECT '%'\n").substr(0, 11), "my.cf:2: er");
  EXPECT_EQ(error("dbname = x\nquery = SELECT 1\n#\nhosts = db:99999\n"),
            "my.cf:4: error: host \"db:99999\": bad port");
  EXPECT_EQ(error("dbname = x\nquery = q\nhosts = unix:relative\n"),
            "my.cf:3: error: host \"unix:relative\": unix: needs an absolute path");
  EXPECT_EQ(error("dbname = x\nquery = q\nconnect_timeout = 0\n"),
            "my.cf:3: error: bad connect_timeout \"0\" (1..3600 seconds)");
  EXPECT_EQ(error("dbname = x\ntable = users\nquery = q\n").substr(0, 17), "my.cf:2: error: \"");
  EXPECT_EQ(error("dbname = x\n"),
            "my.cf: error: missing \"query\" (SELECT ... WHERE user = '%s')");
  EXPECT_EQ(error("query = q\n"), "my.cf: error: missing \"dbname\"");
  EXPECT_EQ(error("dbname = x\nquery = q\nhosts =\n"), "my.cf: error: \"hosts\" names no server");
  // main.cf syntax errors come with their line too.
  EXPECT_EQ(error("dbname = x\nno equals sign\n").substr(0, 9), "my.cf:2: ");
}

TEST(QueryFile, LoadReportsMissingFile) {
  auto f = load_query_file("/nonexistent/correio.cf");
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.error().message.find("/nonexistent/correio.cf"), std::string::npos);
}

TEST(QueryExpansion, KeyLocalPartDomainAndPercent) {
  EXPECT_EQ(expand("u='%u' d='%d' s='%s' 100%%", "alice@example.org"),
            "u='alice' d='example.org' s='alice@example.org' 100%");
  EXPECT_EQ(expand("'%u'", "alice"), "'alice'");  // no domain: %u is the whole key
  EXPECT_EQ(expand("'%d'", "alice"), "<suppressed>");
  EXPECT_EQ(expand("'%u'", "a@b@example.org"), "'a@b'");  // the domain is after the last @
}

TEST(QueryExpansion, EveryValueIsEscaped) {
  EXPECT_EQ(expand("WHERE user = '%s'", "x' OR '1'='1"), "WHERE user = 'x'' OR ''1''=''1'");
  EXPECT_EQ(expand("'%u' '%d'", "o'neil@ex'ample"), "'o''neil' 'ex''ample'");
}

TEST(QueryExpansion, EscapeFailureIsAnError) {
  auto r = expand_query("'%s'", "k", [](std::string_view) -> correio::Result<std::string> {
    return correio::Error{"invalid byte sequence"};
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "invalid byte sequence");
}

TEST(QueryHost, Forms) {
  EXPECT_EQ(parse_host("inet:localhost")->name, "localhost");
  EXPECT_EQ(parse_host("db:3306")->port, 3306u);
  EXPECT_EQ(parse_host("unix:/var/run/mysqld/mysqld.sock")->unix_path,
            "/var/run/mysqld/mysqld.sock");
  EXPECT_FALSE(parse_host("").ok());
  EXPECT_FALSE(parse_host(":5432").ok());
  EXPECT_FALSE(parse_host("[::1").ok());
  EXPECT_FALSE(parse_host("db:").ok());
}
