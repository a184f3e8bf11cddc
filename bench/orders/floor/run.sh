#!/usr/bin/env bash
# The lower bound of one orders flow on this machine (docs/benchmarks.md, "Lower bound: a framework-free flow"):
# pgbench -N baseline and the framework-free floor shop (Kestrel minimal APIs + raw Npgsql, one statement per
# transaction) against the same fresh PostgreSQL database, in one run.
# Usage: bench/orders/floor/run.sh [concurrency=32] [warmup=2000] [flows=6000] [pgbenchSeconds=10] [variants="presign inline direct synccommit-on"]
#   presign        over HTTP, the bank's notifications signed before the timed phases (the shop's work only)
#   inline         over HTTP, the load generator signs each notification when the order comes back (as the real bench)
#   direct         no HTTP: the same three database calls per flow from `concurrency` tasks (Npgsql + PostgreSQL only)
#   synccommit-on  presign with ALTER DATABASE … SET synchronous_commit = on (dev-services runs PostgreSQL with it off)
#   multiplexing   presign with Npgsql Multiplexing=true
#   payurl         presign, and the shop also signs the buyer's page-pay URL with its RSA key (the real buy now does)
#   poolN          presign with the app's Npgsql pool capped at N connections (e.g. pool8): fewer PostgreSQL backends
#                  than requests in flight
# pgbench runs before the first variant and after each one; a variant's percentage is against the mean of the pgbench
# runs just before and just after it (the other engineers' load on the shared cores changes from minute to minute).
# Needs TECHMARKET_TEST_PG (an admin connection string, as scripts/dev-services exports). Run it under
# `flock /tmp/techmarket-bench.lock …`: other engineers benchmark on the same cores.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
concurrency="${1:-32}"; warmup="${2:-2000}"; flows="${3:-6000}"; seconds="${4:-10}"
variants="${5:-presign inline direct synccommit-on}"
: "${TECHMARKET_TEST_PG:?source the dev-services env.sh first}"
kv() { tr ';' '\n' <<<"$TECHMARKET_TEST_PG" | awk -F= -v k="$1" 'tolower($1)==tolower(k){print $2}'; }
export PGHOST="$(kv Host)" PGPORT="$(kv Port)" PGUSER="$(kv Username)" PGPASSWORD="$(kv Password)"
db="tm_bench_floor_$$"
port="${FLOOR_PORT:-5190}"
work="$(mktemp -d)"
app=""
stop_app() { if [[ -n "$app" ]]; then kill "$app" 2>/dev/null || true; wait "$app" 2>/dev/null || true; app=""; fi; }
cleanup() { stop_app; psql -q -d postgres -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" || true; rm -rf "$work"; }
trap cleanup EXIT
if curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1; then echo "port $port is already serving (a leftover floor app?)"; exit 1; fi

say() { echo "[$(date -u +%H:%M:%S) UTC, load average $(cut -d' ' -f1-3 /proc/loadavg)] $*"; }
project="$root/bench/orders/floor/TechMarket.Orders.Floor.csproj"
dotnet build -c Release -v q "$project" >/dev/null
floor() { dotnet "$root/bench/orders/floor/bin/Release/net10.0/TechMarket.Orders.Floor.dll" "$@"; }
psql -q -d postgres -c "CREATE DATABASE \"$db\""
say "machine: $(nproc) cores ($(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)), $(free -g | awk '/Mem:/{print $2}') GiB; PostgreSQL $(psql -tAq -d "$db" -c 'SHOW server_version') on :$PGPORT: fsync=$(psql -tAq -d "$db" -c 'SHOW fsync'), synchronous_commit=$(psql -tAq -d "$db" -c 'SHOW synchronous_commit'), full_page_writes=$(psql -tAq -d "$db" -c 'SHOW full_page_writes')"

# Baseline: pgbench -N on the same database (fresh pgbench tables, dropped afterwards), with the PostgreSQL server's
# CPU and pgbench's own CPU beside it.
machine_ticks() { awk '/^cpu /{b=$2+$3+$4+$7+$8+$9; t=0; for(i=2;i<=9;i++) t+=$i; print b, t; exit}' /proc/stat; }
pgbench_run() {
  say "== pgbench -N -c $concurrency -j 2 -T $seconds ($1)"
  local pg0 pg1 busy0 total0 busy1 total1 txns pgb_user pgb_sys
  pgbench -q -i -s 10 "$db" >/dev/null 2>&1
  pg0=$(floor pgcpu "$PGPORT"); read -r busy0 total0 < <(machine_ticks)
  TIMEFORMAT='%U %S'
  { time pgbench -N -c "$concurrency" -j 2 -T "$seconds" "$db" >"$work/pgbench.txt" 2>/dev/null; } 2>"$work/pgbench.time"
  pg1=$(floor pgcpu "$PGPORT"); read -r busy1 total1 < <(machine_ticks)
  grep -E "^(tps|latency|number of transactions actually)" "$work/pgbench.txt"
  txns=$(awk -F': ' '/^number of transactions actually/{split($2, a, "/"); print a[1]; exit}' "$work/pgbench.txt")
  read -r pgb_user pgb_sys <"$work/pgbench.time"
  awk -v t="$txns" -v p0="$pg0" -v p1="$pg1" -v u="$pgb_user" -v s="$pgb_sys" -v b0="$busy0" -v b1="$busy1" -v t0="$total0" -v t1="$total1" -v n="$(nproc)" 'BEGIN {
    printf "pgbench CPU: PostgreSQL %.2f s = %.3f ms per transaction; pgbench client %.2f s = %.3f ms per transaction; machine busy %.2f of %d cores\n",
      (p1-p0)/100, (p1-p0)*10/t, u+s, (u+s)*1000/t, (b1-b0)/(t1-t0)*n, n }'
  say "pgbench done"
  awk '/^tps/{print $3; exit}' "$work/pgbench.txt" >"$work/tps.$1"
  psql -q -d "$db" -c "DROP TABLE pgbench_accounts, pgbench_branches, pgbench_history, pgbench_tellers"
}
pgbench_run before

