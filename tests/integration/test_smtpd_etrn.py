"""smtpd_etrn_restrictions (postconf(5)): the ETRN command (RFC 1985) runs its own
restriction list, with the ETRN site as the domain check_etrn_access looks up, after the
client and HELO lists when smtpd_delay_reject = yes (Postfix's smtpd_check_etrn()). The
clients are smtplib sessions bound to different 127.0.0.N source addresses."""

import smtplib

from correio_fixture import free_port
from delivery_setup import pipeline
from test_mail_out import SENDER_MASTER_CF
from test_qmgr_feedback import inject, wait_for_flush_log, wait_until_deferred


def etrn_from(inst, source: str, argument: str) -> tuple[int, bytes]:
    with smtplib.SMTP("127.0.0.1", inst.smtp_port, source_address=(source, 0)) as smtp:
        smtp.ehlo("client.test")
        return smtp.docmd("ETRN", argument)


def test_etrn_restrictions_decide_who_may_flush_which_site():
    dead_port = free_port()  # nothing listens: ok.test's mail stays deferred
    a = pipeline()
    a.write_master_cf(SENDER_MASTER_CF.replace("{listen}", a.listen))
    access = a.config_dir / "etrn_access"
    access.write_text("ok.test OK\ndeny.test REJECT no flush for you\n")
    clients = a.config_dir / "client_access"
    clients.write_text("127.0.0.7 REJECT\n")
    transport = a.config_dir / "transport"
    transport.write_text(f"ok.test smtp:[127.0.0.14]:{dead_port}\n")
    a.write_main_cf({"transport_maps": f"texthash:{transport}",
                     "minimal_backoff_time": "300s", "maximal_backoff_time": "600s",
                     "queue_run_delay": "300s",
                     "mynetworks": "127.0.0.1/32, 127.0.0.5/32",
                     "fast_flush_domains": "ok.test, deny.test, other.test",
                     "smtpd_client_restrictions": f"check_client_access texthash:{clients}",
                     "smtpd_etrn_restrictions":
                         f"check_etrn_access texthash:{access}, permit_mynetworks, reject"})
    try:
        a.start()
        inject(a, "ok.test", 1)
        a.wait_for_log(r"to=<user0@ok\.test>, .*status=deferred", timeout=60)
        wait_until_deferred(a, 1)
        wait_for_flush_log(a.queue_dir / "flush" / "ok.test", 1)

        # The table's REJECT, with its text, as Postfix words it; nothing flushed.
        assert etrn_from(a, "127.0.0.5", "deny.test") == (
            554, b"5.7.1 <deny.test>: Etrn command rejected: no flush for you")
        # Not in the table, not in mynetworks: the final reject.
        assert etrn_from(a, "127.0.0.6", "other.test") == (
            554, b"5.7.1 <other.test>: Etrn command rejected: Access denied")
        # "@site" drops its marker before the lookup, as Postfix does.
        assert etrn_from(a, "127.0.0.6", "@other.test")[0] == 554
        # smtpd_delay_reject = yes: the client list runs before the ETRN list.
        assert etrn_from(a, "127.0.0.7", "ok.test") == (
            554, b"5.7.1 <unknown[127.0.0.7]>: Client host rejected: Access denied")
        a.wait_for_log(r"NOQUEUE: reject: ETRN from unknown\[127\.0\.0\.5\]: 554 5\.7\.1 "
                       r"<deny\.test>: Etrn command rejected: no flush for you; "
                       r"proto=ESMTP helo=<client\.test>")
        assert not a.log_lines(r"ETRN \S+ from .*queued for delivery")
        assert (a.queue_dir / "flush" / "ok.test").exists()

        # mynetworks may flush any eligible site; the table's OK lets a stranger flush
        # ok.test (and a subdomain: parent_domain_matches_subdomains has smtpd_access_maps).
        assert etrn_from(a, "127.0.0.5", "other.test") == (250, b"Queuing started")
        assert etrn_from(a, "127.0.0.6", "sub.ok.test") == (250, b"Queuing started")
        assert etrn_from(a, "127.0.0.6", "ok.test") == (250, b"Queuing started")
        a.wait_for_log(r"ETRN ok\.test from unknown\[127\.0\.0\.6\]: 1 message\(s\) queued")
        # A site outside fast_flush_domains still gets 459 once the list permits.
        assert etrn_from(a, "127.0.0.5", "elsewhere.test") == (
            459, b"4.7.1 <elsewhere.test>: service unavailable")
        a.stop()
    finally:
        a.cleanup()


def test_etrn_restriction_errors_are_refused_at_start():
    # As for the other lists: an unknown name or a table that cannot be opened is an
    # error of `correio check` naming the list, not a list silently half-applied.
    for value, words in (("permit_mynetworks, frobnicate", 'unknown smtpd restriction: "frobnicate"'),
                         ("check_etrn_access texthash:/nonexistent/etrn, reject", "/nonexistent/etrn")):
        a = pipeline({"smtpd_etrn_restrictions": value})
        try:
            done = a.command("check")
            out = done.stdout + done.stderr
            assert done.returncode != 0, out
            assert "error: smtpd_etrn_restrictions: " in out and words in out, out
        finally:
            a.cleanup()
