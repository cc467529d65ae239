"""The smtp agent's outcomes as the sender hears them: a NOTIFY=SUCCESS recipient handed to
a server without DSN gets a "relayed" report (RFC 3464 §2.3.3, as Postfix sends), one
handed to a server with DSN gets none from us (the server reports; never twice); and a
peer slower than the request's time limit is deferred by the agent itself, below qmgr's
wait (daemon_timeout), so that qmgr never gives up on an agent that then delivers."""

import re
import smtplib
import socket
import threading
import time

from correio_fixture import free_port
from delivery_setup import maildir_new, wait_for_messages
from test_mail_out import (ScriptedServer, dns, receiving_host, sender_host,  # noqa: F401
                           start_receiver, wait_for_file)


def send_notify_success(inst, recipient: str, subject: str) -> None:
    with smtplib.SMTP("127.0.0.1", inst.smtp_port) as smtp:
        smtp.sendmail("sender@example.test", [recipient],
                      f"From: sender@example.test\r\nSubject: {subject}\r\n\r\nbody\r\n".encode(),
                      rcpt_options=["NOTIFY=SUCCESS"])


def test_relayed_notice_for_a_server_without_dsn(dns):
    port = dns([])
    server_port = free_port()
    server = ScriptedServer("127.0.0.1", server_port, busy_first=False)  # no DSN in EHLO
    a = sender_host(port, {"relayhost": f"[127.0.0.1]:{server_port}"})
    try:
        a.start()
        send_notify_success(a, "bob@far.test", "relayed-1")
        a.wait_for_log(r"to=<bob@far\.test>, .*status=sent \(250 2\.0\.0 Ok: queued as SCRIPTED1\)",
                       timeout=30)
        a.wait_for_log(r"\w+: sender delivery status notification: \w+")
        [report] = wait_for_messages(a, "sender", 1)
        text = report.read_text(errors="replace")
        assert "Final-Recipient: rfc822; bob@far.test" in text
        assert "Action: relayed" in text and "Action: delivered" not in text
        assert "Status: 2.0.0" in text
        # NOTIFY was not passed on to a server that did not announce DSN (RFC 3461 §4).
        assert not any("NOTIFY=" in c for c in server.commands)
        time.sleep(1)
        assert len(list(maildir_new(a, "sender").iterdir())) == 1
        a.stop()
    finally:
        a.cleanup()
        server.close()


def test_no_second_success_report_when_the_server_has_dsn(dns):
    port = dns(["--mx-host=dest.test,mx1.dest.test,10",
                "--host-record=mx1.dest.test,127.0.0.51"])
    b = receiving_host("127.0.0.51")
    a = sender_host(port)
    try:
        start_receiver(b, "127.0.0.51")
        a.start()
        send_notify_success(a, "bob@dest.test", "passed-1")
        wait_for_file(b, "dest.test", "bob")
        a.wait_for_log(r"to=<bob@dest\.test>, .*status=sent", timeout=30)
        a.wait_for_log(r"\w+: removed")
        # B, the final destination, reports the delivery (to example.test, which it
        # cannot reach here: the report stays in its queue); A says nothing.
        b.wait_for_log(r"\w+: sender delivery status notification: \w+", timeout=30)
        time.sleep(1)
        assert "sender delivery status notification" not in a.log_text()
        assert not maildir_new(a, "sender").exists() or not any(maildir_new(a, "sender").iterdir())
        a.stop()
        b.stop()
    finally:
        a.cleanup()
        b.cleanup()


class SlowServer(ScriptedServer):
    """Accepts everything, but the first message's end-of-DATA reply comes `delay`
    seconds late (a slow content filter on the peer)."""

    def __init__(self, *args, delay: float, **kwargs):
        self.delay = delay
        self.slow_done = threading.Event()
        super().__init__(*args, busy_first=False, **kwargs)

    def session(self, f):
        real_write = f.write

        def write(data):
            if data.startswith(b"250 2.0.0 Ok: queued") and not self.slow_done.is_set():
                time.sleep(self.delay)
                self.slow_done.set()
            return real_write(data)
        f.write = write
        super().session(f)


