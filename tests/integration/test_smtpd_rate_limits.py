"""smtpd's anvil(8) limits with real clients (smtplib, raw sockets) from several loopback
source addresses: smtpd_client_connection_rate_limit, smtpd_client_message_rate_limit,
smtpd_client_recipient_rate_limit, smtpd_client_auth_rate_limit and
smtpd_client_new_tls_session_rate_limit per anvil_rate_time_unit, with Postfix's replies and
warnings; smtpd_client_event_limit_exceptions exempting a client; smtpd_junk_command_limit;
mynetworks given as a cidr: table and a pattern file with a negation."""

import base64
import smtplib
import socket
import ssl
import time

import pytest

from correio_fixture import Correio
from test_smtpd_tls import make_certificate

LIMITED, EXEMPT = "127.0.0.2", "127.0.0.3"


def banner(port: int, source: str) -> bytes:
    s = socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(source, 0))
    data = b""
    while not data.endswith(b"\r\n"):
        chunk = s.recv(1024)
        if not chunk:
            break
        data += chunk
    s.close()
    return data


def smtp(inst: Correio, source: str) -> smtplib.SMTP:
    client = smtplib.SMTP("127.0.0.1", inst.smtp_port, timeout=20, source_address=(source, 0))
    client.ehlo("client.example")
    return client


@pytest.fixture
def limited():
    users = None
    inst = Correio(main_cf={
        "mynetworks": "10.0.0.0/8",
        "smtpd_client_event_limit_exceptions": f"10.0.0.0/8 {EXEMPT}",
        "anvil_rate_time_unit": "3s",
        "smtpd_client_connection_rate_limit": "3",
        "smtpd_client_message_rate_limit": "2",
        "smtpd_client_recipient_rate_limit": "3",
        "smtpd_client_auth_rate_limit": "2",
        "smtpd_client_connection_count_limit": "0",
    })
    users = inst.config_dir / "users"
    users.write_text("demo@example.test:{PLAIN}secret::::::\n")
    users.chmod(0o644)
    inst.write_main_cf({"smtpd_sasl_auth_enable": "yes", "user_directory": f"passwd-file:{users}",
                        "auth_failure_delay": "0s"})
    try:
        inst.start()
        yield inst
        inst.stop()
    finally:
        inst.cleanup()


def test_connection_rate(limited):
    port = limited.smtp_port
    for _ in range(3):
        assert banner(port, LIMITED).startswith(b"220 ")
    refusal = banner(port, LIMITED)
    assert refusal == (b"421 4.7.0 mail.example.test Error: too many connections from "
                       b"127.0.0.2\r\n"), refusal
    limited.wait_for_log(r"correio/smtpd\[\d+\]: warning: Connection rate limit exceeded: 4 "
                         r"from unknown\[127\.0\.0\.2\] for service 127\.0\.0\.1:\d+")
    # Another address counts apart; an exempt one is never limited.
    assert banner(port, "127.0.0.4").startswith(b"220 ")
    for _ in range(6):
        assert banner(port, EXEMPT).startswith(b"220 ")
    # The window (anvil_rate_time_unit) ends and the client may come back.
    time.sleep(3.2)
    assert banner(port, LIMITED).startswith(b"220 ")


def test_message_and_recipient_rates(limited):
    c = smtp(limited, LIMITED)
    for _ in range(2):
        assert c.mail("a@example.org")[0] == 250
        c.rset()
    code, text = c.mail("a@example.org")
    assert (code, text) == (450, b"4.7.1 Error: too much mail from 127.0.0.2")
    c.quit()
    limited.wait_for_log(r"warning: Message delivery request rate limit exceeded: 3 from "
                         r"unknown\[127\.0\.0\.2\] for service ")
    time.sleep(3.2)
    c = smtp(limited, LIMITED)
    assert c.mail("a@example.org")[0] == 250
    # Recipients count whether or not they are then accepted (these are relay-denied).
    for i in range(3):
        assert c.rcpt(f"r{i}@elsewhere.example")[0] in (250, 454, 554)
    code, text = c.rcpt("r9@elsewhere.example")
    assert (code, text) == (452, b"4.7.1 Error: too many recipients from 127.0.0.2")
    c.quit()
    limited.wait_for_log(r"warning: Recipient address rate limit exceeded: 4 from "
                         r"unknown\[127\.0\.0\.2\] for service ")
    # The exempt client is not counted.
    # The exempt client is not counted (3 MAIL and 6 RCPT, fewer than the 20 errors the
    # relay-denied replies would take to end the session).
    c = smtp(limited, EXEMPT)
    for _ in range(3):
        assert c.mail("a@example.org")[0] == 250
        for i in range(2):
            assert c.rcpt(f"r{i}@elsewhere.example")[0] != 452
        c.rset()
    c.quit()


def plain(user: str, password: str) -> str:
    """AUTH PLAIN's initial response; sent with docmd, since smtplib's login() would try
    one mechanism after another and so send several AUTH commands."""
    return "PLAIN " + base64.b64encode(f"\0{user}\0{password}".encode()).decode()


