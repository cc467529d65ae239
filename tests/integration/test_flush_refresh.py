"""Fast flush log upkeep (Postfix's flush(8) "refresh"): a non-empty log unread for
fast_flush_refresh_time has its mail retried (without reviving dead destinations) and is
rebuilt from what is deferred again; an empty log unchanged for fast_flush_purge_time is
deleted. Short times here; the peer is a port where nothing listens."""

import os
import time

from correio_fixture import free_port
from delivery_setup import pipeline
from test_mail_out import SENDER_MASTER_CF
from test_qmgr_feedback import inject, wait_for_flush_log, wait_until_deferred


def is_empty_file(path) -> bool:
    try:
        return path.stat().st_size == 0
    except FileNotFoundError:  # between a refresh's rename and its new empty log
        return False


def test_refresh_retries_unread_logs_and_purge_removes_empty_ones():
    dead_port = free_port()
    a = pipeline()
    a.write_master_cf(SENDER_MASTER_CF.replace("{listen}", a.listen))
    transport = a.config_dir / "transport"
    transport.write_text(f"stale.test smtp:[127.0.0.15]:{dead_port}\n")
    a.write_main_cf({"transport_maps": f"texthash:{transport}",
                     # Only a refresh brings a second attempt within the test.
                     "minimal_backoff_time": "300s", "maximal_backoff_time": "600s",
                     "queue_run_delay": "300s",
                     "fast_flush_domains": "stale.test gone.test",
                     "fast_flush_refresh_time": "4s", "fast_flush_purge_time": "8s"})
    try:
        a.start()
        inject(a, "stale.test", 1)
        a.wait_for_log(r"to=<user0@stale\.test>, .*status=deferred", timeout=60)
        wait_until_deferred(a, 1)
        stale = a.queue_dir / "flush" / "stale.test"
        wait_for_flush_log(stale, 1)
        # A log whose mail is long gone (delivered, expired, deleted by postsuper).
        gone = a.queue_dir / "flush" / "gone.test"
        gone.write_text("0123456789AB\n")
        os.chown(gone, stale.stat().st_uid, stale.stat().st_gid)

        # The refresh retries stale.test's mail: a second attempt long before the backoff.
        a.wait_for_log(r"fast flush refresh: \d+ log\(s\) refreshed", timeout=20)
        a.wait_for_log(r"to=<user0@stale\.test>, .*status=deferred", count=2, timeout=20)
        # ...not as a flush would: no dead destination is revived by it.
        assert not a.log_lines(r"flushed, delivery resumed")
        # gone.test listed nothing deferred: left empty, then purged once unchanged.
        deadline = time.monotonic() + 10
        while not is_empty_file(gone):
            assert time.monotonic() < deadline
            time.sleep(0.2)
        emptied = time.monotonic()
        a.wait_for_log(r"fast flush refresh: .*1 empty log\(s\) removed", timeout=30)
        assert not gone.exists()
        assert time.monotonic() - emptied >= 5  # not before fast_flush_purge_time
        # stale.test's mail is deferred again each time, so its log lives on.
        wait_for_flush_log(stale, 1)
        a.stop()
    finally:
        a.cleanup()
