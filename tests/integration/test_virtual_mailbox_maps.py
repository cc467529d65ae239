"""virtual_mailbox_maps, relay_recipient_maps and local_recipient_maps with tables, as a
Postfix administrator writes them: texthash/hash tables and the MySQL/PostgreSQL schema of
seed 003 (virtual_domains, virtual_users with the mailbox path, virtual_aliases) on real
MariaDB and PostgreSQL servers. RCPT replies, delivery to $virtual_mailbox_base/RESULT
(Maildir or mbox) as the owner virtual_uid_maps names, catch-alls, an IMAP user of
user_directory reading the same Maildir, and a database that stops (451, deferral, later
delivery)."""

import os
import pwd
import shutil
import smtplib
import subprocess
import time

import pytest

from correio_fixture import CORREIO_BIN, free_port
from delivery_setup import PIPELINE_MASTER_CF, pipeline, queue_is_empty
from sql_servers import MariadbServer, PostgresServer

VMAIL = "bob@v.test v.test/bob/\nmbox@v.test v.test/mbox-file\n@catch.test catch.test/all/\n"


def rcpt(inst, recipient, port=None):
    with smtplib.SMTP("127.0.0.1", port or inst.smtp_port, timeout=30) as s:
        s.ehlo("client.example")
        s.mail("someone@remote.example")
        return s.rcpt(recipient)


def send(inst, recipients, body=b"Subject: vmaps\r\n\r\nhello\r\n", port=None):
    with smtplib.SMTP("127.0.0.1", port or inst.smtp_port, timeout=30) as s:
        refused = s.sendmail("someone@remote.example", recipients, body)
        assert not refused, refused


def wait_for_files(folder, count, inst, timeout=20):
    deadline = time.monotonic() + timeout
    while True:
        files = sorted(folder.iterdir()) if folder.exists() else []
        if len(files) >= count:
            return files
        if time.monotonic() > deadline:
            raise AssertionError(f"{len(files)} of {count} in {folder}\n{inst.log_text()[-4000:]}")
        time.sleep(0.05)


def table_pipeline(extra=None):
    inst = pipeline({"virtual_mailbox_domains": "v.test catch.test",
                     "virtual_mailbox_maps": "",  # set below, with the file's path
                     "recipient_delimiter": "+",
                     **(extra or {})})
    (inst.config_dir / "vmail").write_text(VMAIL)
    inst.write_main_cf({"virtual_mailbox_maps": f"texthash:{inst.config_dir}/vmail"})
    # The virtual agent (as mail_owner) creates the Maildirs below the domain folders.
    owner = pwd.getpwnam(inst.main_cf["mail_owner"])
    for domain in ("v.test", "catch.test"):
        d = inst.base / "mail" / domain
        d.mkdir()
        os.chown(d, owner.pw_uid, owner.pw_gid)
    return inst


def test_rcpt_replies_follow_the_tables():
    inst = table_pipeline({
        "relay_domains": "r.test",
        "relay_recipient_maps": "inline:{ carol@r.test=OK }",
        "unknown_relay_recipient_reject_code": "450",
        "local_recipient_maps": "",  # set below
    })
    (inst.config_dir / "local").write_text("alice whatever\n")
    inst.write_main_cf({"local_recipient_maps": f"texthash:{inst.config_dir}/local"})
    with inst:
        for address in ("bob@v.test", "Bob+tag@V.test", "anyone@catch.test", "carol@r.test",
                        "alice@localhost", "alice+x@localhost", "postmaster@localhost",
                        "postmaster@v.test"):
            code, reply = rcpt(inst, address)
            assert code == 250, (address, reply)
        # demo@example.test is in user_directory, but example.test is not a table domain;
        # demo@v.test would be a user only if the table said so.
        code, reply = rcpt(inst, "eve@v.test")
        assert (code, reply) == (550, b"5.1.1 <eve@v.test>: Recipient address rejected: "
                                      b"User unknown in virtual mailbox table"), reply
        code, reply = rcpt(inst, "dave@r.test")
        assert (code, reply) == (450, b"4.1.1 <dave@r.test>: Recipient address rejected: "
                                      b"User unknown in relay recipient table"), reply
        code, reply = rcpt(inst, "root@localhost")  # in passwd, but not in this table
        assert (code, reply) == (550, b"5.1.1 <root@localhost>: Recipient address rejected: "
                                      b"User unknown in local recipient table"), reply
        inst.wait_for_log(r"NOQUEUE: reject: RCPT from .*: 550 5\.1\.1 <eve@v\.test>")
    assert "not supported" not in inst.log_text()


