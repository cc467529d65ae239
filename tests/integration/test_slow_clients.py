"""Slow clients (issue 20, item 4): a client trickling bytes cannot hold a session. SMTP:
smtpd_timeout bounds a whole command line and the whole DATA content
(smtpd_per_request_deadline, on by default), extended by smtpd_min_data_rate; IMAP and POP3:
a login deadline counted from connect (imapd_login_timeout, pop3d_login_timeout) and a
per-command deadline. A client that is slow but keeps to the limits is served. Pregreet:
input sent during the smtpd_greet_wait delay is caught. Raw sockets with short timeouts."""

import contextlib
import os
import pwd
import socket
import time

from correio_fixture import Correio, free_port

MASTER_CF = """\
{listen} inet n - n - - smtpd
qmgr unix n - n 300 1 qmgr
"""


@contextlib.contextmanager
def started(inst: Correio, ports: list[int]):
    """Like `with inst:` for an instance whose listeners are not smtp_port."""
    try:
        inst.start(wait_ports=ports)
        yield inst
        inst.stop()
    finally:
        inst.cleanup()


def connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=20)


def read_until_closed(sock: socket.socket) -> bytes:
    out = b""
    while chunk := sock.recv(4096):
        out += chunk
    return out


def trickle(sock: socket.socket, data: bytes, interval: float, limit: float) -> float:
    """Sends `data` a byte at a time every `interval` seconds until the server closes the
    connection or `limit` seconds pass; returns the seconds until the close."""
    start = time.monotonic()
    for byte in data:
        if time.monotonic() - start > limit:
            break
        try:
            sock.sendall(bytes([byte]))
        except (BrokenPipeError, ConnectionResetError):
            break
        sock.settimeout(interval)
        try:
            if sock.recv(4096, socket.MSG_PEEK) == b"":
                break
            # A reply arrived: the server gave up on the command (421 or BYE).
            return time.monotonic() - start
        except socket.timeout:
            pass
        except ConnectionResetError:
            break
    return time.monotonic() - start


def test_smtp_trickled_command_line_is_cut_at_smtpd_timeout():
    inst = Correio(main_cf={"smtpd_timeout": "3s"}, master_cf=MASTER_CF)
    with inst:
        s = connect(inst.smtp_port)
        assert s.recv(4096).startswith(b"220 ")
        # A byte every half second: the per-read timeout (3s) never fires, the deadline does.
        elapsed = trickle(s, b"EHLO " + b"a" * 100, 0.5, 15)
        s.settimeout(5)
        assert read_until_closed(s).startswith(b"421 4.4.2 mail.example.test Error: timeout")
        assert 2.5 < elapsed < 5.5, elapsed
        inst.wait_for_log(r"timeout after CONNECT from unknown\[127\.0\.0\.1\]")


def test_smtp_slow_but_steady_client_is_served_and_trickled_data_is_cut():
    inst = Correio(main_cf={"smtpd_timeout": "3s", "smtpd_min_data_rate": "20",
                            "mynetworks": "127.0.0.0/8", "mydestination": "localhost",
                            "local_recipient_maps": ""},
                   master_cf=MASTER_CF)
    with inst:
        s = connect(inst.smtp_port)
        f = s.makefile("rb")
        assert f.readline().startswith(b"220 ")
        # A command line in four pieces over 1.5 s: within the deadline.
        for piece in (b"HELO sl", b"ow.exa", b"mple", b"\r\n"):
            s.sendall(piece)
            time.sleep(0.5)
        assert f.readline().startswith(b"250 ")
        s.sendall(b"MAIL FROM:<a@remote.example>\r\n")
        assert f.readline().startswith(b"250 ")
        s.sendall(b"RCPT TO:<root@localhost>\r\n")
        assert f.readline().startswith(b"250 ")
        s.sendall(b"DATA\r\n")
        assert f.readline().startswith(b"354 ")
        # 150 bytes at about 30 bytes/s: 5 s, longer than smtpd_timeout, but above
        # smtpd_min_data_rate (20 bytes/s), so every piece buys more time than it took.
        body = b"Subject: slow\r\n\r\n" + b"x" * 60 + b"\r\n" + b"y" * 60 + b"\r\n"
        start = time.monotonic()
        for i in range(0, len(body), 15):
            s.sendall(body[i:i + 15])
            time.sleep(0.5)
        s.sendall(b".\r\n")
        assert f.readline().startswith(b"250 "), "slow but steady DATA was refused"
        assert time.monotonic() - start > 4
        # Now a byte every half second (2 bytes/s, under the minimal rate): cut at about
        # smtpd_timeout.
        s.sendall(b"MAIL FROM:<a@remote.example>\r\nRCPT TO:<root@localhost>\r\nDATA\r\n")
        for _ in range(3):
            assert f.readline()[:1] in (b"2", b"3")
        elapsed = trickle(s, b"z" * 100, 0.5, 15)
        assert f.readline().startswith(b"421 4.4.2 "), elapsed
        assert 2.5 < elapsed < 6, elapsed
        inst.wait_for_log(r"timeout after DATA \(\d+ bytes\) from unknown\[127\.0\.0\.1\]")


