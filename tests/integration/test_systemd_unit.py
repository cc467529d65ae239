"""packaging/correio.service: `systemd-analyze verify` accepts it (with ExecStart and the
other commands pointed at the built binary, since /usr/sbin/correio need not exist here),
without a single complaint about the unit, and it keeps the settings the admin guide
promises: start-fg in the foreground, the reload verb, a high LimitNOFILE."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from correio_fixture import CORREIO_BIN, SOURCE_DIR

UNIT = SOURCE_DIR / "packaging" / "correio.service"


def settings() -> dict[str, str]:
    out = {}
    for line in UNIT.read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            name, value = line.split("=", 1)
            out[name] = value
    return out


def test_unit_runs_the_foreground_master_with_a_high_open_file_limit():
    s = settings()
    assert s["Type"] == "notify" and s["NotifyAccess"] == "main"
    assert s["ExecStart"] == "/usr/sbin/correio -c /etc/correio start-fg"
    assert s["ExecReload"] == "/usr/sbin/correio -c /etc/correio reload"
    assert s["Restart"] == "on-failure"
    assert int(s["LimitNOFILE"]) >= 65536


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_systemd_analyze_verify_accepts_the_unit(tmp_path):
    unit = tmp_path / "correio.service"
    unit.write_text(UNIT.read_text().replace("/usr/sbin/correio", os.path.abspath(CORREIO_BIN)))
    r = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True,
                       timeout=60)
    # verify exits 0 on some mistakes (an unknown Type= is "ignored"): any line naming the
    # unit is a complaint.
    complaints = [line for line in (r.stdout + r.stderr).splitlines()
                  if re.search(r"correio\.service", line)]
    assert r.returncode == 0 and not complaints, r.stdout + r.stderr
