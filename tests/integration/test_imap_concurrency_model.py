"""Several IMAP sessions on one mailbox at once, each doing random APPEND, STORE (with new
keywords, some with UNCHANGEDSINCE), EXPUNGE, MOVE, SEARCH and FETCH, while every session
checks each server response against its own model of what it was told (RFC 9051 §7.5,
§5.5; RFC 7162 §3.2): sequence numbers stay inside the view, EXISTS never shrinks it,
EXPUNGE names a message the view has, a FETCH of 1:* returns exactly the view with UIDs
ascending and matching the ones it learned, SEARCH answers only numbers and UIDs of the
view, no keyword appears in a FETCH before a FLAGS response listed it and every FLAGS
response comes with a PERMANENTFLAGS that allows it, a session that enabled CONDSTORE gets
UID and MODSEQ in every unsolicited FETCH and never sees a message's MODSEQ go down, and no
command gets BAD or a NO the RFCs do not allow there. At the end every session's view and
a fresh session's are the same, message for message and flag for flag. A bounded run here;
bench/ can run it longer (IMAP_MODEL_SECONDS)."""

from __future__ import annotations

import os
import random
import re
import socket
import threading
import time

from imap_setup import ImapInstance

SECONDS = float(os.environ.get("IMAP_MODEL_SECONDS", "12"))
SESSIONS = 4
# Maildir names at most 26 keywords per folder; the test stays below, so NO [LIMIT] is an error.
KEYWORDS = 20


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
        self.condstore = seed % 2 == 1
        self.modseq: dict[int, int] = {}  # UID -> highest MODSEQ told
        self.counts: dict[str, int] = {}
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

    def command(self, text: bytes, literal: bytes | None = None,
                may_refuse: tuple[bytes, ...] = ()) -> tuple[bytes, list[bytes]]:
        """Sends a command and checks its answer. A NO is a violation unless its response
        code is one of may_refuse (RFC 5530 codes the RFCs allow for that command)."""
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
                if status == b"NO":
                    code = re.match(rb"\S+ NO \[([A-Z-]+)", line)
                    if not code or code.group(1) not in may_refuse:
                        raise ModelViolation(f"{text!r} -> {line!r}")
                    self.counts["refused"] = self.counts.get("refused", 0) + 1
                return line, untagged
            untagged.append(line)

    def check_untagged(self, lines: list[bytes], command: bytes) -> None:
        solicited_fetch = re.match(rb"(UID )?FETCH ", command) is not None
        for i, line in enumerate(lines):
            if re.match(rb"\* FLAGS \((.*)\)", line):
                self.learn_flags(lines, i, command)
                continue
            m = re.match(rb"\* (SEARCH|ESEARCH)\b(.*)", line)
            if m:
                self.check_search(command, m.group(1) == b"ESEARCH", m.group(2))
                continue
            m = re.match(rb"\* (\d+) (EXISTS|EXPUNGE|FETCH)\b(.*)", line)
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
                self.check_fetch(n, rest, line, solicited_fetch)

    def learn_flags(self, lines: list[bytes], i: int, command: bytes) -> None:
        """RFC 9051 §7.3.5 and Dovecot: a FLAGS that grew comes with PERMANENTFLAGS, and the
        new keywords are permanent (listed, or \\* allows them)."""
        flags = set(re.match(rb"\* FLAGS \((.*)\)", lines[i]).group(1).decode().split())
        permanent = None
        for later in lines[i + 1:]:
            p = re.match(rb"\* OK \[PERMANENTFLAGS \(([^)]*)\)\]", later)
            if p:
                permanent = set(p.group(1).decode().split())
                break
        if permanent is None:
            raise ModelViolation(f"FLAGS without PERMANENTFLAGS after {command!r}: {lines!r}")
        if "\\*" not in permanent and not {f for f in flags if f != "\\Recent"} <= permanent:
            raise ModelViolation(f"PERMANENTFLAGS {permanent} does not allow FLAGS {flags}")
        self.flags_known = flags

    def check_fetch(self, n: int, rest: bytes, line: bytes, solicited: bool) -> None:
        if not 1 <= n <= len(self.view):
            raise ModelViolation(f"FETCH {n} outside a view of {len(self.view)}: {line!r}")
        uid = re.search(rb"UID (\d+)", rest)
        u = self.view[n - 1]
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
        modseq = re.search(rb"MODSEQ \((\d+)\)", rest)
        if self.condstore and not solicited and (not uid or not modseq):
            # RFC 7162 §3.2: once CONDSTORE is enabled, every unsolicited FETCH has both.
            raise ModelViolation(f"unsolicited FETCH without UID and MODSEQ: {line!r}")
        if modseq and u is not None:
            value = int(modseq.group(1))
            if value < self.modseq.get(u, 0):
                raise ModelViolation(f"UID {u}: MODSEQ {value} after {self.modseq[u]}: {line!r}")
            self.modseq[u] = value

    def check_search(self, command: bytes, extended: bool, data: bytes) -> None:
        """SEARCH answers in the view the client has (RFC 9051 §7.5: no EXPUNGE during it)."""
        numbers = search_result_ids(extended, data)
        if command.startswith(b"UID "):
            known = {u for u in self.view if u is not None}
            if None not in self.view and not set(numbers) <= known:
                raise ModelViolation(f"{command!r} gave UIDs {set(numbers) - known} not in the view")
        elif numbers and max(numbers) > len(self.view):
            raise ModelViolation(f"{command!r} gave {max(numbers)} in a view of {len(self.view)}")
        if numbers != sorted(numbers) or len(set(numbers)) != len(numbers):
            raise ModelViolation(f"{command!r} answered out of order: {data!r}")

    def check_full_fetch(self, quiet: bool = False) -> dict[int, frozenset[str]]:
        """FETCH 1:* against the view; `quiet` when no session changes the folder any more,
        so that every message must come, with its UID."""
        if not self.view:
            self.command(b"NOOP")
            if not self.view:
                return {}
        status, lines = self.command(b"FETCH 1:* (UID FLAGS)", may_refuse=(b"EXPUNGEISSUED",))
        seen = [int(re.match(rb"\* (\d+) FETCH", l).group(1)) for l in lines if b" FETCH " in l]
        every = list(range(1, len(self.view) + 1))
        # Messages another session expunged meanwhile may be skipped, and the answer then says
        # so ([EXPUNGEISSUED], RFC 9051 §7.1); otherwise every message of the view comes.
        complete = sorted(set(seen)) == every
        if not complete and (quiet or b"EXPUNGEISSUED" not in status or not set(seen) <= set(every)):
            raise ModelViolation(f"FETCH 1:* returned {seen}, view has {len(self.view)}: {status!r}")
        known = [u for u in self.view if u is not None]
        if known != sorted(known) or len(set(known)) != len(known):
            raise ModelViolation(f"UIDs not ascending: {self.view}")
        if complete and None in self.view:
            raise ModelViolation(f"FETCH 1:* left UIDs untold: {self.view}")
        result = {}
        for l in lines:
            uid = re.search(rb"UID (\d+)", l)
            flags = re.search(rb"FLAGS \(([^)]*)\)", l)
            if uid and flags:
                result[int(uid.group(1))] = frozenset(flags.group(1).decode().split()) - {"\\Recent"}
        return result

    def step(self) -> None:
        r = self.rng.random()
        n = len(self.view)
        if r < 0.22 or n < 3:
            self.count("append")
            body = b"Subject: model %d\r\n\r\nbody\r\n" % self.rng.randrange(10**6)
            self.command(b"APPEND Model", body)
        elif r < 0.42:
            self.count("store")
            kw = f"kw{self.rng.randrange(KEYWORDS)}".encode()
            self.command(b"STORE %d +FLAGS (%s \\Seen)" % (self.rng.randrange(1, n + 1), kw))
        elif r < 0.47 and self.condstore and None not in self.view:
            # UNCHANGEDSINCE with the MODSEQ this session was told: a concurrent change
            # makes it fail with [MODIFIED], which is an OK answer (RFC 7162 §3.1.3).
            self.count("conditional store")
            u = self.view[self.rng.randrange(n)]
            since = self.modseq.get(u, 1)
            self.command(b"UID STORE %d (UNCHANGEDSINCE %d) -FLAGS (\\Seen)" % (u, since))
        elif r < 0.57:
            self.count("expunge")
            self.command(b"STORE %d +FLAGS.SILENT (\\Deleted)" % self.rng.randrange(1, n + 1))
            self.command(b"EXPUNGE")
        elif r < 0.65:
            self.count("move")
            self.command(b"MOVE %d Elsewhere" % self.rng.randrange(1, n + 1),
                         may_refuse=(b"EXPUNGEISSUED",))
        elif r < 0.77:
            self.count("search")
            kind = self.rng.randrange(4)
            if kind == 0:
                self.command(b"SEARCH KEYWORD kw%d" % self.rng.randrange(KEYWORDS))
            elif kind == 1:
                self.command(b"UID SEARCH UNSEEN")
            elif kind == 2:
                self.command(b"SEARCH RETURN (MIN MAX COUNT) ALL")
            else:
                self.command(b"UID SEARCH RETURN (ALL) MODSEQ 1" if self.condstore
                             else b"UID SEARCH DELETED")
        elif r < 0.85:
            self.count("noop")
            self.command(b"NOOP")
        else:
            self.count("fetch")
            self.check_full_fetch()

    def count(self, what: str) -> None:
        self.counts[what] = self.counts.get(what, 0) + 1


