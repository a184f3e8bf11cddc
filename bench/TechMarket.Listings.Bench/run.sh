#!/usr/bin/env bash
# Search load benchmark over HTTP (see docs/benchmarks.md, "Search"). Run it under the shared lock:
#   flock /tmp/techmarket-bench.lock bench/TechMarket.Listings.Bench/run.sh <index dir> [seconds] [connections]
# The index comes from: dotnet <bench dll> index <index dir> 1000000. For each cache setting (on, then off) the app is
# started on a private copy of its Release build, warmed up, then loaded with wrk: first the baseline GET /health/live,
# then the fixed mixed query set (queries.lua), and with the cache on also varied searches (varied.lua). The last phase
# turns the decoded dense postings off too (Search:DensePostingsMegabytes=0). Prints wrk's summaries, the app's peak RSS and the load average.
set -euo pipefail
index=${1:?index directory}
seconds=${2:-15}
connections=${3:-16}
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/techmarket-search-bench.XXXXXX)
cp -r "${APP_DIR:-$repo/src/TechMarket.Web/bin/Release/net10.0}" "$work/app"
port=5099
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB RAM"
echo "index: $index ($(du -sh "$index" | cut -f1))"

run() {
  local label=$1 entries=$2 dense=${3:-256}
  rm -rf "$work/data" && mkdir -p "$work/data/keys"
  ASPNETCORE_ENVIRONMENT=Benchmark dotnet "$work/app/TechMarket.Web.dll" --urls "http://127.0.0.1:$port" \
    --Seed:DemoData=false --Search:IndexPath="$index" --Search:ResultCacheEntries="$entries" --Search:DensePostingsMegabytes="$dense" \
    --Database:ConnectionString="Data Source=$work/data/bench.db" --Storage:Root="$work/data/uploads" \
    --DataProtection:KeysPath="$work/data/keys" --PersonalData:KeyFile="$work/data/keys/pii.key" \
    --Serilog:MinimumLevel:Default=Warning > "$work/app-$label.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/health/live" > /dev/null && break; sleep 0.5; done
  # Warm-up: facet arrays are decoded on the first search, and JIT tiering settles — under this load it takes tens of
  # seconds (after 8 s many search methods were still at tier 0 and the uncached rate was half that after 40 s).
  wrk -t2 -c"$connections" -d30s -s "$repo/bench/TechMarket.Listings.Bench/queries.lua" "http://127.0.0.1:$port" > /dev/null
  wrk -t2 -c"$connections" -d3s "http://127.0.0.1:$port/health/live" > /dev/null
  echo "=== $label (Search:ResultCacheEntries=$entries, Search:DensePostingsMegabytes=$dense), $(uptime | sed 's/.*load/load/')"
  echo "--- baseline GET /health/live"
  wrk -t2 -c"$connections" -d"${seconds}s" --latency "http://127.0.0.1:$port/health/live" | grep -E "Requests/sec|50%|99%|Non-2xx|Socket errors"
  echo "--- search, mixed set of 12"
  wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$repo/bench/TechMarket.Listings.Bench/queries.lua" "http://127.0.0.1:$port" | grep -E "Requests/sec|50%|99%|Non-2xx|Socket errors"
  if [ "$entries" != 0 ]; then
    # Varied searches with the cache on: a set of 600 distinct ones, then a new random one each time (see varied.lua).
    for distinct in 600 0; do
      echo "--- search, varied (DISTINCT=$distinct)"
      DISTINCT=$distinct wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$repo/bench/TechMarket.Listings.Bench/varied.lua" "http://127.0.0.1:$port" | grep -E "Requests/sec|50%|99%|Non-2xx|Socket errors"
    done
  fi
  echo "--- dense postings held: $(curl -s "http://127.0.0.1:$port/metrics" | grep -E '^[a-z_]*dense_postings_(bytes|terms)' | tr '\n' ' ')"
  echo "--- peak RSS: $(grep VmHWM /proc/$pid/status | awk '{print $2/1024 " MiB"}'), $(uptime | sed 's/.*load/load/')"
  kill "$pid"; wait "$pid" 2> /dev/null || true
}

run cached 4096
run uncached 0
# The decoded dense postings off as well: what the uncached search costs reading every term from the index.
run uncached-dense-off 0 0
rm -rf "$work"
