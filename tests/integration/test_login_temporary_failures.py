"""Resource exhaustion is never a wrong password (issue 20, item 3). When the user
directory or the mail store cannot be read (a database that is down, no file
descriptors), IMAP answers NO [UNAVAILABLE], POP3 -ERR [SYS/TEMP] and SMTP AUTH 454 4.7.0,
and the login throttle does not count it: the next correct login is not delayed and not
blocked. Real clients (imaplib, poplib, smtplib, raw sockets), a real PostgreSQL
(sql_servers.py), and a daemon under a small descriptor limit (prlimit, as in
test_open_file_limit.py)."""

import base64
import imaplib
import os
import poplib
import pwd
import smtplib
import socket
import time

import pytest

from correio_fixture import Correio, free_port, sanitized
from sql_servers import PostgresServer
from test_open_file_limit import prlimit_binary

# With an auth_failure_limit of 2, two counted failures would block the address; a delay of
# 3 s would show in the next login's time.
THROTTLE = {"auth_failure_delay": "3s", "auth_failure_limit": "2"}


def login_instance(user_directory: str, extra: dict | None = None):
    imap_port, pop3_port = free_port(), free_port()
    inst = Correio(main_cf={**THROTTLE, **(extra or {})},
                   master_cf=f"{{listen}} inet n - n - - smtpd\n"
                             "  -o smtpd_sasl_auth_enable=yes\n"
                             f"127.0.0.1:{imap_port} inet n - n - - imapd\n"
                             "  -o auth_allow_cleartext=yes\n"
                             f"127.0.0.1:{pop3_port} inet n - n - - pop3d\n"
                             "  -o auth_allow_cleartext=yes\n")
    mail = inst.base / "mail"
    mail.mkdir()
    if os.geteuid() == 0:
        owner = pwd.getpwnam(inst.main_cf["mail_owner"])
        os.chown(mail, owner.pw_uid, owner.pw_gid)
    inst.write_main_cf({"user_directory": user_directory, "virtual_mailbox_base": str(mail),
                        "virtual_mailbox_domains": "example.test"})
    return inst, imap_port, pop3_port


def imap_login(port: int, user: str, password: str) -> tuple[str, bytes, float]:
    client = imaplib.IMAP4("127.0.0.1", port, timeout=20)
    start = time.monotonic()
    try:
        # _simple_command, not login(): login() raises on NO and hides the response code.
        typ, data = client._simple_command("LOGIN", user, password)
        return typ, data[-1], time.monotonic() - start
    except imaplib.IMAP4.error as e:
        return "NO", str(e).encode(), time.monotonic() - start
    finally:
        try:
            client.logout()
        except Exception:
            pass


def pop3_login(port: int, user: str, password: str) -> tuple[bytes, float]:
    client = poplib.POP3("127.0.0.1", port, timeout=20)
    start = time.monotonic()
    try:
        client.user(user)
        return client.pass_(password), time.monotonic() - start
    except poplib.error_proto as e:
        return e.args[0], time.monotonic() - start
    finally:
        client.close()


def smtp_auth(port: int, user: str, password: str) -> tuple[int, bytes, float]:
    with smtplib.SMTP("127.0.0.1", port, timeout=20) as s:
        s.ehlo("client.example")
        token = base64.b64encode(f"\0{user}\0{password}".encode()).decode()
        start = time.monotonic()
        code, text = s.docmd("AUTH", "PLAIN " + token)
        return code, text, time.monotonic() - start


