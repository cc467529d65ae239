"""After-queue content filters (Postfix's FILTER_README, the "simple" setup with an SMTP
filter): content_filter in main.cf, FILTER from an access table and from header_checks,
and the re-injection smtpd with `-o content_filter=`. The filter is written here: an
SMTP server on 127.0.0.1 that adds a header and re-injects every message with smtplib
into Correio's second smtpd, answering 250 only once the re-injection was accepted."""

import smtplib
import socket
import threading
import time

from correio_fixture import Correio, free_port
from delivery_setup import PIPELINE_MASTER_CF, maildir_new, pipeline, queue_is_empty, \
    wait_for_messages
from test_admin_tools import PICKUP, tool

FILTER_HEADER = b"X-Test-Filter: scanned"


class Filter:
    """The after-queue filter: receives over SMTP, prepends FILTER_HEADER, re-injects."""

    def __init__(self, reinject_port: int, port: int | None = None):
        self.reinject_port = reinject_port
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port or 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.received: list[tuple[str, list[str], bytes]] = []
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                try:
                    self.session(conn.makefile("rwb"))
                except OSError:
                    pass  # the client went away (a test ending): nothing to answer

    def session(self, f):
        def reply(text):
            f.write(text.encode() + b"\r\n")
            f.flush()
        reply("220 filter.test ESMTP test filter")
        sender, recipients = "", []
        while True:
            line = f.readline()
            if not line:
                return
            cmd = line.decode().rstrip("\r\n")
            verb = cmd[:4].upper()
            if verb in ("EHLO", "HELO"):
                reply("250-filter.test\r\n250-PIPELINING\r\n250 8BITMIME")
            elif verb == "MAIL":
                sender, recipients = cmd[cmd.index("<") + 1:cmd.index(">")], []
                reply("250 2.1.0 Ok")
            elif verb == "RCPT":
                recipients.append(cmd[cmd.index("<") + 1:cmd.index(">")])
                reply("250 2.1.5 Ok")
            elif verb == "DATA":
                reply("354 go ahead")
                body = b""
                while True:
                    chunk = f.readline()
                    if chunk in (b".\r\n", b""):
                        break
                    body += chunk[1:] if chunk.startswith(b"..") else chunk
                self.received.append((sender, recipients, body))
                try:
                    with smtplib.SMTP("127.0.0.1", self.reinject_port, timeout=20) as s:
                        s.sendmail(sender, recipients, FILTER_HEADER + b"\r\n" + body)
                    reply("250 2.0.0 Ok: re-injected")
                except (smtplib.SMTPException, OSError) as e:
                    reply(f"451 4.3.0 re-injection failed: {e}")
            elif verb == "RSET":
                reply("250 2.0.0 Ok")
            elif verb == "QUIT":
                reply("221 2.0.0 Bye")
                return
            else:
                reply("502 5.5.2 what")

    def close(self):
        self.sock.close()


def filtered_instance(main_cf: dict[str, str], filter_port: int, reinject_port: int) -> Correio:
    """The pipeline plus the filter's transport (`scan`, Postfix's smtp client) and the
    re-injection smtpd on 127.0.0.1:reinject_port without content_filter."""
    inst = pipeline(main_cf)
    inst.write_master_cf(
        PIPELINE_MASTER_CF.replace("{listen}", inst.listen) + PICKUP +
        "scan          unix  -       -       n       -       10      smtp\n"
        f"127.0.0.1:{reinject_port} inet n  -       n       -       -       smtpd\n"
        # FILTER_README's re-injection service: no filter, no restrictions that could
        # FILTER again, no header/body checks (Correio has no receive_override_options).
        "  -o content_filter=\n"
        "  -o smtpd_client_restrictions= -o smtpd_helo_restrictions=\n"
        "  -o smtpd_sender_restrictions= -o header_checks= -o body_checks=\n"
        "  -o smtpd_recipient_restrictions=permit_mynetworks,reject\n")
    return inst


def send(inst: Correio, sender: str, subject: str, rcpt: str = "demo@example.test"):
    with smtplib.SMTP("127.0.0.1", inst.smtp_port, timeout=20) as s:
        s.sendmail(sender, [rcpt], f"Subject: {subject}\r\n\r\nbody of {subject}\r\n".encode())


def filtered_header_count(message: bytes) -> int:
    headers = message.split(b"\n\n", 1)[0]
    return sum(line.rstrip(b"\r") == FILTER_HEADER for line in headers.split(b"\n"))


