#!/usr/bin/env bash
# bench/relay.sh [BUILD_DIR] — relaying throughput of the SMTP client: Correio's smtp agent
# against a stock Postfix 3.7's smtp(8), in the same run, both relaying to the same
# Postfix smtp-sink (which accepts and discards).
#
# For each message size (BENCH_SIZES, default "2048 102400") and concurrency (BENCH_CONC,
# default "10 100": the destination concurrency limit of the relay and the number of
# smtp-source sessions injecting), smtp-source sends BENCH_MESSAGES (default 2000)
# messages, one recipient each, to the server, whose relayhost is the sink. Reported:
#   relayed/s   = messages / time from the start of sending until the mail log holds a
#                 status=sent line for each (the sink's 250 heard by the client)
#   CPU s/msg   = utime+stime (children included) of the server's process tree, from
#                 /proc, over the run, divided by the messages
#   peak RSS    = the largest sum of VmRSS over the process tree, sampled every 0.2 s
#                 (a sum of RSS counts shared library pages once per process: it
#                 overstates a many-process server such as Postfix)
# and the ratio Correio/Postfix. The machine may be shared: the load average is printed.
#
# BENCH_PER_PROCESS=1 prints each process's CPU per message on stderr.
# BENCH_ONLY=correio (or postfix) measures one server alone, for quick CPU-per-message checks
# of one side; the ratio columns then read "-".
#
# Both servers are private instances under one temporary directory (BENCH_TMPDIR, else
# mktemp -d) on free loopback ports, stopped and removed at the end, also on error or
# Ctrl-C (BENCH_KEEP=1 keeps the directory and its logs). Needs root and the Debian
# package postfix (smtp-source, smtp-sink, Postfix). Never run this as a CI test.
set -euo pipefail

