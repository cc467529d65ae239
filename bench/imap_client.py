#!/usr/bin/env python3
"""bench/imap_client.py — the IMAP load generator of bench/imap.sh (raw sockets, no imaplib).

  imap_client.py workload --port P --user U --password W --maildir DIR --owner UID:GID
                          [--sessions N] [--scale F]
      Runs the timed phases against one server and prints one JSON object per phase.
  imap_client.py idle --port P --user U --password W --counts 1000,10000 --root-pid PID
      Opens that many authenticated connections (LOGIN, SELECT INBOX, IDLE), and after each
      count sums the memory of PID and all its descendants; prints one JSON object per count.

The reader does not parse responses: it splits lines, skips {N} literals, counts untagged
lines and stops at the tagged reply. Each concurrent session is its own process (fork), so
the client uses both cores; every phase reports the client's CPU time so one can see it is
not the bottleneck.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import random
import resource
import socket
import statistics
import sys
import time

RECV = 1 << 20


class ImapError(Exception):
    pass


class Conn:
    def __init__(self, port: int, timeout: float = 600):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.tagn = 0
        line = self.readline()
        if not line.startswith(b"* OK"):
            raise ImapError(f"greeting: {line[:200]!r}")

    def fill(self) -> None:
        chunk = self.sock.recv(RECV)
        if not chunk:
            raise ImapError("connection closed by the server")
        self.buf += chunk

    def readline(self) -> bytes:
        while True:
            i = self.buf.find(b"\r\n")
            if i >= 0:
                line, self.buf = self.buf[:i], self.buf[i + 2:]
                return line
            self.fill()

    def read_until_tagged(self, tag: bytes) -> tuple[bytes, int]:
        """Reads to the tagged reply: (its status line, number of untagged responses)."""
        untagged = 0
        prefix = tag + b" "
        buf, pos = self.buf, 0
        while True:
            i = buf.find(b"\r\n", pos)
            if i < 0:
                buf = buf[pos:]
                pos = 0
                chunk = self.sock.recv(RECV)
                if not chunk:
                    raise ImapError("connection closed by the server")
                buf += chunk
                continue
            start = pos
            # A line ending in {N} continues after N literal bytes.
            while buf[i - 1:i] == b"}":
                j = buf.rfind(b"{", start, i)
                n = int(buf[j + 1:i - 1].rstrip(b"+"))  # between "{" and "}"
                need = i + 2 + n
                while len(buf) < need + 2:
                    chunk = self.sock.recv(RECV)
                    if not chunk:
                        raise ImapError("connection closed inside a literal")
                    buf += chunk
                k = buf.find(b"\r\n", need)
                while k < 0:
                    chunk = self.sock.recv(RECV)
                    if not chunk:
                        raise ImapError("connection closed inside a literal")
                    buf += chunk
                    k = buf.find(b"\r\n", need)
                start, i = need, k
            if buf.startswith(prefix, pos):
                line = buf[pos:i]
                self.buf = buf[i + 2:]
                return line, untagged
            if buf.startswith(b"* ", pos):
                untagged += 1
            pos = i + 2

    def cmd(self, text: str, expect_ok: bool = True) -> int:
        self.tagn += 1
        tag = b"a%d" % self.tagn
        self.sock.sendall(tag + b" " + text.encode() + b"\r\n")
        line, untagged = self.read_until_tagged(tag)
        if expect_ok and not line.startswith(tag + b" OK"):
            raise ImapError(f"{text[:60]}: {line[:300]!r}")
        return untagged

    def append(self, mailbox: str, message: bytes) -> None:
        self.tagn += 1
        tag = b"a%d" % self.tagn
        self.sock.sendall(tag + b" APPEND %s (\\Seen) {%d}\r\n" % (mailbox.encode(), len(message)))
        line = self.readline()
        if not line.startswith(b"+"):
            raise ImapError(f"APPEND continuation: {line[:200]!r}")
        self.sock.sendall(message + b"\r\n")
        line, _ = self.read_until_tagged(tag)
        if not line.startswith(tag + b" OK"):
            raise ImapError(f"APPEND: {line[:300]!r}")

    def close(self) -> None:
        try:
            self.cmd("LOGOUT", expect_ok=False)
        except (OSError, ImapError):
            pass
        self.sock.close()


def login(args, select: bool = True) -> tuple[Conn, int]:
    c = Conn(args.port)
    c.cmd(f'LOGIN "{args.user}" "{args.password}"')
    exists = 0
    if select:
        c.tagn += 1
        tag = b"a%d" % c.tagn
        c.sock.sendall(tag + b" SELECT INBOX\r\n")
        while True:
            line = c.readline()
            if line.startswith(b"* ") and line.endswith(b" EXISTS"):
                exists = int(line.split()[1])
            if line.startswith(tag + b" "):
                if not line.startswith(tag + b" OK"):
                    raise ImapError(f"SELECT: {line!r}")
                break
    return c, exists


# --- the phases: each function runs in one session process and returns its op count ---

def ph_login_select(args, _c, idx, reps):
    for _ in range(reps):
        c, _ = login(args)
        c.close()
    return reps


def make_fetch(items):
    def run(args, c, idx, reps):
        n = 0
        for _ in range(reps):
            got = c.cmd(f"FETCH 1:* ({items})")
            if got < args.expect:
                raise ImapError(f"FETCH {items}: {got} responses, want {args.expect}")
            n += got
        return n
    return run


def make_search(*criteria):
    def run(args, c, idx, reps):
        for r in range(reps):
            c.cmd(f"SEARCH {criteria[r % len(criteria)]}")
        return reps
    return run


def ph_store(args, c, idx, reps):
    # Each session owns its own slice of the mailbox; ranges of 20 messages.
    span = max(20, args.expect // max(1, args.sessions))
    base = idx * span
    for r in range(reps):
        lo = base + (r * 20) % max(20, span - 20) + 1
        hi = min(lo + 19, args.expect)
        c.cmd(f"STORE {lo}:{hi} {'+' if r % 2 == 0 else '-'}FLAGS (\\Flagged)")
    return reps


def ph_long_session(args, c, idx, reps):
    """A mail client's long-lived session (no LOGOUT between commands): the mix a client
    sends while a user reads mail — flag syncs, envelopes and headers of single messages,
    a body part, \\Seen on and off, UNSEEN searches, NOOP — on random messages."""
    rng = random.Random(1000 + idx)
    cycle = [
        lambda n: "NOOP",
        lambda n: f"FETCH {n}:{min(n + 9, args.expect)} (FLAGS)",
        lambda n: f"FETCH {n} (ENVELOPE)",
        lambda n: f"FETCH {n} (BODY.PEEK[HEADER.FIELDS (FROM SUBJECT DATE)])",
        lambda n: f"FETCH {n} (BODY.PEEK[1]<0.2048>)",
        lambda n: f"STORE {n} +FLAGS (\\Seen)",
        lambda n: f"STORE {n} -FLAGS (\\Seen)",
        lambda n: "SEARCH UNSEEN",
        lambda n: f"UID FETCH {n} (UID RFC822.SIZE INTERNALDATE)",
    ]
    for r in range(reps):
        c.cmd(cycle[r % len(cycle)](rng.randrange(1, args.expect + 1)))
    return reps


def ph_long_sync(args, c, idx, reps):
    """A desktop client's periodic sync in a long-lived session (the other mix a user runs):
    folder list and counts, re-SELECT of the big INBOX, the flags of the newest 50 messages,
    whole messages (BODY.PEEK[]) as an offline-sync client downloads them, a date search,
    NOOP. Heavier per command than ph_long_session; the same commands on both servers."""
    rng = random.Random(2000 + idx)
    newest = max(1, args.expect - 49)
    cycle = [
        lambda n: 'LIST "" "*"',
        lambda n: "STATUS INBOX (MESSAGES UNSEEN UIDNEXT)",
        lambda n: "SELECT INBOX",
        lambda n: f"FETCH {newest}:* (UID FLAGS)",
        lambda n: f"FETCH {n} (BODY.PEEK[])",
        lambda n: f"FETCH {n} (UID RFC822.SIZE BODY.PEEK[HEADER])",
        lambda n: "UID SEARCH SINCE 1-Jan-2024",
        lambda n: "NOOP",
    ]
    for r in range(reps):
        c.cmd(cycle[r % len(cycle)](rng.randrange(1, args.expect + 1)))
    return reps


def ph_append(args, c, idx, reps):
    rng = random.Random(idx)
    for r in range(reps):
        c.append("INBOX", APPEND_POOL[rng.randrange(len(APPEND_POOL))])
    return reps


APPEND_POOL: list[bytes] = []


def load_append_pool(maildir: str) -> None:
    names = sorted(os.listdir(os.path.join(maildir, "cur")))[:200]
    for name in names:
        with open(os.path.join(maildir, "cur", name), "rb") as f:
            APPEND_POOL.append(f.read().replace(b"\n", b"\r\n"))


def session_worker(args, fn, idx, reps, barrier, results):
    try:
        c, _ = login(args) if fn is not ph_login_select else (None, 0)
        barrier.wait()
        cpu0 = resource.getrusage(resource.RUSAGE_SELF)
        t0 = time.monotonic()
        ops = fn(args, c, idx, reps)
        t1 = time.monotonic()
        cpu1 = resource.getrusage(resource.RUSAGE_SELF)
        if c:
            c.close()
        results.put((idx, t0, t1, ops, (cpu1.ru_utime + cpu1.ru_stime) -
                     (cpu0.ru_utime + cpu0.ru_stime), None))
    except Exception as e:  # reported, not raised: the parent prints it in the table
        try:
            barrier.abort()
        except Exception:
            pass
        results.put((idx, 0, 0, 0, 0, f"{type(e).__name__}: {e}"))


def concurrent_phase(args, name, unit, fn, reps, sessions=None):
    sessions = sessions or args.sessions
    barrier = mp.Barrier(sessions)
    results = mp.Queue()
    procs = [mp.Process(target=session_worker, args=(args, fn, i, reps, barrier, results))
             for i in range(sessions)]
    for p in procs:
        p.start()
    got = [results.get() for _ in procs]
    for p in procs:
        p.join()
    errors = [g[5] for g in got if g[5]]
    if errors:
        return {"phase": name, "unit": unit, "error": errors[0]}
    t0 = min(g[1] for g in got)
    t1 = max(g[2] for g in got)
    ops = sum(g[3] for g in got)
    cpu = sum(g[4] for g in got)
    return {"phase": name, "unit": unit, "sessions": sessions, "ops": ops,
            "seconds": round(t1 - t0, 4), "rate": ops / (t1 - t0),
            "client_cpu_pct": round(100 * cpu / (t1 - t0), 1)}


def timed_single(c, name, unit, fn):
    cpu0 = time.process_time()
    t0 = time.monotonic()
    try:
        ops = fn()
    except Exception as e:
        return {"phase": name, "unit": unit, "error": f"{type(e).__name__}: {e}"}
    dt = time.monotonic() - t0
    return {"phase": name, "unit": unit, "sessions": 1, "ops": ops, "seconds": round(dt, 4),
            "rate": ops / dt, "client_cpu_pct": round(100 * (time.process_time() - cpu0) / dt, 1)}


def idle_latency(args, deliveries: int):
    """One session IDLEs on INBOX; a file is delivered into new/ (as an LDA does) and the
    time until the session sees '* N EXISTS' is recorded."""
    uid, gid = (int(x) for x in args.owner.split(":"))
    c, exists = login(args)
    c.sock.settimeout(60)
    c.sock.sendall(b"i1 IDLE\r\n")
    line = c.readline()
    if not line.startswith(b"+"):
        raise ImapError(f"IDLE: {line!r}")
    time.sleep(0.5)
    lat = []
    template = APPEND_POOL[0].replace(b"\r\n", b"\n")
    for k in range(deliveries):
        name = f"{int(time.time())}.M{k}P{os.getpid()}Q{k}.idlebench,S={len(template)}"
        tmp = os.path.join(args.maildir, "tmp", name)
        with open(tmp, "wb") as f:
            f.write(template)
        os.chown(tmp, uid, gid)
        t0 = time.monotonic()
        os.rename(tmp, os.path.join(args.maildir, "new", name))
        while True:
            line = c.readline()
            if line.startswith(b"* ") and line.endswith(b" EXISTS"):
                n = int(line.split()[1])
                if n > exists:
                    exists = n
                    break
        lat.append(time.monotonic() - t0)
        time.sleep(0.2)
    c.sock.sendall(b"DONE\r\n")
    while not c.readline().startswith(b"i1 "):
        pass
    c.close()
    return lat


def workload(args) -> None:
    load_append_pool(args.maildir)
    s = args.scale
    reps = lambda n: max(1, int(round(n * s)))  # noqa: E731
    out = []

    def emit(r):
        out.append(r)
        print(json.dumps(r), flush=True)

    # Cold: the first session on a never-opened mailbox, one command at a time.
    cpu0, t0 = time.process_time(), time.monotonic()
    c, exists = login(args)
    dt = time.monotonic() - t0
    emit({"phase": "LOGIN + SELECT, first (cold)", "unit": "sessions/s", "sessions": 1, "ops": 1,
          "seconds": round(dt, 4), "rate": 1 / dt,
          "client_cpu_pct": round(100 * (time.process_time() - cpu0) / dt, 1)})
    args.expect = exists
    c.sock.settimeout(600)
    for items in ("ENVELOPE", "BODYSTRUCTURE"):
        for kind in ("cold", "warm"):
            emit(timed_single(c, f"FETCH 1:* ({items}), 1 session, {kind}", "messages/s",
                              lambda: make_fetch(items)(args, c, 0, 1)))
    c.close()

    phases = [
        ("LOGIN + SELECT + LOGOUT", "sessions/s", ph_login_select, reps(20)),
        ("FETCH 1:* (FLAGS)", "messages/s", make_fetch("FLAGS"), reps(5)),
        ("FETCH 1:* (ENVELOPE)", "messages/s", make_fetch("ENVELOPE"), reps(2)),
        ("FETCH 1:* (BODYSTRUCTURE)", "messages/s", make_fetch("BODYSTRUCTURE"), reps(2)),
        ("SEARCH UNSEEN / FLAGGED", "commands/s", make_search("UNSEEN", "FLAGGED"), reps(50)),
        ('SEARCH SUBJECT "quarterly"', "commands/s", make_search('SUBJECT "quarterly"'), reps(5)),
        ('SEARCH BODY "zebracorn"', "commands/s", make_search('BODY "zebracorn"'), reps(1)),
        ("STORE ±FLAGS on 20-message ranges", "commands/s", ph_store, reps(100)),
        ("APPEND (1-50 KB)", "messages/s", ph_append, reps(100)),
        ("long sessions: mixed commands, no LOGOUT", "commands/s", ph_long_session, reps(900)),
        ("long sessions: sync (LIST, STATUS, re-SELECT, whole messages), no LOGOUT",
         "commands/s", ph_long_sync, reps(80)),
    ]
    for name, unit, fn, n in phases:
        emit(concurrent_phase(args, name, unit, fn, n))
    try:
        lat = idle_latency(args, reps(20))
        lat.sort()
        emit({"phase": "IDLE wake-up after a delivery into new/", "unit": "ms",
              "sessions": 1, "ops": len(lat), "median_ms": round(1000 * statistics.median(lat), 1),
              "p95_ms": round(1000 * lat[max(0, -(-95 * len(lat) // 100) - 1)], 1),
              "max_ms": round(1000 * lat[-1], 1)})
    except Exception as e:
        emit({"phase": "IDLE wake-up after a delivery into new/", "unit": "ms",
              "error": f"{type(e).__name__}: {e}"})


# --- memory with many idle connections -----------------------------------------------------

def tree_pids(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rfind(")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def process_label(pid: int) -> str:
    """"imap-login", "imapd", "auth", "master" for Correio ("daemon COMMAND"); the program
    name for others (Dovecot's imap, imap-login, auth, ...)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            argv = f.read().split(b"\0")
    except OSError:
        return "?"
    if b"daemon" in argv and argv.index(b"daemon") + 1 < len(argv):
        return argv[argv.index(b"daemon") + 1].decode(errors="replace")
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return "?"


def tree_memory(root: int) -> dict:
    pss = rss = 0
    n = 0
    by_label: dict[str, float] = {}
    for pid in tree_pids(root):
        try:
            one = 0
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1])
                    elif line.startswith("Pss:"):
                        one = int(line.split()[1])
                        pss += one
            n += 1
            label = process_label(pid)
            by_label[label] = by_label.get(label, 0) + one
        except OSError:
            continue
    return {"processes": n, "pss_mb": round(pss / 1024, 1), "rss_mb": round(rss / 1024, 1),
            "pss_mb_by_process": {k: round(v / 1024, 1) for k, v in sorted(by_label.items())}}