def search_result_ids(extended: bool, data: bytes) -> list[int]:
    """The message numbers or UIDs of a SEARCH or ESEARCH answer (RFC 4731 §3.1: ALL is a
    sequence set, MIN and MAX are numbers; COUNT and MODSEQ are not message numbers)."""
    if not extended:  # RFC 7162 §3.1.5: a plain SEARCH may end with (MODSEQ n)
        return [int(t) for t in data.split(b"(MODSEQ")[0].split()]
    tokens = re.sub(rb'^\s*\(TAG "[^"]*"\)', b"", data).split()
    ids: list[int] = []
    for name, value in zip(tokens, tokens[1:]):
        if name == b"ALL":
            for part in value.split(b","):
                lo, _, hi = part.partition(b":")
                ids.extend(range(int(lo), int(hi or lo) + 1))
        elif name in (b"MIN", b"MAX"):
            ids.append(int(value))
    return sorted(set(ids))


def run_client(port: int, seed: int, deadline: float, barrier: threading.Barrier,
               errors: list, finals: dict, counts: dict) -> None:
    c = None
    try:
        c = Client(port, seed)
        c.command(b"LOGIN demo@example.test secret")
        c.command(b"SELECT Model (CONDSTORE)" if c.condstore else b"SELECT Model")
        while time.monotonic() < deadline:
            c.step()
        counts[seed] = c.counts
    except Exception as e:  # reported by the test
        errors.append(f"session {seed}: {e!r}")
    # Nobody changes the folder after this point, so every view must end the same.
    try:
        barrier.wait(timeout=120)
        if c is not None and not errors:
            c.command(b"NOOP")
            finals[seed] = c.check_full_fetch(quiet=True)
    except Exception as e:
        errors.append(f"session {seed} at the end: {e!r}")


