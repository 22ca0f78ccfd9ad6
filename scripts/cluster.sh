#!/usr/bin/env bash
# The cluster backend's servers (README "Cluster backend"): a head and N shard
# mariadbd servers with Mroonga, each with its own data folder and port on
# 127.0.0.1, started as plain processes (no system service).
#
#   bash scripts/cluster.sh start  [--shards N] [--data DIR] [--port P]   # prints the backend URL
#   bash scripts/cluster.sh status [--data DIR]
#   bash scripts/cluster.sh stop   [--data DIR]
#   bash scripts/cluster.sh add-shard [--data DIR]     # one more shard; then: python -m indexer.cluster rebalance
#   bash scripts/cluster.sh install                    # only the Debian packages (root + apt-get)
#
# The head listens on port P (default 3400), shard k on P+k.  The head holds the
# shard list and the bucket table (which shard holds each report), so every
# client routes the same way; the URL names only the head.
set -euo pipefail
cd "$(dirname "$0")/.."

ACTION=${1:-}
[ -n "$ACTION" ] && shift
SHARDS=2
DATA=${FAZHI_CLUSTER_DATA:-.cluster}
PORT=${FAZHI_CLUSTER_PORT:-3400}
while [ $# -gt 0 ]; do
  case "$1" in
    --shards) SHARDS=$2; shift 2 ;;
    --data) DATA=$2; shift 2 ;;
    --port) PORT=$2; shift 2 ;;
    *) echo "cluster.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[ "$ACTION" = start ] && mkdir -p "$DATA"
DATA=$(cd "$DATA" 2>/dev/null && pwd || echo "$DATA")
PLUGIN_DIR=$(ls -d /usr/lib/mysql/plugin /usr/lib/*/mariadb*/plugin 2>/dev/null | head -1 || true)

die() { echo "cluster.sh: $*" >&2; exit 1; }

installed() {
  command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] || return 1
  [ -n "$PLUGIN_DIR" ] && [ -f "$PLUGIN_DIR/ha_mroonga.so" ]
}

