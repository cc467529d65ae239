"""Mail out over LMTP (RFC 2033): the smtp agent in LMTP mode (master.cf "lmtp unix ...
lmtp", Postfix's lmtp(8)) delivers through transport_maps' "lmtp:unix:/path" and
"lmtp:inet:host:port" to a real LMTP server: Correio's own lmtpd on a second instance,
and Dovecot's LMTP server when it is installed. One transaction carries an accepted and
a refused recipient: each is logged on its own, and only the refused one bounces."""

import os
import pwd
import re
import time

import pytest

from correio_fixture import Correio, free_port
from delivery_setup import pipeline, wait_for_messages
from dovecot_lmtp import DOVECOT, DOVECOT_LMTP, DovecotLmtp

SENDER_MASTER_CF = """\
{listen}      inet  n       -       n       -       -       smtpd
qmgr          unix  n       -       n       300     1       qmgr
virtual       unix  -       -       n       -       -       virtual
lmtp          unix  -       -       n       -       -       lmtp
"""


def lmtp_server(tcp_port: int, extra: dict | None = None) -> Correio:
    """Host B: Correio's lmtpd on queue_directory/private/lmtpd and on 127.0.0.1:PORT,
    storing into the virtual Maildirs of dest.test (bob only; the rest are unknown)."""
    inst = pipeline({"virtual_mailbox_domains": "dest.test", "myhostname": "lmtp.dest.test",
                     **(extra or {})})
    (inst.config_dir / "users").write_text("bob@dest.test:{PLAIN}secret::::::\n"
                                           "carol@dest.test:{PLAIN}secret::::::\n")
    inst.write_master_cf(f"""\
127.0.0.1:{tcp_port} inet  n   -       n       -       -       lmtpd
lmtpd         unix  -       -       n       -       -       lmtpd
""")
    return inst


def sender(nexthop: str, extra: dict | None = None) -> Correio:
    """Host A: example.test's users get the bounces; dest.test goes to `nexthop`."""
    inst = pipeline({"lmtp_lhlo_name": "a.example.test", **(extra or {})})
    transport = inst.config_dir / "transport"
    transport.write_text(f"dest.test {nexthop}\n")
    inst.write_main_cf({"transport_maps": f"texthash:{transport}"})
    inst.write_master_cf(SENDER_MASTER_CF.replace("{listen}", inst.listen))
    return inst


def send_two(inst: Correio, subject: str, rcpts=("bob@dest.test", "nobody@dest.test")) -> None:
    import smtplib
    with smtplib.SMTP("127.0.0.1", inst.smtp_port) as smtp:
        smtp.sendmail("sender@example.test", list(rcpts),
                      f"From: sender@example.test\r\nSubject: {subject}\r\n"
                      f"Message-ID: <{subject}@example.test>\r\n\r\nover lmtp\r\n".encode())


def maildir(inst: Correio, user: str, domain: str = "dest.test"):
    folder = inst.base / "mail" / domain / user / "new"
    deadline = time.monotonic() + 30
    while not (folder.exists() and any(folder.iterdir())):
        if time.monotonic() > deadline:
            raise AssertionError(f"nothing in {folder}\n{inst.log_text()[-3000:]}")
        time.sleep(0.1)
    return sorted(folder.iterdir())


def check_bounce_for_nobody_only(a: Correio, relay: str) -> None:
    a.wait_for_log(r"correio/lmtp\[\d+\]: [0-9A-F]+: to=<nobody@dest\.test>, relay="
                   + re.escape(relay) + r", .*dsn=5\.1\.1, status=bounced \(host "
                   + re.escape(relay.rsplit(":", 1)[0] if "[" in relay else relay)
                   + r".* said: 550 5\.1\.1 .*\(in reply to RCPT TO command\)\)", timeout=30)
    [report] = wait_for_messages(a, "sender", 1)
    text = report.read_text(errors="replace")
    assert "Final-Recipient: rfc822; nobody@dest.test" in text
    assert "Final-Recipient: rfc822; bob@dest.test" not in text
    assert re.search(r"Diagnostic-Code: smtp; 550 5\.1\.1 ", text)
    time.sleep(1)
    assert len(wait_for_messages(a, "sender", 1)) == 1  # one report, nothing for bob


def test_lmtp_over_a_unix_socket_to_correio_lmtpd():
    b = lmtp_server(free_port())
    socket_path = b.queue_dir / "private" / "lmtpd"
    a = sender(f"lmtp:unix:{socket_path}")
    try:
        b.start(wait_ports=[])
        deadline = time.monotonic() + 15
        while not socket_path.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        a.start()
        send_two(a, "lmtp-unix")
        [path] = maildir(b, "bob")
        data = path.read_bytes()
        assert b"Subject: lmtp-unix" in data and b"over lmtp" in data
        relay = f"mail.example.test[{socket_path}]"
        a.wait_for_log(r"correio/lmtp\[\d+\]: [0-9A-F]+: to=<bob@dest\.test>, relay="
                       + re.escape(relay) + r", delay=[\d.]+, delays=[\d./]+, dsn=2\.0\.0, "
                       r"status=sent \(250 2\.0\.0 <bob@dest\.test> ", timeout=30)
        check_bounce_for_nobody_only(a, relay)
        # B saw LHLO with lmtp_lhlo_name, one transaction with two RCPTs.
        b.wait_for_log(r"lmtpd\[\d+\]: disconnect from local lhlo=1 mail=1 rcpt=2 data=1 quit=1 ",
                       timeout=30)
        a.stop()
        b.stop()
    finally:
        a.cleanup()
        b.cleanup()


