"""smtpd access control as Postfix does it (SMTPD_ACCESS_README, access(5)), with
Python's smtplib and raw sockets against a Correio whose tables are built by its own
postmap: check_*_access at every stage with smtpd_delay_reject = yes and no, the reply
codes, enhanced status codes and "NOQUEUE: reject:" log lines, access(5) actions that
change the mail (REDIRECT, PREPEND, DISCARD, HOLD, BCC), and restriction classes. The client
address varies by binding the client socket to 127.0.0.x sources."""

import re
import smtplib
import socket
import time

import pytest

from correio_fixture import Correio
from delivery_setup import PIPELINE_MASTER_CF, maildir_new, pipeline, wait_for_messages
from test_admin_tools import PICKUP, tool

CLIENT_ACCESS = "127.0.0.2 REJECT bad client\n127.0.0.3 DEFER_IF_PERMIT later\n"
HELO_ACCESS = "bad.helo.test 550 5.7.9 go away\n"
SENDER_ACCESS = ("spam@bad.test REJECT\n"
                 "redirected@ok.test REDIRECT demo@example.test\n"
                 "tagged@ok.test PREPEND X-Access-Tag: tagged\n"
                 "quiet@ok.test DISCARD\n"
                 "classy@ok.test strict\n"
                 "held@ok.test HOLD\n"
                 "copied@ok.test BCC sender@example.test\n"
                 "twice@ok.test BCC demo@example.test\n")
RECIPIENT_ACCESS = "nobody@example.test 450 4.2.1 mailbox busy\n"


def with_tables(extra: dict[str, str], master_cf: str = "") -> Correio:
    inst = pipeline()
    if master_cf:
        inst.write_master_cf(PIPELINE_MASTER_CF.replace("{listen}", inst.listen) + master_cf)
    tables = {}
    for name, text in (("client", CLIENT_ACCESS), ("helo", HELO_ACCESS),
                       ("sender", SENDER_ACCESS), ("recipient", RECIPIENT_ACCESS)):
        path = inst.config_dir / f"{name}_access"
        path.write_text(text)
        done = inst.command("postmap", str(path))
        assert done.returncode == 0, done.stderr
        tables[name] = f"hash:{path}"
    settings = {
        "mynetworks": "127.0.0.1/32",
        "smtpd_restriction_classes": "strict",
        "strict": "reject_non_fqdn_helo_hostname, permit",
        "smtpd_client_restrictions": f"check_client_access {tables['client']}",
        "smtpd_helo_restrictions": f"check_helo_access {tables['helo']}",
        "smtpd_sender_restrictions": f"check_sender_access {tables['sender']}",
        "smtpd_recipient_restrictions":
            f"check_recipient_access {tables['recipient']}, reject_unauth_destination",
    }
    settings.update(extra)
    inst.write_main_cf(settings)
    return inst


def client(inst: Correio, source: str = "127.0.0.4") -> smtplib.SMTP:
    return smtplib.SMTP("127.0.0.1", inst.smtp_port, source_address=(source, 0), timeout=10)


def test_delay_reject_yes_everything_at_rcpt():
    inst = with_tables({})
    with inst:
        assert inst.command("check").returncode == 0
        with client(inst, "127.0.0.2") as s:
            assert s.ehlo("good.helo.test")[0] == 250
            assert s.mail("a@ok.test")[0] == 250
            assert s.rcpt("demo@example.test") == \
                (554, b"5.7.1 <unknown[127.0.0.2]>: Client host rejected: bad client")
        with client(inst) as s:
            s.ehlo("bad.helo.test")
            assert s.mail("a@ok.test")[0] == 250
            assert s.rcpt("demo@example.test") == \
                (550, b"5.7.9 <bad.helo.test>: Helo command rejected: go away")
        with client(inst) as s:
            s.ehlo("good.helo.test")
            assert s.mail("spam@bad.test")[0] == 250
            assert s.rcpt("demo@example.test") == \
                (554, b"5.7.1 <spam@bad.test>: Sender address rejected: Access denied")
            s.rset()
            s.mail("a@ok.test")
            assert s.rcpt("nobody@example.test") == \
                (450, b"4.2.1 <nobody@example.test>: Recipient address rejected: mailbox busy")
            assert s.rcpt("x@elsewhere.test") == \
                (454, b"4.7.1 <x@elsewhere.test>: Relay access denied")
            assert s.rcpt("demo@example.test")[0] == 250
        # DEFER_IF_PERMIT: the whole check passed, so the client is told to come back.
        with client(inst, "127.0.0.3") as s:
            s.ehlo("good.helo.test")
            s.mail("a@ok.test")
            assert s.rcpt("demo@example.test") == \
                (450, b"4.7.1 <unknown[127.0.0.3]>: Client host rejected: later")
        inst.wait_for_log(r"NOQUEUE: reject: RCPT from unknown\[127\.0\.0\.2\]: 554 5\.7\.1 "
                          r"<unknown\[127\.0\.0\.2\]>: Client host rejected: bad client; "
                          r"from=<a@ok\.test> to=<demo@example\.test> proto=ESMTP "
                          r"helo=<good\.helo\.test>")


