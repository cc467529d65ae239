"""qmgr's concurrency feedback (Postfix's SCHEDULER_README "Concurrency scheduling"): a
destination starts at initial_destination_concurrency and rises to its limit; one whose
connections fail cohort after cohort is declared dead, and its mail waits without a
connection attempt per message ("delivery temporarily suspended") until a flush. Also
fast flush: ETRN (RFC 1985), sendmail -qRsite and postqueue -s deliver a site's deferred
mail at once. The peers are small threaded servers written here that count connections."""

import smtplib
import socket
import threading
import time

from correio_fixture import free_port
from test_mail_out import ScriptedServer, dns, sender_host  # noqa: F401 (fixture)
from test_qmgr_politeness import CountingServer

SUSPENDED = r"status=deferred \(delivery temporarily suspended: "


class SlowSink(CountingServer):
    """Counts deliveries in progress (MAIL until the end-of-DATA reply, which waits `hold`
    seconds) rather than connections, which the client may keep idle or be closing."""

    def __init__(self, *args, **kwargs):
        self.busy = self.most_busy = 0
        super().__init__(*args, **kwargs)

    def one(self, conn):
        with conn:
            f = conn.makefile("rwb")
            real_write, real_readline = f.write, f.readline

            def readline(*a):
                line = real_readline(*a)
                if line[:4].upper() == b"MAIL":
                    with self.lock:
                        self.mail_times.append(time.monotonic())
                        self.busy += 1
                        self.most_busy = max(self.most_busy, self.busy)
                return line

            def write(data):
                if data.startswith(b"250 2.0.0 Ok: queued"):
                    time.sleep(self.hold)
                    with self.lock:
                        self.busy -= 1
                return real_write(data)
            f.write, f.readline = write, readline
            self.session(f)


class DeadSite:
    """Takes each connection and closes it at once, before any greeting: a site that
    fails the handshake. Counts the connections."""

    def __init__(self, address: str, port: int):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((address, port))
        self.sock.listen(50)
        self.connections = 0
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()

    def close(self):
        # shutdown() wakes the accept() in the thread; close() alone leaves the port bound.
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


def inject(inst, domain: str, count: int) -> None:
    with smtplib.SMTP("127.0.0.1", inst.smtp_port) as smtp:
        for i in range(count):
            smtp.sendmail("sender@example.test", [f"user{i}@{domain}"],
                          f"Subject: fb-{i}\r\n\r\nbody\r\n".encode())


def wait_until_deferred(inst, count: int) -> None:
    """Until `count` messages are in deferred/: qmgr logs a deferral before the move."""
    deadline = time.monotonic() + 20
    while sum(1 for p in (inst.queue_dir / "deferred").rglob("*") if p.is_file()) != count:
        assert time.monotonic() < deadline, list((inst.queue_dir / "deferred").rglob("*"))
        time.sleep(0.2)


def wait_for_flush_log(path, count: int) -> None:
    """Until the fast flush log lists `count` queue IDs (written after the move)."""
    deadline = time.monotonic() + 20
    while not path.exists() or len(path.read_text().split()) < count:
        assert time.monotonic() < deadline, path
        time.sleep(0.2)


def routed_to(inst, domain: str, address: str, port: int, extra: dict | None = None) -> None:
    transport = inst.config_dir / "transport"
    transport.write_text(f"{domain} smtp:[{address}]:{port}\n")
    inst.write_main_cf({"transport_maps": f"texthash:{transport}",
                        # Long backoff: only a flush or ETRN brings a second attempt.
                        "minimal_backoff_time": "300s", "maximal_backoff_time": "600s",
                        "queue_run_delay": "300s", **(extra or {})})


def test_concurrency_starts_at_initial_and_rises_to_the_limit(dns):
    port = dns([])
    server_port = free_port()
    server = SlowSink("127.0.0.8", server_port, hold=1.0)
    a = sender_host(port)
    routed_to(a, "slow.test", "127.0.0.8", server_port,
              {"initial_destination_concurrency": "2", "smtp_destination_concurrency_limit": "6"})
    try:
        a.start()
        inject(a, "slow.test", 24)
        a.wait_for_log(r"to=<user\d+@slow\.test>, .*status=sent", count=24, timeout=90)
        # Two at first: each delivery's end of DATA is answered a second after it came,
        # so the MAIL commands of the first second are the initial window's. Then
        # positive feedback (+1 per success) up to the limit, never past it.
        first = server.mail_times[0]
        early = [t for t in server.mail_times if t < first + 0.9]
        assert len(early) == 2, [round(t - first, 2) for t in server.mail_times]
        assert server.most_busy == 6, server.most_busy
        a.stop()
    finally:
        a.cleanup()
        server.close()


