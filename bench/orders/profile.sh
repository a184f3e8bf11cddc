#!/usr/bin/env bash
# Orders benchmark with a CPU trace of the app: like run.sh without pgbench, plus `dotnet-trace` sampling the app
# process while the throughput phase runs, then the top methods by inclusive and exclusive time.
# Usage: bench/orders/profile.sh [concurrency=32] [orders=600] [traceSeconds=15]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
concurrency="${1:-32}"; orders="${2:-600}"; seconds="${3:-15}"
: "${TECHMARKET_TEST_PG:?source the dev-services env.sh first}"
trace_tool="${DOTNET_TRACE:-$HOME/.dotnet/tools/dotnet-trace}"
kv() { tr ';' '\n' <<<"$TECHMARKET_TEST_PG" | awk -F= -v k="$1" 'tolower($1)==tolower(k){print $2}'; }
export PGHOST="$(kv Host)" PGPORT="$(kv Port)" PGUSER="$(kv Username)" PGPASSWORD="$(kv Password)"
db="tm_prof_orders_$$"
port="${BENCH_PORT:-5090}"; bank="${BENCH_BANK_PORT:-5091}"
work="$(mktemp -d)"; out="${PROFILE_OUT:-/tmp/orders-profile}"
mkdir -p "$out"
cleanup() { [[ -n "${app:-}" ]] && kill "$app" 2>/dev/null || true; wait 2>/dev/null || true; psql -q -d postgres -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" || true; rm -rf "$work"; }
trap cleanup EXIT
if curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; then echo "port $port is already serving (a leftover app?)"; exit 1; fi
psql -q -d postgres -c "CREATE DATABASE \"$db\""
dotnet build -c Release -v q "$root/src/TechMarket.Web/TechMarket.Web.csproj" >/dev/null
dotnet build -c Release -v q "$root/bench/TechMarket.Orders.Bench/TechMarket.Orders.Bench.csproj" >/dev/null
cd "$work"
ASPNETCORE_URLS="http://127.0.0.1:$port" ASPNETCORE_ENVIRONMENT=Production \
  Database__Provider=Postgres Database__ConnectionString="Host=$PGHOST;Port=$PGPORT;Username=$PGUSER;Password=$PGPASSWORD;Database=$db;Maximum Pool Size=60" \
  Seed__DemoData=true Storage__Root="$work/uploads" DataProtection__KeysPath="$work/keys" PersonalData__KeyFile="$work/keys/pii.key" \
  Email__PickupFolder="$work/mail" Email__SmtpHost="" RateLimits__Auth__PermitLimit=1000 \
  Payments__PublicBaseUrl="http://127.0.0.1:$port" Payments__SandboxBank__Autostart=true Payments__SandboxBank__Url="http://127.0.0.1:$bank" \
  Payments__SandboxBank__KeyFolder="$work/bank" Logging__LogLevel__Default=Warning Serilog__MinimumLevel__Default=Warning \
  DOTNET_TieredPGO="${BENCH_TIERED_PGO:-1}" \
  dotnet "$root/src/TechMarket.Web/bin/Release/net10.0/TechMarket.Web.dll" >"$work/app.log" 2>&1 &
app=$!
for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && break; sleep 1; done
curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null || { echo "app did not start"; tail -50 "$work/app.log"; exit 1; }
cpu() { awk '{print $14+$15}' "/proc/$1/stat"; }
app_cpu0=$(cpu "$app"); t0=$(date +%s.%N)
dotnet "$root/bench/TechMarket.Orders.Bench/bin/Release/net10.0/TechMarket.Orders.Bench.dll" "http://127.0.0.1:$port" "$work/bank/bank-private.pem" "$concurrency" "$orders" 1 0 &
bench=$!
if [[ "$seconds" == 0 ]]; then
  wait "$bench" || true
  echo "app CPU: $(( ($(cpu "$app") - app_cpu0) * 1000 / $(getconf CLK_TCK) )) ms for the whole bench ($orders flows + setup) over $(echo "$(date +%s.%N) - $t0" | bc) s"
  exit 0
fi
sleep 8
"$trace_tool" collect -p "$app" --profile dotnet-sampled-thread-time --duration "00:00:00:$seconds" -o "$out/app.nettrace" >/dev/null 2>&1 || \
  "$trace_tool" collect -p "$app" --duration "00:00:00:$seconds" -o "$out/app.nettrace" >/dev/null
wait "$bench" || true
"$trace_tool" report "$out/app.nettrace" topN -n 60 --inclusive > "$out/inclusive.txt" 2>&1 || true
"$trace_tool" report "$out/app.nettrace" topN -n 60 > "$out/exclusive.txt" 2>&1 || true
echo "trace and reports in $out"
