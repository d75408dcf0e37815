#!/usr/bin/env bash
# Latency of readiness, briefing, export and search over a 5,000-record dataset: builds a release
# jobprepd, serves a temporary data directory on a free port, seeds it through the API and prints
# the median and p95 of each view (scripts/bench-views.py). Not a test: the numbers depend on the
# machine. Options go to the Python script (--records N, --runs N).
#   SCRATCH=.build-views scripts/bench-views.sh --records 5000
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=${SCRATCH:-.build}
swift build -c release --scratch-path "$scratch" --product jobprepd >&2
binary="$scratch/release/jobprepd"
data=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$binary" serve --data-dir "$data" --port "$port" --no-log-requests 2>"$data/serve.log" &
daemon=$!
trap 'kill $daemon 2>/dev/null; wait $daemon 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 50); do
    [[ -s "$data/token" ]] && curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
    sleep 0.1
done
echo "jobprepd $(git rev-parse --short HEAD 2>/dev/null || echo '?') on $(nproc) cores, $(uname -sm)"
python3 scripts/bench-views.py --port "$port" --token "$(cat "$data/token")" "$@"
