"""qmgr's politeness towards one destination (Postfix's qmgr(8)): at most
smtp_destination_concurrency_limit deliveries at once, and with
smtp_destination_rate_delay one at a time, each that long after the one before. The
peer is a threaded scripted SMTP server that counts its simultaneous sessions."""

import smtplib
import threading
import time

from correio_fixture import free_port
from test_mail_out import ScriptedServer, dns, sender_host  # noqa: F401 (fixture)


class CountingServer(ScriptedServer):
    """Serves each connection on its own thread; the end-of-DATA reply waits `hold`
    seconds, so that parallel deliveries overlap. Records MAIL times and the most
    sessions open at once."""

    def __init__(self, *args, hold: float = 0.0, **kwargs):
        self.hold = hold
        self.lock = threading.Lock()
        self.open = self.most_open = 0
        self.mail_times: list[float] = []
        super().__init__(*args, busy_first=False, **kwargs)

    def serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.one, args=(conn,), daemon=True).start()

    def one(self, conn):
        with self.lock:
            self.open += 1
            self.most_open = max(self.most_open, self.open)
        try:
            with conn:
                f = conn.makefile("rwb")
                real_write, real_readline = f.write, f.readline

                def readline(*a):
                    line = real_readline(*a)
                    if line[:4].upper() == b"MAIL":
                        with self.lock:
                            self.mail_times.append(time.monotonic())
                    return line

                def write(data):
                    if data.startswith(b"250 2.0.0 Ok: queued") and self.hold:
                        time.sleep(self.hold)
                    return real_write(data)
                f.write, f.readline = write, readline
                self.session(f)
        finally:
            with self.lock:
                self.open -= 1


def inject(inst, count: int) -> None:
    with smtplib.SMTP("127.0.0.1", inst.smtp_port) as smtp:
        for i in range(count):
            smtp.sendmail("sender@example.test", [f"user{i}@far.test"],
                          f"Subject: polite-{i}\r\n\r\nbody\r\n".encode())


def test_destination_concurrency_limit(dns):
    port = dns([])
    server_port = free_port()
    server = CountingServer("127.0.0.1", server_port, hold=1.5)
    a = sender_host(port, {"relayhost": f"[127.0.0.1]:{server_port}",
                           "smtp_destination_concurrency_limit": "2"})
    try:
        a.start()
        inject(a, 6)
        a.wait_for_log(r"to=<user\d@far\.test>, .*status=sent", count=6, timeout=60)
        assert server.most_open == 2, server.most_open  # the limit is reached, never passed
        a.stop()
    finally:
        a.cleanup()
        server.close()


def test_destination_rate_delay(dns):
    port = dns([])
    server_port = free_port()
    server = CountingServer("127.0.0.1", server_port)
    a = sender_host(port, {"relayhost": f"[127.0.0.1]:{server_port}",
                           "smtp_destination_rate_delay": "2s"})
    try:
        a.start()
        inject(a, 3)
        a.wait_for_log(r"to=<user\d@far\.test>, .*status=sent", count=3, timeout=60)
        assert server.most_open == 1  # a rate delay means one delivery at a time
        gaps = [b - a for a, b in zip(server.mail_times, server.mail_times[1:])]
        assert len(gaps) == 2 and all(g >= 1.9 for g in gaps), gaps
        a.stop()
    finally:
        a.cleanup()
        server.close()


def test_retry_transport_defers_with_its_text(dns):
    # Postfix's error(8) as "retry": the nexthop's code and text, deferred, not bounced.
    port = dns([])
    a = sender_host(port)
    transport = a.config_dir / "transport"
    transport.write_text("far.test retry:4.3.2 site under maintenance\n")
    a.write_main_cf({"transport_maps": f"texthash:{transport}"})
    try:
        a.start()
        inject(a, 1)
        a.wait_for_log(r"correio/qmgr\[\d+\]: \w+: to=<user0@far\.test>, relay=none, .*dsn=4\.3\.2, "
                       r"status=deferred \(site under maintenance\)", timeout=30)
        assert "status=bounced" not in a.log_text()
        # qmgr logs first, then records the reason for mailq: poll.
        deadline = time.monotonic() + 10
        while "site under maintenance" not in (mailq := a.command("mailq")).stdout:
            assert time.monotonic() < deadline, mailq.stdout
            time.sleep(0.2)
        a.stop()
    finally:
        a.cleanup()


def test_postqueue_s_flushes_one_site_only(dns):
    # Nothing listens on the relayhost's port: every attempt defers. Long backoff: only
    # a flush makes a second attempt.
    port = dns([])
    # postqueue -s takes the site's fast flush log: the sites are in fast_flush_domains.
    a = sender_host(port, {"relayhost": f"[127.0.0.1]:{free_port()}",
                           "minimal_backoff_time": "300s", "maximal_backoff_time": "600s",
                           "queue_run_delay": "300s", "fast_flush_domains": "one.test two.test"})
    try:
        a.start()
        with smtplib.SMTP("127.0.0.1", a.smtp_port) as smtp:
            for site in ("one.test", "two.test"):
                smtp.sendmail("sender@example.test", [f"bob@{site}"], b"Subject: s\r\n\r\nx\r\n")
        for site in ("one", "two"):
            a.wait_for_log(rf"to=<bob@{site}\.test>, .*status=deferred", timeout=30)
        time.sleep(0.5)
        assert a.command("postqueue", "-s", "one.test").returncode == 0
        a.wait_for_log(r"to=<bob@one\.test>, .*status=deferred", count=2, timeout=30)
        time.sleep(1)
        assert len(a.log_lines(r"to=<bob@two\.test>, .*status=deferred")) == 1
        a.stop()
    finally:
        a.cleanup()
