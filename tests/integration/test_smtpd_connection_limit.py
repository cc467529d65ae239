"""smtpd_client_connection_count_limit: concurrent connections per client address, with
Postfix's 421 reply and log warning, and smtpd_client_event_limit_exceptions (default:
$mynetworks) exempting trusted clients."""

import socket

from correio_fixture import Correio


def connect(port: int, source: str = "127.0.0.1") -> tuple[socket.socket, bytes]:
    s = socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(source, 0))
    data = b""
    while not data.endswith(b"\r\n"):
        chunk = s.recv(1024)
        if not chunk:
            break
        data += chunk
    return s, data


def test_limit_per_client_address():
    inst = Correio(main_cf={"mynetworks": "10.0.0.0/8", "smtpd_client_connection_count_limit": "2"})
    try:
        inst.start()
        # start() probed the port; that session must be gone before counting.
        inst.wait_for_log(r"disconnect from unknown\[127\.0\.0\.1\]")
        first, banner1 = connect(inst.smtp_port)
        second, banner2 = connect(inst.smtp_port)
        assert banner1.startswith(b"220 ") and banner2.startswith(b"220 ")
        third, refusal = connect(inst.smtp_port)
        assert refusal == (b"421 4.7.0 mail.example.test Error: too many connections from "
                           b"127.0.0.1\r\n")
        assert third.recv(1024) == b""  # and the connection is closed
        third.close()
        inst.wait_for_log(r"correio/smtpd\[\d+\]: warning: Connection concurrency limit "
                          r"exceeded: 3 from unknown\[127\.0\.0\.1\] for service "
                          r"127\.0\.0\.1:\d+")
        # Another address has its own count.
        other, banner = connect(inst.smtp_port, "127.0.0.2")
        assert banner.startswith(b"220 ")
        other.close()
        # A slot is given back when a session ends.
        first.sendall(b"QUIT\r\n")
        assert first.recv(1024).startswith(b"221 ")
        first.close()
        inst.wait_for_log(r"disconnect from unknown\[127\.0\.0\.1\] quit=1", count=1)
        again, banner = connect(inst.smtp_port)
        assert banner.startswith(b"220 "), banner
        again.close()
        second.close()
        inst.stop()
    finally:
        inst.cleanup()


def test_mynetworks_are_exempt_by_default_and_zero_means_no_limit():
    for extra in ({"mynetworks": "127.0.0.0/8"},
                  {"mynetworks": "10.0.0.0/8", "smtpd_client_connection_count_limit": "0"}):
        inst = Correio(main_cf={"smtpd_client_connection_count_limit": "1", **extra})
        try:
            inst.start()
            held = [connect(inst.smtp_port) for _ in range(3)]
            assert all(banner.startswith(b"220 ") for _, banner in held), held
            for s, _ in held:
                s.close()
            inst.stop()
            assert "too many connections" not in inst.log_text()
        finally:
            inst.cleanup()
