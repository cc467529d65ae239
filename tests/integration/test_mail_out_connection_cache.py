"""Mail out: the smtp agent keeps several sessions per nexthop (Postfix's scache(8)), so
that concurrent deliveries to one destination reuse their connections instead of each
finished one closing with QUIT while another is kept. Host A sends to host B (a Correio
found by MX from the test's dnsmasq); B's smtpd log counts the connections."""

import re
import smtplib
import time

from test_mail_out import dns, maildir_files, receiving_host, sender_host, start_receiver  # noqa: F401

MESSAGES = 24
CONCURRENCY = 4


def send_many(inst, recipient: str, count: int) -> None:
    # One client session, so that the messages reach A's queue faster than B takes them.
    with smtplib.SMTP("127.0.0.1", inst.smtp_port) as smtp:
        for i in range(count):
            smtp.sendmail("sender@example.test", [recipient],
                          f"From: sender@example.test\r\nTo: {recipient}\r\n"
                          f"Subject: cache-{i}\r\nMessage-ID: <cache-{i}@example.test>\r\n\r\n"
                          f"message {i}\r\n".encode())


def test_concurrent_deliveries_reuse_kept_sessions(dns):
    port = dns(["--mx-host=dest.test,mx1.dest.test,10",
                "--host-record=mx1.dest.test,127.0.0.42"])
    b = receiving_host("127.0.0.42")
    a = sender_host(port, {"smtp_connection_cache_time_limit": "30s",
                           "smtp_destination_concurrency_limit": str(CONCURRENCY),
                           "initial_destination_concurrency": str(CONCURRENCY)})
    # Held at intake, then released together: qmgr then has every message at once and runs
    # CONCURRENCY deliveries side by side from the start.
    checks = a.config_dir / "header_checks"
    checks.write_text("/^Subject: cache-/ HOLD all at once\n")
    a.write_main_cf({"header_checks": f"pcre:{checks}"})
    try:
        start_receiver(b, "127.0.0.42")
        a.start()
        send_many(a, "bob@dest.test", MESSAGES)
        assert len(list((a.queue_dir / "hold").iterdir())) == MESSAGES
        assert a.command("postsuper", "-H", "ALL").returncode == 0
        assert a.command("postqueue", "-f").returncode == 0
        a.wait_for_log(r"to=<bob@dest\.test>, .*status=sent", count=MESSAGES, timeout=60)
        deadline = time.monotonic() + 30
        while len(maildir_files(b, "dest.test", "bob")) < MESSAGES and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(maildir_files(b, "dest.test", "bob")) == MESSAGES
        # Deliveries ran side by side (more than one session was needed at once) ...
        # Sessions that carried mail: wait_for_port's probe connects too, and says nothing.
        text = b.log_text()
        sessions = (len(re.findall(r"smtpd\[\d+\]: connect from ", text))
                    - len(re.findall(r"smtpd\[\d+\]: disconnect from \S+ commands=0", text)))
        # Deliveries ran side by side (more than one session was needed at once) ...
        assert sessions > 1, text[-3000:]
        # ... yet no more sessions were opened than deliveries ran at once: each finished
        # delivery left its session for the next request (one kept session per nexthop
        # would have closed all but one and connected again for most messages).
        assert sessions <= CONCURRENCY, text[-3000:]
        a.stop()
        b.stop()
    finally:
        a.cleanup()
        b.cleanup()


def test_reuse_count_limit_closes_a_session_after_its_reuses(dns):
    # One delivery at a time, so that every message after the first finds the kept session:
    # with smtp_connection_reuse_count_limit = 2 a session carries three messages (its own
    # and two reuses), then is closed, so six messages need exactly two sessions.
    port = dns(["--mx-host=dest.test,mx1.dest.test,10",
                "--host-record=mx1.dest.test,127.0.0.42"])
    b = receiving_host("127.0.0.42")
    a = sender_host(port, {"smtp_connection_cache_time_limit": "30s",
                           "smtp_connection_reuse_count_limit": "2",
                           "smtp_destination_concurrency_limit": "1",
                           "initial_destination_concurrency": "1"})
    try:
        start_receiver(b, "127.0.0.42")
        a.start()
        send_many(a, "bob@dest.test", 6)
        a.wait_for_log(r"to=<bob@dest\.test>, .*status=sent", count=6, timeout=60)
        text = b.log_text()
        sessions = (len(re.findall(r"smtpd\[\d+\]: connect from ", text))
                    - len(re.findall(r"smtpd\[\d+\]: disconnect from \S+ commands=0", text)))
        assert sessions == 2, text[-3000:]
        a.stop()
        b.stop()
    finally:
        a.cleanup()
        b.cleanup()
