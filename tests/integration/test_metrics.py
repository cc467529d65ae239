"""Prometheus metrics (issue 18): with metrics_enable = yes the daemons count into shared
counter files and the `exporter` service serves /metrics. Real clients make the traffic
(smtplib with STARTTLS and AUTH, imaplib) and the scrape is parsed with prometheus_client's
own text-format parser, so a malformed exposition fails here as it would in Prometheus."""

import http.client
import imaplib
import os
import pwd
import smtplib
import time

import pytest
from prometheus_client.parser import text_string_to_metric_families

from correio_fixture import Correio, free_port
from test_smtpd_tls import client_context, make_certificate


@pytest.fixture(scope="module")
def server():
    cert, key = make_certificate()
    ports = {name: free_port() for name in ("submission", "imap", "metrics")}
    master = (
        "{listen} inet n - n - - smtpd\n"
        f"127.0.0.1:{ports['submission']} inet n - n - - smtpd\n"
        "  -o smtpd_sasl_auth_enable=yes\n  -o smtpd_tls_security_level=encrypt\n"
        f"127.0.0.1:{ports['imap']} inet n - n - - imapd\n"
        f"127.0.0.1:{ports['metrics']} inet n - n - 1 exporter\n"
        "qmgr unix n - n 300 1 qmgr\n"
        "virtual unix - - n - - virtual\n")
    inst = Correio(main_cf={"smtpd_tls_cert_file": cert, "smtpd_tls_key_file": key,
                            "virtual_mailbox_domains": "example.test",
                            "metrics_enable": "yes", "auth_failure_delay": "0s",
                            "smtpd_sender_restrictions":
                                "check_sender_access inline:{held@elsewhere.example=HOLD}"},
                   master_cf=master)
    users = inst.config_dir / "users"
    users.write_text("demo@example.test:{PLAIN}secret::::::\n")
    users.chmod(0o644)
    mail = inst.base / "mail"
    mail.mkdir()
    if os.geteuid() == 0:  # the daemons run as mail_owner and create the Maildir
        owner = pwd.getpwnam(inst.main_cf["mail_owner"])
        os.chown(mail, owner.pw_uid, owner.pw_gid)
    inst.write_main_cf({"user_directory": f"passwd-file:{users}",
                        "virtual_mailbox_base": str(mail)})
    inst.start(wait_ports=[inst.smtp_port, ports["submission"], ports["imap"], ports["metrics"]])
    yield inst, ports
    inst.stop()
    inst.cleanup()


def get(port, path="/metrics", method="GET"):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    conn.request(method, path)
    response = conn.getresponse()
    body = response.read().decode()
    conn.close()
    return response.status, response.getheader("Content-Type"), body


def scrape(port):
    """{(sample name, frozenset(labels)): value}, and the families' types."""
    status, ctype, body = get(port)
    assert status == 200, body
    assert ctype.startswith("text/plain; version=0.0.4")
    samples, types = {}, {}
    for family in text_string_to_metric_families(body):
        types[family.name] = family.type
        for s in family.samples:
            samples[(s.name, frozenset(s.labels.items()))] = s.value
    return samples, types


def value(samples, name, **labels):
    """The sum over every sample of `name` whose labels include `labels`."""
    want = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and want <= set(ls))


def wait_for(port, predicate, timeout=15):
    deadline = time.time() + timeout
    while True:
        samples, _ = scrape(port)
        if predicate(samples) or time.time() > deadline:
            return samples
        time.sleep(0.2)


def families_ready(samples, inst):
    """The daemons create their counters when they start, which is after the master
    bound their ports."""
    return any(n == "correio_smtpd_replies_total" and ("service", inst.listen) in ls
               for n, ls in samples)


def test_smtp_traffic_is_counted(server):
    inst, ports = server
    # The fixture's start() probed both SMTP ports: those sessions' 220s must be counted
    # before the first reading, not between the two (a flaky 7 instead of 6).
    inst.wait_for_log(r"smtpd\[\d+\]: disconnect from ", count=2)
    before = wait_for(ports["metrics"], lambda s: families_ready(s, inst))
    _, types = scrape(ports["metrics"])
    assert types["correio_smtpd_replies"] == "counter"  # the parser drops _total
    with smtplib.SMTP("127.0.0.1", inst.smtp_port, timeout=20) as smtp:
        smtp.ehlo("client.example")
        smtp.mail("sender@elsewhere.example")
        code, _ = smtp.rcpt("nobody@example.test")  # no such user
        assert code == 550
        code, _ = smtp.rcpt("demo@example.test")
        assert code == 250
        code, _ = smtp.data(b"Subject: counted\r\n\r\nhello\r\n")
        assert code == 250
    service = inst.listen
    after = wait_for(ports["metrics"], lambda s: value(
        s, "correio_deliveries_total", transport="virtual", status="sent") >= 1)
    received = "correio_smtpd_messages_received_total"
    assert value(after, received, service=service) - value(before, received, service=service) == 1
    replies = "correio_smtpd_replies_total"
    # 220 greeting, 250 EHLO, 250 MAIL, 250 RCPT, 354 DATA, 250 queued, 221 QUIT.
    assert value(after, replies, service=service, **{"class": "2xx"}) - \
        value(before, replies, service=service, **{"class": "2xx"}) == 6
    assert value(after, replies, service=service, **{"class": "3xx"}) - \
        value(before, replies, service=service, **{"class": "3xx"}) == 1
    assert value(after, replies, service=service, **{"class": "5xx"}) - \
        value(before, replies, service=service, **{"class": "5xx"}) == 1
    assert value(after, "correio_connections_total", service=service) >= 1
    _, types = scrape(ports["metrics"])
    assert types["correio_delivery_delay_seconds"] == "histogram"
    # The histogram of the sent recipient: count 1, every bucket cumulative, +Inf = count.
    count = value(after, "correio_delivery_delay_seconds_count", transport="virtual")
    assert count >= 1
    assert value(after, "correio_delivery_delay_seconds_bucket", transport="virtual",
                 le="+Inf") == count
    assert 0 < value(after, "correio_delivery_delay_seconds_sum", transport="virtual") < 60