def test_smtp_without_per_request_deadline_a_trickle_outlives_smtpd_timeout():
    inst = Correio(main_cf={"smtpd_timeout": "2s", "smtpd_per_request_deadline": "no"},
                   master_cf=MASTER_CF)
    with inst:
        s = connect(inst.smtp_port)
        assert s.recv(4096).startswith(b"220 ")
        elapsed = trickle(s, b"EHLO " + b"a" * 100, 0.5, 5)
        assert elapsed >= 5, elapsed  # per read only: never cut while bytes keep coming
        s.close()


def test_smtp_per_record_deadline_is_the_old_name_of_per_request_deadline():
    # Postfix 2.9-3.6 called it smtpd_per_record_deadline; a main.cf that says "no" under
    # that name must get per-read timeouts, as Postfix 3.7 reads it.
    inst = Correio(main_cf={"smtpd_timeout": "2s", "smtpd_per_record_deadline": "no"},
                   master_cf=MASTER_CF)
    with inst:
        s = connect(inst.smtp_port)
        assert s.recv(4096).startswith(b"220 ")
        elapsed = trickle(s, b"EHLO " + b"a" * 100, 0.5, 5)
        assert elapsed >= 5, elapsed
        s.close()
        assert "smtpd_per_record_deadline" not in inst.log_text()  # no "unused" warning


def test_smtp_auth_response_line_has_the_request_deadline():
    inst = Correio(main_cf={"smtpd_timeout": "3s"}, master_cf=MASTER_CF)
    users = inst.config_dir / "users"
    users.write_text("demo@example.test:{PLAIN}secret::::::\n")
    users.chmod(0o644)
    inst.write_main_cf({"smtpd_sasl_auth_enable": "yes", "smtpd_tls_auth_only": "no",
                        "user_directory": f"passwd-file:{users}"})
    with inst:
        s = connect(inst.smtp_port)
        f = s.makefile("rb")
        assert f.readline().startswith(b"220 ")
        s.sendall(b"EHLO client.example\r\n")
        while not (line := f.readline()).startswith(b"250 "):
            assert line.startswith(b"250-"), line
        s.sendall(b"AUTH PLAIN\r\n")
        assert f.readline().startswith(b"334")
        # The response trickles a byte every half second: each read is within the 3 s
        # timeout, the whole line is not.
        elapsed = trickle(s, b"A" * 100, 0.5, 15)
        assert f.readline().startswith(b"421 4.4.2 mail.example.test Error: timeout"), elapsed
        assert 2.5 < elapsed < 5.5, elapsed
        inst.wait_for_log(r"timeout after AUTH from unknown\[127\.0\.0\.1\]")


