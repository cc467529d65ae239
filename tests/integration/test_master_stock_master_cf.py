"""Debian's stock Postfix master.cf (the postfix package's /usr/share/postfix/master.cf.dist)
passes `correio check`: the services Correio folds into other processes, or lacks yet, are
warnings naming each one, never "unknown command" (smtp and relay start the SMTP client); and the master starts with it and
greets a Python smtplib client on the smtp service (moved to a free port)."""

import re
import smtplib
from pathlib import Path

import pytest

from correio_fixture import LOG_PREFIX, Correio

STOCK = Path("/usr/share/postfix/master.cf.dist")

FOLDED = ["cleanup", "tlsmgr", "rewrite", "bounce", "defer", "trace", "flush", "proxymap",
          "proxywrite", "error", "retry", "discard", "anvil", "scache", "postlog"]
NOT_YET = ["verify", "lmtp"]
# The SMTP client serves both of these.
STARTED = ["smtp/unix", "relay/unix"]


def stock_master_cf(port: int) -> str:
    text = STOCK.read_text()
    # The one inet service, on an unprivileged port as the fixture runs.
    text, n = re.subn(r"^smtp(\s+inet\s)", rf"127.0.0.1:{port}\1", text, flags=re.M)
    assert n == 1
    return text


@pytest.mark.skipif(not STOCK.exists(), reason="Debian's postfix package is not installed")
def test_stock_master_cf_checks_and_starts():
    inst = Correio()
    inst.write_master_cf(stock_master_cf(inst.smtp_port))
    try:
        result = inst.command("check")
        assert result.returncode == 0, result.stderr
        assert "unknown command" not in result.stderr
        assert " error: " not in result.stderr
        for name in FOLDED:
            assert re.search(rf"warning: service {re.escape(name)}/unix(-dgram)?: command \S+ is "
                             r"built into Correio \(", result.stderr), name
        for name in NOT_YET:
            key = name if "/" in name else name + "/unix"
            assert re.search(rf"warning: service {re.escape(key)}: command \S+ is not supported "
                             r"yet \(", result.stderr), name
        for key in STARTED:
            assert f"service {key}:" not in result.stderr, key

        inst.start()
        with smtplib.SMTP("127.0.0.1", inst.smtp_port, timeout=10) as client:
            assert client.ehlo()[0] == 250
        inst.wait_for_log(LOG_PREFIX + r"correio/master\[\d+\]: warning: \S+master\.cf:\d+: "
                          r"service cleanup/unix: command cleanup is built into Correio")
        assert not inst.log_lines("unknown command")
        inst.stop()
    finally:
        inst.cleanup()
