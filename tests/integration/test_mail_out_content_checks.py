"""smtp_header_checks, smtp_mime_header_checks, smtp_nested_header_checks and
smtp_body_checks (header_checks(5), "FILTERS WHILE DELIVERING MAIL"): the smtp agent edits
the message as it sends it, with the line actions Postfix's smtp(8) supports, and logs
them in smtp(8)'s words; the actions it does not support stop the start naming the
table's file and line. The peer is a scripted SMTP server that records what it receives."""

import re

from correio_fixture import free_port
from test_mail_out import SENDER_MASTER_CF, ScriptedServer, dns, sender_host  # noqa: F401

MESSAGE_BODY = (
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"B\"\r\n"
    "\r\n"
    "--B\r\n"
    "Content-Type: text/plain\r\n"
    "X-Part-Secret: part\r\n"
    "\r\n"
    "internal-only line\r\n"
    "public line\r\n"
    "--B\r\n"
    "Content-Type: message/rfc822\r\n"
    "\r\n"
    "Subject: inner\r\n"
    "X-Nested-Secret: nested\r\n"
    "\r\n"
    "inner body\r\n"
    "--B--\r\n")


def tables(inst, **rules):
    """pcre tables in the instance's config directory, named in main.cf."""
    settings = {}
    for name, text in rules.items():
        path = inst.config_dir / name
        path.write_text(text)
        settings[name] = f"pcre:{path}"
    inst.write_main_cf(settings)


def send_multipart(inst, subject):
    import smtplib
    with smtplib.SMTP("127.0.0.1", inst.smtp_port) as smtp:
        smtp.sendmail("sender@example.test", ["bob@far.test"],
                      f"From: sender@example.test\r\nTo: bob@far.test\r\nSubject: {subject}\r\n"
                      f"X-Internal-Host: build7.corp\r\n{MESSAGE_BODY}".encode())


def test_line_actions_edit_what_is_sent(dns):
    port = dns([])
    server_port = free_port()
    server = ScriptedServer("127.0.0.1", server_port, busy_first=False)
    a = sender_host(port, {"relayhost": f"[127.0.0.1]:{server_port}"})
    tables(a,
           smtp_header_checks="/^Subject: (.*)/ REPLACE Subject: [ext] $1\n"
                              "/^X-Internal-Host:/ IGNORE\n"
                              "/^From:/ PREPEND X-Sent-By: correio\n"
                              "/^To:/ WARN checking recipients header\n",
           smtp_mime_header_checks="/^X-Part-Secret:/ IGNORE\n",
           smtp_nested_header_checks="/^X-Nested-Secret:/ REPLACE X-Nested: removed\n",
           smtp_body_checks="/^internal-only/ IGNORE\n/^public line/ INFO public seen\n")
    try:
        a.start()
        send_multipart(a, "plans")
        a.wait_for_log(r"to=<bob@far\.test>, .*status=sent \(250 2\.0\.0 Ok: queued as SCRIPTED1\)",
                       timeout=30)
        [message] = server.messages
        text = message.decode()
        assert "Subject: [ext] plans\r\n" in text and "Subject: plans" not in text
        assert "X-Internal-Host" not in text
        assert "X-Sent-By: correio\r\nFrom: sender@example.test\r\n" in text
        assert "To: bob@far.test\r\n" in text  # WARN keeps the line
        assert "X-Part-Secret" not in text and "Content-Type: text/plain\r\n" in text
        assert "X-Nested: removed\r\n" in text and "X-Nested-Secret" not in text
        assert "internal-only" not in text and "public line\r\n" in text
        assert "inner body\r\n" in text
        # Postfix's smtp_hbc_logger(): "QID: ACTION: CONTEXT LINE: TEXT", by the smtp agent.
        a.wait_for_log(r"correio/smtp\[\d+\]: [0-9A-F]+: replace: header Subject: plans: "
                       r"Subject: \[ext\] plans")
        a.wait_for_log(r"correio/smtp\[\d+\]: [0-9A-F]+: warning: header To: bob@far\.test: "
                       r"checking recipients header")
        a.wait_for_log(r"correio/smtp\[\d+\]: [0-9A-F]+: info: body public line: public seen")
        a.wait_for_log(r"correio/smtp\[\d+\]: [0-9A-F]+: prepend: header From: "
                       r"sender@example\.test: X-Sent-By: correio")
        # The queued copy was not changed: cleanup's checks are not the smtp agent's.
        assert "cleanup" not in "".join(re.findall(r".*replace:.*", a.log_text()))
        a.stop()
    finally:
        a.cleanup()
        server.close()


def test_message_actions_are_refused_naming_file_and_line(dns):
    port = dns([])
    a = sender_host(port)
    tables(a, smtp_body_checks="/^ok/ DUNNO\n/^x/ WARN fine\n/^secret/ REJECT no secrets\n")
    try:
        done = a.command("check")
        assert done.returncode != 0
        assert re.search(r"error: smtp_body_checks: pcre map \S+/smtp_body_checks, line 3: "
                         r"REJECT: action not supported by the smtp/lmtp client", done.stderr), \
            done.stderr
        tables(a, smtp_body_checks="/^x/ WARN fine\n",
               lmtp_header_checks="/^Subject:/ HOLD\n")
        a.write_master_cf(SENDER_MASTER_CF.replace("{listen}", a.listen)
                          + "lmtp          unix  -       -       n       -       -       lmtp\n")
        done = a.command("check")
        assert done.returncode != 0
        assert re.search(r"error: lmtp_header_checks: pcre map \S+/lmtp_header_checks, line 1: "
                         r"HOLD: action not supported", done.stderr), done.stderr
    finally:
        a.cleanup()