floor keys "$work/keys"
floor crypto "$work/keys"
base="Host=$PGHOST;Port=$PGPORT;Username=$PGUSER;Password=$PGPASSWORD;Database=$db;Max Auto Prepare=10;Auto Prepare Min Usages=2;No Reset On Close=true"

start_app() {
  (exec dotnet "$root/bench/orders/floor/bin/Release/net10.0/TechMarket.Orders.Floor.dll" serve "http://127.0.0.1:$port" "$1" "$work/keys" "${2:-}" >"$work/app.log" 2>&1) &
  app=$!
  for _ in $(seq 1 60); do curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1 && return 0; sleep 0.5; done
  echo "floor app did not start"; cat "$work/app.log"; exit 1
}

declare -a rates=()
previous=before
status=0
for variant in $variants; do
  conn="$base"
  psql -q -d postgres -c "ALTER DATABASE \"$db\" RESET synchronous_commit"
  case "$variant" in
    synccommit-on) psql -q -d postgres -c "ALTER DATABASE \"$db\" SET synchronous_commit = on" ;;
    multiplexing) conn="$base;Multiplexing=true" ;;
    pool[0-9]*) conn="$base;Maximum Pool Size=${variant#pool}" ;;
  esac
  floor setup "$conn"
  say "== variant $variant (synchronous_commit=$(psql -tAq -d "$db" -c 'SHOW synchronous_commit'))"
  out="$work/$variant.txt"
  case "$variant" in
    direct) floor direct "$conn" "$concurrency" "$warmup" "$flows" "$PGPORT" | tee "$out" || status=1 ;;
    presign | inline | synccommit-on | multiplexing | payurl | pool[0-9]*)
      start_app "$conn" "$([[ "$variant" == payurl ]] && echo payurl)"
      mode=presign; [[ "$variant" == inline ]] && mode=inline
      floor http "http://127.0.0.1:$port" "$work/keys" "$conn" "$concurrency" "$warmup" "$flows" "$mode" "$app" "$PGPORT" | tee "$out" || status=1
      stop_app ;;
    *) echo "unknown variant $variant"; exit 2 ;;
  esac
  pgbench_run "after-$variant"
  rates+=("$variant $(awk -F'[= ]' '/^RESULT/{print $3}' "$out") $(cat "$work/tps.$previous") $(cat "$work/tps.after-$variant")")
  previous="after-$variant"
done

say "== summary: goal >= 1,000 flows/s and >= 25 % of the pgbench -N rate in the same run"
for r in "${rates[@]}"; do
  awk '{ t = ($3 + $4) / 2; printf "%-14s %8.1f flows/s = %5.1f %% of pgbench -N %.0f tps (%.0f before, %.0f after)\n", $1, $2, $2*100/t, t, $3, $4 }' <<<"$r"
done
exit $status
