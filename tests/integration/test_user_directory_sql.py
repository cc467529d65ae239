"""The pgsql: and mysql: user directories against real PostgreSQL and MariaDB servers
started by the test (sql_servers.py): users stored with Dovecot's password schemes
(hashed by Dovecot's own `doveadm pw`), looked up and verified through `correio auth
test` / `correio user list`, injection-safe key escaping, a lookup error that is
temporary (never "unknown user"), and an SMTP RCPT + delivery to a user who exists only
in the SQL directory, surviving a database restart (reconnect)."""

import os
import shutil
import smtplib
import subprocess
import time

import pytest

from correio_fixture import CORREIO_BIN
from delivery_setup import pipeline, wait_for_messages
from sql_servers import MariadbServer, PostgresServer

EX_TEMPFAIL = 75

# user, password, scheme. The hashes come from doveadm (Dovecot), not from Correio.
USERS = [
    ("alice@example.test", "alice-pw", "SHA512-CRYPT"),
    ("bob@example.test", "bob-pw", "ARGON2ID"),
    ("carol@example.test", "carol-pw", "SSHA512"),
    ("dave@example.test", "dave-pw", "BLF-CRYPT"),
    ("erin@example.test", "erin-pw", "PLAIN"),
]

SCHEMA = {
    # "user" is a reserved word in PostgreSQL: quoted there.
    "pgsql": """CREATE TABLE users ("user" TEXT PRIMARY KEY, password TEXT NOT NULL,
                uid INTEGER, gid INTEGER, home TEXT, quota_rule TEXT);
                GRANT SELECT ON users TO correio;""",
    "mysql": """CREATE TABLE users (user VARCHAR(255) PRIMARY KEY, password TEXT NOT NULL,
                uid INTEGER, gid INTEGER, home TEXT, quota_rule TEXT)""",
}
QUERY = {
    "pgsql": """SELECT "user", password, uid, gid, home, quota_rule FROM users
                WHERE "user" = '%u@%d'""",
    "mysql": "SELECT user, password, uid, gid, home, quota_rule FROM users WHERE user = '%s'",
}
COLUMNS = {"pgsql": '"user", password, uid, gid, home, quota_rule',
           "mysql": "user, password, uid, gid, home, quota_rule"}
ITERATE = {"pgsql": 'SELECT "user" FROM users ORDER BY 1',
           "mysql": "SELECT user FROM users ORDER BY 1"}


def hash_with_dovecot(scheme: str, password: str) -> str:
    if scheme == "PLAIN":
        return "{PLAIN}" + password
    doveadm = shutil.which("doveadm")
    if not doveadm:
        pytest.skip("doveadm (Debian package dovecot-core) not installed")
    out = subprocess.run([doveadm, "pw", "-s", scheme, "-p", password], capture_output=True,
                         text=True, check=True)
    return out.stdout.strip()


@pytest.fixture(scope="module", params=["pgsql", "mysql"])
def db(request, tmp_path_factory):
    server = PostgresServer() if request.param == "pgsql" else MariadbServer()
    with server:
        server.kind = request.param
        server.sql(SCHEMA[request.param])
        rows = []
        for i, (user, password, scheme) in enumerate(USERS):
            stored = hash_with_dovecot(scheme, password).replace("'", "''")
            rows.append(f"('{user}', '{stored}', NULL, NULL, NULL, "
                        f"'*:storage={i + 1}G')")
        # A second account whose name an injected "' OR '1'='1" would also match.
        rows.append("('zed@example.test', '{PLAIN}zed-pw', 5000, 5000, '/srv/mail/zed', NULL)")
        columns = COLUMNS[request.param]
        server.sql("".join(f"INSERT INTO users ({columns}) VALUES {row};" for row in rows))
        # The query file is read by the daemons, which run as mail_owner.
        cf = tmp_path_factory.mktemp("cf") / f"{request.param}-users.cf"
        os.chmod(cf.parent, 0o755)
        password = server.password
        cf.write_text(
            "# Correio user directory (test)\n"
            f"hosts = inet:127.0.0.1:{server.port}\n"
            f"user = {server.user}\n"
            f"password = {password}\n"
            f"dbname = {server.dbname}\n"
            f"query = {QUERY[request.param]}\n"
            f"iterate_query = {ITERATE[request.param]}\n")
        server.spec = f"{request.param}:{cf}"
        yield server


def correio(*args, input_text=None):
    return subprocess.run([CORREIO_BIN, *args], capture_output=True, text=True, timeout=60,
                          input=input_text, stdin=None if input_text else subprocess.DEVNULL)