def test_dead_site_is_suspended_then_flushed_back(dns):
    port = dns([])
    server_port = free_port()
    site = DeadSite("127.0.0.9", server_port)
    a = sender_host(port)
    routed_to(a, "dead.test", "127.0.0.9", server_port)
    try:
        a.start()
        inject(a, "dead.test", 10)
        a.wait_for_log(r"to=<user\d+@dead\.test>, .*status=deferred", count=10, timeout=60)
        # Window 5, one less per failure; 1/5 + 1/4 + 1/3 + 1/2 of a cohort failed after
        # four connections: dead. A fifth may have been under way already (the window was
        # 5 when the mail arrived together). The others were deferred without a connection.
        a.wait_for_log(r"destination smtp:\[127\.0\.0\.9\]:\d+ is dead for 300s", timeout=10)
        suspended = a.log_lines(r"to=<user\d+@dead\.test>, relay=none, .*dsn=4\.4\.1, "
                                + SUSPENDED + r"lost connection with 127\.0\.0\.9")
        assert site.connections in (4, 5), site.connections
        assert len(suspended) == 10 - site.connections, a.log_text()[-3000:]
        attempts = site.connections
        mailq = a.command("mailq")
        assert "delivery temporarily suspended" in mailq.stdout, mailq.stdout
        # More mail for the dead site waits too, without a connection.
        inject(a, "dead.test", 1)
        a.wait_for_log(SUSPENDED, count=11 - attempts, timeout=30)
        assert site.connections == attempts
        wait_until_deferred(a, 11)  # logged first, then moved to deferred/

        # The site comes back; postqueue -f revives it (Postfix's flush of dead queues).
        site.close()
        server = CountingServer("127.0.0.9", server_port)
        try:
            assert a.command("postqueue", "-f").returncode == 0
            a.wait_for_log(r"destination smtp:\[127\.0\.0\.9\]:\d+: flushed, delivery resumed",
                           timeout=30)
            a.wait_for_log(r"to=<user\d+@dead\.test>, .*status=sent", count=11, timeout=60)
            assert len(server.messages) == 11
        finally:
            server.close()
        a.stop()
    finally:
        a.cleanup()
        site.close()


def test_recipient_refusals_are_not_negative_feedback(dns):
    # A 4xx to each recipient is the recipient's problem, not the site's: no suspension.
    port = dns([])
    server_port = free_port()

    class Busy(ScriptedServer):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.busy_first = True

        @property
        def rcpt_seen(self):
            return 1  # every RCPT is "the first": 450 each time

        @rcpt_seen.setter
        def rcpt_seen(self, value):
            pass

    server = Busy("127.0.0.10", server_port)
    a = sender_host(port)
    routed_to(a, "busy.test", "127.0.0.10", server_port,
              {"smtp_destination_concurrency_limit": "1"})
    try:
        a.start()
        inject(a, "busy.test", 4)
        a.wait_for_log(r"to=<user\d+@busy\.test>, .*dsn=4\.2\.0, status=deferred \(host ",
                       count=4, timeout=60)
        assert not a.log_lines(SUSPENDED)
        assert not a.log_lines(r"is dead for")
        a.stop()
    finally:
        a.cleanup()
        server.close()


class Peer:
    """An SMTP server with chosen replies to the greeting, MAIL and DATA; counts sessions.
    A 4xx greeting ends the session (RFC 5321 §3.1: the client must QUIT)."""

    def __init__(self, address: str, port: int, greeting: str = "220 peer.test ESMTP",
                 mail: str = "250 2.1.0 Ok", data: str = "354 go ahead"):
        self.greeting, self.mail, self.data = greeting, mail, data
        self.sessions = 0
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((address, port))
        self.sock.listen(50)
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.sessions += 1
            threading.Thread(target=self.session, args=(conn,), daemon=True).start()

    def session(self, conn):
        with conn:
            f = conn.makefile("rwb")

            def reply(text):
                f.write(text.encode() + b"\r\n")
                f.flush()
            try:
                reply(self.greeting)
                if not self.greeting.startswith("220"):
                    f.readline()
                    return
                while line := f.readline():
                    verb = line[:4].upper()
                    if verb in (b"EHLO", b"HELO"):
                        reply("250 peer.test")
                    elif verb == b"MAIL":
                        reply(self.mail)
                    elif verb == b"RCPT":
                        reply("250 2.1.5 Ok")
                    elif verb == b"DATA":
                        reply(self.data)
                        if self.data.startswith("354"):
                            while f.readline() not in (b".\r\n", b""):
                                pass
                            reply("250 2.0.0 Ok")
                    elif verb == b"QUIT":
                        reply("221 2.0.0 Bye")
                        return
                    else:
                        reply("250 2.0.0 Ok")
            except OSError:
                return

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


