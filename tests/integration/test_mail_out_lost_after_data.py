"""Mail out: a connection lost after the end-of-data dot and before the reply. The first
MX may have taken the message, so the smtp agent must defer (Postfix's smtp(8)) and not
hand a second copy to the next MX. LMTP keeps its per-recipient rule (test_mail_out_lmtp).
MX 1 is a scripted peer that reads the whole message and hangs up; MX 2 is a real Correio
that would accept, and must receive nothing."""

import socket
import threading
import time

from test_mail_out import (dns, maildir_files, receiving_host, send, sender_host,  # noqa: F401
                           start_receiver)


class HangUpAfterDot:
    """An SMTP peer on ADDRESS:25 that accepts everything up to the end of data, then
    closes the connection without a reply. It records the messages it read."""

    def __init__(self, address: str):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((address, 25))
        self.sock.listen(5)
        self.messages: list[bytes] = []
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                self.session(conn.makefile("rwb"))

    def session(self, f):
        def reply(text):
            f.write(text.encode() + b"\r\n")
            f.flush()
        reply("220 hangup.test ESMTP")
        while line := f.readline():
            verb = line[:4].upper()
            if verb == b"EHLO":
                reply("250-hangup.test\r\n250 8BITMIME")
            elif verb in (b"MAIL", b"RCPT", b"RSET"):
                reply("250 2.0.0 Ok")
            elif verb == b"DATA":
                reply("354 go ahead")
                body = b""
                while (chunk := f.readline()) not in (b".\r\n", b""):
                    body += chunk
                self.messages.append(body)
                return  # the dot was read: hang up without a reply
            elif verb == b"QUIT":
                reply("221 2.0.0 Bye")
                return
            else:
                reply("502 5.5.2 what")

    def close(self):
        self.sock.close()


def test_lost_connection_after_the_dot_defers_without_trying_the_next_mx(dns):
    port = dns(["--mx-host=dest.test,mx1.dest.test,10", "--mx-host=dest.test,mx2.dest.test,20",
                "--host-record=mx1.dest.test,127.0.0.131",
                "--host-record=mx2.dest.test,127.0.0.132"])
    first = HangUpAfterDot("127.0.0.131")
    b = receiving_host("127.0.0.132")
    a = sender_host(port, {"minimal_backoff_time": "300s", "maximal_backoff_time": "600s",
                           "queue_run_delay": "300s"})
    try:
        start_receiver(b, "127.0.0.132")
        a.start()
        send(a, "bob@dest.test", subject="hangup-1")
        a.wait_for_log(r"to=<bob@dest\.test>, relay=mx1\.dest\.test\[127\.0\.0\.131\]:25, .*"
                       r"dsn=4\.4\.2, status=deferred \(lost connection with "
                       r"mx1\.dest\.test\[127\.0\.0\.131\] while sending end of data -- "
                       r"message may be sent more than once\)", timeout=30)
        assert len(first.messages) == 1 and b"Subject: hangup-1" in first.messages[0]
        # Give a wrong agent time to reach MX 2; nothing may arrive there.
        time.sleep(2)
        assert not maildir_files(b, "dest.test", "bob")
        assert "127.0.0.132" not in a.log_text()
        a.stop()
        b.stop()
    finally:
        a.cleanup()
        b.cleanup()
        first.close()
