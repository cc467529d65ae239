"""Submission (port 587 style, STARTTLS required) and submissions (465, implicit TLS) with
SMTP AUTH (RFC 4954), driven by Python's smtplib and ssl: PLAIN and LOGIN, SCRAM-SHA-256
and SCRAM-SHA-256-PLUS (tls-server-end-point) through a small SCRAM client written here
with hashlib/hmac, 530 before STARTTLS, 535 and the throttle's 421, relay only after AUTH,
sender login mismatch, and the Postfix log lines and Received: header."""

import base64
import hashlib
import hmac
import os
import pwd
import re
import secrets
import smtplib
import ssl
import subprocess
import time
from pathlib import Path

import pytest

from correio_fixture import CORREIO_BIN, Correio, free_port
from test_smtpd_tls import client_context, make_certificate

POSTCAT = str(Path(CORREIO_BIN).parent / "postcat")

SUBMISSION_OVERRIDES = """\
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_reject_unlisted_recipient=no
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
"""

MASTER_CF = ("{listen}      inet  n       -       n       -       -       smtpd\n"
             "127.0.0.1:{submission}  inet  n  -  n  -  -  smtpd\n"
             "  -o syslog_name=correio/submission\n"
             "  -o smtpd_tls_security_level=encrypt\n"
             "  -o smtpd_tls_auth_only=yes\n" + SUBMISSION_OVERRIDES +
             "127.0.0.1:{submissions}  inet  n  -  n  -  -  smtpd\n"
             "  -o syslog_name=correio/submissions\n"
             "  -o smtpd_tls_wrappermode=yes\n" + SUBMISSION_OVERRIDES)

USERS = ("demo@example.test:{PLAIN}secret::::::\n"
         "other@example.test:{PLAIN}other-secret::::::\n")


class Instance:
    def __init__(self, extra_main_cf=None):
        self.submission, self.submissions = free_port(), free_port()
        self.inst = Correio(master_cf=MASTER_CF.replace("{submission}", str(self.submission))
                            .replace("{submissions}", str(self.submissions)))
        cert, key = make_certificate()
        users = self.inst.config_dir / "users"
        # A SCRAM-SHA-256 user too, hashed by Correio's own password tool would be nicer;
        # the stored form is Dovecot's, computed here independently.
        users.write_text(USERS + "scram@example.test:" + dovecot_scram("pencil") + "::::::\n")
        logins = self.inst.config_dir / "sender_logins"
        logins.write_text("demo@example.test demo@example.test\n"
                          "other@example.test other@example.test\n")
        if os.geteuid() == 0:
            owner = pwd.getpwnam(self.inst.main_cf["mail_owner"])
            os.chown(users, owner.pw_uid, owner.pw_gid)
        self.inst.write_main_cf({
            "virtual_mailbox_domains": "example.test",
            "mydestination": "localhost",
            "mynetworks": "192.0.2.0/24",     # the test client is not trusted
            "user_directory": f"passwd-file:{users}",
            "smtpd_tls_cert_file": cert,
            "smtpd_tls_key_file": key,
            "smtpd_tls_security_level": "may",
            "smtpd_sasl_authenticated_header": "yes",
            "smtpd_sender_login_maps": f"texthash:{logins}",
            "smtpd_sender_restrictions": "reject_sender_login_mismatch",
            "auth_failure_delay": "1s",
            "auth_failure_max_delay": "2s",
            "auth_failure_limit": "3",
            **(extra_main_cf or {}),
        })

    def __enter__(self):
        self.inst.start(wait_ports=[self.inst.smtp_port, self.submission, self.submissions])
        return self

    def __exit__(self, *exc):
        self.inst.stop()
        self.inst.cleanup()


