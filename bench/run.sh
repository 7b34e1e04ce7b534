#!/usr/bin/env bash
# Installs the peers and targets, builds healthrun in release mode and runs bench/bench.py.
#   bash bench/run.sh [--rounds N] [--only W2] …   (arguments go to bench.py)
#   bash bench/run.sh serve [--soak SECONDS] …     (healthrun serve: arguments go to serve_bench.py)
# Results: bench/results/results.{md,json}. Takes about ten minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v nginx >/dev/null || need+=(nginx)
[[ -e /usr/share/nginx/modules/ngx_http_echo_module.so ]] || need+=(libnginx-mod-http-echo)
command -v hyperfine >/dev/null || need+=(hyperfine)
command -v curl >/dev/null || need+=(curl)
command -v prometheus-blackbox-exporter >/dev/null || need+=(prometheus-blackbox-exporter)
[[ -x /usr/lib/nagios/plugins/check_http ]] || need+=(monitoring-plugins-basic)
[[ -x /usr/lib/postgresql/15/bin/initdb ]] || need+=(postgresql-15)
command -v pg_config >/dev/null || need+=(libpq-dev)
pkg-config --exists sqlite3 2>/dev/null || need+=(libsqlite3-dev)
command -v sqlite3 >/dev/null || need+=(sqlite3)
if ((${#need[@]})); then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
python3 -c 'import aiohttp, asyncpg' 2>/dev/null || pip install -q aiohttp asyncpg

# The release build the package ships (scripts/release-build.sh: -static-stdlib, libstdc++
# linked in); W1, W4 and W5 time start-up.
bash scripts/release-build.sh
binary=.build-release/release/healthrun

ulimit -n "$(ulimit -Hn)"
if [[ ${1:-} == serve ]]; then
    shift
    python3 bench/serve_bench.py --healthrun "$binary" "$@"
else
    python3 bench/bench.py --healthrun "$binary" "$@"
fi
