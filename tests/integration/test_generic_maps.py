"""smtp_generic_maps (generic(5)): host A rewrites the envelope sender, the recipients and
the address headers as its smtp agent sends the mail to host B on 127.0.0.61 (an address
no other test uses), found by MX through a dnsmasq started here; B's stored copy shows
what went over the wire, A's queue and log keep the original addresses."""

import smtplib

from test_mail_out import (dns, receiving_host, sender_host, start_receiver,  # noqa: F401
                           wait_for_file)

GENERIC = ("sender@example.test joe.public@dest.test\n"
           "@internal.test @dest.test\n")


def test_generic_maps_rewrite_envelope_and_headers_on_the_way_out(dns):  # noqa: F811
    port = dns(["--mx-host=dest.test,mx1.dest.test,10",
                "--host-record=mx1.dest.test,127.0.0.61"])
    b = receiving_host("127.0.0.61")
    a = sender_host(port)
    table = a.config_dir / "generic"
    table.write_text(GENERIC)
    a.write_main_cf({"smtp_generic_maps": f"texthash:{table}",
                     "dns_resolver_servers": f"127.0.0.1:{port}", "smtp_connect_timeout": "5s"})
    try:
        start_receiver(b, "127.0.0.61")
        a.start()
        with smtplib.SMTP("127.0.0.1", a.smtp_port) as smtp:
            smtp.sendmail("sender@example.test", ["bob@dest.test"],
                          b"From: Sender Name <sender@example.test>\r\n"
                          b"To: bob@dest.test, Office <desk@internal.test>\r\n"
                          b"Subject: generic\r\n\r\nsender@example.test stays in the body\r\n")
        [path] = wait_for_file(b, "dest.test", "bob")
        data = path.read_text()
        assert data.startswith("Return-Path: <joe.public@dest.test>\n"), data
        head, body = data.split("\n\n", 1)
        assert "From: Sender Name <joe.public@dest.test>" in head
        assert "To: bob@dest.test, Office <desk@dest.test>" in head
        assert body == "sender@example.test stays in the body\n"
        # A's log names the address as queued.
        a.wait_for_log(r"correio/smtp\[\d+\]: \w+: to=<bob@dest\.test>, .*status=sent",
                       timeout=30)
        a.stop()
        b.stop()
    finally:
        a.cleanup()
        b.cleanup()
