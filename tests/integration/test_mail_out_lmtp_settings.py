"""The lmtp agent reads its own lmtp_* names (Postfix's lmtp(8)), every twin of an smtp_*
setting the shared reader knows: here lmtp_generic_maps, lmtp_header_checks and the
SASL pair, whose errors name the lmtp_* parameter; `postconf -d` prints them with
Postfix's defaults. lmtp_assume_final turns the "relayed" success notice for an LMTP
server without DSN into "delivered". The peer is a scripted LMTP server without DSN that
records what it receives."""

import re
import smtplib
import socket
import ssl
import threading

from correio_fixture import free_port
from delivery_setup import wait_for_messages
from test_mail_out_lmtp import sender
from tls_test_ca import TestCA


class ScriptedLmtp:
    """RFC 2033 server on 127.0.0.1:PORT: LHLO without DSN, 250 for everything, one reply
    per recipient after the message."""

    def __init__(self, port: int, certificate: tuple[str, str] | None = None):
        self.tls = None
        if certificate:  # STARTTLS with this certificate and key (RFC 3207 on LMTP)
            self.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.tls.load_cert_chain(*certificate)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(5)
        self.commands: list[str] = []
        self.messages: list[bytes] = []
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            try:
                self.session(conn)
            except (OSError, ssl.SSLError):
                pass  # a client that gives up on our certificate
            finally:
                conn.close()

    def session(self, conn):
        f = conn.makefile("rwb")
        def reply(text):
            f.write(text.encode() + b"\r\n")
            f.flush()
        reply("220 lmtp.test LMTP")
        rcpts = 0
        while line := f.readline():
            cmd = line.decode().rstrip("\r\n")
            self.commands.append(cmd)
            verb = cmd[:4].upper()
            if verb == "LHLO":
                starttls = "250-STARTTLS\r\n" if self.tls and not isinstance(conn, ssl.SSLSocket) else ""
                reply("250-lmtp.test\r\n" + starttls + "250-PIPELINING\r\n250 ENHANCEDSTATUSCODES")
            elif verb == "STAR" and self.tls:
                reply("220 2.0.0 Ready to start TLS")
                conn = self.tls.wrap_socket(conn, server_side=True)
                f = conn.makefile("rwb")
            elif verb == "MAIL":
                rcpts = 0
                reply("250 2.1.0 Ok")
            elif verb == "RCPT":
                rcpts += 1
                reply("250 2.1.5 Ok")
            elif verb == "DATA":
                reply("354 go ahead")
                body = b""
                while (chunk := f.readline()) not in (b".\r\n", b""):
                    body += chunk
                self.messages.append(body)
                for _ in range(rcpts):
                    reply("250 2.0.0 Saved")
            elif verb in ("RSET", "NOOP"):
                reply("250 2.0.0 Ok")
            elif verb == "QUIT":
                reply("221 2.0.0 Bye")
                return
            else:
                reply("502 5.5.2 what")

    def close(self):
        self.sock.close()


def send_notify_success(inst, subject: str) -> None:
    with smtplib.SMTP("127.0.0.1", inst.smtp_port) as smtp:
        smtp.sendmail("sender@example.test", ["bob@dest.test"],
                      f"From: sender@example.test\r\nSubject: {subject}\r\n\r\nbody\r\n".encode(),
                      rcpt_options=["NOTIFY=SUCCESS"])


def success_action(a) -> str:
    [report] = wait_for_messages(a, "sender", 1)
    text = report.read_text(errors="replace")
    assert "Final-Recipient: rfc822; bob@dest.test" in text
    return re.search(r"Action: (\w+)", text).group(1)


def test_success_without_dsn_is_relayed_unless_lmtp_assume_final():
    for assume_final, action in (("no", "relayed"), ("yes", "delivered")):
        port = free_port()
        server = ScriptedLmtp(port)
        a = sender(f"lmtp:inet:[127.0.0.1]:{port}", {"lmtp_assume_final": assume_final})
        try:
            a.start()
            send_notify_success(a, f"final-{assume_final}")
            a.wait_for_log(r"correio/lmtp\[\d+\]: \w+: to=<bob@dest\.test>, .*status=sent "
                           r"\(250 2\.0\.0 Saved\)", timeout=30)
            assert success_action(a) == action
            assert not any("NOTIFY=" in c for c in server.commands)
            a.stop()
        finally:
            a.cleanup()
            server.close()


