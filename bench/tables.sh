#!/usr/bin/env bash
# bench/tables.sh [BUILD_DIR] — SMTP intake with and without the lookup tables a Postfix
# administrator keeps (issue 14 "Speed"): 10 check_*_access restrictions, a 100,000-entry
# virtual_alias_maps, a 1,000-line pcre: header_checks and a cidr: client table. The goal:
# intake with them within 15 % of intake without them.
#
# Each run is bench/smtp.sh with BENCH_ONLY=correio (its instance, its smtp-source
# measurement, its settle pause); the "with" runs add the tables through
# BENCH_CORREIO_MAIN_CF. The machine may be shared, so runs are interleaved
# (without, with, without, with, ...: BENCH_PAIRS pairs) and the report gives every run,
# the median of each side, the spread (min-max) and the load average around each run.
#
# Environment: BENCH_PAIRS (2), BENCH_MESSAGES (5000 per run), BENCH_SESSIONS (10),
# BENCH_SETTLE (smtp.sh's pause, 65 s as there: with 20 s each run paid for the previous
# run's deleted queue files in ext4's inode allocator, see docs/performance.md), BENCH_TABLES_KEEP=1 (keep the
# tables). Never run this as a CI test: it is a timed benchmark and takes minutes.
set -euo pipefail