def test_sql_directory_down_is_a_temporary_failure_not_counted():
    server = PostgresServer()
    with server:
        server.sql('CREATE TABLE users ("user" TEXT PRIMARY KEY, password TEXT NOT NULL);'
                   "GRANT SELECT ON users TO correio;"
                   "INSERT INTO users VALUES ('demo@example.test', '{PLAIN}secret');")
        inst, imap_port, pop3_port = login_instance("pgsql:PLACEHOLDER")
        cf = inst.config_dir / "users.cf"
        cf.write_text(f"hosts = inet:127.0.0.1:{server.port}\nuser = {server.user}\n"
                      f"password = {server.password}\ndbname = {server.dbname}\n"
                      "connect_timeout = 2\n"
                      "query = SELECT \"user\", password FROM users WHERE \"user\" = '%s'\n")
        inst.write_main_cf({"user_directory": f"pgsql:{cf}"})
        try:
            inst.start(wait_ports=[inst.smtp_port, imap_port, pop3_port])
            typ, text, _ = imap_login(imap_port, "demo@example.test", "secret")
            assert typ == "OK", text
            server.stop()
            # Three rounds: with auth_failure_limit = 2, counted failures would block.
            for _ in range(3):
                typ, text, _ = imap_login(imap_port, "demo@example.test", "secret")
                assert typ == "NO" and b"[UNAVAILABLE]" in text, (typ, text)
                reply, _ = pop3_login(pop3_port, "demo@example.test", "secret")
                assert reply.startswith(b"-ERR [SYS/TEMP]"), reply
                code, text, _ = smtp_auth(inst.smtp_port, "demo@example.test", "secret")
                assert (code, text[:5]) == (454, b"4.7.0"), (code, text)
                assert b"Temporary authentication failure" in text
            server.start()
            typ, text, elapsed = imap_login(imap_port, "demo@example.test", "secret")
            assert typ == "OK" and elapsed < 1.5, (typ, text, elapsed)
            reply, elapsed = pop3_login(pop3_port, "demo@example.test", "secret")
            assert reply.startswith(b"+OK") and elapsed < 1.5, (reply, elapsed)
            code, text, elapsed = smtp_auth(inst.smtp_port, "demo@example.test", "secret")
            assert code == 235 and elapsed < 1.5, (code, text, elapsed)
            assert not inst.log_lines(r"Login failed|auth failed|authentication failure")
            inst.stop()
        finally:
            inst.cleanup()


@pytest.mark.skipif(sanitized(), reason="UBSan's vptr check needs a free descriptor")
def test_mail_store_out_of_descriptors_is_unavailable_not_a_wrong_password():
    inst, imap_port, pop3_port = login_instance("passwd-file:PLACEHOLDER")
    users = inst.config_dir / "users"
    users.write_text("demo@example.test:{PLAIN}secret::::::\n")
    inst.write_main_cf({"user_directory": f"passwd-file:{users}"})
    inst.binary = prlimit_binary(inst.base, 128, 128)
    fillers: list[socket.socket] = []
    try:
        inst.start(wait_ports=[inst.smtp_port, imap_port, pop3_port])
        # The sessions that will log in, accepted while descriptors are free.
        imap = socket.create_connection(("127.0.0.1", imap_port), timeout=20)
        imap_in = imap.makefile("rb")
        assert imap_in.readline().startswith(b"* OK")
        pop3 = socket.create_connection(("127.0.0.1", pop3_port), timeout=20)
        pop3_in = pop3.makefile("rb")
        assert pop3_in.readline().startswith(b"+OK")
        # Then idle connections until both daemons run out of descriptors.
        for port in (imap_port, pop3_port):
            for _ in range(160):
                fillers.append(socket.create_connection(("127.0.0.1", port), timeout=10))
        inst.wait_for_log(r"correio/imapd\[\d+\]: warning: accept: Too many open files")
        inst.wait_for_log(r"correio/pop3d\[\d+\]: warning: accept: Too many open files")
        imap.sendall(b"a LOGIN demo@example.test secret\r\n")
        reply = imap_in.readline()
        assert reply.startswith(b"a NO [UNAVAILABLE]"), reply
        pop3.sendall(b"USER demo@example.test\r\nPASS secret\r\n")
        assert pop3_in.readline().startswith(b"+OK")
        reply = pop3_in.readline()
        assert reply.startswith(b"-ERR [SYS/TEMP]"), reply
        for f in fillers:
            f.close()
        fillers.clear()
        # The daemons see the fillers leave and close their sessions' descriptors.
        inst.wait_for_log(r"imap-login: Disconnected \(no auth attempts", count=100)
        inst.wait_for_log(r"pop3-login: Disconnected \(no auth attempts", count=100)
        # The same sessions log in at once: nothing was counted, nothing is delayed.
        start = time.monotonic()
        imap.sendall(b"b LOGIN demo@example.test secret\r\n")
        reply = imap_in.readline()
        assert reply.startswith(b"b OK"), reply
        assert time.monotonic() - start < 1.5
        # The POP3 session stays in the AUTHORIZATION state after -ERR: try again.
        start = time.monotonic()
        pop3.sendall(b"USER demo@example.test\r\nPASS secret\r\n")
        assert pop3_in.readline().startswith(b"+OK")
        reply = pop3_in.readline()
        assert reply.startswith(b"+OK"), reply
        assert time.monotonic() - start < 1.5
        assert not inst.log_lines(r"Login failed|auth failed")
        imap.close()
        pop3.close()
        inst.stop()
    finally:
        for f in fillers:
            f.close()
        inst.cleanup()