def test_only_handshake_failures_at_every_server_are_site_failures(dns):
    # SCHEDULER_README's failure: no server of the site got past the connection, greeting,
    # EHLO and TLS. A 4xx to MAIL or DATA after another MX refused the connection is the
    # server talking: no negative feedback, no dead site, every message is tried.
    server_port = free_port()
    port = dns(["--mx-host=mixed.test,mx1.mixed.test,10",
                "--mx-host=mixed.test,mx2.mixed.test,20",
                "--host-record=mx1.mixed.test,127.0.0.16",
                "--host-record=mx2.mixed.test,127.0.0.17",
                "--mx-host=down.test,mx1.down.test,10", "--mx-host=down.test,mx2.down.test,20",
                "--host-record=mx1.down.test,127.0.0.16",
                "--host-record=mx2.down.test,127.0.0.18"])
    mail_refuser = Peer("127.0.0.17", server_port, mail="451 4.3.0 try MAIL later")
    data_refuser = Peer("127.0.0.19", server_port, data="451 4.3.0 try DATA later")
    greeter_421 = Peer("127.0.0.18", server_port, greeting="421 4.3.2 go away")
    a = sender_host(port)
    transport = a.config_dir / "transport"
    transport.write_text(f"mixed.test smtp:mixed.test:{server_port}\n"
                         f"datafail.test smtp:[127.0.0.19]:{server_port}\n"
                         f"down.test smtp:down.test:{server_port}\n")
    a.write_main_cf({"transport_maps": f"texthash:{transport}",
                     "minimal_backoff_time": "300s", "maximal_backoff_time": "600s",
                     "queue_run_delay": "300s"})
    try:
        a.start()
        inject(a, "mixed.test", 4)
        a.wait_for_log(r"to=<user\d@mixed\.test>, relay=mx2\.mixed\.test\[127\.0\.0\.17\]"
                       r":\d+, .*status=deferred \(host mx2\.mixed\.test\[127\.0\.0\.17\] "
                       r"said: 451 4\.3\.0 try MAIL later \(in reply to MAIL FROM command\)\)",
                       count=4, timeout=60)
        inject(a, "datafail.test", 3)
        a.wait_for_log(r"to=<user\d@datafail\.test>, .*status=deferred \(host "
                       r"127\.0\.0\.19\[127\.0\.0\.19\] said: 451 4\.3\.0 try DATA later "
                       r"\(in reply to DATA command\)\)", count=3, timeout=60)
        assert not a.log_lines(SUSPENDED), a.log_text()[-3000:]
        assert not a.log_lines(r"is dead for")
        # Refused at mx1, 421 at mx2: every server failed the handshake. Dead.
        inject(a, "down.test", 6)
        a.wait_for_log(r"to=<user\d@down\.test>, .*status=deferred", count=6, timeout=60)
        a.wait_for_log(r"destination smtp:down\.test:\d+ is dead for 300s \(concurrency "
                       r"feedback: 1 failed cohort\(s\)\): host mx2\.down\.test\[127\.0\.0\.18\] "
                       r"refused to talk to me: 421 4\.3\.2 go away", timeout=10)
        assert a.log_lines(r"to=<user\d@down\.test>, relay=none, .*" + SUSPENDED)
        assert greeter_421.sessions < 6
        a.stop()
    finally:
        a.cleanup()
        for peer in (mail_refuser, data_refuser, greeter_421):
            peer.close()


def etrn(inst, argument: str) -> tuple[int, bytes]:
    with smtplib.SMTP("127.0.0.1", inst.smtp_port) as smtp:
        smtp.ehlo("client.test")
        return smtp.docmd("ETRN", argument)


