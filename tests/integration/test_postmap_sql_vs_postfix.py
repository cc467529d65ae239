"""sqlite:, pgsql: and mysql: tables: Correio's postmap -q against Postfix 3.7's on the
same query files and the same real databases (PostgreSQL and MariaDB started privately by
sql_servers.py; SQLite files). The schema is the MySQL virtual-domain one of the classic
Postfix + Dovecot guides (virtual_domains, virtual_users, virtual_aliases) with the
mysql_virtual_*.cf queries, plus the %-expansions, result_format, domain and
expansion_limit of the *_table(5) pages.
"""
import os
import pathlib
import sqlite3
import subprocess

import pytest

from sql_servers import MariadbServer, PostgresServer

BIN = pathlib.Path(os.environ.get("CORREIO_BIN", "build/bin/correio")).resolve()
POSTMAP = BIN.parent / "postmap"
POSTFIX_POSTMAP = pathlib.Path("/usr/sbin/postmap")

SCHEMA = """
CREATE TABLE virtual_domains (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL);
CREATE TABLE virtual_users (id INTEGER PRIMARY KEY, domain_id INTEGER NOT NULL,
  password VARCHAR(106) NOT NULL, email VARCHAR(120) NOT NULL);
CREATE TABLE virtual_aliases (id INTEGER PRIMARY KEY, domain_id INTEGER NOT NULL,
  source VARCHAR(100) NOT NULL, destination VARCHAR(100));
INSERT INTO virtual_domains VALUES (1, 'example.com'), (2, 'mail.example.net');
INSERT INTO virtual_users VALUES (1, 1, 'x', 'alice@example.com'), (2, 1, 'x', 'bob@example.com'),
  (3, 2, 'x', 'carol@mail.example.net');
INSERT INTO virtual_aliases VALUES (1, 1, 'postmaster@example.com', 'alice@example.com'),
  (2, 1, 'team@example.com', 'alice@example.com'), (3, 1, 'team@example.com', 'bob@example.com'),
  (4, 1, 'team@example.com', NULL), (5, 1, 'team@example.com', ''),
  (6, 1, 'local@example.com', 'justlocal'), (7, 1, 'o''brien@example.com', 'quote@example.com');
"""

# name -> (query-file lines without the connection, keys)
TABLES = {
    "mysql_virtual_domains": ("query = SELECT 1 FROM virtual_domains WHERE name='%s'",
                              ["example.com", "EXAMPLE.com", "other.org", "' OR '1'='1"]),
    "mysql_virtual_mailboxes": ("query = SELECT 1 FROM virtual_users WHERE email='%s'",
                                ["alice@example.com", "nobody@example.com"]),
    "mysql_virtual_aliases": ("query = SELECT destination FROM virtual_aliases WHERE source='%s'",
                              ["postmaster@example.com", "team@example.com",
                               "o'brien@example.com", "x' OR 'a'='a", "back\\slash"]),
    "mysql_virtual_email2email": ("query = SELECT email FROM virtual_users WHERE email='%s'",
                                  ["bob@example.com", "Bob@Example.COM"]),
    "parts": ("query = SELECT email FROM virtual_users WHERE email = '%u@%d'",
              ["alice@example.com", "alice", "@example.com", "alice@"]),
    "labels": ("query = SELECT name FROM virtual_domains WHERE name = '%2.%1'",
               ["u@example.com", "u@x.example.com", "u@com", "example.com"]),
    "result_format": ("query = SELECT destination FROM virtual_aliases WHERE source='%s'\n"
                      "result_format = <%u> at <%d> for %U on %D (%1) %%",
                      ["team@example.com", "local@example.com", "postmaster@example.com"]),
    "domain": ("query = SELECT email FROM virtual_users WHERE email='%s'\n"
               "domain = example.com",
               ["bob@example.com", "carol@mail.example.net", "bob", "@example.com"]),
    "expansion_limit": ("query = SELECT destination FROM virtual_aliases WHERE source='%s'\n"
                        "expansion_limit = 1",
                        ["postmaster@example.com", "team@example.com"]),
}


def run(program, config_dir, args, stdin=None):
    return subprocess.run([str(program), "-c", str(config_dir), *args], input=stdin,
                          capture_output=True, text=True, timeout=60)


def compare_tables(tmp_path, kind, connection):
    config = tmp_path / "etc"
    config.mkdir(exist_ok=True)
    (config / "main.cf").write_text("compatibility_level = 3.6\n")
    for name, (query, keys) in TABLES.items():
        cf = tmp_path / f"{name}.cf"
        cf.write_text(connection + query + "\n")
        spec = f"{kind}:{cf}"
        for key in keys:
            pf = run(POSTFIX_POSTMAP, config, ["-q", key, spec])
            co = run(POSTMAP, config, ["-q", key, spec])
            # Postfix exits 1 for a temporary failure too; Correio says 2 (postmap docs).
            pf_status = 2 if pf.returncode == 1 and "fatal" in pf.stderr else pf.returncode
            assert (co.stdout, co.returncode) == (pf.stdout, pf_status), (name, key, pf.stderr,
                                                                        co.stderr)
        stdin = "".join(k + "\n" for k in keys if name != "expansion_limit")
        pf = run(POSTFIX_POSTMAP, config, ["-q", "-", spec], stdin=stdin)
        co = run(POSTMAP, config, ["-q", "-", spec], stdin=stdin)
        assert (co.stdout, co.returncode) == (pf.stdout, pf.returncode), (name, pf.stderr)


def need_postfix_type(kind, tmp_path):
    if not POSTFIX_POSTMAP.exists():
        pytest.skip("the postfix package (make test installs it)")
    config = tmp_path / "etc"
    config.mkdir(exist_ok=True)
    (config / "main.cf").write_text("compatibility_level = 3.6\n")
    types = subprocess.run(["/usr/sbin/postconf", "-c", str(config), "-m"],
                           capture_output=True, text=True).stdout.split()
    if kind not in types:
        pytest.skip(f"Postfix's {kind}: table (Debian package postfix-{kind})")


def test_sqlite_tables_as_postfix(tmp_path):
    need_postfix_type("sqlite", tmp_path)
    db = tmp_path / "mail.sqlite"
    with sqlite3.connect(db) as conn:
        conn.executescript(SCHEMA)
    compare_tables(tmp_path, "sqlite", f"dbpath = {db}\n")


@pytest.mark.parametrize("kind", ["pgsql", "mysql"])
def test_server_tables_as_postfix(tmp_path, kind):
    need_postfix_type(kind, tmp_path)
    server = PostgresServer() if kind == "pgsql" else MariadbServer()
    with server:
        server.sql(SCHEMA)
        if kind == "pgsql":
            server.sql(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {server.user}")
        connection = (f"hosts = inet:127.0.0.1:{server.port}\nuser = {server.user}\n"
                      f"password = {server.password}\ndbname = {server.dbname}\n")
        compare_tables(tmp_path, kind, connection)


def test_unreachable_server_is_a_temporary_failure(tmp_path):
    cf = tmp_path / "down.cf"
    cf.write_text("hosts = inet:127.0.0.1:1\nuser = u\npassword = p\ndbname = d\n"
                  "query = SELECT 1 WHERE '%s' = 'x'\n")
    (tmp_path / "main.cf").write_text("")
    for kind in ("pgsql", "mysql"):
        co = run(POSTMAP, tmp_path, ["-q", "x", f"{kind}:{cf}"])
        assert co.returncode == 2 and "no database server answered" in co.stderr, co.stderr
