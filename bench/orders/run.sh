#!/usr/bin/env bash
# Orders benchmark: pgbench -N baseline and the Orders HTTP benchmark against the same fresh PostgreSQL database.
# Usage: bench/orders/run.sh [concurrency=32] [orders=2000] [exclusiveListings=20] [pgbenchSeconds=20] [bankPageFlows=200]
# Needs TECHMARKET_TEST_PG (an admin connection string, as scripts/dev-services exports).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
concurrency="${1:-32}"; orders="${2:-2000}"; exclusive="${3:-20}"; seconds="${4:-20}"; bank_flows="${5:-200}"
: "${TECHMARKET_TEST_PG:?source the dev-services env.sh first}"
kv() { tr ';' '\n' <<<"$TECHMARKET_TEST_PG" | awk -F= -v k="$1" 'tolower($1)==tolower(k){print $2}'; }
export PGHOST="$(kv Host)" PGPORT="$(kv Port)" PGUSER="$(kv Username)" PGPASSWORD="$(kv Password)"
db="tm_bench_orders_$$"
port="${BENCH_PORT:-5090}"; bank="${BENCH_BANK_PORT:-5091}"
work="$(mktemp -d)"
cleanup() { [[ -n "${app:-}" ]] && kill "$app" 2>/dev/null || true; wait 2>/dev/null || true; psql -q -d postgres -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" || true; rm -rf "$work"; }
trap cleanup EXIT
if curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; then echo "port $port is already serving (a leftover app?)"; exit 1; fi
psql -q -d postgres -c "CREATE DATABASE \"$db\""

dotnet build -c Release -v q "$root/src/TechMarket.Web/TechMarket.Web.csproj" >/dev/null
dotnet build -c Release -v q "$root/bench/TechMarket.Orders.Bench/TechMarket.Orders.Bench.csproj" >/dev/null

echo "== pgbench -N (baseline), $concurrency clients, ${seconds}s"
pgbench -q -i -s 10 "$db" >/dev/null 2>&1
pgbench -N -c "$concurrency" -j 2 -T "$seconds" "$db" 2>/dev/null | grep -E "^(tps|latency|number of transactions actually)"
psql -q -d "$db" -c "DROP TABLE pgbench_accounts, pgbench_branches, pgbench_history, pgbench_tellers"

echo "== TechMarket app on :$port (PostgreSQL $db, embedded sandbox bank on :$bank)"
(cd "$work" && \
  ASPNETCORE_URLS="http://127.0.0.1:$port" ASPNETCORE_ENVIRONMENT=Production \
  Database__Provider=Postgres Database__ConnectionString="Host=$PGHOST;Port=$PGPORT;Username=$PGUSER;Password=$PGPASSWORD;Database=$db;Maximum Pool Size=60" \
  Seed__DemoData=true Storage__Root="$work/uploads" DataProtection__KeysPath="$work/keys" PersonalData__KeyFile="$work/keys/pii.key" \
  Email__PickupFolder="$work/mail" Email__SmtpHost="" RateLimits__Auth__PermitLimit=1000 \
  Payments__PublicBaseUrl="http://127.0.0.1:$port" Payments__SandboxBank__Autostart=true Payments__SandboxBank__Url="http://127.0.0.1:$bank" \
  Payments__SandboxBank__KeyFolder="$work/bank" Logging__LogLevel__Default=Warning Serilog__MinimumLevel__Default=Warning \
  DOTNET_TieredPGO="${BENCH_TIERED_PGO:-1}" \
  exec dotnet "$root/src/TechMarket.Web/bin/Release/net10.0/TechMarket.Web.dll" >"$work/app.log" 2>&1) &
app=$!
for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && break; sleep 1; done
curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null || { echo "app did not start"; tail -50 "$work/app.log"; exit 1; }

echo "== Orders over HTTP: concurrency $concurrency, $orders orders (bench as the bank), $bank_flows through the bank's pages, $exclusive sell-once listings"
cpu() { awk '{print $14+$15}' "/proc/$1/stat"; }
xacts() { psql -tAq -d postgres -c "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = '$db'"; }
app_pid=$app  # the subshell exec-s dotnet, so this is the app itself
sleep 2  # let the seeding's transactions reach pg_stat_database before the first reading
cpu0=$(cpu "$app_pid"); x0=$(xacts); t0=$(date +%s.%N)
status=0
dotnet "$root/bench/TechMarket.Orders.Bench/bin/Release/net10.0/TechMarket.Orders.Bench.dll" "http://127.0.0.1:$port" "$work/bank/bank-private.pem" "$concurrency" "$orders" "$exclusive" "$bank_flows" "${BENCH_WARMUP:-1000}" || status=$?
sleep 2
echo "app process CPU during the bench: $(( ($(cpu "$app_pid") - cpu0) * 1000 / $(getconf CLK_TCK) )) ms over $(printf '%.1f' "$(echo "$(date +%s.%N) - $t0" | bc)") s wall; PostgreSQL transactions: $(( $(xacts) - x0 )) (setup, oversell race, warm-up, $orders + $bank_flows flows)"
exit $status
