"""Mail out: the smtp delivery agent (Postfix's smtp(8)) sends mail from one Correio
instance ("A") to another ("B") found by MX records that a dnsmasq started here serves,
and to a stock Postfix. Each test's receiving host listens on its own 127.0.0.N port 25
(all of 127/8 is local on Linux), so parallel tests do not collide. A small scripted
server stands in only where a peer must misbehave on purpose (a 4xx, then acceptance)."""

import os
import pwd
import re
import shutil
import smtplib
import socket
import subprocess
import threading
import time

import pytest

from correio_fixture import Correio, free_port, wait_for_port
from delivery_setup import pipeline, queue_is_empty, wait_for_messages
from postfix_instance import PostfixInstance, skip_reason
from test_reverse_dns import free_udp_and_tcp_port
from test_smtpd_tls import make_certificate

pytestmark = [
    pytest.mark.skipif(shutil.which("dnsmasq") is None, reason="dnsmasq not installed"),
    pytest.mark.skipif(os.geteuid() != 0, reason="binding 127.0.0.N:25 needs root"),
]

SENDER_MASTER_CF = """\
{listen}      inet  n       -       n       -       -       smtpd
qmgr          unix  n       -       n       300     1       qmgr
virtual       unix  -       -       n       -       -       virtual
smtp          unix  -       -       n       -       -       smtp
relay         unix  -       -       n       -       -       smtp
showq         unix  n       -       n       -       -       showq
"""