def test_auth_rate(limited):
    c = smtp(limited, LIMITED)
    for _ in range(2):
        assert c.docmd("AUTH", plain("demo@example.test", "wrong"))[0] == 535
    code, text = c.docmd("AUTH", plain("demo@example.test", "secret"))
    assert (code, text) == (450, b"4.7.1 Error: too many AUTH commands from 127.0.0.2")
    c.close()
    limited.wait_for_log(r"warning: AUTH command rate limit exceeded: 3 from "
                         r"unknown\[127\.0\.0\.2\] for service ")
    c = smtp(limited, EXEMPT)
    for _ in range(3):
        assert c.docmd("AUTH", plain("demo@example.test", "wrong"))[0] == 535
    assert c.docmd("AUTH", plain("demo@example.test", "secret"))[0] == 235
    c.quit()


def test_junk_commands_count_as_errors():
    inst = Correio(main_cf={"smtpd_junk_command_limit": "2", "smtpd_hard_error_limit": "3"})
    try:
        inst.start()
        s = socket.create_connection(("127.0.0.1", inst.smtp_port), timeout=10,
                                     source_address=(LIMITED, 0))
        reader = s.makefile("rb")
        assert reader.readline().startswith(b"220 ")
        # Postfix: junk_cmds++ > limit, so limit + 1 are free; then each is an error and
        # the third error ends the session after the command's own reply.
        for _ in range(6):
            s.sendall(b"NOOP\r\n")
            assert reader.readline().startswith(b"250 ")
        assert reader.readline() == b"421 4.7.0 mail.example.test Error: too many errors\r\n"
        assert reader.readline() == b""
        s.close()
        inst.wait_for_log(r"too many errors after NOOP from unknown\[127\.0\.0\.2\]")
        inst.stop()
    finally:
        inst.cleanup()


def test_new_tls_session_rate():
    cert, key = make_certificate()
    inst = Correio(main_cf={"mynetworks": "10.0.0.0/8", "smtpd_tls_security_level": "may",
                            "smtpd_tls_cert_file": cert, "smtpd_tls_key_file": key,
                            "smtpd_client_new_tls_session_rate_limit": "1",
                            "anvil_rate_time_unit": "60s"})
    try:
        inst.start()
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        c = smtp(inst, LIMITED)
        c.starttls(context=context)
        c.quit()
        c = smtp(inst, LIMITED)
        with pytest.raises(smtplib.SMTPResponseException) as refused:
            c.starttls(context=context)
        assert refused.value.smtp_code == 454
        assert refused.value.smtp_error == (b"4.7.0 Error: too many new TLS sessions from "
                                            b"unknown[127.0.0.2]")
        c.quit()
        inst.wait_for_log(r"warning: New TLS session rate limit exceeded: 1 from "
                          r"unknown\[127\.0\.0\.2\] for service ")
        inst.stop()
    finally:
        inst.cleanup()


def test_new_tls_sessions_in_wrapper_mode():
    cert, key = make_certificate()
    inst = Correio(main_cf={"mynetworks": "10.0.0.0/8", "smtpd_tls_cert_file": cert,
                            "smtpd_tls_key_file": key, "smtpd_tls_wrappermode": "yes",
                            "smtpd_client_new_tls_session_rate_limit": "2"})
    try:
        inst.start()
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE

        def session():
            raw = socket.create_connection(("127.0.0.1", inst.smtp_port), timeout=10,
                                           source_address=(LIMITED, 0))
            tls = context.wrap_socket(raw)
            greeting = tls.recv(1024)
            reused = tls.session_reused
            tls.sendall(b"QUIT\r\n")
            tls.recv(1024)
            tls.close()
            return greeting, reused, None

        # Two new sessions (a resumed one would not count, but this smtpd does not resume
        # TLS 1.2 sessions: src/tls/server_context.cpp turns tickets off).
        for _ in range(2):
            greeting, reused, _ = session()
            assert greeting.startswith(b"220 ") and not reused
        # A full handshake is refused in clear text before it starts, and the session ends.
        raw = socket.create_connection(("127.0.0.1", inst.smtp_port), timeout=10,
                                       source_address=(LIMITED, 0))
        assert raw.recv(1024) == (b"421 4.7.0 mail.example.test Error: too many new TLS "
                                  b"sessions from unknown[127.0.0.2]\r\n")
        raw.close()
        inst.wait_for_log(r"warning: New TLS session rate limit exceeded: 2 from "
                          r"unknown\[127\.0\.0\.2\] for service ")
        inst.stop()
    finally:
        inst.cleanup()


def test_mynetworks_table_file_and_negation():
    inst = Correio()
    # In the configuration directory, which smtpd (running as mail_owner) can read.
    cidr = inst.config_dir / "network_table"
    cidr.write_text("127.0.0.0/29 OK\n")
    listed = inst.config_dir / "networks"
    listed.write_text("# more trusted clients\n127.0.0.9\n")
    inst.write_main_cf({"mynetworks": f"!127.0.0.5 cidr:{cidr} {listed}"})
    try:
        inst.start()
        for source, trusted in (("127.0.0.4", True), ("127.0.0.5", False),
                                ("127.0.0.9", True), ("127.0.0.10", False)):
            c = smtp(inst, source)
            assert c.mail("a@example.org")[0] == 250
            code, text = c.rcpt("someone@elsewhere.example")
            assert (code == 250) == trusted, (source, code, text)
            c.quit()
        inst.stop()
        # A bad line is a check error naming the file and the line.
        listed.write_text("# more trusted clients\n127.0.0.9\n10.0.0.0/33\n")
        result = inst.command("check")
        assert result.returncode != 0
        assert f"mynetworks: {listed}, line 3: bad network prefix: 10.0.0.0/33" in \
            result.stderr, result.stderr
    finally:
        inst.cleanup()