def raw_dialogue(port: int, source: str, lines: list[str]) -> list[str]:
    """The greeting and the first reply line to each command, sent one by one."""
    with socket.create_connection(("127.0.0.1", port), timeout=10,
                                  source_address=(source, 0)) as sock:
        f = sock.makefile("rb")

        def read_reply() -> str:
            while True:
                line = f.readline().decode().rstrip("\r\n")
                if len(line) < 4 or line[3] != "-":
                    return line

        replies = [read_reply()]
        for line in lines:
            sock.sendall(line.encode() + b"\r\n")
            replies.append(read_reply())
        return replies


def test_delay_reject_no_replies_at_each_stage():
    inst = with_tables({"smtpd_delay_reject": "no"})
    with inst:
        # Rejected at connect: the reply replaces the greeting, then every command but
        # QUIT gets 503 (Postfix's smtpd_proto()).
        replies = raw_dialogue(inst.smtp_port, "127.0.0.2", ["EHLO x.test", "QUIT"])
        assert replies[0] == "554 5.7.1 <unknown[127.0.0.2]>: Client host rejected: bad client"
        assert replies[1] == "503 5.7.0 Error: access denied for unknown[127.0.0.2]"
        assert replies[2].startswith("221 2.0.0")
        inst.wait_for_log(r"NOQUEUE: reject: CONNECT from unknown\[127\.0\.0\.2\]: 554 5\.7\.1 "
                          r"<unknown\[127\.0\.0\.2\]>: Client host rejected: bad client; "
                          r"proto=SMTP$")
        with client(inst) as s:
            assert s.ehlo("bad.helo.test") == \
                (550, b"5.7.9 <bad.helo.test>: Helo command rejected: go away")
            assert s.ehlo("good.helo.test")[0] == 250
            assert s.mail("spam@bad.test") == \
                (554, b"5.7.1 <spam@bad.test>: Sender address rejected: Access denied")
            assert s.mail("a@ok.test")[0] == 250
            assert s.rcpt("demo@example.test")[0] == 250
        inst.wait_for_log(r"NOQUEUE: reject: MAIL from unknown\[127\.0\.0\.4\]: 554 5\.7\.1 "
                          r"<spam@bad\.test>: Sender address rejected: Access denied; "
                          r"from=<spam@bad\.test> proto=ESMTP helo=<good\.helo\.test>")


def test_data_and_end_of_data_restrictions():
    inst = with_tables({"smtpd_data_restrictions": "check_client_access inline:{ "
                                                   "{ 127.0.0.5 = 554 5.7.3 no data } }",
                        "smtpd_end_of_data_restrictions": "check_client_access inline:{ "
                                                          "{ 127.0.0.6 = REJECT not after all } }"})
    with inst:
        with client(inst, "127.0.0.5") as s:
            s.ehlo("good.helo.test")
            s.mail("a@ok.test")
            s.rcpt("demo@example.test")
            assert s.docmd("DATA") == \
                (554, b"5.7.3 <unknown[127.0.0.5]>: Client host rejected: no data")
            # The first BDAT is held to the same list.
            s.send(b"BDAT 5 LAST\r\nhello")
            assert s.getreply()[0] == 554
        with client(inst, "127.0.0.6") as s:
            s.ehlo("good.helo.test")
            with pytest.raises(smtplib.SMTPDataError) as refused:
                s.sendmail("a@ok.test", ["demo@example.test"], b"Subject: x\r\n\r\nbody\r\n")
            assert refused.value.smtp_code == 554
            assert refused.value.smtp_error == \
                b"5.7.1 <unknown[127.0.0.6]>: Client host rejected: not after all"
        inst.wait_for_log(r": reject: END-OF-MESSAGE from unknown\[127\.0\.0\.6\]: 554 5\.7\.1")
        assert not maildir_new(inst, "demo").exists() or \
            not list(maildir_new(inst, "demo").iterdir())