SRC_DIR=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${1:-build}
case "$BUILD_DIR" in /*) ;; *) BUILD_DIR="$SRC_DIR/$BUILD_DIR" ;; esac
CORREIO_BIN="$BUILD_DIR/bin/correio"
N=${BENCH_MESSAGES:-2000}
SIZES=${BENCH_SIZES:-"2048 102400"}
CONCS=${BENCH_CONC:-"10 100"}
ONLY=${BENCH_ONLY:-}
case "$ONLY" in ""|correio|postfix) ;; *) echo "bench/relay: BENCH_ONLY must be correio or postfix" >&2; exit 2 ;; esac
TIMEOUT=${BENCH_TIMEOUT:-900}
POSTFIX=/usr/sbin/postfix

log() { printf 'bench/relay: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

[ -x "$CORREIO_BIN" ] || die "$CORREIO_BIN missing: build first"
[ "$(id -u)" -eq 0 ] || die "run as root (Postfix's master and agents drop privileges themselves)"
for b in /usr/sbin/smtp-source /usr/sbin/smtp-sink "$POSTFIX"; do
  [ -x "$b" ] || die "$b missing: install the Debian package postfix (see bench/smtp.sh)"
done
if getent passwd correio >/dev/null; then CORREIO_OWNER=correio; else CORREIO_OWNER=nobody; fi

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

TMP=$(mktemp -d "${BENCH_TMPDIR:-${TMPDIR:-/tmp}}/correio-relay.XXXXXX")
chmod 755 "$TMP"
CO="$TMP/correio"; PF="$TMP/postfix"
CO_UP=0; PF_UP=0; SINK_PID=

cleanup() {
  local rc=$?
  set +e
  [ "$CO_UP" = 1 ] && timeout 60 "$CORREIO_BIN" -c "$CO/etc" stop >/dev/null 2>&1
  [ "$PF_UP" = 1 ] && timeout 60 "$POSTFIX" -c "$PF/etc" stop >/dev/null 2>&1
  [ -n "$SINK_PID" ] && kill "$SINK_PID" 2>/dev/null && wait "$SINK_PID" 2>/dev/null
  if [ "${BENCH_KEEP:-0}" = 1 ]; then log "kept $TMP"; else rm -rf "$TMP"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

SINK_PORT=$(free_port); CO_PORT=$(free_port); PF_PORT=$(free_port)
MAXC=$(printf '%s\n' $CONCS | sort -n | tail -1)

# The sink: accepts every message and throws it away (-u: its user when started as root).
/usr/sbin/smtp-sink -u nobody 127.0.0.1:"$SINK_PORT" $((MAXC * 2 + 10)) >"$TMP/sink.log" 2>&1 &
SINK_PID=$!
export BENCH_SINK_PID=$SINK_PID

setup_correio() {
  mkdir -p "$CO/etc" "$CO/queue" "$CO/data"
  : >"$CO/maillog"; chown "$CORREIO_OWNER" "$CO/maillog"
  cat >"$CO/etc/main.cf" <<EOF
myhostname = relay.bench.test
mydomain = bench.test
mydestination = localhost
mynetworks = 127.0.0.0/8
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mail_owner = $CORREIO_OWNER
queue_directory = $CO/queue
data_directory = $CO/data
maillog_file = $CO/maillog
relayhost = [127.0.0.1]:$SINK_PORT
default_destination_concurrency_limit = $1
smtp_destination_concurrency_limit = $1
EOF
  cat >"$CO/etc/master.cf" <<EOF
127.0.0.1:$CO_PORT inet  n       -       n       -       -       smtpd
qmgr               unix  n       -       n       300     1       qmgr
smtp               unix  -       -       n       -       -       smtp
EOF
  "$CORREIO_BIN" -c "$CO/etc" start >&2 || die "correio start failed: $CO/maillog"
  CO_UP=1
}

setup_postfix() {
  mkdir -p "$PF/etc" "$PF/queue" "$PF/data"
  cat >"$PF/etc/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $PF/queue
data_directory = $PF/data
mail_owner = postfix
setgid_group = postdrop
myhostname = relay.bench.test
mydomain = bench.test
mydestination = localhost
mynetworks = 127.0.0.0/8
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
alias_maps =
alias_database =
relayhost = [127.0.0.1]:$SINK_PORT
default_destination_concurrency_limit = $1
smtp_destination_concurrency_limit = $1
default_process_limit = $(( $1 + 100 ))
maillog_file = $PF/maillog
maillog_file_prefixes = /var, /dev/stdout, $PF
EOF
  cat >"$PF/etc/master.cf" <<EOF
127.0.0.1:$PF_PORT inet n -     n       -       -       smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
  chown postfix "$PF/data"; chmod 700 "$PF/data"
  "$POSTFIX" -c "$PF/etc" start >/dev/null 2>&1 || die "postfix start failed: $PF/maillog"
  PF_UP=1
}

stop_all() {
  [ "$CO_UP" = 1 ] && { timeout 60 "$CORREIO_BIN" -c "$CO/etc" stop >/dev/null 2>&1 || true; CO_UP=0; }
  [ "$PF_UP" = 1 ] && { timeout 60 "$POSTFIX" -c "$PF/etc" stop >/dev/null 2>&1 || true; PF_UP=0; }
  sleep 2
  rm -rf "$CO" "$PF"
}

# One run: prints "relayed/s cpu_s_per_msg peak_rss_mib status".
cat >"$TMP/measure.py" <<'EOF'
import os, resource, subprocess, sys, time
n, sessions, size, port, maillog, pidfile, timeout = sys.argv[1:8]
n, timeout = int(n), float(timeout)

def tree(root):
    kids = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            kids.setdefault(ppid, []).append(int(pid))
        except (OSError, ValueError, IndexError):
            pass
    out, todo = [], [root]
    while todo:
        p = todo.pop(); out.append(p); todo += kids.get(p, [])
    return out

def cpu(pids):  # utime+stime+cutime+cstime, in seconds
    tick, total = os.sysconf("SC_CLK_TCK"), 0
    for p in pids:
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += sum(int(x) for x in fields[11:15])
        except OSError:
            pass
    return total / tick

def rss(pids):  # MiB
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024

def sent():
    try:
        with open(maillog, errors="replace") as f:
            return sum(1 for line in f if "status=sent" in line)
    except OSError:
        return 0

def per_process(pids):  # {pid: (name, cpu seconds)}, for the breakdown on stderr
    out = {}
    for p in pids:
        try:
            with open(f"/proc/{p}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
            words = [a.decode(errors="replace") for a in argv if a]
            # "correio -c DIR daemon smtp -n smtp ...": the daemon's command names it.
            name = words[words.index("daemon") + 1] if "daemon" in words[:-1] else " ".join(words[:2])
            out[p] = (name, cpu([p]))
        except OSError:
            pass
    return out

root = int(open(pidfile).read().split()[0])
before, cpu0, peak = sent(), cpu(tree(root)), 0.0
procs0 = per_process(tree(root))
sink_pid = int(os.environ.get("BENCH_SINK_PID", "0"))
sink0 = cpu([sink_pid]) if sink_pid else 0.0
cmd = ["/usr/sbin/smtp-source", "-s", sessions, "-m", str(n), "-l", size,
       "-f", "s@bench.test", "-t", "u@sink.test", f"127.0.0.1:{port}"]
t0 = time.monotonic()
p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
status, done = "ok", None
while True:
    peak = max(peak, rss(tree(root)))
    got = sent() - before
    now = time.monotonic() - t0
    if got >= n and p.poll() is not None:
        done = now; break
    if now > timeout:
        status = f"timeout-{got}-of-{n}"; p.kill(); break
    time.sleep(0.2)
p.wait()
usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # smtp-source, the only child
used = cpu(tree(root)) - cpu0
# Where the CPU went, per process (BENCH_PER_PROCESS=1): processes alive at both ends.
if os.environ.get("BENCH_PER_PROCESS") == "1":
    for pid, (name, t1) in sorted(per_process(tree(root)).items()):
        t0 = procs0.get(pid, (name, 0.0))[1]
        if t1 - t0 > 0:
            print(f"  {pid} {name}: {(t1 - t0) / n * 1000:.3f} ms/msg", file=sys.stderr)
    source = usage.ru_utime + usage.ru_stime
    print(f"  smtp-source: {source / n * 1000:.3f} ms/msg", file=sys.stderr)
    if sink_pid:
        print(f"  smtp-sink: {(cpu([sink_pid]) - sink0) / n * 1000:.3f} ms/msg", file=sys.stderr)
rate = "-" if done is None else f"{n / done:.0f}"
print(rate, f"{used / n * 1000:.3f}", f"{peak:.0f}", status)
EOF

pid_of() { # name -> master pid file
  if [ "$1" = correio ]; then
    for f in "$CO/queue/pid/master.pid" "$CO/data/master.pid"; do [ -f "$f" ] && { echo "$f"; return; }; done
    find "$CO" -name 'master.pid' | head -1
  else
    echo "$PF/queue/pid/master.pid"
  fi
}

ratio() { if [ "$1" = - ] || [ "$2" = - ]; then echo -; else python3 -c "print(f'{$1/$2:.2f}')"; fi; }

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
ROWS=()
for size in $SIZES; do
  for c in $CONCS; do
    cr=- cc=- cm=- cs=skipped pr=- pc=- pm=- ps=skipped
    if [ "$ONLY" != postfix ]; then
      log "size $size, concurrency $c: Correio ..."
      setup_correio "$c"; sleep 2
      read -r cr cc cm cs <<<"$(python3 "$TMP/measure.py" "$N" "$c" "$size" "$CO_PORT" "$CO/maillog" "$(pid_of correio)" "$TIMEOUT")"
      stop_all
    fi
    if [ "$ONLY" != correio ]; then
      log "size $size, concurrency $c: Postfix ..."
      setup_postfix "$c"; sleep 2
      read -r pr pc pm ps <<<"$(python3 "$TMP/measure.py" "$N" "$c" "$size" "$PF_PORT" "$PF/maillog" "$(pid_of postfix)" "$TIMEOUT")"
      stop_all
    fi
    ROWS+=("$size|$c|$cr|$pr|$(ratio "$cr" "$pr")|$cc|$pc|$cm|$pm|$cs|$ps|$(cut -d' ' -f1 /proc/loadavg)")
  done
done

echo
echo "relay benchmark $(date -u +%F) — $N messages per run to smtp-sink; Correio $(cd "$SRC_DIR" && git rev-parse --short HEAD), Postfix $(/usr/sbin/postconf -d -h mail_version)"
echo "machine: nproc $(nproc); $(uptime)"
printf '%7s | %4s | %10s | %10s | %5s | %12s | %12s | %9s | %9s | %s\n' size conc "Correio/s" "Postfix/s" ratio "Co CPU ms/m" "Pf CPU ms/m" "Co RSS MB" "Pf RSS MB" "status (Co, Pf), load"
for r in "${ROWS[@]}"; do
  IFS='|' read -r size c cr pr ra cc pc cm pm cs ps ld <<<"$r"
  printf '%7s | %4s | %10s | %10s | %5s | %12s | %12s | %9s | %9s | %s %s, %s\n' "$size" "$c" "$cr" "$pr" "$ra" "$cc" "$pc" "$cm" "$pm" "$cs" "$ps" "$ld"
done