SRC_DIR=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${1:-build}
case "$BUILD_DIR" in /*) ;; *) BUILD_DIR="$SRC_DIR/$BUILD_DIR" ;; esac
POSTMAP="$BUILD_DIR/bin/postmap"
PAIRS=${BENCH_PAIRS:-2}
export BENCH_MESSAGES=${BENCH_MESSAGES:-5000}
export BENCH_SESSIONS=${BENCH_SESSIONS:-10}
export BENCH_SETTLE=${BENCH_SETTLE:-65}
export BENCH_ONLY=correio

log() { printf 'bench/tables: %s\n' "$*" >&2; }
[ -x "$POSTMAP" ] || { log "$POSTMAP missing: run 'make build'"; exit 1; }

T=$(mktemp -d "${TMPDIR:-/tmp}/correio-tables.XXXXXX")
chmod 755 "$T"
RUNS=$(mktemp -d "${TMPDIR:-/tmp}/correio-tables-runs.XXXXXX")
cleanup() { [ "${BENCH_TABLES_KEEP:-0}" = 1 ] || rm -rf "$T"; rm -rf "$RUNS"; }
trap cleanup EXIT

# --- the tables: none of them matches the bench's mail, so every check runs in full ----
log "writing tables in $T"
echo "compatibility_level = 3.6" >"$T/main.cf"
python3 - "$T" <<'PY'
import sys
t = sys.argv[1]
def write(name, lines):
    with open(f"{t}/{name}", "w") as f:
        f.write("".join(line + "\n" for line in lines))
# 100,000 virtual aliases in the bench's domain and others (the recipient is not one).
write("virtual", [f"user{i}@{'bench.test' if i % 2 else f'd{i % 997}.example'} "
                  f"target{i}@elsewhere.example" for i in range(100000)])
# 1,000 header_checks rules of the usual kinds: anchored header names with a word, and
# unanchored phrases, some caseless, some with groups and classes.
rules = []
for i in range(1000):
    kind = i % 4
    if kind == 0:
        rules.append(f"/^Subject:.*\\bspamword{i}\\b/ REJECT spam {i}")
    elif kind == 1:
        rules.append(f"/^X-Mailer: (BulkMailer|MassSend)-{i}/ DISCARD")
    elif kind == 2:
        rules.append(f"/^From:.*@spam{i}\\.example/ REJECT sender {i}")
    else:
        rules.append(f"/^Received: from [a-z]+\\.bad{i}\\.example/ HOLD")
write("header_checks", rules)
# cidr client table: 1,000 networks, none of them 127.0.0.0/8.
write("client.cidr", [f"10.{i // 256}.{i % 256}.0/24 REJECT" for i in range(1000)]
      + ["192.0.2.0/24 REJECT", "!198.51.100.0/24 DUNNO"])
# hash tables for the other check_*_access restrictions: 10,000 entries each.
for name, fmt in [("clients", "10.200.{a}.{b} REJECT"), ("clients2", "172.16.{a}.{b} OK"),
                  ("helo", "host{n}.bad.example REJECT"), ("helo2", "h{n}.example DUNNO"),
                  ("senders", "spammer{n}@bad.example REJECT"), ("senders2", "bad{n}.example REJECT"),
                  ("rcpts", "nobody{n}@bench.test REJECT"), ("rcpts2", "list{n}@bench.test OK"),
                  ("rcpts3", "closed{n}.example REJECT")]:
    write(name, [fmt.format(a=n // 256 % 256, b=n % 256, n=n) for n in range(10000)])
PY
for table in virtual clients clients2 helo helo2 senders senders2 rcpts rcpts2 rcpts3; do
  "$POSTMAP" -c "$T" "hash:$T/$table"
done
chmod 644 "$T"/*

WITH="virtual_alias_maps = hash:$T/virtual
header_checks = pcre:$T/header_checks
smtpd_client_restrictions = check_client_access cidr:$T/client.cidr, check_client_access hash:$T/clients, check_client_access hash:$T/clients2
smtpd_helo_restrictions = check_helo_access hash:$T/helo, check_helo_access hash:$T/helo2
smtpd_sender_restrictions = check_sender_access hash:$T/senders, check_sender_access hash:$T/senders2
smtpd_recipient_restrictions = check_recipient_access hash:$T/rcpts, check_recipient_access hash:$T/rcpts2, check_recipient_access hash:$T/rcpts3, permit_mynetworks, reject_unauth_destination"

# One bench/smtp.sh run; prints "accepted/s load-before load-after".
run() { # without|with number
  local out before after rate
  before=$(cut -d' ' -f1 /proc/loadavg)
  if [ "$1" = with ]; then
    out=$(BENCH_CORREIO_MAIN_CF="$WITH" BENCH_RESULTS="$RUNS" "$SRC_DIR/bench/smtp.sh" "$BUILD_DIR" 2>"$RUNS/$1-$2.log")
  else
    out=$(BENCH_CORREIO_MAIN_CF="" BENCH_RESULTS="$RUNS" "$SRC_DIR/bench/smtp.sh" "$BUILD_DIR" 2>"$RUNS/$1-$2.log")
  fi
  after=$(cut -d' ' -f1 /proc/loadavg)
  # The table row: "      10 |   <Correio accepted/s> | ..."
  rate=$(printf '%s\n' "$out" | awk -F'|' -v s="$BENCH_SESSIONS" '$1 ~ "^ *"s" *$" {gsub(/ /, "", $2); print $2}')
  if printf '%s\n' "$out" | grep -q "Correio: "; then rate="$rate(!)"; fi
  echo "$rate $before $after"
}

declare -a W=() T_=()
for p in $(seq 1 "$PAIRS"); do
  log "pair $p: without tables ..."
  read -r r b a <<<"$(run without "$p")"; W+=("$r"); log "  $r accepted/s (load $b -> $a)"
  echo "without $p $r $b $a" >>"$RUNS/summary"
  log "pair $p: with tables ..."
  read -r r b a <<<"$(run with "$p")"; T_+=("$r"); log "  $r accepted/s (load $b -> $a)"
  echo "with $p $r $b $a" >>"$RUNS/summary"
done

python3 - "$RUNS/summary" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
def num(x):
    try: return float(x.rstrip("(!)"))
    except ValueError: return None
print()
print("run     | pair | accepted/s | load before -> after")
for side, pair, rate, b, a in rows:
    print(f"{side:7} | {pair:>4} | {rate:>10} | {b} -> {a}")
for side in ("without", "with"):
    v = [num(r[2]) for r in rows if r[0] == side and num(r[2]) is not None]
    if v:
        print(f"{side}: median {statistics.median(v):.0f}/s, spread {min(v):.0f}-{max(v):.0f}")
w = [num(r[2]) for r in rows if r[0] == "without" and num(r[2])]
t = [num(r[2]) for r in rows if r[0] == "with" and num(r[2])]
if w and t:
    print(f"with/without (medians): {statistics.median(t) / statistics.median(w):.2f} (goal >= 0.85)")
PY
log "per-run logs were in $RUNS (removed); a rate marked (!) had a failed run"