def dovecot_scram(password: str, iterations: int = 4096) -> str:
    salt = secrets.token_bytes(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", "sha256").digest()
    stored = hashlib.sha256(client_key).digest()
    server = hmac.new(salted, b"Server Key", "sha256").digest()
    b64 = lambda b: base64.b64encode(b).decode()
    return f"{{SCRAM-SHA-256}}{iterations},{b64(salt)},{b64(stored)},{b64(server)}"


@pytest.fixture(scope="module")
def server():
    with Instance() as s:
        yield s


def starttls(port: int) -> smtplib.SMTP:
    s = smtplib.SMTP("127.0.0.1", port, timeout=30)
    s.ehlo("client.example")
    s.starttls(context=client_context())
    s.ehlo("client.example")
    return s


def postcat(inst: Correio, queue_id: str) -> str:
    result = subprocess.run([POSTCAT, "-c", str(inst.config_dir), "-q", queue_id],
                            capture_output=True, text=True, errors="replace")
    assert result.returncode == 0, result.stderr
    return result.stdout


# --- a SCRAM-SHA-256 client (RFC 5802 §3, RFC 7677) -----------------------------------
def scram_auth(s: smtplib.SMTP, user: str, password: str, binding: tuple[str, bytes] | None):
    """Runs AUTH SCRAM-SHA-256[-PLUS]; returns the final (code, text)."""
    gs2 = f"p={binding[0]},,".encode() if binding else b"n,,"
    mech = "SCRAM-SHA-256-PLUS" if binding else "SCRAM-SHA-256"
    nonce = base64.b64encode(secrets.token_bytes(18)).decode()
    first_bare = f"n={user},r={nonce}".encode()
    code, text = s.docmd("AUTH", mech + " " + base64.b64encode(gs2 + first_bare).decode())
    if code != 334:
        return code, text
    server_first = base64.b64decode(text)
    attrs = dict(item.split(b"=", 1) for item in server_first.split(b","))
    assert attrs[b"r"].startswith(nonce.encode())
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(attrs[b"s"]),
                                 int(attrs[b"i"]))
    client_key = hmac.new(salted, b"Client Key", "sha256").digest()
    stored = hashlib.sha256(client_key).digest()
    cbind = gs2 + (binding[1] if binding else b"")
    without_proof = b"c=" + base64.b64encode(cbind) + b",r=" + attrs[b"r"]
    auth_message = first_bare + b"," + server_first + b"," + without_proof
    signature = hmac.new(stored, auth_message, "sha256").digest()
    proof = bytes(a ^ b for a, b in zip(client_key, signature))
    code, text = s.docmd(base64.b64encode(without_proof + b",p=" +
                                          base64.b64encode(proof)).decode())
    if code != 334:
        return code, text
    server_key = hmac.new(salted, b"Server Key", "sha256").digest()
    expected = b"v=" + base64.b64encode(hmac.new(server_key, auth_message, "sha256").digest())
    assert base64.b64decode(text) == expected, "server signature"
    return s.docmd("")


def server_end_point(s: smtplib.SMTP) -> bytes:
    # RFC 5929 §4.1: the hash of the server certificate; ours is signed with SHA-256.
    return hashlib.sha256(s.sock.getpeercert(binary_form=True)).digest()


# --- tests ---------------------------------------------------------------------------
def test_submission_requires_tls_before_auth(server):
    with smtplib.SMTP("127.0.0.1", server.submission, timeout=30) as s:
        s.ehlo("client.example")
        assert s.has_extn("starttls")
        assert not s.has_extn("auth")                     # smtpd_tls_auth_only
        # Level encrypt: Postfix's 530 comes before any AUTH processing.
        assert s.docmd("AUTH", "PLAIN " + base64.b64encode(b"\0demo@example.test\0secret")
                       .decode()) == (530, b"5.7.0 Must issue a STARTTLS command first")
        assert s.docmd("MAIL", "FROM:<demo@example.test>")[0] == 530


def test_mechanisms_after_starttls(server):
    with starttls(server.submission) as s:
        assert s.esmtp_features["auth"].split() == [
            "SCRAM-SHA-256-PLUS", "SCRAM-SHA-256", "PLAIN", "LOGIN"]
    with smtplib.SMTP("127.0.0.1", server.inst.smtp_port, timeout=30) as s:
        s.ehlo("client.example")
        assert not s.has_extn("auth")                     # the MTA port: AUTH not enabled
        assert s.docmd("AUTH", "PLAIN =")[0] == 503


def test_auth_plain_starttls_relays_and_logs(server):
    with starttls(server.submission) as s:
        code, text = s.auth("PLAIN", lambda challenge=None: "\0demo@example.test\0secret")
        assert (code, text) == (235, b"2.7.0 Authentication successful")
        assert s.docmd("AUTH", "PLAIN =")[0] == 503      # already authenticated
        s.mail("demo@example.test")
        assert s.rcpt("someone@elsewhere.example")[0] == 250   # relaying after AUTH
        code, reply = s.data(b"Subject: hi\r\n\r\nhello\r\n")
        assert code == 250
    qid = re.search(rb"queued as ([0-9A-F]+)", reply).group(1).decode()
    server.inst.wait_for_log(rf"{qid}: client=unknown\[127\.0\.0\.1\], sasl_method=PLAIN, "
                             r"sasl_username=demo@example\.test")
    shown = postcat(server.inst, qid)
    assert re.search(r"\(Authenticated sender: demo@example\.test\)\n\tby mail\.example\.test "
                     r"\(Correio\) with ESMTPSA id " + qid, shown), shown


