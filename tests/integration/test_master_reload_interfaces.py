"""`postfix reload` after inet_interfaces changes (localhost -> all, and back): the new
sockets are bound before the old ones close, so the port never stops answering, and a
client using Python's smtplib is greeted throughout (docs/admin-guide.md, "Reload")."""

import smtplib
import socket
import subprocess
import threading
import time

from correio_fixture import LOG_PREFIX, Correio, free_port

MASTER = LOG_PREFIX + r"correio/master\[\d+\]: "


def greets(port: int) -> bool:
    with smtplib.SMTP(timeout=10) as client:
        code, _ = client.connect("127.0.0.1", port)
        return code == 220


def listening_addresses(port: int) -> set[str]:
    """Local addresses with a TCP listener on `port`, from ss(8) (iproute2)."""
    out = subprocess.run(["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True,
                         check=True).stdout
    return {line.split()[3].rsplit(":", 1)[0] for line in out.splitlines() if line.strip()}


class RefusalWatch:
    """Connects to the port in a loop while a reload happens; counts refused connections
    (nothing listening), which must stay zero."""

    def __init__(self, port: int):
        self.port, self.refused, self.connected = port, 0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=5):
                    self.connected += 1
            except ConnectionRefusedError:
                self.refused += 1
            except OSError:
                pass
            time.sleep(0.005)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def reload_to(inst: Correio, interfaces: str, count: int) -> None:
    inst.write_main_cf({"inet_interfaces": interfaces})
    result = inst.command("reload")
    assert result.returncode == 0, result.stderr
    inst.wait_for_log(MASTER + r"reload -- version", count=count)


def wait_addresses(port: int, expected: set[str], timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while listening_addresses(port) != expected:
        if time.monotonic() > deadline:
            raise AssertionError(f"listening on {listening_addresses(port)}, want {expected}")
        time.sleep(0.1)


def test_reload_from_loopback_to_all_and_back_keeps_listening():
    port = free_port()
    # A port-only service name: inet_interfaces decides the addresses, as in Postfix.
    inst = Correio(main_cf={"inet_interfaces": "localhost"},
                   master_cf=f"{port} inet n - n - - smtpd\n")
    inst.smtp_port = port
    try:
        inst.start()
        assert greets(port)
        assert listening_addresses(port) == {"127.0.0.1"}

        watch = RefusalWatch(port)
        reload_to(inst, "all", 1)
        wait_addresses(port, {"0.0.0.0"})
        assert greets(port)
        assert not inst.log_lines(r"not (started|restarted)")

        reload_to(inst, "127.0.0.1", 2)
        wait_addresses(port, {"127.0.0.1"})
        assert greets(port)
        watch.stop()
        assert watch.connected > 0
        assert watch.refused == 0, f"{watch.refused} connections refused during the reloads"
        inst.stop()
    finally:
        inst.cleanup()


def test_reload_to_an_address_in_use_keeps_the_old_listener():
    port = free_port()
    inst = Correio(main_cf={"inet_interfaces": "127.0.0.1"},
                   master_cf=f"{port} inet n - n - - smtpd\n")
    inst.smtp_port = port
    # Another program holds 127.0.0.2:PORT: the new address cannot be bound.
    blocker = socket.socket()
    blocker.bind(("127.0.0.2", port))
    blocker.listen(1)
    try:
        inst.start()
        reload_to(inst, "127.0.0.2", 1)
        inst.wait_for_log(MASTER + r"warning: service .* not restarted: bind 127\.0\.0\.2 port "
                          + str(port) + r".* keeping the running service")
        assert greets(port)
        assert listening_addresses(port) == {"127.0.0.1", "127.0.0.2"}
        inst.stop()
    finally:
        blocker.close()
        inst.cleanup()
