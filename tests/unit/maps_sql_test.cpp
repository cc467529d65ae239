// sqlite: tables through open_map() on a real SQLite file, and the query-file parser and
// %-expansions shared with pgsql: and mysql: (their servers are exercised by
// tests/integration/test_postmap_sql_vs_postfix.py).
#include <gtest/gtest.h>

#include "maps/detail/sql_table.hpp"
#include "maps/map.hpp"
#include "maps_test_support.hpp"
#include "sql/sqlite_db.hpp"

using namespace correio;
using namespace correio::maps;
using correio::maps::testing::TempDirTest;

namespace {

std::string expand(std::string_view format, std::string_view key,
                   const std::string* value = nullptr) {
  auto quote = [](std::string_view s) { return Result<std::string>("[" + std::string(s) + "]"); };
  auto r = detail::expand_sql(format, key, value, quote);
  EXPECT_TRUE(r.ok());
  return r.ok() && *r ? **r : "(suppressed)";
}

}  // namespace

TEST(MapsSqlExpand, QueryExpansions) {
  EXPECT_EQ(expand("%s|%u|%d|%1|%2|%3|%%", "joe@mail.example.com"),
            "[joe@mail.example.com]|[joe]|[mail.example.com]|[com]|[example]|[mail]|%");
  EXPECT_EQ(expand("%u", "joe"), "[joe]");                  // no domain: the whole key
  EXPECT_EQ(expand("%d", "joe"), "(suppressed)");           // no domain: no query
  EXPECT_EQ(expand("%u", "@example.com"), "(suppressed)");  // empty local part
  EXPECT_EQ(expand("%3", "joe@example.com"), "(suppressed)");
  EXPECT_EQ(expand("%S %U %D", "joe@x.org"), "[joe@x.org] [joe] [x.org]");
}

TEST(MapsSqlExpand, ResultFormatTakesTheValueApart) {
  std::string value = "ann@y.net";
  EXPECT_EQ(expand("%u at %d for %U (%1)", "joe@x.org", &value),
            "[ann] at [y.net] for [joe] ([org])");
  std::string local = "ann";
  EXPECT_EQ(expand("%d", "joe@x.org", &local), "(suppressed)");
}

TEST(MapsSqlFile, ParametersAndErrors) {
  auto ok = detail::parse_sql_table_file(
      "hosts = inet:db:5432 unix:/run/pg\nuser = u\npassword = p\ndbname = mail\n"
      "query = SELECT x FROM t WHERE k='%s'\nresult_format = smtp:%s\ndomain = A.org, b.org\n"
      "expansion_limit = 3\n",
      "pg.cf", "pgsql");
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->connection.hosts.size(), 2u);
  EXPECT_EQ(ok->result_format, "smtp:%s");
  EXPECT_EQ(ok->domains, (std::vector<std::string>{"a.org", "b.org"}));
  EXPECT_EQ(ok->expansion_limit, 3u);
  auto typo = detail::parse_sql_table_file("dbname = d\nquery = x\nhsots = db\n", "t.cf", "mysql");
  ASSERT_FALSE(typo.ok());
  EXPECT_EQ(typo.error().message, "t.cf:3: error: unknown mysql table parameter \"hsots\"");
  auto bad = detail::parse_sql_table_file("dbname = d\nquery = %x\n", "t.cf", "mysql");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("%x"), std::string::npos);
  EXPECT_FALSE(detail::parse_sql_table_file("query = x\n", "s.cf", "sqlite").ok());  // dbpath
  EXPECT_FALSE(
      detail::parse_sql_table_file("dbpath = /x\nhosts = h\nquery = q\n", "s.cf", "sqlite").ok());
}

class MapsSqlite : public TempDirTest {};

TEST_F(MapsSqlite, LooksUpJoinsRowsAndFiltersDomains) {
  std::string db = (root_ / "mail.sqlite").string();
  {
    auto conn = sql::SqliteDb::open(db, sql::SqliteDb::Mode::create);
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE(
        conn->exec("CREATE TABLE a (src TEXT, dst TEXT);"
                   "INSERT INTO a VALUES ('team@x.org','ann@x.org'),('team@x.org','bob@x.org'),"
                   "('team@x.org',NULL),('team@x.org',''),('o''k@x.org','quoted@x.org')")
            .ok());
  }
  std::string cf = write("a.cf", "dbpath = " + db +
                                     "\nquery = SELECT dst FROM a WHERE src='%s'\n"
                                     "domain = x.org\nresult_format = <%s>\n");
  auto map = open_map("sqlite:" + cf);
  ASSERT_TRUE(map.ok()) << map.error().message;
  EXPECT_EQ(*(*map)->lookup("Team@X.org").value(), "<ann@x.org>,<bob@x.org>");
  EXPECT_EQ(*(*map)->lookup("o'k@x.org").value(), "<quoted@x.org>");
  EXPECT_FALSE((*map)->lookup("team@y.org").value());  // not in `domain`: not queried
  EXPECT_FALSE((*map)->lookup("x' OR '1'='1@x.org").value());
  std::string missing =
      write("m.cf", "dbpath = " + (root_ / "absent").string() + "\nquery = SELECT 1\n");
  auto down = open_map("sqlite:" + missing);
  ASSERT_TRUE(down.ok());
  EXPECT_FALSE((*down)->lookup("k").ok());  // an absent database is a failure, not "not found"
}
