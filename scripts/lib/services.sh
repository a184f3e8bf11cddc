# shellcheck shell=bash
# Throwaway test servers for TechMarket: PostgreSQL 15, Redis, an SMTP sink.
#
# Sourced by scripts/test and scripts/dev-services; the logic lives only here.
# Every server listens on 127.0.0.1 on a free port, keeps its data under one
# temp folder, and is never the system service.
#
#   services_init DIR   remember DIR as the temp folder (made by the caller)
#   ensure_packages     apt-get what is missing (root) or explain and fail
#   start_postgres      -> SVC_PG_PORT
#   start_redis         -> SVC_REDIS_PORT
#   start_smtp          -> SVC_SMTP_PORT, SVC_MAILDIR
#   export_test_env     export the TECHMARKET_TEST_* contract
#   stop_all            stop whatever was started (idempotent, never fails)
#
# Callers use `set -euo pipefail`.

readonly SVC_PG_BIN=/usr/lib/postgresql/15/bin
readonly SVC_CHROMIUM=/usr/bin/chromium
readonly SVC_CJK_FONT=/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
# The apt package python3-aiosmtpd installs into the system interpreter; a
# python3 earlier on PATH (pyenv, venv) does not see it.
readonly SVC_PY=/usr/bin/python3
# initdb refuses to run as root; as root the cluster belongs to this user.
readonly SVC_PG_OS_USER=techmarket-test
readonly SVC_PG_DB=techmarket_test
readonly SVC_PG_ROLE=techmarket
readonly SVC_PG_PASSWORD=techmarket

SVC_TMP=""
SVC_START_TIMEOUT="${TECHMARKET_TEST_START_TIMEOUT:-30}"
SVC_PG_PORT=""
SVC_PG_DATA=""
SVC_PG_RUN_AS=""
SVC_REDIS_PORT=""
SVC_REDIS_PIDFILE=""
SVC_SMTP_PORT=""
SVC_SMTP_PID=""
SVC_MAILDIR=""
SVC_POLICY_RC_D=""

svc_log() { printf '%s\n' "$*" >&2; }
svc_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

svc_is_root() { [[ "$(id -u)" == 0 ]]; }

services_init() {
  SVC_TMP="$1"
  [[ -d "$SVC_TMP" ]] || svc_die "services_init: $SVC_TMP is not a directory"
}

# --- packages -----------------------------------------------------------------

# Prints the apt packages whose files are absent, one per line.
svc_missing_packages() {
  local f
  for f in initdb pg_ctl postgres psql; do
    if [[ ! -x "$SVC_PG_BIN/$f" ]]; then echo postgresql-15; break; fi
  done
  if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
    echo redis-server
  fi
  [[ -x "$SVC_CHROMIUM" ]] || echo chromium
  [[ -f "$SVC_CJK_FONT" ]] || echo fonts-noto-cjk
  if [[ ! -x "$SVC_PY" ]] || ! "$SVC_PY" -c 'import aiosmtpd' 2>/dev/null; then
    echo python3-aiosmtpd
  fi
  command -v pdftotext >/dev/null || echo poppler-utils
  return 0
}

# Installing postgresql-15 or redis-server would start the system services;
# a temporary policy-rc.d (the Debian mechanism for this) keeps them stopped.
svc_block_service_start() {
  [[ -e /usr/sbin/policy-rc.d ]] && return 0
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
  SVC_POLICY_RC_D=/usr/sbin/policy-rc.d
}

svc_unblock_service_start() {
  if [[ -n "$SVC_POLICY_RC_D" ]]; then
    rm -f "$SVC_POLICY_RC_D"
    SVC_POLICY_RC_D=""
  fi
}

# ensure_packages LOGFILE
ensure_packages() {
  local log="$1" missing
  missing="$(svc_missing_packages | tr '\n' ' ')"
  missing="${missing% }"
  if [[ -z "$missing" ]]; then
    svc_log "All system packages present."
    return 0
  fi
  if ! svc_is_root; then
    svc_log "error: missing system packages: $missing"
    svc_log "Install them once, then re-run:"
    svc_log "  sudo apt-get update && sudo apt-get install -y --no-install-recommends $missing"
    exit 1
  fi
  svc_log "Installing: $missing (log: $log)"
  svc_block_service_start
  local rc=0
  # shellcheck disable=SC2086 # the package list is meant to split into words
  {
    DEBIAN_FRONTEND=noninteractive apt-get update -q &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold $missing
  } </dev/null >"$log" 2>&1 || rc=$?
  svc_unblock_service_start
  if ((rc != 0)); then
    svc_log "error: apt-get failed (exit $rc); its log:"
    cat "$log" >&2
    exit 1
  fi
  missing="$(svc_missing_packages | tr '\n' ' ')"
  if [[ -n "${missing% }" ]]; then
    svc_log "error: still missing after apt-get install: $missing; apt log:"
    cat "$log" >&2
    exit 1
  fi
  svc_log "Installed."
}

