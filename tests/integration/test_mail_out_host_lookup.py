"""The SMTP client's address choice: smtp_host_lookup (dns: the DNS only, never the hosts
file; native: the system's getaddrinfo, which reads /etc/hosts; "dns, native": DNS, then
native for a host DNS does not know), and smtp_bind_address as the connection's source.
DNS is a dnsmasq started here that knows nothing of "localhost"; /etc/hosts does."""

import socket
import threading

import pytest

from correio_fixture import free_port
from test_mail_out import ScriptedServer, dns, send, sender_host  # noqa: F401 (fixture)


class RecordingServer(ScriptedServer):
    """The scripted peer, remembering the address each connection came from."""

    def __init__(self, *args, **kwargs):
        self.peers: list[str] = []
        super().__init__(*args, **kwargs)

    def serve(self):
        while True:
            try:
                conn, peer = self.sock.accept()
            except OSError:
                return
            self.peers.append(peer[0])
            with conn:
                self.session(conn.makefile("rwb"))


def run(dns_port: int, lookup: str | None, extra: dict | None = None):
    server_port = free_port()
    server = RecordingServer("127.0.0.1", server_port, busy_first=False)
    settings = {"relayhost": f"[localhost]:{server_port}", **(extra or {})}
    if lookup is not None:
        settings["smtp_host_lookup"] = lookup
    a = sender_host(dns_port, settings)
    return a, server, server_port


@pytest.mark.parametrize("lookup", ["native", "dns, native"])
def test_native_lookup_reads_the_hosts_file(dns, lookup):
    port = dns(["--local=/localhost/"])  # NXDOMAIN for localhost from "DNS"
    a, server, server_port = run(port, lookup)
    try:
        a.start()
        send(a, "bob@far.test", subject="native")
        a.wait_for_log(rf"to=<bob@far\.test>, relay=localhost\[127\.0\.0\.1\]:{server_port}, "
                       r".*status=sent \(250 2\.0\.0 Ok: queued as SCRIPTED1\)", timeout=30)
        assert len(server.messages) == 1
        assert "warning: smtp_host_lookup" not in a.log_text()
        a.stop()
    finally:
        a.cleanup()
        server.close()


def test_dns_lookup_never_reads_the_hosts_file(dns):
    port = dns(["--local=/localhost/"])
    a, server, _ = run(port, None)  # the default: dns
    try:
        a.start()
        send(a, "bob@far.test", subject="dns-only")
        # dnsmasq refuses the resolv.conf search-domain variants c-ares also asks: a
        # temporary failure, or NXDOMAIN, but never the hosts file's 127.0.0.1.
        a.wait_for_log(r"to=<bob@far\.test>, relay=none, .*status=(deferred|bounced) \(Host or "
                       r"domain name not found\. Name service error for name=localhost type=A: "
                       r"Host not found", timeout=30)
        assert not server.messages
        a.stop()
    finally:
        a.cleanup()
        server.close()


def test_bind_address_is_the_source_of_the_connection(dns):
    port = dns([])
    server_port = free_port()
    server = RecordingServer("127.0.0.1", server_port, busy_first=False)
    a = sender_host(port, {"relayhost": f"[127.0.0.1]:{server_port}",
                           "smtp_bind_address": "127.0.0.9"})
    try:
        a.start()
        send(a, "bob@far.test", subject="bind")
        a.wait_for_log(r"to=<bob@far\.test>, .*status=sent", timeout=30)
        assert server.peers == ["127.0.0.9"]
        a.stop()
    finally:
        a.cleanup()
        server.close()


def test_unknown_host_lookup_word_is_refused(dns):
    port = dns([])
    a = sender_host(port, {"smtp_host_lookup": "dns, nis"})
    try:
        a.start()
        send(a, "bob@far.test", subject="bad-lookup")
        a.wait_for_log(r"smtp_host_lookup: unknown lookup \"nis\" \(dns, native\)", timeout=30)
        a.stop()
    finally:
        a.cleanup()