def test_lmtp_trickled_data_is_cut_at_lmtpd_timeout():
    inst = Correio(main_cf={"lmtpd_timeout": "3s"},
                   master_cf="{listen} inet n - n - - lmtpd\n")
    users = inst.config_dir / "users"
    users.write_text("demo@example.test:{PLAIN}secret::::::\n")
    users.chmod(0o644)
    inst.write_main_cf({"user_directory": f"passwd-file:{users}",
                        "virtual_mailbox_domains": "example.test"})
    with inst:
        s = connect(inst.smtp_port)
        f = s.makefile("rb")
        assert f.readline().startswith(b"220 ")
        s.sendall(b"LHLO client.example\r\nMAIL FROM:<a@remote.example>\r\n"
                  b"RCPT TO:<demo@example.test>\r\nDATA\r\n")
        while not (line := f.readline()).startswith(b"250 "):
            assert line.startswith(b"250-"), line
        for _ in range(3):
            assert f.readline()[:1] in (b"2", b"3")
        # 2 bytes/s, under the 500 bytes/s that extend the content's deadline.
        elapsed = trickle(s, b"z" * 100, 0.5, 15)
        assert f.readline().startswith(b"421 4.4.2 "), elapsed
        assert 2.5 < elapsed < 6, elapsed
        inst.wait_for_log(r"timeout after DATA \(\d+ bytes\) from unknown\[127\.0\.0\.1\]")


def test_imap_and_pop3_login_deadline_counts_from_connect():
    imap_port, pop3_port = free_port(), free_port()
    inst = Correio(main_cf={"imapd_login_timeout": "3s", "pop3d_login_timeout": "3s"},
                   master_cf=f"127.0.0.1:{imap_port} inet n - n - - imapd\n"
                             f"127.0.0.1:{pop3_port} inet n - n - - pop3d\n")
    users = inst.config_dir / "users"
    users.write_text("demo@example.test:{PLAIN}secret::::::\n")
    inst.write_main_cf({"user_directory": f"passwd-file:{users}"})
    with started(inst, [imap_port, pop3_port]):
        for port, command, prefix in ((imap_port, b"a NOOP\r\n", b"* BYE"),
                                      (pop3_port, b"CAPA\r\n", b"-ERR Disconnected")):
            s = connect(port)
            f = s.makefile("rb")
            assert f.readline()[:3] in (b"* O", b"+OK")
            start = time.monotonic()
            # Complete commands every second: each read is quick, the session still ends.
            closed_after = None
            for _ in range(10):
                try:
                    s.sendall(command)
                except (BrokenPipeError, ConnectionResetError):
                    break
                time.sleep(1)
                s.settimeout(0.1)
                try:
                    data = s.recv(65536)
                except socket.timeout:
                    continue
                if prefix in data or data == b"":
                    closed_after = time.monotonic() - start
                    break
            assert closed_after is not None and 2.5 < closed_after < 5.5, (port, closed_after)
            s.close()


def test_imap_trickled_command_is_cut_after_login():
    imap_port = free_port()
    inst = Correio(main_cf={"imapd_timeout": "3s"},
                   master_cf=f"127.0.0.1:{imap_port} inet n - n - - imapd\n"
                             "  -o auth_allow_cleartext=yes\n")
    users = inst.config_dir / "users"
    users.write_text("demo@example.test:{PLAIN}secret::::::\n")
    mail = inst.base / "mail"
    mail.mkdir()
    if os.geteuid() == 0:
        owner = pwd.getpwnam(inst.main_cf["mail_owner"])
        os.chown(mail, owner.pw_uid, owner.pw_gid)
    inst.write_main_cf({"user_directory": f"passwd-file:{users}",
                        "virtual_mailbox_base": str(mail)})
    with started(inst, [imap_port]):
        s = connect(imap_port)
        f = s.makefile("rb")
        assert f.readline().startswith(b"* OK")
        s.sendall(b"a LOGIN demo@example.test secret\r\n")
        assert f.readline().startswith(b"a OK"), "login failed"
        elapsed = trickle(s, b"b NOOP" + b" " * 100, 0.5, 15)
        s.settimeout(5)
        assert b"* BYE" in read_until_closed(s)
        assert 2.5 < elapsed < 5.5, elapsed