def test_lmtp_over_tcp_with_a_refusal_after_data():
    port = free_port()
    b = lmtp_server(port)
    # carol's Maildir cannot be created: lmtpd accepts her RCPT, then answers 4xx for her
    # after the message while bob's reply is 250 (RFC 2033 §4.2: one reply each).
    locked = b.base / "mail" / "dest.test" / "carol"
    locked.mkdir(parents=True)
    if os.geteuid() == 0:
        owner = pwd.getpwnam(b.main_cf["mail_owner"])
        for d in (locked.parent, locked):
            os.chown(d, owner.pw_uid, owner.pw_gid)
    locked.chmod(0)
    a = sender(f"lmtp:inet:[127.0.0.1]:{port}")
    try:
        b.start(wait_ports=[port])
        a.start()
        send_two(a, "lmtp-tcp", rcpts=("bob@dest.test", "carol@dest.test", "nobody@dest.test"))
        maildir(b, "bob")
        relay = f"127.0.0.1[127.0.0.1]:{port}"
        a.wait_for_log(r"correio/lmtp\[\d+\]: \w+: to=<bob@dest\.test>, relay="
                       + re.escape(relay) + r", .*status=sent \(250 2\.0\.0 <bob@dest\.test> ",
                       timeout=30)
        a.wait_for_log(r"correio/lmtp\[\d+\]: \w+: to=<carol@dest\.test>, relay="
                       + re.escape(relay) + r", .*dsn=4\.\d\.\d, status=deferred \(host "
                       r"127\.0\.0\.1\[127\.0\.0\.1\] said: 4\d\d .*\(in reply to end of DATA "
                       r"command\)\)", timeout=30)
        check_bounce_for_nobody_only(a, relay)
        # bob is done: the retry carries carol only.
        locked.chmod(0o700)
        [path] = maildir(b, "carol")
        assert b"Subject: lmtp-tcp" in path.read_bytes()
        a.wait_for_log(r"to=<carol@dest\.test>, .*status=sent", timeout=30)
        assert len(maildir(b, "bob")) == 1
        a.stop()
        b.stop()
    finally:
        a.cleanup()
        b.cleanup()


def test_lmtp_server_down_defers():
    a = sender("lmtp:unix:private/no-such-socket")
    try:
        a.start()
        send_two(a, "lmtp-down", rcpts=("bob@dest.test",))
        a.wait_for_log(r"correio/lmtp\[\d+\]: \w+: to=<bob@dest\.test>, relay=none, .*dsn=4\.4\.1, "
                       r"status=deferred \(connect to mail\.example\.test\[private/no-such-socket\]: "
                       r"No such file or directory\)", timeout=30)
        a.stop()
    finally:
        a.cleanup()


@pytest.mark.skipif(not (os.access(DOVECOT, os.X_OK) and os.access(DOVECOT_LMTP, os.X_OK)),
                    reason="Dovecot's LMTP server is not installed (packages dovecot-core, "
                           "dovecot-lmtpd)")
@pytest.mark.skipif(os.geteuid() != 0, reason="Dovecot's master needs root here")
@pytest.mark.parametrize("over", ["unix", "inet"])
def test_lmtp_to_dovecot(over):
    dovecot = DovecotLmtp(["bob@dest.test"])
    nexthop = (f"lmtp:unix:{dovecot.socket}" if over == "unix"
               else f"lmtp:inet:127.0.0.1:{dovecot.port}")
    relay = (f"mail.example.test[{dovecot.socket}]" if over == "unix"
             else f"127.0.0.1[127.0.0.1]:{dovecot.port}")
    a = sender(nexthop)
    try:
        a.start()
        send_two(a, f"dovecot-{over}")
        [path] = dovecot.messages("bob@dest.test")
        assert f"Subject: dovecot-{over}".encode() in path.read_bytes()
        a.wait_for_log(r"correio/lmtp\[\d+\]: \w+: to=<bob@dest\.test>, relay="
                       + re.escape(relay) + r", .*dsn=2\.0\.0, status=sent \(250 2\.0\.0 "
                       r"<bob@dest\.test> \S+ Saved\)", timeout=30)
        check_bounce_for_nobody_only(a, relay)
        assert "User doesn't exist: nobody@dest.test" in a.log_text()
        a.stop()
    finally:
        a.cleanup()
        dovecot.close()