def test_every_scheme_verifies_and_wrong_passwords_fail(db):
    for user, password, scheme in USERS:
        ok = correio("auth", "-d", db.spec, "test", user, password)
        assert ok.returncode == 0, (scheme, ok.stdout, ok.stderr)
        assert f"passdb: {user} auth succeeded" in ok.stdout
        bad = correio("auth", "-d", db.spec, "test", user, password + "x")
        assert bad.returncode == 1, (scheme, bad.stdout, bad.stderr)
        assert "auth failed" in bad.stdout


def test_lookup_is_case_insensitive_and_returns_the_columns(db):
    out = correio("auth", "-d", db.spec, "lookup", "ZED@Example.Test")
    assert out.returncode == 0, out.stderr
    fields = dict(line.split("\t", 1) for line in out.stdout.splitlines())
    assert fields == {"user": "zed@example.test", "uid": "5000", "gid": "5000",
                      "home": "/srv/mail/zed"}
    out = correio("auth", "-d", db.spec, "lookup", "carol@example.test")
    assert "userdb_quota_rule\t*:storage=3G" in out.stdout.splitlines()


def test_unknown_user_and_injection_attempts_find_nobody(db):
    for key in ["nobody@example.test", "x' OR '1'='1", "zed@example.test' --",
                "a\\' OR 1=1 #", "zed@example.test\\"]:
        out = correio("auth", "-d", db.spec, "test", key, "zed-pw")
        assert out.returncode == 1, (key, out.stdout, out.stderr)
        assert "unknown user" in out.stdout, (key, out.stdout)


def test_user_list_uses_iterate_query(db):
    out = correio("user", "-d", db.spec, "list")
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == sorted([u for u, _, _ in USERS] + ["zed@example.test"])


def test_user_add_refuses_sql_directories(db):
    out = correio("user", "-d", db.spec, "add", "-p", "x", "new@example.test")
    assert out.returncode != 0
    assert "its own tools" in out.stderr


def test_unreachable_server_is_a_temporary_error(db, tmp_path):
    cf = tmp_path / "down.cf"
    cf.write_text(f"hosts = 127.0.0.1:1\nuser = x\npassword = y\ndbname = z\n"
                  f"connect_timeout = 2\nquery = SELECT 1 WHERE 1 = '%s'\n")
    out = correio("auth", "-d", f"{db.kind}:{cf}", "test", "alice@example.test", "alice-pw")
    assert out.returncode == EX_TEMPFAIL, (out.stdout, out.stderr)
    assert "unknown user" not in out.stdout and "auth failed" not in out.stdout
    assert "no database server answered" in out.stderr


def test_a_bad_query_file_names_file_and_line(db, tmp_path):
    cf = tmp_path / "bad.cf"
    cf.write_text("hosts = 127.0.0.1\ndbname = z\n\nqueyr = SELECT 1\n")
    out = correio("auth", "-d", f"{db.kind}:{cf}", "lookup", "alice@example.test")
    assert out.returncode == EX_TEMPFAIL
    assert f"{cf}:4: error: unknown parameter \"queyr\"" in out.stderr


def rcpt(inst, recipient):
    with smtplib.SMTP("127.0.0.1", inst.smtp_port, timeout=30) as s:
        s.ehlo("client.example")
        s.mail("someone@remote.example")
        return s.rcpt(recipient)


def test_smtp_recipient_and_delivery_through_sql_survive_a_restart(db):
    inst = pipeline()
    # The daemons run as mail_owner: the query file goes where they can read it.
    cf = inst.config_dir / f"{db.kind}-users.cf"
    shutil.copy(db.spec.split(":", 1)[1], cf)
    inst.write_main_cf({"user_directory": f"{db.kind}:{cf}"})
    # Nobody in the passwd-file: erin exists only in the database.
    (inst.config_dir / "users").write_text("")
    with inst:
        code, reply = rcpt(inst, "erin@example.test")
        assert code == 250, (reply, inst.log_text()[-3000:])
        code, reply = rcpt(inst, "mallory@example.test")
        assert code == 550 and b"5.1.1" in reply, reply

        # The server goes away: temporary failure, never "user unknown".
        db.stop()
        code, reply = rcpt(inst, "erin@example.test")
        assert code == 451 and b"4.3.0" in reply, reply

        # It comes back: the daemons reconnect on their own.
        db.start()
        deadline = time.monotonic() + 20
        while True:
            code, reply = rcpt(inst, "erin@example.test")
            if code == 250 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert code == 250, reply

        with smtplib.SMTP("127.0.0.1", inst.smtp_port, timeout=30) as s:
            s.sendmail("someone@remote.example", ["erin@example.test"],
                       b"Subject: via sql\r\n\r\nhello erin\r\n")
        [path] = wait_for_messages(inst, "erin", 1)
        assert path.read_bytes().endswith(b"\nhello erin\n")
