"""mailbox_transport and mailbox_transport_maps, the Postfix + Dovecot set-up
("mailbox_transport = lmtp:unix:private/dovecot-lmtp"): local(8) expands aliases, then
hands the mailbox delivery to the lmtp agent, which delivers to a real Dovecot LMTP
server and logs it. Users the system does not know are handed over too (Dovecot decides:
its refusal bounces), and a per-user map entry wins over mailbox_transport. Real
pipeline: smtpd, qmgr, local, lmtp, error, virtual (for the bounce)."""

import os
import re
import smtplib

import pytest

from delivery_setup import PIPELINE_MASTER_CF, pipeline, wait_for_messages
from dovecot_lmtp import DOVECOT, DOVECOT_LMTP, DovecotLmtp

MASTER_CF = PIPELINE_MASTER_CF + """\
lmtp          unix  -       -       n       -       -       lmtp
error         unix  -       -       n       -       -       error
"""


def send_mail(inst, sender: str, rcpts: list[str], subject: str) -> None:
    with smtplib.SMTP("127.0.0.1", inst.smtp_port, timeout=20) as s:
        refused = s.sendmail(sender, rcpts, f"Subject: {subject}\r\n\r\nbody\r\n".encode())
        assert not refused, refused


@pytest.mark.skipif(not (os.access(DOVECOT, os.X_OK) and os.access(DOVECOT_LMTP, os.X_OK)),
                    reason="Dovecot's LMTP server is not installed (dovecot-lmtpd)")
@pytest.mark.skipif(os.geteuid() != 0, reason="Dovecot's master needs root here")
def test_mailbox_delivery_through_dovecot_lmtp():
    dovecot = DovecotLmtp(["lmtpbob@localhost"])
    inst = pipeline()
    try:
        (inst.config_dir / "aliases").write_text("postmaster: root\ninfo: lmtpbob\n")
        per_user = inst.config_dir / "mailbox_transports"
        per_user.write_text("closed error:5.2.1 this mailbox is closed\n")
        inst.write_main_cf({
            "mailbox_transport": f"lmtp:unix:{dovecot.socket}",
            "mailbox_transport_maps": f"texthash:{per_user}",
            # As such sites do: Dovecot knows the users, so smtpd accepts any local name.
            "local_recipient_maps": "",
        })
        inst.write_master_cf(MASTER_CF.replace("{listen}", inst.listen))
        with inst:
            send_mail(inst, "sender@example.test", ["info@localhost", "ghost@localhost",
                                                    "closed@localhost"], "via dovecot")
            [path] = dovecot.messages("lmtpbob@localhost")
            assert b"Subject: via dovecot" in path.read_bytes()
            # The lmtp agent logs the delivery, with the alias as orig_to.
            inst.wait_for_log(r"correio/lmtp\[\d+\]: [0-9A-F]+: to=<lmtpbob@localhost>, "
                              r"orig_to=<info@localhost>, relay=\S+, .*status=sent \(250 "
                              r"2\.0\.0 <lmtpbob@localhost> \S+ Saved\)", timeout=30)
            # An unknown user is Dovecot's to refuse; the error transport bounces `closed`.
            inst.wait_for_log(r"to=<ghost@localhost>, .*dsn=5\.1\.1, status=bounced", timeout=30)
            inst.wait_for_log(r"to=<closed@localhost>, .*dsn=5\.2\.1, status=bounced \(this "
                              r"mailbox is closed\)", timeout=30)
            [report] = wait_for_messages(inst, "sender", 1)
            text = report.read_text(errors="replace")
            assert "Final-Recipient: rfc822; ghost@localhost" in text
            assert "Final-Recipient: rfc822; closed@localhost" in text
            assert "lmtpbob" not in text.split("Content-Type: message/")[0]
            # local(8) wrote no log line of its own for the handed-over recipients.
            assert not re.search(r"correio/local\[\d+\]: .*to=<lmtpbob@localhost>",
                                 inst.log_text())
    finally:
        inst.cleanup()
        dovecot.close()
