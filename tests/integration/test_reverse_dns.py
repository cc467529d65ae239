"""Reverse DNS of SMTP clients (smtpd_peername_lookup): a real dnsmasq, started here on a
free port, serves PTR and A records for 127.0.0.x; Correio asks it through
dns_resolver_servers. A forward-confirmed name appears in the log ("connect from",
"client="), and in the Received: header; a PTR name that does not resolve back to the
client is "unknown", with Postfix's warning."""

import shutil
import smtplib
import socket
import subprocess
import time

import pytest

from correio_fixture import Correio, free_port
from test_smtpd import postcat, queued_id

pytestmark = pytest.mark.skipif(shutil.which("dnsmasq") is None, reason="dnsmasq not installed")


def free_udp_and_tcp_port() -> int:
    while True:
        port = free_port()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            try:
                u.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue


@pytest.fixture
def dnsmasq(tmp_path):
    port = free_udp_and_tcp_port()
    proc = subprocess.Popen(
        ["dnsmasq", "--no-daemon", "--port", str(port), "--listen-address=127.0.0.1",
         "--bind-interfaces", "--no-resolv", "--no-hosts", "--pid-file=" + str(tmp_path / "dnsmasq.pid"),
         # 127.0.0.5 <-> client.dns.test: forward-confirmed.
         "--host-record=client.dns.test,127.0.0.5",
         # 127.0.0.6 claims a name whose address is another one: not confirmed.
         "--host-record=elsewhere.dns.test,127.0.0.99",
         "--ptr-record=6.0.0.127.in-addr.arpa,elsewhere.dns.test",
         # 127.0.0.7 claims a name that does not exist at all.
         "--ptr-record=7.0.0.127.in-addr.arpa,nowhere.dns.test"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    time.sleep(0.5)
    if proc.poll() is not None:
        pytest.skip(f"dnsmasq did not start: {proc.stdout.read().decode(errors='replace')}")
    yield port
    proc.terminate()
    proc.wait(timeout=10)


def smtp_from(source: str, port: int) -> smtplib.SMTP:
    return smtplib.SMTP("127.0.0.1", port, source_address=(source, 0))


def start(dns_port: int, extra=None) -> Correio:
    inst = Correio(main_cf={"mydestination": "localhost", "virtual_mailbox_domains": "example.test",
                            "mynetworks": "127.0.0.0/8", "smtpd_peername_lookup": "yes",
                            "dns_resolver_servers": f"127.0.0.1:{dns_port}",
                            "dns_resolver_timeout": "5s", **(extra or {})})
    inst.start()
    return inst


def test_forward_confirmed_name_in_log_and_received_header(dnsmasq):
    inst = start(dnsmasq)
    try:
        with smtp_from("127.0.0.5", inst.smtp_port) as s:
            s.ehlo("helo.example")
            s.mail("a@remote.example")
            s.rcpt("b@example.test")
            code, reply = s.data(b"Subject: dns\r\n\r\nhi\r\n")
            assert code == 250, reply
        qid = queued_id(reply)
        inst.wait_for_log(r"correio/smtpd\[\d+\]: connect from client\.dns\.test\[127\.0\.0\.5\]")
        inst.wait_for_log(rf"{qid}: client=client\.dns\.test\[127\.0\.0\.5\]")
        text = postcat(inst, qid)
        assert "Received: from helo.example (client.dns.test [127.0.0.5])" in text, text
        inst.stop()
    finally:
        inst.cleanup()


def test_unconfirmed_and_missing_names_are_unknown(dnsmasq):
    inst = start(dnsmasq)
    try:
        for source in ("127.0.0.6", "127.0.0.7", "127.0.0.8"):
            with smtp_from(source, inst.smtp_port) as s:
                assert s.noop()[0] == 250
        inst.wait_for_log(r"warning: hostname elsewhere\.dns\.test does not resolve to "
                          r"address 127\.0\.0\.6$")
        inst.wait_for_log(r"connect from unknown\[127\.0\.0\.6\]")
        inst.wait_for_log(r"warning: hostname nowhere\.dns\.test does not resolve to "
                          r"address 127\.0\.0\.7: ")
        inst.wait_for_log(r"connect from unknown\[127\.0\.0\.7\]")
        inst.wait_for_log(r"connect from unknown\[127\.0\.0\.8\]")  # no PTR at all
        inst.stop()
    finally:
        inst.cleanup()


def test_unreachable_server_is_bounded_by_the_time_limit():
    # A UDP port where nothing answers: the lookup gives up after dns_resolver_timeout
    # and the client is still served (as "unknown"), while other sessions keep going.
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.1", 0))
    inst = start(silent.getsockname()[1], {"dns_resolver_timeout": "2s"})
    try:
        # The master starts smtpd on the first connection, the fixture's probe: wait until
        # smtpd has served it, so that the time measured below is the lookups' alone and not
        # also a process start (a second or more in an ASan build on a loaded machine).
        inst.wait_for_log(r"connect from \S+\[127\.0\.0\.1\]", timeout=30)
        began = time.monotonic()
        # Two clients connect at once; both wait for DNS at the same time, so both are
        # greeted after about one time limit, not two (the event loop is not blocked).
        clients = []
        for source in ("127.0.0.9", "127.0.0.10"):
            c = socket.create_connection(("127.0.0.1", inst.smtp_port), timeout=10,
                                         source_address=(source, 0))
            clients.append(c)
        for c in clients:
            assert c.recv(1024).startswith(b"220 ")
            c.close()
        elapsed = time.monotonic() - began
        assert 1.5 < elapsed < 3.5, elapsed
        inst.wait_for_log(r"connect from unknown\[127\.0\.0\.9\]")
        inst.stop()
    finally:
        inst.cleanup()
        silent.close()


def test_lookup_off_means_unknown(dnsmasq):
    inst = start(dnsmasq, {"smtpd_peername_lookup": "no"})
    try:
        with smtp_from("127.0.0.5", inst.smtp_port) as s:
            assert s.noop()[0] == 250
        inst.wait_for_log(r"connect from unknown\[127\.0\.0\.5\]")
        inst.stop()
    finally:
        inst.cleanup()