def test_default_and_empty_local_recipient_maps():
    inst = table_pipeline()
    with inst:
        assert rcpt(inst, "root@localhost")[0] == 250  # unix:passwd.byname
        assert rcpt(inst, "postmaster@localhost")[0] == 250
        code, reply = rcpt(inst, "no-such-user-xyz@localhost")
        assert code == 550 and b"User unknown in local recipient table" in reply, reply
        inst.stop()
        inst.write_main_cf({"local_recipient_maps": ""})
        inst.start()
        assert rcpt(inst, "no-such-user-xyz@localhost")[0] == 250


def test_hash_tables_built_by_postmap():
    inst = table_pipeline()
    (inst.config_dir / "locals").write_text("frank@localhost x\n")
    for name in ("locals", "vmail"):
        built = subprocess.run([CORREIO_BIN, "postmap", str(inst.config_dir / name)],
                               capture_output=True, text=True)
        assert built.returncode == 0, built.stderr
    inst.write_main_cf({"local_recipient_maps": f"hash:{inst.config_dir}/locals",
                        "virtual_mailbox_maps": f"hash:{inst.config_dir}/vmail"})
    with inst:
        assert rcpt(inst, "frank@localhost")[0] == 250
        assert rcpt(inst, "root@localhost")[0] == 550
        assert rcpt(inst, "bob@v.test")[0] == 250
        assert rcpt(inst, "eve@v.test")[0] == 550
        send(inst, ["bob@v.test"])
        wait_for_files(inst.base / "mail" / "v.test" / "bob" / "new", 1, inst)


def test_delivery_to_maildir_mbox_and_catch_all_with_imap_reading_it():
    from imap_setup import ImapInstance
    imap = ImapInstance({"virtual_mailbox_domains": "v.test catch.test",
                         "recipient_delimiter": "+"})
    inst = imap.inst
    (inst.config_dir / "vmail").write_text(VMAIL)
    # bob is also a login of user_directory, without a home: his mail_location is
    # $virtual_mailbox_base/v.test/bob, the very Maildir the table names.
    (inst.config_dir / "users").write_text("bob@v.test:{PLAIN}bob-pw::::::\n")
    inst.write_main_cf({"virtual_mailbox_maps": f"texthash:{inst.config_dir}/vmail"})
    owner = pwd.getpwnam(inst.main_cf["mail_owner"])
    for domain in ("v.test", "catch.test"):
        d = inst.base / "mail" / domain
        d.mkdir()
        os.chown(d, owner.pw_uid, owner.pw_gid)
    with imap:
        send(inst, ["bob+news@v.test"], b"Subject: to bob\r\n\r\nhello bob\r\n")
        send(inst, ["mbox@v.test"], b"Subject: to mbox\r\n\r\nFrom the start\r\n")
        send(inst, ["whoever@catch.test"], b"Subject: catch\r\n\r\ncaught\r\n")
        [bob] = wait_for_files(inst.base / "mail" / "v.test" / "bob" / "new", 1, inst)
        assert bob.read_bytes().endswith(b"hello bob\n")
        [caught] = wait_for_files(inst.base / "mail" / "catch.test" / "all" / "new", 1, inst)
        assert b"Delivered-To: whoever@catch.test\n" in caught.read_bytes()
        inst.wait_for_log(r"to=<mbox@v\.test>, relay=virtual, .*status=sent "
                          r"\(delivered to mailbox\)")
        mbox = (inst.base / "mail" / "v.test" / "mbox-file").read_bytes()
        assert mbox.startswith(b"From someone@remote.example ")
        assert b"\n>From the start\n" in mbox
        # postmaster@v.test is not in the table: qmgr gives it to the local postmaster.
        send(inst, ["postmaster@v.test"], b"Subject: role\r\n\r\nfor the admin\r\n")
        inst.wait_for_log(r"orig_to=<postmaster@v\.test>, relay=local, .*status=sent")
        client = imap.imap(login=False)
        client.login("bob@v.test", "bob-pw")
        typ, data = client.select("INBOX")
        assert typ == "OK" and data == [b"1"], data
        typ, data = client.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        assert b"Subject: to bob" in data[0][1]
        client.logout()