def test_redirect_prepend_discard_really_happen():
    inst = with_tables({})
    with inst:
        with client(inst) as s:
            s.ehlo("good.helo.test")
            s.sendmail("tagged@ok.test", ["sender@example.test"], b"Subject: t\r\n\r\ntagged\r\n")
            s.sendmail("redirected@ok.test", ["sender@example.test"],
                       b"Subject: r\r\n\r\nredirected\r\n")
            code, text = s.docmd("MAIL FROM:<quiet@ok.test>")
            assert code == 250
            assert s.rcpt("sender@example.test")[0] == 250
            code, text = s.data(b"Subject: d\r\n\r\ndiscarded\r\n")
            assert code == 250 and b"queued as" in text
            # A classified sender: the class decides (HELO is fully qualified: permit).
            s.sendmail("classy@ok.test", ["sender@example.test"], b"Subject: c\r\n\r\nclassy\r\n")
        redirected = wait_for_messages(inst, "demo", 1)
        assert b"redirected" in redirected[0].read_bytes()
        got = [p.read_bytes() for p in wait_for_messages(inst, "sender", 2)]
        tagged = next(m for m in got if b"tagged" in m)
        assert tagged.startswith(b"X-Access-Tag: tagged\n") or \
            tagged.split(b"\n\n")[0].count(b"X-Access-Tag: tagged") == 1
        assert any(b"classy" in m for m in got)
        assert not any(b"discarded" in m for m in got)
        inst.wait_for_log(r"NOQUEUE: discard: RCPT from unknown\[127\.0\.0\.4\]: "
                          r"<quiet@ok\.test>: Sender address triggers DISCARD action")


def test_hold_puts_the_message_on_hold_until_postsuper_releases_it():
    inst = with_tables({}, master_cf=PICKUP)
    with inst:
        with client(inst) as s:
            s.ehlo("good.helo.test")
            s.mail("held@ok.test")
            assert s.rcpt("demo@example.test")[0] == 250
            code, text = s.data(b"Subject: h\r\n\r\nheld by the sender table\r\n")
            assert code == 250
        queue_id = text.decode().rsplit(" ", 1)[1]
        assert (inst.queue_dir / "hold" / queue_id).exists()
        inst.wait_for_log(r"NOQUEUE: hold: RCPT from unknown\[127\.0\.0\.4\]: <held@ok\.test>: "
                          r"Sender address triggers HOLD action; from=<held@ok\.test>")
        listing = tool(inst, "mailq").stdout.decode()
        assert re.search(rf"^{queue_id}!\s", listing, re.M), listing
        time.sleep(1.5)  # qmgr leaves held mail alone
        assert not maildir_new(inst, "demo").exists() or \
            not list(maildir_new(inst, "demo").iterdir())
        assert tool(inst, "postsuper", "-H", queue_id).returncode == 0
        tool(inst, "postqueue", "-f")
        assert b"held by the sender table" in wait_for_messages(inst, "demo", 1)[0].read_bytes()


def test_bcc_adds_one_copy_the_last_one_wins():
    inst = with_tables({"smtpd_recipient_restrictions":
                        "check_recipient_access inline:{ { sender@example.test = BCC "
                        "archive@example.test } }, reject_unauth_destination"})
    with (inst.config_dir / "users").open("a") as users:
        users.write("archive@example.test:{PLAIN}secret::::::\n")
    with inst:
        with client(inst) as s:
            s.ehlo("good.helo.test")
            # The sender table's BCC: one copy to sender@.
            s.sendmail("copied@ok.test", ["demo@example.test"], b"Subject: 1\r\n\r\nfirst\r\n")
            # The sender table says BCC demo@, the recipient table BCC archive@: access(5)
            # "only the last action will be used", the recipient stage's.
            s.sendmail("twice@ok.test", ["sender@example.test"], b"Subject: 2\r\n\r\nsecond\r\n")
        archive = [p.read_bytes() for p in wait_for_messages(inst, "archive", 1)]
        sender = [p.read_bytes() for p in wait_for_messages(inst, "sender", 2)]
        demo = [p.read_bytes() for p in wait_for_messages(inst, "demo", 1)]
        assert [b"second" in m for m in archive] == [True]
        assert sorted(b"first" in m for m in sender) == [False, True]
        inst.wait_for_log(r"NOQUEUE: bcc: RCPT from unknown\[127\.0\.0\.4\]: <copied@ok\.test>: "
                          r"Sender address triggers BCC sender@example\.test")
        time.sleep(1)  # nothing more arrives: demo never got the second message
        assert [b"first" in p.read_bytes() for p in maildir_new(inst, "demo").iterdir()] == [True]
        assert len(demo) == 1 and len(list(maildir_new(inst, "sender").iterdir())) == 2