install_packages() {
  installed && return 0
  [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1 \
    || die "MariaDB + Mroonga are not installed and cannot be (needs root and apt-get): apt-get install mariadb-server mariadb-plugin-mroonga"
  export DEBIAN_FRONTEND=noninteractive
  # No system service: a policy that forbids starting one while the packages install.
  local policy=/usr/sbin/policy-rc.d made=""
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod +x "$policy"; made=1; fi
  apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null \
    && apt-get -o DPkg::Lock::Timeout=600 install -y -qq mariadb-server mariadb-plugin-mroonga >/dev/null
  local rc=$?
  [ -n "$made" ] && rm -f "$policy"
  [ $rc = 0 ] || die "apt-get install mariadb-server mariadb-plugin-mroonga failed"
  PLUGIN_DIR=$(ls -d /usr/lib/mysql/plugin /usr/lib/*/mariadb*/plugin 2>/dev/null | head -1 || true)
  installed || die "installed, but mariadbd or ha_mroonga.so is missing"
}

MARIADBD=$(command -v mariadbd 2>/dev/null || echo /usr/sbin/mariadbd)

nodes() {  # the node folders, head first
  [ -d "$DATA/head" ] && echo "$DATA/head"
  ls -d "$DATA"/shard-* 2>/dev/null | sort -t- -k2 -n || true
}

node_port() { sed -n 's/^port=//p' "$1/my.cnf"; }
node_pid() { [ -f "$1/mariadbd.pid" ] && cat "$1/mariadbd.pid" || true; }
alive() { local pid; pid=$(node_pid "$1"); [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }
client() { mariadb --no-defaults --socket="$1/mysqld.sock" -uroot --batch --skip-column-names "${@:2}"; }

write_config() {  # folder port
  local user=""
  [ "$(id -u)" = "0" ] && user="user=root"
  cat > "$1/my.cnf" <<EOF
[mariadbd]
$user
datadir=$1/db
# its own: two servers bootstrapping at once in one tmpdir crash on each other's temporary tables
tmpdir=$1/tmp
port=$2
bind-address=127.0.0.1
socket=$1/mysqld.sock
pid-file=$1/mariadbd.pid
log-error=$1/error.log
skip-name-resolve
skip-log-bin
performance_schema=OFF
local-infile=1
max_allowed_packet=256M
max_connections=200
innodb_buffer_pool_size=64M
plugin-load-add=ha_mroonga.so
# Exact phrases only: no fuzzy fallback when a phrase finds little.
loose-mroonga-match-escalation-threshold=-1
# Mroonga keeps its own files; 4 threads for the shards' parallel searches.
thread_cache_size=16
EOF
}

init_node() {  # folder port
  [ -d "$1/db/mysql" ] && return 0
  mkdir -p "$1/db" "$1/tmp"
  write_config "$1" "$2"
  mariadb-install-db --defaults-file="$1/my.cnf" --auth-root-authentication-method=socket \
    --skip-test-db >"$1/install.log" 2>&1 || { cat "$1/install.log" >&2; die "mariadb-install-db failed in $1"; }
  touch "$1/.fresh"
}

start_node() {  # folder
  alive "$1" && return 0
  setsid "$MARIADBD" --defaults-file="$1/my.cnf" </dev/null >/dev/null 2>&1 &
  for _ in $(seq 1 120); do
    if [ -S "$1/mysqld.sock" ] && client "$1" -e "SELECT 1" >/dev/null 2>&1; then
      break
    fi
    sleep 0.25
  done
  client "$1" -e "SELECT 1" >/dev/null 2>&1 || { tail -5 "$1/error.log" >&2; die "mariadbd did not start in $1"; }
  if [ -f "$1/.fresh" ]; then
    # Mroonga's functions (mroonga_command …), the database and a loopback user for the clients.
    client "$1" --force < "$(ls /usr/share/mysql/mroonga/install.sql /usr/share/mariadb/mroonga/install.sql 2>/dev/null | head -1)" >/dev/null 2>&1 || true
    client "$1" -e "CREATE DATABASE IF NOT EXISTS fazhi CHARACTER SET utf8mb4;
      CREATE USER IF NOT EXISTS 'fazhi'@'127.0.0.1' IDENTIFIED BY 'fazhi';
      GRANT ALL ON *.* TO 'fazhi'@'127.0.0.1';" || die "cannot set up $1"
    rm -f "$1/.fresh"
  fi
}

stop_node() {  # folder
  local pid
  pid=$(node_pid "$1")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || { rm -f "$1/mariadbd.pid"; return 0; }
  kill -TERM "$pid"
  for _ in $(seq 1 240); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  if kill -0 "$pid" 2>/dev/null; then
    echo "cluster.sh: $1 did not stop in 60 s; killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$1/mariadbd.pid"
}

register_shards() {  # the head's shard list: every shard folder, by number
  local sql="CREATE TABLE IF NOT EXISTS fazhi.shards (id INT PRIMARY KEY, host VARCHAR(64) NOT NULL, port INT NOT NULL) ENGINE=InnoDB;"
  local folder
  for folder in $(nodes); do
    [ "$(basename "$folder")" = head ] && continue
    local id=${folder##*-}
    sql+="INSERT IGNORE INTO fazhi.shards VALUES ($id, '127.0.0.1', $(node_port "$folder"));"
  done
  client "$DATA/head" -e "$sql"
}

url() { echo "mroonga://fazhi:fazhi@127.0.0.1:$(node_port "$DATA/head")/fazhi"; }

all_of() {  # run "$1 folder [port]" for every node in parallel; fail if any failed
  local fn=$1 pids=() p failed=0
  shift
  while [ $# -gt 0 ]; do "$fn" $1 & pids+=($!); shift; done
  for p in "${pids[@]}"; do wait "$p" || failed=1; done
  return $failed
}

start() {
  install_packages
  local existing k specs=("$DATA/head $PORT")
  existing=$( (ls -d "$DATA"/shard-* 2>/dev/null || true) | wc -l)
  for k in $(seq 1 "$SHARDS"); do specs+=("$DATA/shard-$k $((PORT + k))"); done
  all_of init_node "${specs[@]}" || die "could not initialise the servers in $DATA"
  [ "$existing" -gt "$SHARDS" ] && echo "cluster.sh: $DATA holds $existing shards; starting all of them" >&2
  all_of start_node $(nodes) || die "could not start the servers in $DATA"
  register_shards
  url
}

add_shard() {
  [ -d "$DATA/head" ] || die "no cluster in $DATA: start one first"
  local last next
  last=$( (ls -d "$DATA"/shard-* 2>/dev/null || echo 0) | sed 's/.*-//' | sort -n | tail -1)
  next=$((last + 1))
  init_node "$DATA/shard-$next" $(( $(node_port "$DATA/head") + next ))
  start_node "$DATA/shard-$next"
  register_shards
  echo "shard $next on port $(node_port "$DATA/shard-$next"); now move reports onto it:" >&2
  echo "  python -m indexer.cluster rebalance --backend $(url)" >&2
  url
}

status() {
  local folder down=0
  [ -d "$DATA/head" ] || { echo "no cluster in $DATA"; return 3; }
  for folder in $(nodes); do
    if alive "$folder"; then
      echo "$(basename "$folder"): up, port $(node_port "$folder"), pid $(node_pid "$folder")"
    else
      echo "$(basename "$folder"): down, port $(node_port "$folder")"; down=1
    fi
  done
  url
  return $down
}

stop() {
  [ -d "$DATA" ] || return 0
  all_of stop_node $(nodes) || true
}

case "$ACTION" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  add-shard) add_shard ;;
  install) install_packages ;;
  *) echo "usage: bash scripts/cluster.sh start|stop|status|add-shard|install [--shards N] [--data DIR] [--port P]" >&2; exit 2 ;;
esac