def test_etrn_flushes_a_fast_flush_site(dns):
    port = dns([])
    server_port = free_port()
    site = DeadSite("127.0.0.11", server_port)
    a = sender_host(port)
    routed_to(a, "etrn.test", "127.0.0.11", server_port,
              {"fast_flush_domains": "etrn.test, qr.test"})
    try:
        a.start()
        with smtplib.SMTP("127.0.0.1", a.smtp_port) as smtp:
            code, lines = smtp.ehlo("client.test")
            assert b"ETRN" in lines.split(b"\n"), lines  # RFC 1985 §4
        inject(a, "etrn.test", 2)
        a.wait_for_log(r"to=<user\d@etrn\.test>, .*status=deferred", count=2, timeout=60)
        wait_until_deferred(a, 2)
        flush_log = a.queue_dir / "flush" / "etrn.test"
        wait_for_flush_log(flush_log, 2)
        before = site.connections

        # Replies as Postfix's smtpd gives them.
        assert etrn(a, "")[0] == 500 or etrn(a, "")[0] == 501
        assert etrn(a, "bad..name")[0] == 501
        code, text = etrn(a, "elsewhere.test")
        assert (code, text) == (459, b"4.7.1 <elsewhere.test>: service unavailable"), text
        with smtplib.SMTP("127.0.0.1", a.smtp_port) as smtp:
            smtp.ehlo("client.test")
            smtp.mail("sender@example.test")
            assert smtp.docmd("ETRN", "etrn.test")[0] == 503  # not within a transaction
        assert site.connections == before  # none of these flushed anything

        site.close()
        server = CountingServer("127.0.0.11", server_port)
        try:
            assert etrn(a, "etrn.test") == (250, b"Queuing started")
            a.wait_for_log(r"to=<user\d@etrn\.test>, .*status=sent", count=2, timeout=60)
            assert len(server.messages) == 2
            assert not flush_log.exists()  # taken; nothing deferred since
        finally:
            server.close()
        a.stop()
    finally:
        a.cleanup()
        site.close()


def test_postqueue_s_and_sendmail_qr_use_the_flush_log(dns):
    port = dns([])
    server_port = free_port()
    site = DeadSite("127.0.0.12", server_port)
    a = sender_host(port)
    transport = a.config_dir / "transport"
    transport.write_text(f"one.test smtp:[127.0.0.12]:{server_port}\n"
                         f"two.test smtp:[127.0.0.12]:{server_port}\n")
    a.write_main_cf({"transport_maps": f"texthash:{transport}",
                     "minimal_backoff_time": "300s", "maximal_backoff_time": "600s",
                     "queue_run_delay": "300s", "fast_flush_domains": "one.test two.test",
                     "default_destination_concurrency_failed_cohort_limit": "0"})
    try:
        a.start()
        inject(a, "one.test", 1)
        inject(a, "two.test", 1)
        a.wait_for_log(r"to=<user0@(one|two)\.test>, .*status=deferred", count=2, timeout=60)
        wait_until_deferred(a, 2)
        for name in ("one.test", "two.test"):
            wait_for_flush_log(a.queue_dir / "flush" / name, 1)
        # A site outside fast_flush_domains is refused, as by Postfix's flush(8).
        refused = a.command("postqueue", "-s", "three.test")
        assert refused.returncode != 0
        assert 'Flush service is not configured for destination "three.test"' in refused.stderr
        site.close()
        server = CountingServer("127.0.0.12", server_port)
        try:
            assert a.command("postqueue", "-s", "one.test").returncode == 0
            a.wait_for_log(r"to=<user0@one\.test>, .*status=sent", timeout=30)
            time.sleep(1)
            assert not a.log_lines(r"to=<user0@two\.test>, .*status=sent")
            assert a.command("sendmail", "-qRtwo.test").returncode == 0
            a.wait_for_log(r"to=<user0@two\.test>, .*status=sent", timeout=30)
        finally:
            server.close()
        a.stop()
    finally:
        a.cleanup()
        site.close()


def test_check_reads_every_feedback_form_and_reports_what_it_cannot(dns):
    a = sender_host(dns([]))
    a.write_main_cf({"default_destination_concurrency_positive_feedback": "1/concurrency",
                     "smtp_destination_concurrency_negative_feedback": "1/8",
                     "relay_initial_destination_concurrency": "3",
                     "relay_destination_concurrency_failed_cohort_limit": "2",
                     # Postfix's preemptive scheduler: not honoured, so not silent either.
                     "smtp_recipient_limit": "100",
                     "smtpd_etrn_restrictions": "permit_mynetworks, reject"})
    try:
        done = a.command("check")
        out = done.stdout + done.stderr
        assert done.returncode == 0, out
        assert "warning: smtp_recipient_limit = 100: not supported by Correio yet" in out, out
        assert "smtpd_etrn_restrictions" not in out, out  # evaluated (test_smtpd_etrn.py)
        assert "feedback" not in out and "initial_destination" not in out, out
        # Postfix would warn and use 1; Correio refuses a value it cannot schedule by.
        a.write_main_cf({"smtp_destination_concurrency_negative_feedback": "2"})
        done = a.command("check")
        out = done.stdout + done.stderr
        assert done.returncode != 0, out
        assert "error: smtp_destination_concurrency_negative_feedback: \"2\": feedback must " \
               "lie between 0 and 1" in out, out
    finally:
        a.cleanup()