def test_logins_and_tls_are_counted(server):
    inst, ports = server
    before, _ = scrape(ports["metrics"])
    with smtplib.SMTP("127.0.0.1", ports["submission"], timeout=20) as smtp:
        smtp.starttls(context=client_context())
        smtp.ehlo()
        # One AUTH PLAIN each (smtplib's login() would try every mechanism in turn).
        smtp.user, smtp.password = "demo@example.test", "wrong"
        with pytest.raises(smtplib.SMTPAuthenticationError):
            smtp.auth("PLAIN", smtp.auth_plain)
        smtp.password = "secret"
        code, _ = smtp.auth("PLAIN", smtp.auth_plain)
        assert code == 235
    after, _ = scrape(ports["metrics"])
    # SMTP AUTH is decided by the auth service (private/auth), which counts it.
    logins = "correio_sasl_logins_total"
    sub = f"127.0.0.1:{ports['submission']}"
    assert value(after, logins, service="auth", result="success") - \
        value(before, logins, service="auth", result="success") == 1
    assert value(after, logins, service="auth", result="failure") - \
        value(before, logins, service="auth", result="failure") == 1
    tls = "correio_tls_handshakes_total"
    assert value(after, tls, service=sub, version="TLSv1.3") - \
        value(before, tls, service=sub, version="TLSv1.3") == 1


def test_imap_sessions_and_command_latency(server):
    inst, ports = server
    imap_service = f"127.0.0.1:{ports['imap']}"
    client = imaplib.IMAP4("127.0.0.1", ports["imap"], timeout=20)
    client.starttls(ssl_context=client_context())
    client.login("demo@example.test", "secret")
    client.select("INBOX")
    client.noop()
    during, _ = scrape(ports["metrics"])
    assert value(during, "correio_connections_active", service=imap_service) == 1
    # Since the pre-login split (docs/prelogin.md) the listener's service is imap-login,
    # which times the login and keeps the (TLS-proxied) connection; the commands after it
    # run in the post-login imapd, service imapd-LISTENER; the auth service counts logins.
    hist = "correio_imap_command_duration_seconds_count"
    assert value(during, hist, service=imap_service, command="LOGIN") >= 1
    assert value(during, hist, service="imapd-" + imap_service, command="SELECT") >= 1
    assert value(during, hist, service="imapd-" + imap_service, command="NOOP") >= 1
    assert value(during, "correio_sasl_logins_total", service="auth", result="success") >= 1
    assert value(during, "correio_tls_handshakes_total", service=imap_service,
                 version="TLSv1.3") >= 1
    client.logout()
    after = wait_for(ports["metrics"], lambda s: value(
        s, "correio_connections_active", service=imap_service) == 0)
    assert value(after, "correio_connections_active", service=imap_service) == 0


def test_queue_sizes_are_counted_at_scrape_time(server):
    inst, ports = server
    samples, types = scrape(ports["metrics"])
    assert types["correio_queue_messages"] == "gauge"
    queues = {dict(ls)["queue"] for (n, ls) in samples if n == "correio_queue_messages"}
    assert {"incoming", "active", "deferred", "hold", "maildrop"} <= queues
    # A message an access table puts on HOLD shows in the hold queue's gauge.
    held = value(samples, "correio_queue_messages", queue="hold")
    with smtplib.SMTP("127.0.0.1", inst.smtp_port, timeout=20) as smtp:
        smtp.sendmail("held@elsewhere.example", ["demo@example.test"],
                      b"Subject: hold me\r\n\r\nbody\r\n")
    after = wait_for(ports["metrics"],
                     lambda s: value(s, "correio_queue_messages", queue="hold") > held, 10)
    assert value(after, "correio_queue_messages", queue="hold") == held + 1


def test_other_paths_and_methods_are_refused(server):
    _, ports = server
    status, _, _ = get(ports["metrics"], "/")
    assert status == 404
    status, _, _ = get(ports["metrics"], "/metrics", "POST")
    assert status == 405
