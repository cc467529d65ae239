"""The one address resolver seen from outside: postmaster@ and abuse@ every local and
virtual domain reach the aliases (RFC 5321 §4.5.1, RFC 2142), map-valued domain lists, an
unknown table type refused at start with main.cf:LINE, and Dovecot-style bare user names
(auth_default_realm) with a mail_location template — with smtplib and imaplib."""

import imaplib
import os
import pwd
import re
import smtplib
import time

from delivery_setup import pipeline, wait_for_messages
from imap_setup import ImapInstance


def send(inst, recipients, subject):
    with smtplib.SMTP("127.0.0.1", inst.smtp_port, timeout=20) as s:
        s.ehlo("client.example")
        assert s.mail("someone@remote.example")[0] == 250
        for r in recipients:
            code, reply = s.rcpt(r)
            assert code == 250, (r, reply)
        code, reply = s.data(f"Subject: {subject}\r\n\r\nbody\r\n".encode())
        assert code == 250, reply


def wait_for_text(path, text, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and text in path.read_text(errors="replace"):
            return path.read_text(errors="replace")
        time.sleep(0.1)
    raise AssertionError(f"{text!r} not in {path}")


def test_role_accounts_of_every_domain_reach_the_aliases():
    inst = pipeline({"virtual_alias_domains": "alias.example"})
    with inst:
        send(inst, ["postmaster@example.test"], "pm virtual")
        send(inst, ["abuse@Example.Test"], "abuse virtual")
        send(inst, ["postmaster@alias.example"], "pm alias domain")
        send(inst, ["abuse@localhost"], "abuse local")
        root_mbox = inst.base / "spool" / "root"
        for subject in ("pm virtual", "abuse virtual", "pm alias domain", "abuse local"):
            wait_for_text(root_mbox, f"Subject: {subject}")
        inst.wait_for_log(r"correio/local\[\d+\]: \w+: to=<root@mail\.example\.test>, "
                          r"orig_to=<postmaster@example\.test>, relay=local, .*status=sent")
        assert "X-Original-To: abuse@Example.Test" in root_mbox.read_text()
        # Other addresses of a virtual alias domain (no virtual_alias_maps entry) are unknown.
        with smtplib.SMTP("127.0.0.1", inst.smtp_port, timeout=20) as s:
            s.ehlo("client.example")
            s.mail("someone@remote.example")
            code, reply = s.rcpt("nobody@alias.example")
            assert code == 550 and b"User unknown in virtual alias table" in reply


def test_explicit_virtual_postmaster_mailbox_wins():
    inst = pipeline()
    users = inst.config_dir / "users"
    users.write_text(users.read_text() + "postmaster@example.test:{PLAIN}pw::::::\n")
    with inst:
        send(inst, ["postmaster@example.test"], "own mailbox")
        [path] = wait_for_messages(inst, "postmaster", 1)
        assert b"Subject: own mailbox" in path.read_bytes()
        assert not (inst.base / "spool" / "root").exists()


def test_map_valued_domain_lists():
    inst = pipeline()
    vdomains = inst.config_dir / "vdomains"
    vdomains.write_text("Example.Test  OK\n")
    local_list = inst.config_dir / "local-domains"
    local_list.write_text("# local names\nlocalhost, second.example\n")
    inst.write_main_cf({"virtual_mailbox_domains": f"texthash:{vdomains}",
                        "mydestination": str(local_list)})
    with inst:
        send(inst, ["demo@example.test", "postmaster@second.example"], "lists")
        [path] = wait_for_messages(inst, "demo", 1)
        assert b"Subject: lists" in path.read_bytes()
        wait_for_text(inst.base / "spool" / "root", "Subject: lists")
        with smtplib.SMTP("127.0.0.1", inst.smtp_port, timeout=20) as s:
            s.ehlo("client.example")
            s.mail("someone@remote.example")
            code, reply = s.rcpt("nosuch@second.example")
            assert code == 550 and b"User unknown in local recipient table" in reply


def test_unknown_table_type_is_fatal_with_file_and_line():
    # Refused before anything starts, by check and by start, with the line to fix.
    inst = pipeline({"virtual_mailbox_domains": "ldap:/etc/postfix/x.cf"})
    try:
        text = (inst.config_dir / "main.cf").read_text()
        line = next(i + 1 for i, l in enumerate(text.splitlines())
                    if l.startswith("virtual_mailbox_domains"))
        for verb in ("check", "start"):
            done = inst.command(verb)
            assert done.returncode == 1, done.stderr
            assert re.search(rf"main\.cf:{line}: error: virtual_mailbox_domains: "
                             r"\"ldap:/etc/postfix/x\.cf\": unsupported dictionary type: ldap",
                             done.stderr), done.stderr
    finally:
        inst.cleanup()


def test_bare_login_name_with_default_realm_and_mail_location():
    vmail = "/tmp/correio-vmail-{}".format(os.getpid())
    imap = ImapInstance({"auth_default_realm": "example.test",
                         "mail_location": f"maildir:{vmail}/%d/%n/Maildir"})
    inst = imap.inst
    # A Dovecot passwd-file line as Dovecot writes it: bare name, no home.
    (inst.config_dir / "users").write_text(
        "testuser1:{PLAIN}pass1::::::\nsender@example.test:{PLAIN}secret::::::\n")
    os.makedirs(vmail, mode=0o755)
    if os.geteuid() == 0:
        owner = pwd.getpwnam(inst.main_cf["mail_owner"])
        os.chown(vmail, owner.pw_uid, owner.pw_gid)
    try:
        with imap:
            imap.send("realm body", subject="to the realm", to="testuser1@example.test")
            new = f"{vmail}/example.test/testuser1/Maildir/new"
            deadline = time.monotonic() + 20
            while not (os.path.isdir(new) and os.listdir(new)):
                assert time.monotonic() < deadline, inst.log_text()[-3000:]
                time.sleep(0.1)
            client = imaplib.IMAP4("127.0.0.1", imap.imap_port, timeout=20)
            assert client.login("testuser1", "pass1")[0] == "OK"
            typ, data = client.select("INBOX")
            assert typ == "OK" and data[0] == b"1"
            typ, data = client.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
            assert b"to the realm" in data[0][1]
            client.logout()
    finally:
        import shutil
        shutil.rmtree(vmail, ignore_errors=True)


def rcpt_reply(inst, recipient):
    with smtplib.SMTP("127.0.0.1", inst.smtp_port, timeout=20) as s:
        s.ehlo("client.example")
        s.mail("someone@remote.example")
        return s.rcpt(recipient)


def test_mynetworks_from_a_file():
    for listed, expected in (("192.0.2.0/24\n127.0.0.0/8  # this host\n", 250),
                             ("192.0.2.0/24\n", 454)):
        inst = pipeline()
        nets = inst.config_dir / "trusted-networks"
        nets.write_text("# the lab\n" + listed)
        inst.write_main_cf({"mynetworks": str(nets)})
        with inst:
            code, reply = rcpt_reply(inst, "someone@far.example")
            assert code == expected, reply
            if code == 454:
                assert b"Relay access denied" in reply


def test_mynetworks_table_is_refused_naming_the_parameter():
    inst = pipeline({"mynetworks": "cidr:/etc/postfix/network_table"})
    with inst:
        inst.wait_for_log(r"correio/smtpd\[\d+\]: fatal: mynetworks: table lookups are not "
                          r"supported here: cidr:/etc/postfix/network_table")