def test_content_filter_sends_every_message_through_the_filter_once():
    reinject = free_port()
    scanner = Filter(reinject)
    inst = filtered_instance({"content_filter": f"scan:[127.0.0.1]:{scanner.port}"},
                             scanner.port, reinject)
    try:
        with inst:
            assert inst.command("check").returncode == 0
            send(inst, "sender@example.test", "one")
            send(inst, "sender@example.test", "two")
            got = [p.read_bytes() for p in wait_for_messages(inst, "demo", 2)]
            assert [filtered_header_count(m) for m in got] == [1, 1]
            assert len(scanner.received) == 2
            assert scanner.received[0][:2] == ("sender@example.test", ["demo@example.test"])
            # The filter's copy was queued once more by the re-injection smtpd, whose
            # messages are not filtered again.
            time.sleep(1)
            assert len(scanner.received) == 2
            assert len(list(maildir_new(inst, "demo").iterdir())) == 2
    finally:
        scanner.close()


def test_access_filter_routes_only_the_matching_mail():
    reinject = free_port()
    scanner = Filter(reinject)
    inst = filtered_instance({"smtpd_sender_restrictions":
                              "check_sender_access inline:{ { scan-me@ok.test = FILTER "
                              f"scan:[127.0.0.1]:{scanner.port} }} }}"},
                             scanner.port, reinject)
    try:
        with inst:
            send(inst, "scan-me@ok.test", "matching")
            send(inst, "plain@ok.test", "other")
            got = {b"matching" in m: m for m in
                   (p.read_bytes() for p in wait_for_messages(inst, "demo", 2))}
            assert filtered_header_count(got[True]) == 1
            assert filtered_header_count(got[False]) == 0
            assert [r[0] for r in scanner.received] == ["scan-me@ok.test"]
            inst.wait_for_log(r"NOQUEUE: filter: RCPT from \S+: <scan-me@ok\.test>: Sender address "
                              rf"triggers FILTER scan:\[127\.0\.0\.1\]:{scanner.port}")
    finally:
        scanner.close()


def test_header_checks_filter_wins_over_content_filter():
    reinject = free_port()
    scanner = Filter(reinject)
    other = Filter(reinject)
    inst = filtered_instance({"content_filter": f"scan:[127.0.0.1]:{other.port}"},
                             scanner.port, reinject)
    (inst.config_dir / "header_checks").write_text(
        f"/^Subject: virus/ FILTER scan:[127.0.0.1]:{scanner.port}\n")
    inst.write_main_cf({"header_checks": f"pcre:{inst.config_dir / 'header_checks'}"})
    try:
        with inst:
            send(inst, "sender@example.test", "virus inside")
            send(inst, "sender@example.test", "harmless")
            got = [p.read_bytes() for p in wait_for_messages(inst, "demo", 2)]
            assert [filtered_header_count(m) for m in got] == [1, 1]
            assert [b"virus" in r[2] for r in scanner.received] == [True]
            assert [b"harmless" in r[2] for r in other.received] == [True]
            inst.wait_for_log(r": filter: header Subject: virus inside from ")
    finally:
        scanner.close()
        other.close()


def test_a_filter_that_is_down_defers_and_never_delivers_unfiltered():
    reinject = free_port()
    filter_port = free_port()  # nobody listens there yet
    inst = filtered_instance({"content_filter": f"scan:[127.0.0.1]:{filter_port}"},
                             filter_port, reinject)
    with inst:
        send(inst, "sender@example.test", "waiting")
        inst.wait_for_log(r"status=deferred", timeout=20)
        time.sleep(2)  # a few retries (backoff 1s-2s)
        assert not queue_is_empty(inst)
        assert not maildir_new(inst, "demo").exists() or \
            not list(maildir_new(inst, "demo").iterdir())
        # The filter comes up: the next attempt goes through it.
        scanner = Filter(reinject, port=filter_port)
        try:
            tool(inst, "postqueue", "-f")
            got = wait_for_messages(inst, "demo", 1, timeout=30)
            assert filtered_header_count(got[0].read_bytes()) == 1
        finally:
            scanner.close()


def test_sendmail_submissions_are_filtered_too():
    reinject = free_port()
    scanner = Filter(reinject)
    inst = filtered_instance({"content_filter": f"scan:[127.0.0.1]:{scanner.port}"},
                             scanner.port, reinject)
    try:
        with inst:
            done = tool(inst, "sendmail", "-f", "sender@example.test", "demo@example.test",
                        stdin=b"Subject: local\n\nfrom sendmail\n")
            assert done.returncode == 0, done.stderr
            got = wait_for_messages(inst, "demo", 1)
            assert filtered_header_count(got[0].read_bytes()) == 1
            assert len(scanner.received) == 1
    finally:
        scanner.close()