def test_auth_login_on_submissions(server):
    with smtplib.SMTP_SSL("127.0.0.1", server.submissions, context=client_context(),
                          timeout=30) as s:
        s.ehlo("client.example")
        assert "LOGIN" in s.esmtp_features["auth"].split()
        s.user, s.password = "demo@example.test", "secret"
        code, text = s.auth("LOGIN", s.auth_login, initial_response_ok=False)
        assert code == 235
        s.sendmail("demo@example.test", ["someone@elsewhere.example"], b"Subject: x\r\n\r\nx\r\n")


def test_relay_and_submission_refused_without_auth(server):
    with starttls(server.submission) as s:
        s.mail("demo@example.test")
        code, text = s.rcpt("demo@example.test")
        assert (code, text) == (554, b"5.7.1 <unknown[127.0.0.1]>: Client host rejected: "
                                     b"Access denied")
    # The MTA port: mail for us is fine, relaying is not (defer_unauth_destination).
    with smtplib.SMTP("127.0.0.1", server.inst.smtp_port, timeout=30) as s:
        s.ehlo("client.example")
        s.mail("stranger@remote.example")
        assert s.rcpt("demo@example.test")[0] == 250
        assert s.rcpt("victim@elsewhere.example")[0] == 454


def test_sender_login_mismatch(server):
    with starttls(server.submission) as s:
        s.login("demo@example.test", "secret")
        s.mail("other@example.test")
        code, text = s.rcpt("someone@elsewhere.example")
        assert (code, text) == (553, b"5.7.1 <other@example.test>: Sender address rejected: "
                                     b"not owned by user demo@example.test")
    server.inst.wait_for_log(r"NOQUEUE: reject: RCPT from unknown\[127\.0\.0\.1\]: 553 5\.7\.1 "
                             r"<other@example\.test>: Sender address rejected: not owned by user")


def test_cancel_and_bad_base64(server):
    with starttls(server.submission) as s:
        assert s.docmd("AUTH", "PLAIN not-base64!")[0] == 501
        assert s.docmd("AUTH", "LOGIN")[0] == 334
        assert s.docmd("*") == (501, b"5.7.0 Authentication aborted")
        assert s.docmd("AUTH", "GSSAPI")[0] == 504


def test_scram_sha_256(server):
    with starttls(server.submission) as s:
        assert scram_auth(s, "scram@example.test", "pencil", None) == \
            (235, b"2.7.0 Authentication successful")
    with starttls(server.submission) as s:              # {PLAIN} stored passwords too
        assert scram_auth(s, "demo@example.test", "secret", None)[0] == 235


def test_scram_sha_256_plus_binds_to_the_tls_channel(server):
    with starttls(server.submission) as s:
        binding = ("tls-server-end-point", server_end_point(s))
        assert scram_auth(s, "scram@example.test", "pencil", binding)[0] == 235
    with starttls(server.submission) as s:
        # Another channel's data, as a man in the middle would forward it.
        assert scram_auth(s, "scram@example.test", "pencil",
                          ("tls-server-end-point", b"\0" * 32))[0] == 535


def test_wrong_password_then_throttled():
    with Instance() as server:
        failures = []
        with starttls(server.submission) as s:
            for user in ("demo@example.test", "nobody@example.test", "demo@example.test"):
                started = time.monotonic()
                code, text = s.docmd("AUTH", "PLAIN " + base64.b64encode(
                    f"\0{user}\0wrong".encode()).decode())
                failures.append((code, text, time.monotonic() - started))
            # Unknown user and wrong password: the same reply, and a delay growing 1s, 2s, 2s.
            assert {(c, t) for c, t, _ in failures} == {
                (535, b"5.7.8 Error: authentication failed: authentication failure")}
            assert failures[0][2] >= 0.9 and failures[1][2] >= 1.9
            code, text = s.docmd("AUTH", "PLAIN " + base64.b64encode(
                b"\0demo@example.test\0secret").decode())
            assert code == 421 and text.startswith(b"4.7.0 ")
        # Blocked for new connections too, even with the right password.
        with starttls(server.submission) as s:
            assert s.docmd("AUTH", "PLAIN " + base64.b64encode(
                b"\0demo@example.test\0secret").decode())[0] == 421
        server.inst.wait_for_log(r"warning: unknown\[127\.0\.0\.1\]: SASL PLAIN authentication "
                                 r"failed: authentication failure, "
                                 r"sasl_username=nobody@example\.test")