def test_pregreet_during_greet_wait_is_caught():
    inst = Correio(main_cf={"smtpd_greet_wait": "1s"}, master_cf=MASTER_CF)
    with inst:
        # A client that talks 100 ms into the 1 s wait: nothing was there at accept.
        s = connect(inst.smtp_port)
        time.sleep(0.1)
        s.sendall(b"EHLO early.example\r\n")
        s.settimeout(5)
        assert read_until_closed(s).startswith(b"554 5.5.0 Error: SMTP protocol synchronization")
        inst.wait_for_log(r"improper command pipelining after CONNECT from unknown\[127\.0\.0\.1\]")
        # A client that waits for the banner gets it after the wait.
        start = time.monotonic()
        s = connect(inst.smtp_port)
        assert s.recv(4096).startswith(b"220 ")
        assert 0.9 < time.monotonic() - start < 3
        s.sendall(b"QUIT\r\n")
        assert s.recv(4096).startswith(b"221 ")


def test_lmtp_trickled_command_line_is_cut_at_lmtpd_timeout():
    from test_lmtpd import lmtp_instance
    inst = lmtp_instance({"lmtpd_timeout": "3s"})
    with inst:
        s = connect(inst.smtp_port)
        assert s.recv(4096).startswith(b"220 ")
        elapsed = trickle(s, b"LHLO " + b"a" * 100, 0.5, 15)
        s.settimeout(5)
        assert read_until_closed(s).startswith(b"421 4.4.2 ")
        assert 2.5 < elapsed < 5.5, elapsed


def test_sasl_continuations_and_idle_have_deadlines():
    """AUTHENTICATE's response lines (IMAP, POP3) are bounded by the login deadline and
    IDLE, its DONE line included, by imapd_idle_timeout, however slowly bytes come."""
    imap_port, pop3_port = free_port(), free_port()
    inst = Correio(main_cf={"imapd_login_timeout": "3s", "pop3d_login_timeout": "3s",
                            "imapd_idle_timeout": "3s", "auth_allow_cleartext": "yes"},
                   master_cf=f"127.0.0.1:{imap_port} inet n - n - - imapd\n"
                             f"127.0.0.1:{pop3_port} inet n - n - - pop3d\n")
    users = inst.config_dir / "users"
    users.write_text("demo@example.test:{PLAIN}secret::::::\n")
    users.chmod(0o644)
    mail = inst.base / "mail"
    mail.mkdir()
    if os.geteuid() == 0:
        owner = pwd.getpwnam(inst.main_cf["mail_owner"])
        os.chown(mail, owner.pw_uid, owner.pw_gid)
    inst.write_main_cf({"user_directory": f"passwd-file:{users}",
                        "virtual_mailbox_base": str(mail)})
    with started(inst, [imap_port, pop3_port]):
        for port, command in ((imap_port, b"a AUTHENTICATE PLAIN\r\n"),
                              (pop3_port, b"AUTH PLAIN\r\n")):
            s = connect(port)
            f = s.makefile("rb")
            assert f.readline()[:3] in (b"* O", b"+OK")
            s.sendall(command)
            assert f.readline().startswith(b"+"), port
            elapsed = trickle(s, b"A" * 100, 0.5, 15)
            assert elapsed < 5.5, (port, elapsed)  # 3 s from connect, not per byte
            s.close()

        s = connect(imap_port)
        f = s.makefile("rb")
        f.readline()
        s.sendall(b"a LOGIN demo@example.test secret\r\nb SELECT INBOX\r\n")
        while not f.readline().startswith(b"b OK"):
            pass
        s.sendall(b"c IDLE\r\n")
        assert f.readline().startswith(b"+ idling")
        start = time.monotonic()
        elapsed = trickle(s, b"X" * 100, 0.5, 15)
        s.settimeout(5)
        rest = b""
        try:
            while chunk := s.recv(4096):
                rest += chunk
        except (socket.timeout, ConnectionResetError):
            pass
        assert elapsed < 5.5 and time.monotonic() - start < 8, elapsed
        assert b"* BYE" in rest or rest == b"", rest
        s.close()