def test_warn_info_and_warn_if_reject_only_log():
    inst = with_tables({"smtpd_recipient_restrictions":
                        "check_sender_access inline:{ { w@ok.test = WARN look at this }, "
                        "{ i@ok.test = INFO noted } }, warn_if_reject, reject_non_fqdn_recipient, "
                        "reject_unauth_destination"})
    with inst:
        with client(inst) as s:
            s.ehlo("good.helo.test")
            s.mail("w@ok.test")
            assert s.rcpt("demo@example.test")[0] == 250
            s.rset()
            s.mail("i@ok.test")
            assert s.rcpt("demo@example.test")[0] == 250
            s.rset()
            s.mail("a@ok.test")
            assert s.rcpt("root@localhost")[0] != 504  # only the warning
        inst.wait_for_log(r"NOQUEUE: warn: RCPT from unknown\[127\.0\.0\.4\]: look at this; "
                          r"from=<w@ok\.test> to=<demo@example\.test>")
        inst.wait_for_log(r"NOQUEUE: info: RCPT from .*: noted;")
        inst.wait_for_log(r"NOQUEUE: reject_warning: RCPT from .*: 504 5\.5\.2 <root@localhost>: "
                          r"Recipient address rejected: need fully-qualified address")


def read_reply(sock) -> bytes:
    data = b""
    while True:
        chunk = sock.recv(4096)
        if not chunk:
            return data
        data += chunk
        lines = data.split(b"\r\n")
        if len(lines) > 1 and len(lines[-2]) >= 4 and lines[-2][3:4] == b" ":
            return data


def test_sleep_unauth_pipelining_and_unlisted_sender():
    """sleep N waits before the next restriction; reject_unauth_pipelining refuses a
    client that sends ahead without PIPELINING (a HELO client); reject_unlisted_sender
    refuses a sender address of ours that no table knows."""
    inst = with_tables({"mynetworks": "127.0.0.0/8",
                        "smtpd_client_restrictions": "",
                        "smtpd_sender_restrictions": "reject_unlisted_sender",
                        "smtpd_data_restrictions": "reject_unauth_pipelining",
                        "smtpd_helo_restrictions": "sleep 1, permit"})
    with inst:
        with client(inst) as s:
            started = time.monotonic()
            # smtpd_delay_reject = yes: the HELO list runs at RCPT, after the sleep.
            s.ehlo("client.example")
            assert s.mail("demo@example.test")[0] == 250
            assert s.rcpt("demo@example.test")[0] == 250
            assert time.monotonic() - started >= 1.0
            s.rset()
            code, text = s.mail("nobody-here@example.test")
            if code == 250:
                code, text = s.rcpt("demo@example.test")
            assert code == 550 and text.startswith(b"5.1.0 <nobody-here@example.test>: "
                                                   b"Sender address rejected: "), (code, text)
        # HELO, then MAIL, RCPT and DATA in one write: DATA is refused.
        with socket.create_connection(("127.0.0.1", inst.smtp_port), timeout=10) as raw:
            assert read_reply(raw).startswith(b"220")
            raw.sendall(b"HELO client.example\r\n")
            assert read_reply(raw).startswith(b"250")
            raw.sendall(b"MAIL FROM:<demo@example.test>\r\nRCPT TO:<demo@example.test>\r\n"
                        b"DATA\r\n")
            got = b""
            raw.settimeout(3)
            try:
                while b"pipelining" not in got and b"354" not in got:
                    got += read_reply(raw)
            except TimeoutError:
                pass
            assert re.search(rb"\r\n503 5\.5\.0 .*Improper use of SMTP command pipelining",
                             b"\r\n" + got), got
        inst.wait_for_log(r"NOQUEUE: reject: DATA from \S+\[127\.0\.0\.1\]: 503 5\.5\.0 .*"
                          r"Improper use of SMTP command pipelining")