def test_lmtp_twins_of_generic_maps_and_header_checks():
    port = free_port()
    server = ScriptedLmtp(port)
    a = sender(f"lmtp:inet:[127.0.0.1]:{port}")
    generic = a.config_dir / "generic"
    generic.write_text("sender@example.test  outside@public.test\n")
    checks = a.config_dir / "lmtp_header_checks"
    checks.write_text("/^Subject: (.*)/ REPLACE Subject: [lmtp] $1\n")
    # The smtp_* names must not leak into the lmtp agent.
    smtp_checks = a.config_dir / "smtp_header_checks"
    smtp_checks.write_text("/^Subject:/ PREPEND X-Smtp-Agent: yes\n")
    a.write_main_cf({"lmtp_generic_maps": f"texthash:{generic}",
                     "lmtp_header_checks": f"pcre:{checks}",
                     "smtp_header_checks": f"pcre:{smtp_checks}",
                     "smtp_generic_maps": "inline:{ sender@example.test=wrong@wrong.test }"})
    try:
        a.start()
        with smtplib.SMTP("127.0.0.1", a.smtp_port) as smtp:
            smtp.sendmail("sender@example.test", ["bob@dest.test"],
                          b"From: sender@example.test\r\nSubject: twin\r\n\r\nbody\r\n")
        a.wait_for_log(r"correio/lmtp\[\d+\]: \w+: to=<bob@dest\.test>, .*status=sent", timeout=30)
        assert "MAIL FROM:<outside@public.test>" in " ".join(server.commands), server.commands
        [message] = server.messages
        assert b"Subject: [lmtp] twin\r\n" in message
        assert b"From: outside@public.test\r\n" in message
        assert b"X-Smtp-Agent" not in message and b"wrong.test" not in message
        a.wait_for_log(r"correio/lmtp\[\d+\]: \w+: replace: header Subject: twin: "
                       r"Subject: \[lmtp\] twin")
        a.stop()
    finally:
        a.cleanup()
        server.close()


def test_lmtp_tls_twins_verify_against_lmtp_tls_cafile():
    """lmtp_tls_security_level = verify with lmtp_tls_CAfile and lmtp_tls_verify_cert_match
    (never their smtp_* twins): the server's certificate from the test CA is Verified;
    with another CA's file it is not, and the mail waits."""
    ca, other = TestCA(), TestCA("Somebody Else")
    port = free_port()
    server = ScriptedLmtp(port, ca.issue("lmtp.test"))
    try:
        for trusted, outcome in ((ca, "sent"), (other, "deferred")):
            a = sender(f"lmtp:inet:[127.0.0.1]:{port}",
                       {"lmtp_tls_security_level": "verify", "lmtp_tls_CAfile": str(trusted.cert),
                        "lmtp_tls_verify_cert_match": "lmtp.test", "lmtp_tls_loglevel": "1",
                        # The smtp_* twins say otherwise; the lmtp agent must not read them.
                        "smtp_tls_CAfile": str(other.cert if trusted is ca else ca.cert),
                        "smtp_tls_security_level": "none"})
            try:
                a.start()
                send_notify_success(a, f"tls-twin-{outcome}")
                if outcome == "sent":
                    a.wait_for_log(r"correio/lmtp\[\d+\]: Verified TLS connection established to "
                                   rf"127\.0\.0\.1\[127\.0\.0\.1\]:{port}: TLSv1\.[23] ",
                                   timeout=30)
                    a.wait_for_log(r"to=<bob@dest\.test>, .*status=sent \(250 2\.0\.0 Saved\)",
                                   timeout=30)
                else:
                    a.wait_for_log(r"to=<bob@dest\.test>, .*dsn=4\.7\.5, status=deferred "
                                   r"\(Server certificate not verified\)", timeout=30)
                a.stop()
            finally:
                a.cleanup()
        assert "STARTTLS" in server.commands
        assert len(server.messages) == 1  # the untrusted server got nothing
    finally:
        server.close()


def test_lmtp_errors_name_the_lmtp_parameter():
    a = sender("lmtp:inet:[127.0.0.1]:9", {"lmtp_sasl_auth_enable": "yes"})
    try:
        a.start()
        with smtplib.SMTP("127.0.0.1", a.smtp_port) as smtp:
            smtp.sendmail("sender@example.test", ["bob@dest.test"], b"Subject: x\r\n\r\nx\r\n")
        a.wait_for_log(r"lmtp_sasl_auth_enable = yes, but lmtp_sasl_password_maps is empty",
                       timeout=30)
        assert "smtp_sasl_password_maps is empty" not in a.log_text()
        a.stop()
    finally:
        a.cleanup()


def test_postconf_prints_the_lmtp_twins_with_postfix_defaults():
    a = sender("lmtp:inet:[127.0.0.1]:9")
    try:
        done = a.command("postconf", "-d", "lmtp_tls_CAfile", "lmtp_tls_policy_maps",
                         "lmtp_tls_verify_cert_match", "lmtp_tls_secure_cert_match",
                         "lmtp_sasl_mechanism_filter",
                         "lmtp_sender_dependent_authentication", "lmtp_generic_maps",
                         "lmtp_address_preference", "lmtp_assume_final", "lmtp_header_checks",
                         "lmtp_tls_session_cache_timeout")
        assert done.returncode == 0, done.stderr
        assert done.stdout.splitlines() == [
            "lmtp_tls_CAfile =",
            "lmtp_tls_policy_maps =",
            "lmtp_tls_verify_cert_match = hostname",
            "lmtp_tls_secure_cert_match = nexthop",
            "lmtp_sasl_mechanism_filter =",
            "lmtp_sender_dependent_authentication = no",
            "lmtp_generic_maps =",
            "lmtp_address_preference = any",
            "lmtp_assume_final = no",
            "lmtp_header_checks =",
            "lmtp_tls_session_cache_timeout = 3600s",
        ], done.stdout
        # Set in main.cf, they are not "unused parameter"s any more.
        a.write_main_cf({"lmtp_tls_CAfile": "/etc/ssl/certs/ca-certificates.crt",
                         "lmtp_tls_policy_maps": ""})
        check = a.command("check")
        assert "unused parameter" not in check.stderr, check.stderr
    finally:
        a.cleanup()
