#!/usr/bin/env bash
# Fills a real file system under a running jobprepd: a small tmpfs holds the data directory, writes
# go on until the disk is full, and then: every refused write is a 507 problem+json, nothing is
# half-applied (the log and the records agree with what was acknowledged), reads keep working,
# and once the file system grows writes resume; after a clean stop the database passes
# PRAGMA integrity_check (through jobprepd backup) and holds every acknowledged write.
#
# The suite tests the same with a database capped by PRAGMA max_page_count (FullDiskTests,
# FullDiskAPITests); this script exercises the real thing, including COMMIT failing on a full WAL.
# Needs root (mount); skips otherwise.
#
#   scripts/full-disk.sh [path/to/jobprepd]      (default: .build/debug/jobprepd)
set -euo pipefail
cd "$(dirname "$0")/.."
BINARY=$(realpath -m "${1:-.build/debug/jobprepd}")
SIZE=${SIZE:-2m}
[[ -x $BINARY ]] || { echo "full-disk: no jobprepd binary at $BINARY (build it, or pass its path)" >&2; exit 2; }
if [[ $(id -u) -ne 0 ]]; then
    echo "full-disk: skipped (needs root to mount a small tmpfs)"
    exit 0
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/jobprep-full-disk.XXXXXX")
MOUNT=$WORK/disk
mkdir "$MOUNT"
DAEMON_PID=
cleanup() {
    if [[ -n $DAEMON_PID ]] && kill -0 "$DAEMON_PID" 2>/dev/null; then kill -KILL "$DAEMON_PID" 2>/dev/null || true; fi
    umount "$MOUNT" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
mount -t tmpfs -o "size=$SIZE" tmpfs "$MOUNT" || { echo "full-disk: skipped (cannot mount tmpfs here)"; exit 0; }

start() {
    "$BINARY" serve --data-dir "$MOUNT/data" --port 0 --no-log-requests >>"$WORK/daemon.log" 2>&1 &
    DAEMON_PID=$!
    for _ in $(seq 200); do
        PORT=$(grep -oE 'serving http://127.0.0.1:[0-9]+' "$WORK/daemon.log" | tail -1 | grep -oE '[0-9]+$' || true)
        [[ -n $PORT ]] && curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && return 0
        sleep 0.05
    done
    echo "full-disk: the daemon did not start:" >&2; cat "$WORK/daemon.log" >&2; exit 1
}
start
echo "== $SIZE tmpfs at $MOUNT, daemon on port $PORT"

python3 - "$PORT" "$MOUNT/data/token" "$WORK/acknowledged" <<'PY'
import json, sys, urllib.request, urllib.error
port, token = sys.argv[1], open(sys.argv[2]).read().strip()
base = f"http://127.0.0.1:{port}"
def call(method, path, body=None):
    request = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, r.headers.get("Content-Type"), json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type"), json.loads(e.read() or b"null")
def last_sequence():
    return call("GET", "/v1/sync/status")[2]["log"]["last_sequence"]
def count():
    n, cursor = 0, None
    while True:
        page = call("GET", "/v1/values?limit=500" + (f"&cursor={cursor}" if cursor else ""))[2]
        n += len(page["items"]); cursor = page["next_cursor"]
        if not cursor: return n
acknowledged, refused = [], 0
why = "a value that takes room on the disk " * 60
for n in range(100000):
    before = last_sequence()
    status, kind, body = call("POST", "/v1/values", {"id": f"v{n}", "name": "filler", "why": why})
    if status == 201:
        acknowledged.append(f"v{n}"); continue
    assert status == 507, (status, body)
    assert kind == "application/problem+json" and body["type"] == "urn:jobprep:problem:storage-full", body
    assert last_sequence() == before, "a refused write moved the log"
    refused += 1
    if refused >= 20: break
print(f"   {len(acknowledged)} writes acknowledged, then {refused} refused with 507 problem+json")
# A batch and a patch are refused whole too; reads go on.
status, _, body = call("POST", "/v1/batch", {"operations": [{"method": "POST", "path": "/v1/values", "body": {"id": "b1", "name": "x", "why": why}},
                                                          {"method": "POST", "path": "/v1/values", "body": {"id": "b2", "name": "x", "why": why}}]})
assert status == 507, (status, body)
assert call("GET", "/v1/values/b1")[0] == 404
assert call("GET", "/healthz")[0] == 200
assert count() == len(acknowledged), "reads disagree with what was acknowledged"
for path in ["/v1/export", "/v1/readiness", "/v1/search?q=filler"]:
    assert call("GET", path)[0] == 200, path
print("   batch refused whole, reads (list, export, readiness, search) still answer")
open(sys.argv[3], "w").write("".join(f"{id}\n" for id in acknowledged))
PY

echo "== growing the file system"
mount -o remount,size=64m "$MOUNT"
TOKEN=$(cat "$MOUNT/data/token")
status=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    -d '{"id":"after","name":"room again"}' "http://127.0.0.1:$PORT/v1/values")
[[ $status == 201 ]] || { echo "full-disk: a write after growing the disk got $status" >&2; exit 1; }
echo "   writes resume (201)"

kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID"; DAEMON_PID=
echo "== clean stop (exit 0); backup and integrity check"
"$BINARY" backup --data-dir "$MOUNT/data" "$WORK/copy.sqlite"
start
missing=0
while read -r id; do
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/v1/values/$id")
    [[ $code == 200 ]] || missing=$((missing + 1))
done <"$WORK/acknowledged"
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID"; DAEMON_PID=
[[ $missing -eq 0 ]] || { echo "full-disk: $missing acknowledged writes missing after the restart" >&2; exit 1; }
echo "full-disk: OK ($(wc -l <"$WORK/acknowledged") acknowledged writes present after a restart)"
