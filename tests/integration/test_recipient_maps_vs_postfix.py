"""Differential test of recipient validation: the same main.cf (virtual_mailbox_maps,
relay_recipient_maps, local_recipient_maps, their unknown_*_reject_code, a catch-all,
recipient_delimiter) and the same texthash: tables in a stock Postfix and in Correio; each
RCPT must get the same reply, text included; and seed 003's mysql: tables on a real
MariaDB read by both. postmaster@/abuse@ a virtual domain are left
out: Correio accepts them always (RFC 5321 §4.5.1, docs/admin-guide.md)."""

import grp
import os
import pwd
import re
import socket
import subprocess

import pytest

from correio_fixture import CORREIO_BIN, Correio
from postfix_instance import PostfixInstance, skip_reason
from sql_servers import MariadbServer
from test_virtual_mailbox_maps import QUERIES, SCHEMA

pytestmark = pytest.mark.skipif(skip_reason() is not None, reason=skip_reason() or "")

TABLES = {
    "vmail": "bob@v.test v.test/bob/\nmbox@v.test v.test/mbox\n@catch.test catch.test/all/\n",
    "relay": "carol@r.test OK\n@open.test OK\n",
    "local": "alice x\nroot@localhost x\n",
}
# Pattern tables after them: Postfix asks these with the whole address only, never with
# user@domain without the extension, the bare local part or @domain (virtual(5), access(5)
# "REGULAR EXPRESSION TABLES"), so pat+x@v.test, anyone@p.test, dave+x@r.test and
# zed@localhost are unknown to both.
PATTERN_TABLES = {
    "vmail": ("pcre", "/^pat@v\\.test$/ v.test/pat/\n/^@p\\.test$/ p.test/all/\n"
                      "/^(who|what)@p\\.test$/ p.test/$1/\n"),
    "relay": ("regexp", "/^dave@r\\.test$/ OK\n/^@shut\\.test$/ OK\n"),
    "local": ("regexp", "/^zed$/ x\n/^yan@localhost$/ x\n"),
}

RECIPIENTS = [
    "bob@v.test", "Bob@V.Test", "bob+tag@v.test", "bob-tag@v.test", "mbox@v.test",
    "eve@v.test", "+bob@v.test", "anyone@catch.test", "x+y@catch.test", "carol@r.test",
    "CAROL+x@r.test", "dave@r.test", "who@open.test", "alice@localhost", "alice+z@localhost",
    "Alice@LOCALHOST", "root@localhost", "nobody-xyz@localhost", "postmaster@localhost",
    "mailer-daemon@localhost", "x@far.test", "bob@sub.v.test",
    # pattern tables: the whole address only
    "pat@v.test", "pat+x@v.test", "Pat@V.test", "anyone@p.test", "who@p.test",
    "who+x@p.test", "dave@r.test", "dave+x@r.test", "x@shut.test", "zed@localhost",
    "zed+x@localhost", "yan@localhost", "yan+x@localhost",
    # a trailing dot of the domain is dropped (trivial-rewrite), not one more
    "bob@v.test.", "bob+tag@v.test.", "eve@v.test.", "carol@r.test.", "alice@localhost.",
    "x@far.test.",
]


def settings(tables_dir, variant: str) -> dict[str, str]:
    t = {name: f"texthash:{tables_dir}/{name} {PATTERN_TABLES[name][0]}:{tables_dir}/{name}.re"
         for name in TABLES}
    s = {
        "mynetworks": "127.0.0.1/32",
        "recipient_delimiter": "+",
        "virtual_mailbox_domains": "v.test catch.test p.test",
        "virtual_mailbox_maps": t["vmail"],
        "relay_domains": "r.test open.test shut.test",
        "relay_recipient_maps": t["relay"],
        "local_recipient_maps": t["local"],
        "smtpd_relay_restrictions": "permit_mynetworks, reject_unauth_destination",
    }
    if variant == "codes":
        s.update({"unknown_virtual_mailbox_reject_code": "450",
                  "unknown_relay_recipient_reject_code": "551",
                  "unknown_local_recipient_reject_code": "450"})
    if variant == "empty":
        s.update({"relay_recipient_maps": "", "local_recipient_maps": ""})
    return s