def test_slow_peer_is_deferred_by_the_agent_before_qmgr_gives_up(dns):
    port = dns([])
    server_port = free_port()
    server = SlowServer("127.0.0.1", server_port, delay=12)
    # qmgr waits daemon_timeout (6s) for the agent; the agent stops at 90% (5s).
    a = sender_host(port, {"relayhost": f"[127.0.0.1]:{server_port}", "daemon_timeout": "6s"})
    try:
        a.start()
        send_notify_success(a, "bob@far.test", "slow-1")
        a.wait_for_log(r"correio/smtp\[\d+\]: \w+: to=<bob@far\.test>, relay=127\.0\.0\.1"
                       rf"\[127\.0\.0\.1\]:{server_port}, .*dsn=4\.4\.2, status=deferred "
                       r"\(delivery time limit exceeded \(5s\): .*127\.0\.0\.1\[127\.0\.0\.1\].* "
                       r"-- message may be sent more than once\)", timeout=30)
        # The retry (backoff 1-2s) is answered at once once the slow reply is out.
        a.wait_for_log(r"to=<bob@far\.test>, .*status=sent", timeout=40)
        text = a.log_text()
        assert "mail transport unavailable" not in text
        assert len(re.findall(r"to=<bob@far\.test>, .*status=sent", text)) == 1
        a.stop()
    finally:
        a.cleanup()
        server.close()


class ThrottledServer(ScriptedServer):
    """Reads the message content a line at a time in Python (a link that is slow but keeps
    moving: about 1-3 MB/s), or stops reading it altogether with `rate` 0 (a stalled one)."""

    def __init__(self, *args, rate: int, **kwargs):
        self.rate = rate
        self.size = 40000000
        super().__init__(*args, busy_first=False, **kwargs)

    def session(self, f):
        real_readline = f.readline
        state = {"in_data": False}

        def readline(*args):
            line = real_readline(*args)
            if state["in_data"]:
                if self.rate == 0:
                    time.sleep(30)
                if line == b".\r\n":
                    state["in_data"] = False
            elif line.upper().startswith(b"DATA"):
                state["in_data"] = True
            return line
        f.readline = readline
        super().session(f)


def big_message(size: int) -> bytes:
    line = b"x" * 998 + b"\r\n"
    return (b"From: sender@example.test\r\nSubject: big\r\n\r\n"
            + line * (size // len(line)))


def test_data_xfer_timeout_is_a_no_progress_timer(dns):
    """postconf(5) smtp_data_xfer_timeout: "When the connection makes no progress for more
    than $smtp_data_xfer_timeout seconds", the transfer ends; a slow transfer that keeps
    moving takes as long as it takes."""
    port = dns([])
    slow_port = free_port()
    slow = ThrottledServer("127.0.0.1", slow_port, rate=None)
    stalled_port = free_port()
    stalled = ThrottledServer("127.0.0.1", stalled_port, rate=0)
    small_port = free_port()
    small = ScriptedServer("127.0.0.1", small_port, busy_first=False)  # SIZE 1000000
    a = sender_host(port, {"smtp_data_xfer_timeout": "2s", "message_size_limit": "40000000",
                           "transport_maps": "inline:{ slow.test=smtp:[127.0.0.1]:"
                                             f"{slow_port}, stalled.test=smtp:[127.0.0.1]:"
                                             f"{stalled_port}, small.test=smtp:[127.0.0.1]:"
                                             f"{small_port} }}"})
    try:
        a.start()
        body = big_message(16_000_000)
        # RFC 1870: more than the server's SIZE is never sent; it bounces at once.
        with smtplib.SMTP("127.0.0.1", a.smtp_port) as smtp:
            smtp.sendmail("sender@example.test", ["bob@small.test"], body)
        a.wait_for_log(r"to=<bob@small\.test>, .*dsn=5\.3\.4, status=bounced \(message size \d+ "
                       r"exceeds size limit 1000000 of server 127\.0\.0\.1\[127\.0\.0\.1\]\)",
                       timeout=30)
        assert not any(c.upper().startswith("MAIL") for c in small.commands), small.commands
        with smtplib.SMTP("127.0.0.1", a.smtp_port) as smtp:
            smtp.sendmail("sender@example.test", ["bob@slow.test"], body)
        started = time.monotonic()
        a.wait_for_log(r"to=<bob@slow\.test>, .*status=sent", timeout=90)
        # It did take longer than the timeout (a whole-transfer limit would have cut it).
        assert time.monotonic() - started > 4, "the transfer was not slow enough to tell"
        assert len(slow.messages) == 1 and len(slow.messages[0]) >= 15_900_000
        with smtplib.SMTP("127.0.0.1", a.smtp_port) as smtp:
            smtp.sendmail("sender@example.test", ["bob@stalled.test"], body)
        a.wait_for_log(r"to=<bob@stalled\.test>, .*dsn=4\.4\.2, status=deferred \(conversation "
                       r"with 127\.0\.0\.1\[127\.0\.0\.1\] timed out while sending message body\)",
                       timeout=60)
        a.stop()
    finally:
        a.cleanup()
        slow.close()
        stalled.close()
        small.close()
