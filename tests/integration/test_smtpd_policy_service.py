"""check_policy_service (Postfix's SMTPD_POLICY_README) against a small policy server
written here: the attributes Correio sends, the server's action applied as an access(5)
result, and smtpd_policy_service_default_action when the server cannot be reached."""

import smtplib
import socket
import threading

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