ROOT_MASTER_CF = PIPELINE_MASTER_CF.replace(
    "virtual       unix  -       -       n       -       -       virtual",
    "virtual       unix  -       n       n       -       -       virtual")


@pytest.mark.skipif(os.geteuid() != 0, reason="changing file owners needs root")
def test_owner_from_virtual_uid_maps_and_minimum_uid():
    inst = table_pipeline({"virtual_uid_maps": "inline:{ @v.test=5000, mbox@v.test=42 }",
                           "virtual_gid_maps": "static:5000"})
    inst.write_master_cf(ROOT_MASTER_CF.replace("{listen}", inst.listen))
    (inst.base / "mail" / "v.test").chmod(0o777)
    with inst:
        send(inst, ["bob@v.test"])
        send(inst, ["mbox@v.test"])
        [path] = wait_for_files(inst.base / "mail" / "v.test" / "bob" / "new", 1, inst)
        assert (path.stat().st_uid, path.stat().st_gid) == (5000, 5000)
        inst.wait_for_log(r"to=<mbox@v\.test>, relay=virtual, .*dsn=4\.3\.0, status=deferred "
                          r"\(mail system configuration error: recipient mbox@v\.test: bad uid "
                          r"42 in virtual_uid_maps\)")
        assert not (inst.base / "mail" / "v.test" / "mbox-file").exists()


def test_relative_base_is_refused_at_start():
    inst = table_pipeline({"virtual_mailbox_base": "mail"})
    with inst:
        send(inst, ["bob@v.test"])
        inst.wait_for_log(r"virtual_mailbox_maps is set but virtual_mailbox_base "
                          r"\(\"mail\"\) is not an absolute path", timeout=20)
        assert "status=bounced" not in inst.log_text()


# --- seed 003's MySQL schema, on MariaDB and PostgreSQL ---------------------------------

SCHEMA = """CREATE TABLE virtual_domains (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL);
CREATE TABLE virtual_users (id INTEGER PRIMARY KEY, domain_id INTEGER NOT NULL,
    email VARCHAR(100) NOT NULL, password VARCHAR(150) NOT NULL, maildir VARCHAR(255));
CREATE TABLE virtual_aliases (id INTEGER PRIMARY KEY, domain_id INTEGER NOT NULL,
    source VARCHAR(100) NOT NULL, destination VARCHAR(100) NOT NULL);
INSERT INTO virtual_domains VALUES (1, 'v.test'), (2, 'catch.test');
INSERT INTO virtual_users VALUES (1, 1, 'bob@v.test', '{PLAIN}bob-pw', 'v.test/bob/'),
    (2, 2, '@catch.test', '', 'catch.test/all/');
INSERT INTO virtual_aliases VALUES (1, 1, 'info@v.test', 'bob@v.test');
"""
QUERIES = {
    "vmail-domains.cf": "SELECT 1 FROM virtual_domains WHERE name='%s'",
    "vmail-mailboxes.cf": "SELECT maildir FROM virtual_users WHERE email='%s'",
    "vmail-aliases.cf": "SELECT destination FROM virtual_aliases WHERE source='%s'",
}