def mem_available_mb() -> int:
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) // 1024
    return 0


async def open_idle(port: int, user: str, password: str, timeout: float):
    reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), timeout)
    try:
        async def expect(prefix: bytes):
            while True:
                line = await asyncio.wait_for(reader.readline(), timeout)
                if not line:
                    raise ImapError("closed by the server")
                if line.startswith(prefix):
                    return line
                if not line.startswith(b"* "):
                    raise ImapError(f"unexpected: {line[:120]!r}")

        await expect(b"* OK")
        writer.write(f'a LOGIN "{user}" "{password}"\r\n'.encode())
        line = await expect(b"a ")
        if not line.startswith(b"a OK"):
            raise ImapError(f"LOGIN: {line[:120]!r}")
        writer.write(b"b SELECT INBOX\r\n")
        line = await expect(b"b ")
        if not line.startswith(b"b OK"):
            raise ImapError(f"SELECT: {line[:120]!r}")
        writer.write(b"c IDLE\r\n")
        await expect(b"+")
        return reader, writer
    except BaseException:
        writer.close()
        raise


async def idle_main(args) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    conns = []
    counts = [int(x) for x in args.counts.split(",")]
    base = tree_memory(args.root_pid)
    print(json.dumps({"connections": 0, **base}), flush=True)
    sem = asyncio.Semaphore(args.parallel)
    failures = 0
    last_error = ""
    last_success = time.monotonic()
    deadline = time.monotonic() + args.max_seconds

    async def one():
        nonlocal failures, last_error, last_success
        async with sem:
            try:
                conns.append(await open_idle(args.port, args.user, args.password, args.timeout))
                last_success = time.monotonic()
            except Exception as e:
                failures += 1
                last_error = f"{type(e).__name__}: {e}"

    def why_stop(target: int) -> str:
        now = time.monotonic()
        if failures > max(10, target // 100):
            return f"{failures} connections failed, last: {last_error}"
        if mem_available_mb() < args.min_available_mb:
            return (f"MemAvailable below {args.min_available_mb} MB (opening stopped to "
                    f"protect the shared machine)")
        if now - last_success > args.stall_seconds:
            return f"no new session for {args.stall_seconds:.0f} s (server stalled)"
        if now > deadline:
            return f"time limit of {args.max_seconds:.0f} s for opening reached"
        return ""

    stop_reason = ""
    for target in counts:
        t0 = time.monotonic()
        while len(conns) < target and not stop_reason:
            # Small batches, each bounded, so a stalled server is noticed and reported.
            batch = [asyncio.ensure_future(one()) for _ in range(min(100, target - len(conns)))]
            done, pending = await asyncio.wait(batch, timeout=args.timeout + 5)
            for t in pending:
                t.cancel()
            failures += len(pending)
            stop_reason = why_stop(target)
        opened = time.monotonic() - t0
        await asyncio.sleep(args.settle)
        # Every connection must still be alive and in IDLE: a NOOP-free check that the
        # server did not drop them (readers with data waiting at EOF are dead).
        alive = sum(1 for r, w in conns if not r.at_eof() and not w.is_closing())
        mem = tree_memory(args.root_pid)
        print(json.dumps({"connections": len(conns), "target": target, "alive": alive,
                          "open_seconds": round(opened, 1), **mem,
                          "failures": failures, "last_error": last_error,
                          "stop_reason": stop_reason}), flush=True)
        if stop_reason:
            break
    for r, w in conns:
        try:
            w.write(b"DONE\r\nd LOGOUT\r\n")
        except Exception:
            pass
    await asyncio.sleep(1)
    for r, w in conns:
        w.close()
    await asyncio.sleep(1)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["workload", "idle"])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--maildir")
    ap.add_argument("--owner", default="0:0")
    ap.add_argument("--sessions", type=int, default=4)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--counts", default="1000,10000")
    ap.add_argument("--root-pid", type=int)
    ap.add_argument("--parallel", type=int, default=100)
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--settle", type=float, default=3)
    ap.add_argument("--min-available-mb", type=int, default=3072)
    ap.add_argument("--stall-seconds", type=float, default=120)
    ap.add_argument("--max-seconds", type=float, default=1800)
    args = ap.parse_args()
    if args.mode == "workload":
        mp.set_start_method("fork")
        workload(args)
    else:
        asyncio.run(idle_main(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
