"""Several IMAP sessions on one mailbox at once, each doing random APPEND, STORE (with new
keywords), EXPUNGE, MOVE and FETCH, while every session checks each server response
against its own model of what it was told (RFC 9051 §7.5, §5.5): sequence numbers stay
inside the view, EXISTS never shrinks it, EXPUNGE names a message the view has, a FETCH
of 1:* returns exactly the view with UIDs ascending and matching the ones it learned,
no keyword appears in a FETCH before a FLAGS response listed it, and no command gets BAD
or an unexpected NO. A bounded run here; bench/ can run it longer (IMAP_MODEL_SECONDS)."""

from __future__ import annotations

import os
import random
import re
import socket
import threading
import time

import pytest

from imap_setup import ImapInstance

SECONDS = float(os.environ.get("IMAP_MODEL_SECONDS", "12"))
SESSIONS = 4


class ModelViolation(AssertionError):
    pass


class Client:
    def __init__(self, port: int, seed: int):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.buf = b""
        self.rng = random.Random(seed)
        self.tagn = 0
        self.view: list[int | None] = []  # seq-1 -> UID (None until learned)
        self.flags_known: set[str] = set()
        self.readline()  # greeting

    def readline(self) -> bytes:
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ModelViolation("connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        m = re.search(rb"\{(\d+)\}$", line)
        if m:  # a literal: read it and the rest of the line
            n = int(m.group(1))
            while len(self.buf) < n:
                self.buf += self.sock.recv(65536)
            self.buf = self.buf[n:]
            line += b" <literal> " + self.readline()
        return line

    def command(self, text: bytes, literal: bytes | None = None) -> tuple[bytes, list[bytes]]:
        self.tagn += 1
        tag = b"m%d" % self.tagn
        if literal is None:
            self.sock.sendall(tag + b" " + text + b"\r\n")
        else:
            self.sock.sendall(tag + b" " + text + b" {%d+}\r\n" % len(literal) + literal + b"\r\n")
        untagged = []
        while True:
            line = self.readline()
            if line.startswith(tag + b" "):
                self.check_untagged(untagged, text)
                status = line.split()[1]
                if status == b"BAD":
                    raise ModelViolation(f"{text!r} -> {line!r}")
                return line, untagged
            untagged.append(line)

    def check_untagged(self, lines: list[bytes], command: bytes) -> None:
        for line in lines:
            m = re.match(rb"\* (\d+) (EXISTS|EXPUNGE|FETCH)\b(.*)", line)
            if re.match(rb"\* FLAGS \((.*)\)", line):
                self.flags_known = set(re.match(rb"\* FLAGS \((.*)\)", line).group(1).decode().split())
                continue
            if not m:
                continue
            n, kind, rest = int(m.group(1)), m.group(2), m.group(3)
            if kind == b"EXISTS":
                if n < len(self.view):
                    raise ModelViolation(f"EXISTS {n} below the view's {len(self.view)}: {command!r}")
                self.view.extend([None] * (n - len(self.view)))
            elif kind == b"EXPUNGE":
                if not 1 <= n <= len(self.view):
                    raise ModelViolation(f"EXPUNGE {n} outside a view of {len(self.view)}")
                del self.view[n - 1]
            else:
                if not 1 <= n <= len(self.view):
                    raise ModelViolation(f"FETCH {n} outside a view of {len(self.view)}: {line!r}")
                uid = re.search(rb"UID (\d+)", rest)
                if uid:
                    u = int(uid.group(1))
                    if self.view[n - 1] not in (None, u):
                        raise ModelViolation(f"seq {n} was UID {self.view[n - 1]}, now {u}")
                    self.view[n - 1] = u
                flags = re.search(rb"FLAGS \(([^)]*)\)", rest)
                if flags:
                    for f in flags.group(1).decode().split():
                        if not f.startswith("\\") and f not in self.flags_known:
                            raise ModelViolation(f"keyword {f} in FETCH before FLAGS: {line!r}")

    def check_full_fetch(self) -> None:
        status, lines = self.command(b"FETCH 1:* (UID FLAGS)") if self.view else (b"x OK", [])
        if not self.view:
            return
        if b" OK" not in status:
            raise ModelViolation(f"FETCH 1:* -> {status!r}")
        seen = [int(re.match(rb"\* (\d+) FETCH", l).group(1)) for l in lines if b" FETCH " in l]
        # Messages another session expunged meanwhile may be skipped ([EXPUNGEISSUED]).
        if b"EXPUNGEISSUED" not in status and sorted(set(seen)) != list(range(1, len(self.view) + 1)):
            raise ModelViolation(f"FETCH 1:* returned {seen}, view has {len(self.view)}")
        known = [u for u in self.view if u is not None]
        if known != sorted(known) or len(set(known)) != len(known):
            raise ModelViolation(f"UIDs not ascending: {self.view}")

    def step(self) -> None:
        r = self.rng.random()
        n = len(self.view)
        if r < 0.25 or n < 3:
            body = b"Subject: model %d\r\n\r\nbody\r\n" % self.rng.randrange(10**6)
            status, _ = self.command(b"APPEND Model", body)
            if b" OK" not in status:
                raise ModelViolation(f"APPEND -> {status!r}")
        elif r < 0.5:
            kw = f"kw{self.rng.randrange(40)}".encode()
            self.command(b"STORE %d +FLAGS (%s \\Seen)" % (self.rng.randrange(1, n + 1), kw))
        elif r < 0.62:
            self.command(b"STORE %d +FLAGS.SILENT (\\Deleted)" % self.rng.randrange(1, n + 1))
            self.command(b"EXPUNGE")
        elif r < 0.72:
            self.command(b"MOVE %d Elsewhere" % self.rng.randrange(1, n + 1))
        elif r < 0.85:
            self.command(b"NOOP")
        else:
            self.check_full_fetch()


def run_client(port: int, seed: int, deadline: float, errors: list, counts: list) -> None:
    try:
        c = Client(port, seed)
        c.command(b"LOGIN demo@example.test secret")
        status, _ = c.command(b"SELECT Model")
        if b" OK" not in status:
            raise ModelViolation(f"SELECT -> {status!r}")
        steps = 0
        while time.monotonic() < deadline:
            c.step()
            steps += 1
        c.command(b"NOOP")
        c.check_full_fetch()
        counts.append(steps)
    except Exception as e:  # reported by the test
        errors.append(f"session {seed}: {e!r}")


def test_concurrent_sessions_never_contradict_their_view():
    with ImapInstance() as s:
        c = s.imap()
        c.create("Model")
        c.create("Elsewhere")
        c.logout()
        deadline = time.monotonic() + SECONDS
        errors: list[str] = []
        counts: list[int] = []
        threads = [threading.Thread(target=run_client,
                                    args=(s.imap_port, seed, deadline, errors, counts))
                   for seed in range(SESSIONS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=SECONDS + 120)
        assert not errors, errors
        print("steps per session:", counts)
        assert len(counts) == SESSIONS and min(counts) > 20, counts