@pytest.fixture(scope="module", params=["mysql", "pgsql"])
def db(request):
    server = MariadbServer() if request.param == "mysql" else PostgresServer()
    with server:
        server.kind = request.param
        server.sql(SCHEMA)
        if request.param == "pgsql":
            server.sql("GRANT SELECT ON virtual_domains, virtual_users, virtual_aliases "
                       "TO correio;")
        yield server


def sql_pipeline(db, extra=None):
    inst = table_pipeline(extra)
    specs = {}
    for name, query in QUERIES.items():
        cf = inst.config_dir / name
        cf.write_text(f"hosts = inet:127.0.0.1:{db.port}\nuser = {db.user}\n"
                      f"password = {db.password}\ndbname = {db.dbname}\n"
                      f"connect_timeout = 2\nquery = {query}\n")
        specs[name] = f"{db.kind}:{cf}"
    inst.write_main_cf({"virtual_mailbox_domains": specs["vmail-domains.cf"],
                        "virtual_mailbox_maps": specs["vmail-mailboxes.cf"],
                        "virtual_alias_maps": specs["vmail-aliases.cf"]})
    return inst


def test_seed_schema_rcpt_delivery_alias_and_catch_all(db):
    inst = sql_pipeline(db)
    with inst:
        assert rcpt(inst, "bob@v.test")[0] == 250
        code, reply = rcpt(inst, "eve@v.test")
        assert (code, reply) == (550, b"5.1.1 <eve@v.test>: Recipient address rejected: "
                                      b"User unknown in virtual mailbox table"), reply
        assert rcpt(inst, "someone@catch.test")[0] == 250  # the '@catch.test' row
        send(inst, ["bob@v.test", "info@v.test", "x@catch.test"])
        wait_for_files(inst.base / "mail" / "v.test" / "bob" / "new", 2, inst)
        [caught] = wait_for_files(inst.base / "mail" / "catch.test" / "all" / "new", 1, inst)
        assert b"Delivered-To: x@catch.test\n" in caught.read_bytes()


def test_database_down_gives_451_then_deferral_then_delivery(db):
    # A second smtpd that accepts without the RCPT check (and without the aliases, also in
    # the database): the message reaches the queue while the database is down, and the
    # virtual agent must defer it, not bounce it.
    lenient = free_port()
    inst = sql_pipeline(db, {"minimal_backoff_time": "1s", "maximal_backoff_time": "2s"})
    inst.write_master_cf(PIPELINE_MASTER_CF.replace("{listen}", inst.listen)
                         + f"127.0.0.1:{lenient} inet n - n - - smtpd\n"
                         + "  -o smtpd_reject_unlisted_recipient=no\n"
                         + "  -o virtual_alias_maps=\n")
    # The domain classes must not need the database for the lenient path (else qmgr's
    # resolver defers before the virtual agent is asked).
    inst.write_main_cf({"virtual_mailbox_domains": "v.test catch.test",
                        "virtual_alias_domains": ""})
    with inst:
        db.stop()
        try:
            code, reply = rcpt(inst, "bob@v.test")
            assert (code, reply[:5]) == (451, b"4.3.0"), reply
            assert b"User unknown" not in reply
            send(inst, ["bob@v.test"], port=lenient)
            inst.wait_for_log(r"to=<bob@v\.test>, relay=virtual, .*dsn=4\.3\.0, "
                              r"status=deferred \(.*virtual_mailbox_maps lookup error",
                              timeout=30)
            assert "status=bounced" not in inst.log_text()
        finally:
            db.start()
        wait_for_files(inst.base / "mail" / "v.test" / "bob" / "new", 1, inst, timeout=40)
        deadline = time.monotonic() + 20
        while not queue_is_empty(inst) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert queue_is_empty(inst)
