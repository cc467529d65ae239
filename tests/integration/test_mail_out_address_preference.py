"""smtp_address_preference (postconf(5)): with inet_protocols = all and an MX host that has
both an IPv4 and an IPv6 address, the family it names is tried first; "any" tries both in
random order. Two real listeners answer for mx.dest.test: one on 127.0.0.133:25, one on
[::1]:25; each records whether it was used."""

import re
import socket
import threading

import pytest

from test_mail_out import ScriptedServer, dns, send, sender_host  # noqa: F401


class ScriptedServer6(ScriptedServer):
    """The scripted peer on an IPv6 address."""

    def __init__(self, address: str, port: int):
        # ScriptedServer's state, with an AF_INET6 socket in place of its AF_INET one.
        self.busy_first = False
        self.always_busy = False
        self.eight_bit = True
        self.sock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((address, port))
        self.sock.listen(5)
        self.rcpt_seen = 0
        self.messages: list[bytes] = []
        self.commands: list[str] = []
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()


def ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not ipv6_loopback(), reason="no IPv6 loopback")
@pytest.mark.parametrize("preference, expected", [("ipv6", "::1"), ("ipv4", "127.0.0.133")])
def test_preferred_family_is_tried_first(dns, preference, expected):
    port = dns(["--mx-host=dest.test,mx.dest.test,10",
                "--host-record=mx.dest.test,127.0.0.133,::1"])
    v4 = ScriptedServer("127.0.0.133", 25, busy_first=False)
    v6 = ScriptedServer6("::1", 25)
    a = sender_host(port, {"inet_protocols": "all", "smtp_address_preference": preference})
    try:
        a.start()
        for n in range(3):  # "any" would pick the other family about half the time
            send(a, "bob@dest.test", subject=f"pref-{preference}-{n}")
        a.wait_for_log(r"to=<bob@dest\.test>, .*status=sent", timeout=30, count=3)
        used, unused = (v6, v4) if expected == "::1" else (v4, v6)
        assert len(used.messages) == 3 and not unused.messages
        assert f"relay=mx.dest.test[{expected}]:25" in a.log_text()
        a.stop()
    finally:
        a.cleanup()
        for server in (v4, v6):  # shutdown() wakes the accept() so that the port is free
            server.sock.shutdown(socket.SHUT_RDWR)
            server.close()


def test_unknown_preference_is_refused_naming_file_and_line(dns):
    port = dns([])
    a = sender_host(port, {"smtp_address_preference": "ipv5"})
    try:
        done = a.command("check")
        assert done.returncode != 0
        assert re.search(r"main\.cf:\d+: error: smtp_address_preference: unknown value \"ipv5\" "
                         r"\(ipv4, ipv6 or any\)", done.stderr), done.stderr
    finally:
        a.cleanup()