def start_dnsmasq(tmp_path, records: list[str]):
    port = free_udp_and_tcp_port()
    proc = subprocess.Popen(
        ["dnsmasq", "--no-daemon", "--port", str(port), "--listen-address=127.0.0.1",
         "--bind-interfaces", "--no-resolv", "--no-hosts",
         "--pid-file=" + str(tmp_path / "dnsmasq.pid"), *records],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    time.sleep(0.5)
    if proc.poll() is not None:
        pytest.skip(f"dnsmasq did not start: {proc.stdout.read().decode(errors='replace')}")
    return proc, port


@pytest.fixture
def dns(tmp_path):
    """dnsmasq serving the records each test passes: call dns(records) -> port."""
    procs = []

    def start(records):
        proc, port = start_dnsmasq(tmp_path, records)
        procs.append(proc)
        return port

    yield start
    for proc in procs:
        proc.terminate()
        proc.wait(timeout=10)


def sender_host(dns_port: int, extra: dict | None = None) -> Correio:
    """Host A: example.test's users (the sender's Maildir for bounces), mail for other
    domains to the smtp transport, DNS from the test's dnsmasq."""
    inst = pipeline({"dns_resolver_servers": f"127.0.0.1:{dns_port}",
                     "smtp_connect_timeout": "5s", **(extra or {})})
    inst.write_master_cf(SENDER_MASTER_CF.replace("{listen}", inst.listen))
    return inst


def receiving_host(address: str, users: str = "bob@dest.test:{PLAIN}secret::::::\n",
                   domain: str = "dest.test") -> Correio:
    """Host B: smtpd on ADDRESS:25 with the virtual mailboxes of `domain`."""
    inst = pipeline({"virtual_mailbox_domains": domain, "inet_interfaces": address,
                     "myhostname": "mx.dest.test"})
    (inst.config_dir / "users").write_text(users)
    inst.write_master_cf(f"""\
{address}:25  inet  n       -       n       -       -       smtpd
qmgr          unix  n       -       n       300     1       qmgr
virtual       unix  -       -       n       -       -       virtual
""")
    return inst


def start_receiver(inst: Correio, address: str) -> None:
    inst.start(wait_ports=[])
    wait_for_port(25, host=address)


def send(inst: Correio, recipient: str, subject: str = "out", body: str = "hello out there\r\n",
         sender: str = "sender@example.test") -> None:
    with smtplib.SMTP("127.0.0.1", inst.smtp_port) as smtp:
        smtp.sendmail(sender, [recipient],
                      f"From: {sender}\r\nTo: {recipient}\r\nSubject: {subject}\r\n"
                      f"Message-ID: <{subject}@example.test>\r\n\r\n{body}".encode())


def maildir_files(inst: Correio, domain: str, user: str):
    folder = inst.base / "mail" / domain / user / "new"
    return sorted(folder.iterdir()) if folder.exists() else []


def wait_for_file(inst: Correio, domain: str, user: str, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while True:
        files = maildir_files(inst, domain, user)
        if files:
            return files
        if time.monotonic() > deadline:
            raise AssertionError(f"nothing in {domain}/{user} after {timeout}s\n"
                                 f"{inst.log_text()[-4000:]}")
        time.sleep(0.1)


def test_delivery_to_the_mx_host(dns):
    port = dns(["--mx-host=dest.test,mx1.dest.test,10",
                "--host-record=mx1.dest.test,127.0.0.31"])
    b = receiving_host("127.0.0.31")
    a = sender_host(port)
    try:
        start_receiver(b, "127.0.0.31")
        a.start()
        send(a, "bob@dest.test", subject="mx-1")
        [path] = wait_for_file(b, "dest.test", "bob")
        data = path.read_bytes()
        assert b"Subject: mx-1" in data and data.endswith(b"hello out there\n")
        # B's Received: line names A as the client that sent it over SMTP.
        assert b"from mail.example.test" in data
        a.wait_for_log(r"correio/smtp\[\d+\]: [0-9A-F]+: to=<bob@dest\.test>, "
                       r"relay=mx1\.dest\.test\[127\.0\.0\.31\]:25, delay=[\d.]+, "
                       r"delays=[\d.]+/[\d.]+/[\d.]+/[\d.]+, dsn=2\.0\.0, "
                       r"status=sent \(250 2\.0\.0 Ok: queued as [0-9A-F]+\)", timeout=30)
        a.wait_for_log(r"[0-9A-F]+: removed")
        a.stop()
        b.stop()
    finally:
        a.cleanup()
        b.cleanup()


def test_many_recipients_in_transactions_of_the_recipient_limit(dns):
    port = dns(["--mx-host=dest.test,mx1.dest.test,10",
                "--host-record=mx1.dest.test,127.0.0.40"])
    b = receiving_host("127.0.0.40", users="".join(
        f"{u}@dest.test:{{PLAIN}}secret::::::\n" for u in ("bob", "carol", "dave")))
    a = sender_host(port, {"smtp_destination_recipient_limit": "2"})
    try:
        start_receiver(b, "127.0.0.40")
        a.start()
        with smtplib.SMTP("127.0.0.1", a.smtp_port) as smtp:
            smtp.sendmail("sender@example.test",
                          ["bob@dest.test", "carol@dest.test", "dave@dest.test", "eve@dest.test"],
                          b"Subject: many\r\n\r\nto several\r\n")
        for user in ("bob", "carol", "dave"):
            wait_for_file(b, "dest.test", user)
        sent = a.wait_for_log(r"correio/smtp\[\d+\]: \w+: to=<\w+@dest\.test>, .*status=sent",
                              count=3, timeout=30)
        queue_ids = {re.search(r"queued as (\w+)", line).group(1) for line in sent}
        assert len(queue_ids) == 2  # two transactions: 2 recipients, then 1 (+ eve refused)
        a.wait_for_log(r"to=<eve@dest\.test>, .*status=bounced \(host mx1\.dest\.test"
                       r"\[127\.0\.0\.40\] said: 550 5\.1\.1 ")
        # One connection carried both transactions.
        b.wait_for_log(r"smtpd\[\d+\]: disconnect from \S+ ehlo=1 mail=2 rcpt=\S+ data=2 ")
        a.stop()
        b.stop()
    finally:
        a.cleanup()
        b.cleanup()


def test_connection_kept_for_the_next_message(dns):
    port = dns(["--mx-host=dest.test,mx1.dest.test,10",
                "--host-record=mx1.dest.test,127.0.0.41"])
    b = receiving_host("127.0.0.41")
    a = sender_host(port, {"smtp_connection_cache_time_limit": "10s"})
    try:
        start_receiver(b, "127.0.0.41")
        a.start()
        send(a, "bob@dest.test", subject="cache-1")
        a.wait_for_log(r"to=<bob@dest\.test>, .*status=sent", timeout=30)
        send(a, "bob@dest.test", subject="cache-2")
        a.wait_for_log(r"to=<bob@dest\.test>, .*status=sent", count=2, timeout=30)
        assert len(wait_for_file(b, "dest.test", "bob")) >= 1
        # One SMTP session carried both (RSET checked it before the second), and was
        # closed with QUIT once the cache time limit passed.
        b.wait_for_log(r"smtpd\[\d+\]: disconnect from \S+ ehlo=1 mail=2 rcpt=2 data=2 "
                       r"rset=1 quit=1 ", timeout=30)
        a.stop()
        b.stop()
    finally:
        a.cleanup()
        b.cleanup()


def test_second_mx_when_the_first_refuses_connections(dns):
    # mx1 (preference 10) has nobody listening on 127.0.0.32:25; mx2 is host B.
    port = dns(["--mx-host=dest.test,mx1.dest.test,10", "--mx-host=dest.test,mx2.dest.test,20",
                "--host-record=mx1.dest.test,127.0.0.32",
                "--host-record=mx2.dest.test,127.0.0.33"])
    b = receiving_host("127.0.0.33")
    a = sender_host(port)
    try:
        start_receiver(b, "127.0.0.33")
        a.start()
        send(a, "bob@dest.test", subject="mx-2")
        wait_for_file(b, "dest.test", "bob")
        a.wait_for_log(r"to=<bob@dest\.test>, relay=mx2\.dest\.test\[127\.0\.0\.33\]:25, .*"
                       r"status=sent \(250 ", timeout=30)
        a.stop()
        b.stop()
    finally:
        a.cleanup()
        b.cleanup()


def test_rejected_recipient_bounces_with_the_remote_reply(dns):
    port = dns(["--mx-host=dest.test,mx1.dest.test,10",
                "--host-record=mx1.dest.test,127.0.0.34"])
    b = receiving_host("127.0.0.34")
    a = sender_host(port)
    try:
        start_receiver(b, "127.0.0.34")
        a.start()
        send(a, "nobody@dest.test", subject="bounce-1")
        a.wait_for_log(r"correio/smtp\[\d+\]: [0-9A-F]+: to=<nobody@dest\.test>, "
                       r"relay=mx1\.dest\.test\[127\.0\.0\.34\]:25, .*dsn=5\.1\.1, "
                       r"status=bounced \(host mx1\.dest\.test\[127\.0\.0\.34\] said: 550 5\.1\.1 "
                       r".*\(in reply to RCPT TO command\)\)", timeout=30)
        [report] = wait_for_messages(a, "sender", 1)
        text = report.read_text(errors="replace")
        assert "Subject: Undelivered Mail Returned to Sender" in text
        assert "Final-Recipient: rfc822; nobody@dest.test" in text
        assert "Remote-MTA: dns; mx1.dest.test" in text
        assert re.search(r"Diagnostic-Code: smtp; 550 5\.1\.1 ", text)
        assert "<nobody@dest.test>: host mx1.dest.test[127.0.0.34] said: 550 5.1.1" in text
        assert "Subject: bounce-1" in text  # the original comes back
        a.stop()
        b.stop()
    finally:
        a.cleanup()
        b.cleanup()


def test_null_mx_bounces_at_once(dns):
    # RFC 7505: one MX record, preference 0, exchange "." (raw RR: 0x0000, root label).
    port = dns(["--dns-rr=nullmx.test,15,000000"])
    a = sender_host(port)
    try:
        a.start()
        send(a, "anyone@nullmx.test", subject="nullmx")
        a.wait_for_log(r"to=<anyone@nullmx\.test>, relay=none, .*dsn=5\.1\.0, status=bounced "
                       r"\(Domain nullmx\.test does not accept mail \(nullMX\)\)", timeout=30)
        [report] = wait_for_messages(a, "sender", 1)
        assert "Status: 5.1.0" in report.read_text(errors="replace")
        a.stop()
    finally:
        a.cleanup()


def test_unknown_domain_bounces_and_dns_failure_defers(dns):
    # dnsmasq answers for .test itself (NXDOMAIN for unknown names) and refuses the rest,
    # as a broken upstream would: the first bounces, the second is a temporary failure.
    port = dns(["--local=/test/", "--mx-host=dest.test,mx1.dest.test,10",
                "--host-record=mx1.dest.test,127.0.0.35"])
    a = sender_host(port)
    try:
        a.start()
        send(a, "someone@no-such-domain.test", subject="nxdomain")
        a.wait_for_log(r"to=<someone@no-such-domain\.test>, relay=none, .*dsn=5\.4\.4, "
                       r"status=bounced \(Host or domain name not found\. Name service error "
                       r"for name=no-such-domain\.test type=MX: Host not found\)", timeout=30)
        send(a, "someone@elsewhere.example", subject="servfail")
        a.wait_for_log(r"to=<someone@elsewhere\.example>, relay=none, .*dsn=4\.4\.3, "
                       r"status=deferred \(Host or domain name not found\. Name service error "
                       r"for name=elsewhere\.example type=MX: Host not found, try again\)",
                       timeout=30)
        a.stop()
    finally:
        a.cleanup()


def test_opportunistic_starttls(dns):
    port = dns(["--mx-host=dest.test,mx1.dest.test,10",
                "--host-record=mx1.dest.test,127.0.0.36"])
    cert, key = make_certificate()
    b = receiving_host("127.0.0.36")
    b.write_main_cf({"smtpd_tls_cert_file": cert, "smtpd_tls_key_file": key,
                     "smtpd_tls_security_level": "may", "smtpd_tls_received_header": "yes"})
    a = sender_host(port, {"smtp_tls_security_level": "may", "smtp_tls_loglevel": "1"})
    try:
        start_receiver(b, "127.0.0.36")
        a.start()
        send(a, "bob@dest.test", subject="tls-1")
        [path] = wait_for_file(b, "dest.test", "bob")
        data = path.read_bytes()
        # B's Received: line records the TLS session and ESMTPS (RFC 3848).
        assert b"with ESMTPS id" in data, data[:600]
        a.wait_for_log(r"correio/smtp\[\d+\]: Untrusted TLS connection established to "
                       r"mx1\.dest\.test\[127\.0\.0\.36\]:25: TLSv1\.[23] with cipher ")
        a.wait_for_log(r"to=<bob@dest\.test>, relay=mx1\.dest\.test\[127\.0\.0\.36\]:25, .*"
                       r"status=sent", timeout=30)
        a.stop()
        b.stop()
    finally:
        a.cleanup()
        b.cleanup()


def test_mandatory_tls_defers_when_not_offered(dns):
    port = dns(["--mx-host=dest.test,mx1.dest.test,10",
                "--host-record=mx1.dest.test,127.0.0.37"])
    b = receiving_host("127.0.0.37")  # no certificate: no STARTTLS
    a = sender_host(port, {"smtp_tls_security_level": "encrypt"})
    try:
        start_receiver(b, "127.0.0.37")
        a.start()
        send(a, "bob@dest.test", subject="tls-2")
        a.wait_for_log(r"to=<bob@dest\.test>, relay=mx1\.dest\.test\[127\.0\.0\.37\]:25, .*"
                       r"dsn=4\.7\.4, status=deferred \(TLS is required, but was not offered by "
                       r"host mx1\.dest\.test\[127\.0\.0\.37\]\)", timeout=30)
        assert not maildir_files(b, "dest.test", "bob")
        a.stop()
        b.stop()
    finally:
        a.cleanup()
        b.cleanup()


def submission_host(address: str) -> Correio:
    """Host B as a provider's submission server: port 587, STARTTLS required, relaying
    only for authenticated clients (A is not in its mynetworks)."""
    cert, key = make_certificate()
    b = receiving_host(address)
    b.write_main_cf({"smtpd_tls_cert_file": cert, "smtpd_tls_key_file": key,
                     "mynetworks": "192.0.2.0/24", "smtpd_sasl_authenticated_header": "yes"})
    b.write_master_cf(f"""\
{address}:587 inet  n       -       n       -       -       smtpd
  -o smtpd_tls_security_level=encrypt
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_recipient_restrictions=permit_sasl_authenticated,reject
qmgr          unix  n       -       n       300     1       qmgr
virtual       unix  -       -       n       -       -       virtual
""")
    return b


def relay_client(dns_port: int, password: str) -> Correio:
    a = sender_host(dns_port, {"relayhost": "[smtp.example.test]:587",
                               "smtp_tls_security_level": "encrypt",
                               "smtp_sasl_auth_enable": "yes",
                               "smtp_sasl_security_options": "noanonymous"})
    passwords = a.config_dir / "sasl_passwd"
    passwords.write_text(f"[smtp.example.test]:587 bob@dest.test:{password}\n")
    a.write_main_cf({"smtp_sasl_password_maps": f"texthash:{passwords}"})
    return a


def test_relayhost_with_sasl_auth_over_starttls(dns):
    port = dns(["--host-record=smtp.example.test,127.0.0.38"])
    b = submission_host("127.0.0.38")
    a = relay_client(port, "secret")
    try:
        b.start(wait_ports=[])
        wait_for_port(587, host="127.0.0.38")
        a.start()
        send(a, "bob@dest.test", subject="sasl-1")
        [path] = wait_for_file(b, "dest.test", "bob")
        data = path.read_bytes()
        assert b"(Authenticated sender: bob@dest.test)" in data
        assert b"with ESMTPSA id" in data
        b.wait_for_log(r"client=unknown\[127\.0\.0\.1\], sasl_method=SCRAM-SHA-256-PLUS, "
                       r"sasl_username=bob@dest\.test")
        a.wait_for_log(r"to=<bob@dest\.test>, relay=smtp\.example\.test\[127\.0\.0\.38\]:587, "
                       r".*status=sent \(250 2\.0\.0 Ok: queued as ", timeout=30)
        assert "secret" not in a.log_text()
        a.stop()
        b.stop()
    finally:
        a.cleanup()
        b.cleanup()


def test_relayhost_refusing_the_password_defers(dns):
    port = dns(["--host-record=smtp.example.test,127.0.0.39"])
    b = submission_host("127.0.0.39")
    a = relay_client(port, "wrong-password")
    try:
        b.start(wait_ports=[])
        wait_for_port(587, host="127.0.0.39")
        a.start()
        send(a, "bob@dest.test", subject="sasl-2")
        a.wait_for_log(r"to=<bob@dest\.test>, relay=smtp\.example\.test\[127\.0\.0\.39\]:587, "
                       r".*dsn=4\.7\.8, status=deferred \(SASL authentication failed; server "
                       r"smtp\.example\.test\[127\.0\.0\.39\] said: 535 5\.7\.8 ", timeout=30)
        assert "wrong-password" not in a.log_text()
        assert not maildir_files(b, "dest.test", "bob")
        a.stop()
        b.stop()
    finally:
        a.cleanup()
        b.cleanup()


class ScriptedServer:
    """A deliberately difficult SMTP peer: 450 to the first RCPT it sees (`busy_first`),
    then accepts; it announces 8BITMIME only with `eight_bit`. It records the messages it
    takes."""

    def __init__(self, address: str, port: int, busy_first: bool = True, eight_bit: bool = True,
                 always_busy: bool = False):
        self.busy_first = busy_first
        self.always_busy = always_busy
        self.eight_bit = eight_bit
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((address, port))
        self.sock.listen(5)
        self.rcpt_seen = 0
        self.messages: list[bytes] = []
        self.commands: list[str] = []
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                self.session(conn.makefile("rwb"))

    def session(self, f):
        def reply(text):
            f.write(text.encode() + b"\r\n")
            f.flush()
        reply("220 scripted.test ESMTP")
        while True:
            line = f.readline()
            if not line:
                return
            cmd = line.decode().rstrip("\r\n")
            self.commands.append(cmd)
            verb = cmd[:4].upper()
            if verb == "EHLO":
                reply("250-scripted.test\r\n250-PIPELINING\r\n"
                      + ("250-8BITMIME\r\n" if self.eight_bit else "")
                      + f"250 SIZE {getattr(self, 'size', 1000000)}")
            elif verb == "MAIL":
                reply("250 2.1.0 Ok")
            elif verb == "RCPT":
                self.rcpt_seen += 1
                reply("450 4.2.0 <bob@scripted.test>: mailbox busy, come back later"
                      if self.always_busy or (self.rcpt_seen == 1 and self.busy_first)
                      else "250 2.1.5 Ok")
            elif verb == "DATA":
                reply("354 go ahead")
                body = b""
                while True:
                    chunk = f.readline()
                    if chunk in (b".\r\n", b""):
                        break
                    body += chunk
                self.messages.append(body)
                reply("250 2.0.0 Ok: queued as SCRIPTED1")
            elif verb == "RSET":
                reply("250 2.0.0 Ok")
            elif verb == "QUIT":
                reply("221 2.0.0 Bye")
                return
            else:
                reply("502 5.5.2 what")

    def close(self):
        self.sock.close()


def test_temporary_failure_is_deferred_then_delivered_by_flush(dns):
    port = dns([])
    server_port = free_port()
    server = ScriptedServer("127.0.0.1", server_port)
    # The relayhost in brackets: no MX lookup. Long backoff: only the flush retries.
    a = sender_host(port, {"relayhost": f"[127.0.0.1]:{server_port}",
                           "minimal_backoff_time": "300s", "maximal_backoff_time": "600s",
                           "queue_run_delay": "300s"})
    try:
        a.start()
        send(a, "bob@scripted.test", subject="defer-1", body="..leading dot\r\nend\r\n")
        a.wait_for_log(r"to=<bob@scripted\.test>, relay=127\.0\.0\.1\[127\.0\.0\.1\]:\d+, .*"
                       r"dsn=4\.2\.0, status=deferred \(host 127\.0\.0\.1\[127\.0\.0\.1\] said: "
                       r"450 4\.2\.0 <bob@scripted\.test>: mailbox busy, come back later "
                       r"\(in reply to RCPT TO command\)\)", timeout=30)
        assert not server.messages  # no DATA without an accepted recipient
        mailq = a.command("mailq")
        assert "450 4.2.0 <bob@scripted.test>: mailbox busy" in mailq.stdout, mailq.stdout
        assert a.command("postqueue", "-f").returncode == 0
        a.wait_for_log(r"to=<bob@scripted\.test>, .*status=sent \(250 2\.0\.0 Ok: queued as "
                       r"SCRIPTED1\)", timeout=30)
        [message] = server.messages
        # RFC 5321 §4.5.2: the client doubles a leading dot; the server removes it.
        assert b"\r\n...leading dot\r\nend\r\n" in message
        assert any(c.startswith("MAIL FROM:<sender@example.test> SIZE=") for c in server.commands)
        a.stop()
    finally:
        a.cleanup()
        server.close()


def test_recipient_4xx_goes_to_the_next_mx(dns):
    """A 4xx to RCPT from an MX host that is not the last keeps the recipient for the next
    one (Postfix's smtp_rcpt_fail); from the last one, it is the recipient's deferral."""
    port = dns(["--mx-host=dest.test,mx1.dest.test,10", "--mx-host=dest.test,mx2.dest.test,20",
                "--host-record=mx1.dest.test,127.0.0.35",
                "--host-record=mx2.dest.test,127.0.0.36",
                "--mx-host=busy.test,mx1.busy.test,10", "--mx-host=busy.test,mx2.busy.test,20",
                "--host-record=mx1.busy.test,127.0.0.35",
                "--host-record=mx2.busy.test,127.0.0.37"])
    busy = ScriptedServer("127.0.0.35", 25, always_busy=True)
    busy2 = ScriptedServer("127.0.0.37", 25, always_busy=True)
    b = receiving_host("127.0.0.36")
    a = sender_host(port, {"minimal_backoff_time": "300s", "queue_run_delay": "300s"})
    try:
        start_receiver(b, "127.0.0.36")
        a.start()
        send(a, "bob@dest.test", subject="rcpt-4xx")
        wait_for_file(b, "dest.test", "bob")
        a.wait_for_log(r"to=<bob@dest\.test>, relay=mx2\.dest\.test\[127\.0\.0\.36\]:25, .*"
                       r"status=sent \(250 ", timeout=30)
        a.wait_for_log(r"host mx1\.dest\.test\[127\.0\.0\.35\] said: 450 4\.2\.0 "
                       r"<bob@scripted\.test>: mailbox busy, come back later \(in reply to RCPT "
                       r"TO command\)")
        assert not busy.messages
        # Both busy: the deferral is the last server's answer.
        send(a, "carol@busy.test", subject="rcpt-4xx-both")
        a.wait_for_log(r"to=<carol@busy\.test>, relay=mx2\.busy\.test\[127\.0\.0\.37\]:25, .*"
                       r"dsn=4\.2\.0, status=deferred \(host mx2\.busy\.test\[127\.0\.0\.37\] "
                       r"said: 450 4\.2\.0 ", timeout=30)
        assert any(c.startswith("RCPT TO:<carol@busy.test>") for c in busy.commands)
        a.stop()
        b.stop()
    finally:
        a.cleanup()
        b.cleanup()
        busy.close()
        busy2.close()


def test_mail_that_would_loop_back_bounces_and_a_backup_mx_sends_to_the_primary(dns):
    """Postfix's smtp_find_self: this host (inet_interfaces, proxy_interfaces) as the best
    MX host is a loop (5.4.6); as a backup MX, only the more preferred hosts are tried."""
    port = dns(["--mx-host=loop.test,me.loop.test,10", "--mx-host=loop.test,mx2.loop.test,20",
                "--host-record=me.loop.test,127.0.0.40",
                "--host-record=mx2.loop.test,127.0.0.41",
                "--mx-host=dest.test,mx1.dest.test,10", "--mx-host=dest.test,me.dest.test,20",
                "--mx-host=dest.test,mx3.dest.test,30",
                "--host-record=mx1.dest.test,127.0.0.42",
                "--host-record=me.dest.test,127.0.0.40",
                "--host-record=mx3.dest.test,127.0.0.43"])
    other = ScriptedServer("127.0.0.41", 25, busy_first=False)
    worse = ScriptedServer("127.0.0.43", 25, busy_first=False)
    b = receiving_host("127.0.0.42")
    # 127.0.0.40 is this host's address as the world sees it (a NAT in front, say).
    a = sender_host(port, {"proxy_interfaces": "127.0.0.40",
                           "minimal_backoff_time": "300s", "queue_run_delay": "300s"})
    try:
        start_receiver(b, "127.0.0.42")
        a.start()
        send(a, "anyone@loop.test", subject="loop")
        a.wait_for_log(r"to=<anyone@loop\.test>, relay=none, .*dsn=5\.4\.6, status=bounced "
                       r"\(mail for loop\.test loops back to myself\)", timeout=30)
        assert not other.commands  # a worse MX than this host is never tried
        send(a, "bob@dest.test", subject="backup")
        wait_for_file(b, "dest.test", "bob")
        a.wait_for_log(r"to=<bob@dest\.test>, relay=mx1\.dest\.test\[127\.0\.0\.42\]:25, .*"
                       r"status=sent", timeout=30)
        b.stop()
        # The primary down: deferred; the hosts at or after this one are not tried.
        send(a, "bob@dest.test", subject="backup-down")
        a.wait_for_log(r"to=<bob@dest\.test>, relay=none, .*status=deferred \(connect to "
                       r"mx1\.dest\.test\[127\.0\.0\.42\]:25: Connection refused\)", timeout=30)
        assert not worse.commands
        a.stop()
    finally:
        a.cleanup()
        b.cleanup()
        other.close()
        worse.close()


def test_server_greeting_with_this_hosts_name_is_a_loop(dns):
    port = dns(["--mx-host=mirror.test,mx.mirror.test,10",
                "--host-record=mx.mirror.test,127.0.0.44"])
    mirror = receiving_host("127.0.0.44", domain="mirror.test")
    a = sender_host(port, {"myhostname": "mx.dest.test"})  # the receiver's name
    try:
        start_receiver(mirror, "127.0.0.44")
        a.start()
        send(a, "bob@mirror.test", subject="mirror")
        a.wait_for_log(r"host mx\.mirror\.test\[127\.0\.0\.44\]:25 replied to HELO/EHLO with "
                       r"my own hostname mx\.dest\.test", timeout=30)
        a.wait_for_log(r"to=<bob@mirror\.test>, relay=mx\.mirror\.test\[127\.0\.0\.44\]:25, "
                       r".*dsn=5\.4\.6, status=bounced \(mail for mirror\.test loops back to "
                       r"myself\)", timeout=30)
        a.stop()
        mirror.stop()
    finally:
        a.cleanup()
        mirror.cleanup()


@pytest.mark.skipif(skip_reason() is not None, reason=str(skip_reason()))
def test_delivery_to_a_stock_postfix(dns, tmp_path):
    port = dns([])
    postfix_uid = pwd.getpwnam("postfix").pw_uid
    pf = PostfixInstance({
        "virtual_mailbox_domains": "pf.test",
        "virtual_mailbox_base": "$queue_directory/../vmail",
        "virtual_mailbox_maps": "inline:{ bob@pf.test=pf.test/bob/ }",
        "virtual_uid_maps": f"static:{postfix_uid}",
        "virtual_gid_maps": f"static:{pwd.getpwnam('postfix').pw_gid}",
    })
    vmail = pf.base / "vmail"
    vmail.mkdir()
    shutil.chown(vmail, "postfix", "postfix")
    with pf:
        a = sender_host(port, {"default_transport": f"smtp:[127.0.0.1]:{pf.smtp_port}"})
        try:
            a.start()
            send(a, "bob@pf.test", subject="to-postfix", body="caf\u00e9 8bit body\r\n")
            pf.wait_for_log(r"postfix/virtual\[\d+\]: \w+: to=<bob@pf\.test>, .*status=sent")
            [path] = sorted((vmail / "pf.test" / "bob" / "new").iterdir())
            data = path.read_bytes()
            assert b"Subject: to-postfix" in data
            assert "café 8bit body".encode() in data
            a.wait_for_log(r"to=<bob@pf\.test>, relay=127\.0\.0\.1\[127\.0\.0\.1\]:\d+, .*"
                           r"status=sent \(250 2\.0\.0 Ok: queued as \w+\)", timeout=30)
            pf.wait_for_log(r"postfix/smtpd\[\d+\]: \w+: client=localhost\[127\.0\.0\.1\]|"
                            r"postfix/smtpd\[\d+\]: \w+: client=unknown\[127\.0\.0\.1\]")
            a.stop()
        finally:
            a.cleanup()


def test_eight_bit_body_is_downgraded_for_a_server_without_8bitmime(dns):
    port = dns([])
    server_port = free_port()
    server = ScriptedServer("127.0.0.1", server_port, busy_first=False, eight_bit=False)
    a = sender_host(port, {"relayhost": f"[127.0.0.1]:{server_port}"})
    try:
        a.start()
        with smtplib.SMTP("127.0.0.1", a.smtp_port) as smtp:
            smtp.sendmail("sender@example.test", ["bob@scripted.test"],
                          "From: sender@example.test\r\nSubject: 8bit\r\n"
                          "Content-Type: text/plain; charset=utf-8\r\n"
                          "Content-Transfer-Encoding: 8bit\r\n\r\n"
                          "caf\u00e9 cr\u00e8me\r\n".encode(), mail_options=["BODY=8BITMIME"])
        a.wait_for_log(r"to=<bob@scripted\.test>, .*status=sent \(250 2\.0\.0 Ok: queued as "
                       r"SCRIPTED1\)", timeout=30)
        [message] = server.messages
        assert b"Content-Transfer-Encoding: quoted-printable\r\n" in message
        assert b"caf=C3=A9 cr=C3=A8me\r\n" in message
        assert all(byte < 0x80 for byte in message)
        # RFC 6152 §3: no BODY=8BITMIME to a server that did not announce it.
        assert not any("BODY=" in c for c in server.commands)
        a.stop()
    finally:
        a.cleanup()
        server.close()
