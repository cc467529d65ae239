"""check_policy_service (Postfix's SMTPD_POLICY_README) against a small policy server
written here: the attributes Correio sends, the server's action applied as an access(5)
result, and smtpd_policy_service_default_action when the server cannot be reached."""

import smtplib
import socket
import threading
import time

from correio_fixture import Correio, free_port


class PolicyServer:
    """Answers each request by the sender: reject@ -> 554 text, defer@ -> DEFER_IF_PERMIT,
    anything else -> DUNNO; keeps every request it saw."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.requests: list[dict[str, str]] = []
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                data = b""
                while b"\n\n" not in data:
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                attrs = dict(line.split("=", 1) for line in data.decode().split("\n") if "=" in line)
                self.requests.append(attrs)
                sender = attrs.get("sender", "")
                action = ("554 5.7.1 policy says no" if sender.startswith("reject@")
                          else "DEFER_IF_PERMIT come back" if sender.startswith("defer@")
                          else "DUNNO")
                conn.sendall(f"action={action}\n\n".encode())


def test_policy_server_decides_and_sees_the_attributes():
    policy = PolicyServer()
    inst = Correio({"mydestination": "localhost", "virtual_mailbox_domains": "example.test",
                    "smtpd_reject_unlisted_recipient": "no", "mynetworks": "127.0.0.1/32",
                    "smtpd_policy_service_policy_context": "test",
                    "smtpd_recipient_restrictions":
                        f"check_policy_service inet:127.0.0.1:{policy.port}, "
                        "reject_unauth_destination"})
    with inst:
        with smtplib.SMTP("127.0.0.1", inst.smtp_port, source_address=("127.0.0.4", 0)) as s:
            s.ehlo("client.example")
            s.mail("reject@x.test")
            assert s.rcpt("demo@example.test") == \
                (554, b"5.7.1 <demo@example.test>: Recipient address rejected: policy says no")
            s.rset()
            s.mail("defer@x.test")
            assert s.rcpt("demo@example.test") == \
                (450, b"4.7.1 <demo@example.test>: Recipient address rejected: come back")
            s.rset()
            s.mail("fine@x.test")
            assert s.rcpt("demo@example.test")[0] == 250
        first = policy.requests[0]
        assert first["request"] == "smtpd_access_policy"
        assert first["protocol_state"] == "RCPT" and first["protocol_name"] == "ESMTP"
        assert first["client_address"] == "127.0.0.4" and first["helo_name"] == "client.example"
        assert first["sender"] == "reject@x.test" and first["recipient"] == "demo@example.test"
        assert first["policy_context"] == "test"


def test_policy_request_carries_size_instance_ports_and_tls():
    """The attributes a policy server keys on beyond the envelope (SMTPD_POLICY_README):
    SIZE= as size, one instance per mail transaction, the client's and server's ports, the
    server's address, the TLS session, ETRN's domain."""
    from test_smtpd_tls import client_context, make_certificate
    cert, key = make_certificate()
    policy = PolicyServer()
    inst = Correio({"mydestination": "localhost", "virtual_mailbox_domains": "example.test",
                    "smtpd_reject_unlisted_recipient": "no", "mynetworks": "127.0.0.1/32",
                    "smtpd_tls_security_level": "may",
                    "smtpd_tls_cert_file": cert, "smtpd_tls_key_file": key,
                    "smtpd_etrn_restrictions": f"check_policy_service inet:127.0.0.1:{policy.port}",
                    "smtpd_recipient_restrictions":
                        f"check_policy_service inet:127.0.0.1:{policy.port}, "
                        "reject_unauth_destination"})
    with inst:
        with smtplib.SMTP("127.0.0.1", inst.smtp_port, source_address=("127.0.0.4", 0)) as s:
            client_port = s.sock.getsockname()[1]
            s.ehlo("client.example")
            s.mail("a@x.test", ["SIZE=12345"])
            assert s.rcpt("demo@example.test")[0] == 250
            assert s.rcpt("other@example.test")[0] == 250
            s.rset()
            s.mail("b@x.test")
            assert s.rcpt("demo@example.test")[0] == 250
            s.rset()
            s.starttls(context=client_context())
            s.ehlo("client.example")
            s.mail("c@x.test")
            assert s.rcpt("demo@example.test")[0] == 250
            s.rset()
            assert s.docmd("ETRN", "example.test")[0] in (250, 458, 459)
        one, two, three, tls, etrn = policy.requests[:5]
        assert one["size"] == "12345" and two["size"] == "12345" and three["size"] == "0"
        assert one["instance"] and one["instance"] == two["instance"] != three["instance"]
        assert tls["instance"] not in (one["instance"], three["instance"])
        for r in (one, tls):
            assert r["client_port"] == str(client_port)
            assert r["server_address"] == "127.0.0.1"
            assert r["server_port"] == str(inst.smtp_port)
        assert one["encryption_protocol"] == "" and one["encryption_keysize"] == "0"
        assert tls["encryption_protocol"].startswith("TLSv1"), tls
        assert tls["encryption_cipher"] and int(tls["encryption_keysize"]) >= 128, tls
        assert etrn["protocol_state"] == "ETRN" and etrn["etrn_domain"] == "example.test", etrn
        # recipient_count is 0 until the recipients are all known (DATA), as Postfix's.
        assert one["recipient_count"] == "0" and two["recipient_count"] == "0"


def test_settings_in_braces_override_the_parameters_per_server():
    """check_policy_service { server, name=value, ... } (Postfix 3.0): each server has its
    own default_action, timeout, try_limit and policy_context."""
    policy = PolicyServer()
    dead = free_port()  # nobody listens
    inst = Correio({"mydestination": "localhost", "virtual_mailbox_domains": "example.test",
                    "smtpd_reject_unlisted_recipient": "no", "mynetworks": "127.0.0.1/32",
                    "smtpd_policy_service_policy_context": "global",
                    "smtpd_policy_service_retry_delay": "1s",
                    "smtpd_recipient_restrictions":
                        f"check_policy_service {{ inet:127.0.0.1:{policy.port}, "
                        "policy_context={first server}, timeout=5s }, "
                        f"check_policy_service {{ inet:127.0.0.1:{dead}, try_limit=1, "
                        "{ default_action = 450 4.7.1 policy down, try later } }, "
                        "reject_unauth_destination"})
    with inst:
        with smtplib.SMTP("127.0.0.1", inst.smtp_port) as s:
            s.ehlo("client.example")
            s.mail("fine@x.test")
            started = time.monotonic()
            assert s.rcpt("demo@example.test") == \
                (450, b"4.7.1 <demo@example.test>: Recipient address rejected: "
                      b"policy down, try later")
            # try_limit=1: no retry_delay pause before the default action.
            assert time.monotonic() - started < 0.9
        assert policy.requests[0]["policy_context"] == "first server"
        inst.wait_for_log(r"problem talking to policy server inet:127\.0\.0\.1:\d+")
        # A setting Correio does not know is a configuration error, never ignored.
    bad = Correio({"mydestination": "localhost", "virtual_mailbox_domains": "example.test",
                   "smtpd_reject_unlisted_recipient": "no", "mynetworks": "127.0.0.1/32",
                   "smtpd_recipient_restrictions":
                       f"check_policy_service {{ inet:127.0.0.1:{policy.port}, timout=5s }}, "
                       "reject_unauth_destination"})
    with bad:
        with smtplib.SMTP("127.0.0.1", bad.smtp_port) as s:
            s.ehlo("client.example")
            s.mail("fine@x.test")
            code, text = s.rcpt("demo@example.test")
            assert code == 451 and text.startswith(b"4.3.5"), (code, text)
        bad.wait_for_log(r'unknown setting \\"timout\\"|unknown setting "timout"')


def test_unreachable_policy_server_gives_the_default_action():
    port = free_port()  # nobody listens
    inst = Correio({"mydestination": "localhost", "virtual_mailbox_domains": "example.test",
                    "smtpd_reject_unlisted_recipient": "no",
                    "smtpd_policy_service_retry_delay": "0s",
                    "smtpd_recipient_restrictions":
                        f"check_policy_service inet:127.0.0.1:{port}, reject_unauth_destination"})
    with inst:
        with smtplib.SMTP("127.0.0.1", inst.smtp_port) as s:
            s.ehlo("client.example")
            s.mail("a@x.test")
            assert s.rcpt("demo@example.test") == \
                (451, b"4.3.5 <demo@example.test>: Recipient address rejected: "
                      b"Server configuration problem")
        inst.wait_for_log(r"warning: problem talking to policy server inet:127\.0\.0\.1:\d+: "
                          r"connect: Connection refused")


class KeepAlivePolicyServer:
    """Answers DUNNO to every request and keeps each connection open for more, as
    Postfix's policy servers (postgrey, policyd-spf) do; counts connections and the
    requests on each. `close_after`: hang up after that many requests on a connection."""

    def __init__(self, close_after: int = 0):
        self.close_after = close_after
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.requests_per_connection: list[int] = []
        self.closed_by_client = 0
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.requests_per_connection.append(0)
            threading.Thread(target=self.session, args=(conn, len(self.requests_per_connection) - 1),
                             daemon=True).start()

    def session(self, conn, index):
        with conn:
            data = b""
            while True:
                while b"\n\n" not in data:
                    chunk = conn.recv(4096)
                    if not chunk:
                        self.closed_by_client += 1
                        return
                    data += chunk
                _, data = data.split(b"\n\n", 1)
                self.requests_per_connection[index] += 1
                conn.sendall(b"action=DUNNO\n\n")
                if self.close_after and self.requests_per_connection[index] >= self.close_after:
                    return


def policy_instance(port: int, extra: dict[str, str]) -> Correio:
    return Correio({"mydestination": "localhost", "virtual_mailbox_domains": "example.test",
                    "smtpd_reject_unlisted_recipient": "no",
                    "smtpd_recipient_restrictions":
                        f"check_policy_service inet:127.0.0.1:{port}, permit_mynetworks, "
                        "reject_unauth_destination", **extra})


def transactions(inst: Correio, sessions: int, per_session: int) -> None:
    for _ in range(sessions):
        with smtplib.SMTP("127.0.0.1", inst.smtp_port, timeout=20) as s:
            s.ehlo("client.example")
            for _ in range(per_session):
                s.mail("a@x.test")
                assert s.rcpt("demo@example.test")[0] == 250
                s.rset()


def test_one_connection_serves_many_requests_and_sessions():
    policy = KeepAlivePolicyServer()
    inst = policy_instance(policy.port, {})
    with inst:
        transactions(inst, sessions=5, per_session=4)
        assert policy.requests_per_connection == [20]


def test_max_idle_closes_and_a_new_connection_follows():
    policy = KeepAlivePolicyServer()
    inst = policy_instance(policy.port, {"smtpd_policy_service_max_idle": "1s"})
    with inst:
        transactions(inst, sessions=1, per_session=3)
        assert policy.requests_per_connection == [3]
        time.sleep(2.5)
        # Closed by smtpd after one idle second, not merely abandoned at the next request.
        assert policy.closed_by_client == 1
        transactions(inst, sessions=1, per_session=2)
        assert policy.requests_per_connection == [3, 2]


def test_request_limit_and_max_ttl_start_new_connections():
    policy = KeepAlivePolicyServer()
    inst = policy_instance(policy.port, {"smtpd_policy_service_request_limit": "4"})
    with inst:
        transactions(inst, sessions=2, per_session=5)
        assert policy.requests_per_connection == [4, 4, 2]
    policy = KeepAlivePolicyServer()
    inst = policy_instance(policy.port, {"smtpd_policy_service_max_ttl": "1s"})
    with inst:
        transactions(inst, sessions=1, per_session=2)
        time.sleep(1.2)
        transactions(inst, sessions=1, per_session=2)
        assert policy.requests_per_connection == [2, 2]


def test_a_server_that_hangs_up_costs_no_request():
    # A server that closes after each answer (the one-request style): every request still
    # gets its answer, none falls to the default action.
    policy = KeepAlivePolicyServer(close_after=1)
    inst = policy_instance(policy.port, {"smtpd_policy_service_default_action": "REJECT down"})
    with inst:
        transactions(inst, sessions=2, per_session=3)
        assert policy.requests_per_connection == [1] * 6
        assert not inst.log_lines(r"problem talking to policy server")
