"""`correio reload` as `postfix reload`: every service gets new processes that read their
tables again (a pcre: header_checks edited in place, with main.cf and master.cf unchanged,
applies to the next message), while the old processes end with their sessions (an IMAP
client in IDLE across the reload keeps its connection and still gets its answers)."""

import smtplib
import socket
import time

from imap_setup import ImapInstance

MASTER = r"correio/master\[\d+\]: "


def send(inst, subject: str) -> None:
    with smtplib.SMTP("127.0.0.1", inst.inst.smtp_port, timeout=20) as s:
        s.sendmail("sender@example.test", ["demo@example.test"],
                   f"From: sender@example.test\r\nTo: demo@example.test\r\n"
                   f"Subject: {subject}\r\n\r\nbody\r\n")


def read_until(sock: socket.socket, marker: bytes, timeout: float = 20) -> bytes:
    sock.settimeout(timeout)
    data = b""
    while marker not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise AssertionError(f"connection closed; got {data!r}")
        data += chunk
    return data


def test_reload_reads_tables_again_and_keeps_idle_sessions():
    instance = ImapInstance()
    # In the instance's configuration directory: smtpd (mail_owner) must read it.
    table = instance.inst.config_dir / "header_checks"
    table.write_text("/^Subject: first/ REJECT first is refused\n")
    instance.inst.write_main_cf({"header_checks": f"pcre:{table}"})
    with instance as s:
        send(s, "second")  # accepted under the first table
        idle = socket.create_connection(("127.0.0.1", s.imap_port), timeout=20)
        read_until(idle, b"\r\n")
        idle.sendall(b"a LOGIN demo@example.test secret\r\n")
        read_until(idle, b"a OK")
        idle.sendall(b"b SELECT INBOX\r\nc IDLE\r\n")
        read_until(idle, b"+ idling")

        table.write_text("/^Subject: second/ REJECT second is refused now\n")
        assert s.inst.command("reload").returncode == 0
        s.inst.wait_for_log(MASTER + r"reload -- version")
        deadline = time.monotonic() + 20
        while True:  # the new smtpd answers once it has started
            try:
                send(s, "second")
            except smtplib.SMTPDataError as e:
                assert e.smtp_code == 550 and b"second is refused now" in e.smtp_error
                break
            assert time.monotonic() < deadline, "the edited table was not read again"
            time.sleep(0.2)
        send(s, "first")  # the old rule is gone

        # The session that was in IDLE before the reload is still served.
        idle.sendall(b"DONE\r\nd NOOP\r\n")
        answer = read_until(idle, b"d OK")
        assert b"c OK" in answer
        idle.sendall(b"e LOGOUT\r\n")
        read_until(idle, b"e OK")
        idle.close()