# --- helpers ------------------------------------------------------------------

# A port the kernel just handed out on 127.0.0.1; free unless someone races us
# (start_* retry with a fresh port when the bind fails).
svc_free_port() {
  "$SVC_PY" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

svc_port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# svc_pid_listens PID PORT: does process PID itself hold a listening socket on
# 127.0.0.1:PORT? (A bare connect test would also succeed against whoever
# else took the port.) Exit 0 yes, 1 not yet, 2 the process is gone.
svc_pid_listens() {
  "$SVC_PY" - "$1" "$2" <<'PY'
import os, sys
pid, port = sys.argv[1], int(sys.argv[2])
inodes = set()
try:
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
except OSError:
    sys.exit(2)
local = {"0100007F:%04X" % port, "7F000001:%04X" % port}
with open("/proc/net/tcp") as f:
    next(f)
    for line in f:
        fields = line.split()
        if fields[1] in local and fields[3] == "0A" and fields[9] in inodes:
            sys.exit(0)
sys.exit(1)
PY
}

# svc_wait_port NAME PORT PID LOGFILE: wait until PORT accepts connections.
# With a PID, wait until that very process listens on PORT, and return 1 if it
# exits first (e.g. the port was taken). Dies on timeout.
svc_wait_port() {
  local name="$1" port="$2" pid="$3" log="$4" rc
  local deadline=$((SECONDS + SVC_START_TIMEOUT))
  while :; do
    if [[ -n "$pid" ]]; then
      rc=0
      svc_pid_listens "$pid" "$port" || rc=$?
      ((rc == 0)) && svc_port_open "$port" && return 0
      ((rc == 2)) && return 1
    else
      svc_port_open "$port" && return 0
    fi
    if ((SECONDS >= deadline)); then
      svc_log "error: $name did not accept connections on 127.0.0.1:$port within ${SVC_START_TIMEOUT}s; log $log:"
      tail -n 30 "$log" >&2 2>/dev/null || true
      exit 1
    fi
    sleep 0.1
  done
}

# Run a command as the PostgreSQL cluster owner, from a directory it can read.
svc_as_pg() {
  if [[ -n "$SVC_PG_RUN_AS" ]]; then
    (cd "$SVC_TMP" && runuser -u "$SVC_PG_RUN_AS" -- "$@")
  else
    (cd "$SVC_TMP" && "$@")
  fi
}

svc_ensure_pg_os_user() {
  getent passwd "$SVC_PG_OS_USER" >/dev/null && return 0
  # A concurrent run may create it at the same moment; only a missing user is fatal.
  useradd --system --user-group --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin --comment "TechMarket throwaway test servers" \
    "$SVC_PG_OS_USER" 2>/dev/null ||
    getent passwd "$SVC_PG_OS_USER" >/dev/null ||
    svc_die "could not create the system user $SVC_PG_OS_USER (initdb will not run as root)"
}

# --- PostgreSQL ---------------------------------------------------------------

start_postgres() {
  local dir="$SVC_TMP/postgres"
  SVC_PG_DATA="$dir/data"
  mkdir -p "$dir"
  if svc_is_root; then
    svc_ensure_pg_os_user
    SVC_PG_RUN_AS="$SVC_PG_OS_USER"
    chmod 711 "$SVC_TMP" # let the cluster owner reach its own folder
    chown "$SVC_PG_RUN_AS:" "$dir"
    runuser -u "$SVC_PG_RUN_AS" -- test -w "$dir" ||
      svc_die "user $SVC_PG_RUN_AS cannot reach $dir; use a TMPDIR every user can traverse (e.g. unset TMPDIR)"
  fi
  chmod 700 "$dir"

  local pwfile="$dir/pwfile"
  printf '%s\n' "$SVC_PG_PASSWORD" >"$pwfile"
  [[ -n "$SVC_PG_RUN_AS" ]] && chown "$SVC_PG_RUN_AS:" "$pwfile"
  # Bootstrap superuser is the test role itself; unix socket: trust, TCP: password.
  if ! svc_as_pg "$SVC_PG_BIN/initdb" -D "$SVC_PG_DATA" -U "$SVC_PG_ROLE" \
    --pwfile="$pwfile" --auth-local=trust --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 --no-sync >"$SVC_TMP/initdb.log" 2>&1; then
    svc_log "error: initdb failed; its output:"
    cat "$SVC_TMP/initdb.log" >&2
    exit 1
  fi
  rm -f "$pwfile"

  local attempt port opts
  for attempt in 1 2 3; do
    port="$(svc_free_port)"
    opts="-p $port -k '$dir' -c listen_addresses=127.0.0.1"
    opts+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    opts+=" -c max_connections=300"
    if svc_as_pg "$SVC_PG_BIN/pg_ctl" -D "$SVC_PG_DATA" -l "$dir/postgres.log" \
      -o "$opts" -t "$SVC_START_TIMEOUT" -w start </dev/null >"$SVC_TMP/pg_ctl.log" 2>&1; then
      SVC_PG_PORT="$port"
      break
    fi
    if ! grep -qi 'could not bind\|address already in use' "$dir/postgres.log" 2>/dev/null || ((attempt == 3)); then
      svc_log "error: PostgreSQL did not start; pg_ctl said:"
      cat "$SVC_TMP/pg_ctl.log" >&2 || true
      svc_log "log $dir/postgres.log:"
      tail -n 30 "$dir/postgres.log" >&2 || true
      svc_as_pg "$SVC_PG_BIN/pg_ctl" -D "$SVC_PG_DATA" -m immediate stop >/dev/null 2>&1 || true
      exit 1
    fi
    svc_log "PostgreSQL: port $port was taken, retrying"
  done
  svc_wait_port PostgreSQL "$SVC_PG_PORT" "" "$dir/postgres.log"

  if ! "$SVC_PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$SVC_PG_PORT" \
    -U "$SVC_PG_ROLE" -d postgres -c "CREATE DATABASE $SVC_PG_DB OWNER $SVC_PG_ROLE" \
    </dev/null >"$SVC_TMP/createdb.log" 2>&1; then
    svc_log "error: could not create database $SVC_PG_DB:"
    cat "$SVC_TMP/createdb.log" >&2
    exit 1
  fi
}

stop_postgres() {
  [[ -n "$SVC_PG_DATA" && -f "$SVC_PG_DATA/postmaster.pid" ]] || return 0
  svc_as_pg "$SVC_PG_BIN/pg_ctl" -D "$SVC_PG_DATA" -m fast -t 30 -w stop >/dev/null 2>&1 ||
    svc_as_pg "$SVC_PG_BIN/pg_ctl" -D "$SVC_PG_DATA" -m immediate -w stop >/dev/null 2>&1 || true
}

# --- Redis --------------------------------------------------------------------

start_redis() {
  local dir="$SVC_TMP/redis" attempt port pid
  mkdir -p "$dir"
  SVC_REDIS_PIDFILE="$dir/redis.pid"
  for attempt in 1 2 3; do
    port="$(svc_free_port)"
    : >"$dir/redis.log"
    rm -f "$SVC_REDIS_PIDFILE"
    if ! redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
      --daemonize yes --dir "$dir" --pidfile "$SVC_REDIS_PIDFILE" \
      --logfile "$dir/redis.log" </dev/null >/dev/null 2>&1; then
      svc_log "error: redis-server would not start; log $dir/redis.log:"
      tail -n 30 "$dir/redis.log" >&2 || true
      exit 1
    fi
    # The daemon writes its pidfile only once it listens, and logs a failed bind.
    local deadline=$((SECONDS + SVC_START_TIMEOUT))
    while [[ ! -s "$SVC_REDIS_PIDFILE" ]] && ! grep -qi 'address already in use' "$dir/redis.log"; do
      if ((SECONDS >= deadline)); then
        svc_log "error: Redis did not write $SVC_REDIS_PIDFILE within ${SVC_START_TIMEOUT}s; log:"
        tail -n 30 "$dir/redis.log" >&2 || true
        exit 1
      fi
      sleep 0.05
    done
    pid="$(cat "$SVC_REDIS_PIDFILE" 2>/dev/null || true)"
    if [[ -n "$pid" ]] && svc_wait_port Redis "$port" "$pid" "$dir/redis.log"; then
      SVC_REDIS_PORT="$port"
      return 0
    fi
    if ((attempt == 3)); then
      svc_log "error: Redis did not start; log $dir/redis.log:"
      tail -n 30 "$dir/redis.log" >&2 || true
      exit 1
    fi
    svc_log "Redis: port $port was taken, retrying"
  done
}

stop_redis() {
  [[ -n "$SVC_REDIS_PIDFILE" ]] || return 0
  local pid
  pid="$(cat "$SVC_REDIS_PIDFILE" 2>/dev/null || true)"
  if [[ -n "$SVC_REDIS_PORT" ]]; then
    redis-cli -h 127.0.0.1 -p "$SVC_REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  fi
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    # Not answering (or never fully started): SIGTERM, and with --save '' it
    # exits without writing anything.
    kill -TERM "$pid" 2>/dev/null || true
    svc_wait_gone "$pid" || kill -KILL "$pid" 2>/dev/null || true
  fi
  SVC_REDIS_PORT=""
}

# --- SMTP sink ----------------------------------------------------------------

start_smtp() {
  local dir="$SVC_TMP/smtp" attempt port
  mkdir -p "$dir"
  SVC_MAILDIR="$SVC_TMP/maildir"
  for attempt in 1 2 3; do
    port="$(svc_free_port)"
    # Mailbox takes the Maildir path as its one positional handler argument and
    # creates cur/ new/ tmp/ itself. -n: do not setuid to nobody.
    "$SVC_PY" -m aiosmtpd -n -l "127.0.0.1:$port" \
      -c aiosmtpd.handlers.Mailbox "$SVC_MAILDIR" </dev/null >"$dir/smtp.log" 2>&1 &
    SVC_SMTP_PID=$!
    if svc_wait_port SMTP "$port" "$SVC_SMTP_PID" "$dir/smtp.log"; then
      SVC_SMTP_PORT="$port"
      return 0
    fi
    wait "$SVC_SMTP_PID" 2>/dev/null || true
    SVC_SMTP_PID=""
    if ((attempt == 3)) || ! grep -qi 'address already in use' "$dir/smtp.log"; then
      svc_log "error: the SMTP sink did not start; log $dir/smtp.log:"
      tail -n 30 "$dir/smtp.log" >&2 || true
      exit 1
    fi
    svc_log "SMTP: port $port was taken, retrying"
  done
}

stop_smtp() {
  [[ -n "$SVC_SMTP_PID" ]] || return 0
  kill -TERM "$SVC_SMTP_PID" 2>/dev/null || true
  svc_wait_gone "$SVC_SMTP_PID" || kill -KILL "$SVC_SMTP_PID" 2>/dev/null || true
  wait "$SVC_SMTP_PID" 2>/dev/null || true
  SVC_SMTP_PID=""
}

# svc_wait_gone PID: up to 10 s for PID to exit.
svc_wait_gone() {
  local i
  for ((i = 0; i < 100; i++)); do
    kill -0 "$1" 2>/dev/null || return 0
    sleep 0.1
  done
  return 1
}

# --- contract -----------------------------------------------------------------

export_test_env() {
  export TECHMARKET_TEST_PG="Host=127.0.0.1;Port=$SVC_PG_PORT;Username=$SVC_PG_ROLE;Password=$SVC_PG_PASSWORD;Database=$SVC_PG_DB"
  export TECHMARKET_TEST_REDIS="127.0.0.1:$SVC_REDIS_PORT"
  export TECHMARKET_TEST_SMTP_HOST=127.0.0.1
  export TECHMARKET_TEST_SMTP_PORT="$SVC_SMTP_PORT"
  export TECHMARKET_TEST_MAILDIR="$SVC_MAILDIR"
  export TECHMARKET_TEST_CHROMIUM="$SVC_CHROMIUM"
  export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
  export DOTNET_CLI_TELEMETRY_OPTOUT=1
  export DOTNET_NOLOGO=1
}

# Prints the contract as shell `export` lines.
print_test_env() {
  local v
  for v in TECHMARKET_TEST_PG TECHMARKET_TEST_REDIS TECHMARKET_TEST_SMTP_HOST \
    TECHMARKET_TEST_SMTP_PORT TECHMARKET_TEST_MAILDIR TECHMARKET_TEST_CHROMIUM \
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD DOTNET_CLI_TELEMETRY_OPTOUT DOTNET_NOLOGO; do
    if [[ "${!v}" == *"'"* ]]; then
      printf 'export %s=%q\n' "$v" "${!v}"
    else
      printf "export %s='%s'\n" "$v" "${!v}"
    fi
  done
}

# Stop everything started so far. Safe to call twice and from a trap.
stop_all() {
  stop_smtp || true
  stop_redis || true
  stop_postgres || true
  svc_unblock_service_start || true
}