def test_concurrent_sessions_never_contradict_their_view():
    with ImapInstance() as s:
        c = s.imap()
        c.create("Model")
        c.create("Elsewhere")
        c.logout()
        deadline = time.monotonic() + SECONDS
        errors: list[str] = []
        finals: dict[int, dict] = {}
        counts: dict[int, dict] = {}
        barrier = threading.Barrier(SESSIONS)
        threads = [threading.Thread(target=run_client,
                                    args=(s.imap_port, seed, deadline, barrier, errors, finals,
                                          counts))
                   for seed in range(SESSIONS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=SECONDS + 240)
        assert not errors, errors
        print("steps per session:", counts)
        for seed, steps in counts.items():
            for kind in ("append", "store", "expunge", "move", "search", "fetch"):
                assert steps.get(kind, 0) > 0, (seed, steps)
        assert len(counts) == SESSIONS and min(sum(v.values()) for v in counts.values()) > 20
        # A fresh session sees what the four were told last.
        fresh = Client(s.imap_port, 98)
        fresh.command(b"LOGIN demo@example.test secret")
        fresh.command(b"SELECT Model")
        expected = fresh.check_full_fetch(quiet=True)
        assert expected, "the model folder ended empty"
        for seed, final in finals.items():
            assert final == expected, (seed, sorted(final.items())[:5], sorted(expected.items())[:5])
        assert len(finals) == SESSIONS