def rcpt_replies(port: int, rcpts: list[str]) -> list[str]:
    out = []
    with socket.create_connection(("127.0.0.1", port), timeout=15,
                                  source_address=("127.0.0.4", 0)) as sock:
        f = sock.makefile("rb")

        def reply() -> str:
            while True:
                line = f.readline().decode(errors="replace").rstrip("\r\n")
                if len(line) < 4 or line[3] != "-":
                    return line

        def command(line: str) -> str:
            sock.sendall(line.encode() + b"\r\n")
            return reply()

        reply()
        command("EHLO client.test")
        command("MAIL FROM:<someone@remote.test>")
        for r in rcpts:
            out.append(f"{r} -> {command(f'RCPT TO:<{r}>')}")
        command("QUIT")
    return out


@pytest.mark.parametrize("variant", ["plain", "codes", "empty"])
def test_same_rcpt_replies_as_postfix(variant):
    correio = Correio()
    for name, text in TABLES.items():
        (correio.config_dir / name).write_text(text)
        (correio.config_dir / f"{name}.re").write_text(PATTERN_TABLES[name][1])
    main_cf = settings(correio.config_dir, variant)
    correio.write_main_cf(main_cf)
    postfix = PostfixInstance(main_cf)
    with postfix, correio:
        expected = rcpt_replies(postfix.smtp_port, RECIPIENTS)
        got = rcpt_replies(correio.smtp_port, RECIPIENTS)
        # "250 2.1.5 Ok" is the same in both; rejections carry the text too.
        assert got == expected, "\n".join(
            f"postfix: {e}\ncorreio: {g}" for e, g in zip(expected, got) if e != g)
        assert any("User unknown in virtual mailbox table" in e for e in expected)
        assert not re.search(r"not supported|refus", correio.log_text())


def test_same_rcpt_replies_as_postfix_with_the_seed_schema_on_mariadb(tmp_path):
    """Seed 003's main.cf lines (mysql: domains, mailboxes, aliases) against one MariaDB
    server, read by Postfix's mysql client and Correio's."""
    if not os.path.exists("/usr/lib/postfix/postfix-mysql.so"):
        pytest.skip("Postfix's mysql: tables need the Debian package postfix-mysql")
    with MariadbServer() as db:
        db.sql(SCHEMA)
        correio = Correio()
        specs = {}
        for name, query in QUERIES.items():
            cf = correio.config_dir / name
            # Readable by Postfix's proxy-less mysql client (smtpd runs as postfix).
            cf.write_text(f"hosts = inet:127.0.0.1:{db.port}\nuser = {db.user}\n"
                          f"password = {db.password}\ndbname = {db.dbname}\n"
                          f"query = {query}\n")
            os.chmod(cf, 0o644)
            specs[name] = f"mysql:{cf}"
        main_cf = {"mynetworks": "127.0.0.1/32",
                   "virtual_mailbox_domains": specs["vmail-domains.cf"],
                   "virtual_mailbox_maps": specs["vmail-mailboxes.cf"],
                   "virtual_alias_maps": specs["vmail-aliases.cf"],
                   "smtpd_relay_restrictions": "permit_mynetworks, reject_unauth_destination"}
        correio.write_main_cf(main_cf)
        postfix = PostfixInstance(main_cf)
        rcpts = ["bob@v.test", "BOB@v.test", "eve@v.test", "info@v.test", "x@catch.test",
                 "bob@far.test", "nobody-xyz@localhost", "root@localhost"]
        with postfix, correio:
            expected = rcpt_replies(postfix.smtp_port, rcpts)
            got = rcpt_replies(correio.smtp_port, rcpts)
            assert got == expected, "\n".join(
                f"postfix: {e}\ncorreio: {g}" for e, g in zip(expected, got) if e != g)
            assert any("User unknown in virtual mailbox table" in e for e in expected)


def test_unix_tables_answer_as_postfix_postmap(tmp_path):
    """unix:passwd.byname and unix:group.byname (the default local_recipient_maps): the
    same `postmap -q` answers and exit codes as Postfix's for every system account and
    group, upper case and unknown names."""
    (tmp_path / "main.cf").write_text("")  # Postfix's postmap wants a main.cf
    keys = {"passwd.byname": [p.pw_name for p in pwd.getpwall()] + ["ROOT", "no-such-xyz"],
            "group.byname": [g.gr_name for g in grp.getgrall()] + ["Root", "no-such-xyz"]}
    for table, names in keys.items():
        for key in names:
            theirs = subprocess.run(["/usr/sbin/postmap", "-c", str(tmp_path), "-q", key,
                                     f"unix:{table}"], capture_output=True, text=True)
            ours = subprocess.run([CORREIO_BIN, "postmap", "-q", key, f"unix:{table}"],
                                  capture_output=True, text=True)
            assert (ours.returncode, ours.stdout) == (theirs.returncode, theirs.stdout), \
                (table, key, ours.stderr, theirs.stderr)
