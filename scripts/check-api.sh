#!/usr/bin/env bash
# Checks that openapi.yaml is a valid OpenAPI 3.1 document and that a real daemon answers exactly as
# it says: starts `jobprepd serve` on a free port with a fresh data directory and runs schemathesis
# against it, then checks the long-poll and the event stream directly. Exits non-zero on any failure.
#
#   scripts/check-api.sh [path/to/jobprepd]      (default: .build/debug/jobprepd)
#
# Environment: MAX_EXAMPLES (default 15) test cases per operation and phase, SEED (default 20260301),
# WORKERS (default 1), VENV (default .venv).
set -euo pipefail

cd "$(dirname "$0")/.."
BINARY=$(realpath -m "${1:-.build/debug/jobprepd}")
VENV=$(realpath -m "${VENV:-.venv}")
MAX_EXAMPLES=${MAX_EXAMPLES:-15}
SEED=${SEED:-20260301}
# One worker: Python 3.11 (what Debian has here) can fail with "AST constructor recursion depth
# mismatch" when hypothesis parses lambdas in several threads at once (CPython gh-106905).
WORKERS=${WORKERS:-1}
# Pinned: the checks and the CLI differ a lot between schemathesis 3.x and 4.x.
SCHEMATHESIS_VERSION=4.32.5
SPEC_VALIDATOR_VERSION=0.9.0
# Responses: no 5xx, and status, content type, headers and body exactly as documented. Behaviour:
# undocumented methods get 405 with a correct Allow, /v1 refuses requests without the token, and a
# deleted record stays gone while a created one can be read back.
# Not run: positive_data_acceptance and negative_data_rejection. The schemas cannot say that a
# reference must name a live record, that If-Match must name the current version or that a cursor
# must come from the list, so valid-looking requests are rightly refused (422, 412, 400); and the
# server accepts some URLs and emails that the uri and email formats do not (see typeSchema).
CHECKS=not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance
CHECKS+=,response_schema_conformance,unsupported_method,allow_header_conformance,ignored_auth
CHECKS+=,use_after_free,ensure_resource_availability

[[ -x $BINARY ]] || { echo "check-api: no jobprepd binary at $BINARY (build it, or pass its path)" >&2; exit 2; }

# --- Python tools --------------------------------------------------------------------------------
if [[ ! -x $VENV/bin/python ]]; then
    echo "check-api: creating $VENV"
    python3 -m venv "$VENV"
fi
# grep without -q reads all its input: exiting at the first match can break the pipe (pip writes on),
# and with pipefail that would count as a missing tool and reinstall every time.
if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep "$SCHEMATHESIS_VERSION" >/dev/null \
    || ! "$VENV/bin/pip" show openapi-spec-validator 2>/dev/null | grep "^Version: $SPEC_VALIDATOR_VERSION$" >/dev/null; then
    echo "check-api: installing schemathesis $SCHEMATHESIS_VERSION and openapi-spec-validator $SPEC_VALIDATOR_VERSION"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check \
        "schemathesis==$SCHEMATHESIS_VERSION" "openapi-spec-validator==$SPEC_VALIDATOR_VERSION"
fi

# --- The document --------------------------------------------------------------------------------
echo "== openapi-spec-validator openapi.yaml"
"$VENV/bin/openapi-spec-validator" openapi.yaml

echo "== examples match their schemas"
"$VENV/bin/python" - openapi.yaml <<'PY'
# openapi-spec-validator does not check examples against schemas; do it for every media type.
import sys, yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

document = yaml.safe_load(open(sys.argv[1]))

def resolve(node):
    while isinstance(node, dict) and "$ref" in node:
        path = node["$ref"].removeprefix("#/").split("/")
        node = document
        for part in path:
            node = node[part]
    return node

def media_types():
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            body = resolve(operation.get("requestBody", {}))
            for media, content in body.get("content", {}).items():
                yield f"{method.upper()} {path} request {media}", content
            for status, response in operation["responses"].items():
                for media, content in resolve(response).get("content", {}).items():
                    yield f"{method.upper()} {path} {status} {media}", content

# Each schema is checked from inside the document, so that its `#/components/...` references resolve.
cases = [(where, content["schema"], content.get("examples", {})) for where, content in media_types()]
document["x-checked-schemas"] = [schema for _, schema, _ in cases]
registry = Registry().with_resource("urn:openapi", Resource.from_contents(document, default_specification=DRAFT202012))
failures = checked = 0
for i, (where, _, examples) in enumerate(cases):
    validator = Draft202012Validator({"$ref": f"urn:openapi#/x-checked-schemas/{i}"}, registry=registry)
    for name, example in examples.items():
        checked += 1
        for error in validator.iter_errors(resolve(example)["value"]):
            failures += 1
            print(f"  {where} example {name}: {error.message} at {list(error.absolute_path)}")
print(f"  {checked} examples checked, {failures} problems")
sys.exit(1 if failures else 0)
PY

# --- A live daemon -------------------------------------------------------------------------------
# Everything the run writes (database, token, log, schemathesis' cache) goes in one temporary directory.
WORK=$(mktemp -d "${TMPDIR:-/tmp}/jobprep-check-api.XXXXXX")
DATA_DIR=$WORK/data
LOG=$WORK/daemon.log
mkdir "$WORK/schemathesis"
DAEMON_PID=
cleanup() {
    if [[ -n $DAEMON_PID ]] && kill -0 "$DAEMON_PID" 2>/dev/null; then
        kill -TERM "$DAEMON_PID" 2>/dev/null || true
        wait "$DAEMON_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

PORT=$("$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$BINARY" serve --data-dir "$DATA_DIR" --port "$PORT" >"$LOG" 2>&1 &
DAEMON_PID=$!
for attempt in $(seq 100); do
    if curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; then break; fi
    kill -0 "$DAEMON_PID" 2>/dev/null || { echo "check-api: the daemon exited:" >&2; cat "$LOG" >&2; exit 1; }
    [[ $attempt -lt 100 ]] || { echo "check-api: the daemon did not answer /healthz in 10 s" >&2; exit 1; }
    sleep 0.1
done
TOKEN=$(cat "$DATA_DIR/token")

echo "== the daemon serves openapi.yaml byte for byte"
curl -fsS "http://127.0.0.1:$PORT/openapi.yaml" | cmp - openapi.yaml

# Two operations never answer at once by design, and would make the run take hours:
# - GET /v1/sync/changes long-polls: with nothing after `since`, it holds the request for `wait`
#   seconds (up to 60). The run pins `wait` to 0 so that every pull answers at once; the long-poll
#   itself is checked below, after schemathesis.
# - GET /v1/events is an infinite Server-Sent Events stream. Schemathesis reads an event stream
#   until it has sent `max-stream-events` events or `request-timeout` seconds have passed, then
#   checks every complete event against the event schema (its `data` against `ChangeEvent`). Two
#   seconds and five events keep each call short; a stream cut short is not a failure.
cat >"$WORK/schemathesis/schemathesis.toml" <<'TOML'
[[operations]]
include-operation-id = "pullChanges"
parameters = { "query.wait" = "0" }

[[operations]]
include-operation-id = "streamEvents"
request-timeout = 2
max-stream-events = 5
TOML

echo "== schemathesis against http://127.0.0.1:$PORT (seed $SEED, at most $MAX_EXAMPLES examples per operation)"
status=0
(cd "$WORK/schemathesis" && "$VENV/bin/schemathesis" --config-file "$WORK/schemathesis/schemathesis.toml" \
    run "http://127.0.0.1:$PORT/openapi.yaml" \
    --url "http://127.0.0.1:$PORT" \
    --header "Authorization: Bearer $TOKEN" \
    --checks "$CHECKS" \
    --seed "$SEED" \
    --max-examples "$MAX_EXAMPLES" \
    --workers "$WORKERS" \
    --generation-database none \
    --no-color) \
    || status=$?

echo "== long-poll and event stream (what the schemathesis run keeps short)"
"$VENV/bin/python" - "$PORT" "$TOKEN" <<'PY' || status=1
# A pull with `wait` and nothing new holds for about `wait` seconds and answers an empty page; one
# that a write wakes answers at once with it. The event stream sends that write as one event whose
# id is its log sequence, as documented.
import http.client, json, sys, threading, time

port, token = int(sys.argv[1]), sys.argv[2]
auth = {"Authorization": f"Bearer {token}"}

def call(method, target, body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request(method, target, body=body, headers={**auth, **(headers or {})})
    response = connection.getresponse()
    return response.status, json.loads(response.read() or b"null")

status = call("GET", "/v1/sync/status")[1]
feed = f"/v1/sync/changes?protocol={status['protocol']}&schema={status['schema']}"
cursor = status["log"]["last_sequence"]
failures = []

started = time.monotonic()
code, page = call("GET", f"{feed}&since={cursor}&wait=1")
waited = time.monotonic() - started
if code != 200 or page["changes"] or page["cursor"] != str(cursor) or not 0.9 <= waited < 5:
    failures.append(f"an idle wait=1 answered {code} {page} after {waited:.1f} s")

events = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
events.request("GET", f"/v1/events?since={cursor}", headers=auth)
stream = events.getresponse()
if stream.status != 200 or stream.getheader("Content-Type") != "text/event-stream":
    failures.append(f"GET /v1/events answered {stream.status} {stream.getheader('Content-Type')}")

record = f"long-poll-{time.time_ns()}"
threading.Timer(0.5, lambda: call(
    "POST", "/v1/values", json.dumps({"id": record, "name": "Woken"}), {"Content-Type": "application/json"})).start()
started = time.monotonic()
code, page = call("GET", f"{feed}&since={cursor}&wait=20")
waited = time.monotonic() - started
ids = {change["id"] for change in page.get("changes", [])}
if code != 200 or record not in ids or waited > 5:
    failures.append(f"a write did not wake wait=20 at once: {code} after {waited:.1f} s, ids {sorted(ids)}")

block, read = [], 0
try:
    while read < 100:  # the stream never ends: stop at the first event that carries data
        line = stream.readline().decode().rstrip("\r\n")
        read += 1
        if line:
            block.append(line)
        elif any(l.startswith("data:") for l in block):
            break
        else:
            block = []  # the opening `retry:` and comments, or a heartbeat
except TimeoutError:
    pass
event = {key: value.strip() for key, _, value in (l.partition(":") for l in block if not l.startswith(":"))}
data = json.loads(event.get("data", "{}"))
if event.get("event") != "change" or event.get("id") != data.get("cursor") or data.get("changes", [{}])[0].get("id") != record:
    failures.append(f"the event of the write is not as documented: {block}")
events.close()

for failure in failures:
    print("  " + failure)
print("  long-poll and events: " + ("FAILED" if failures else "OK"))
sys.exit(1 if failures else 0)
PY

if ! kill -0 "$DAEMON_PID" 2>/dev/null; then
    echo "check-api: the daemon died during the run:" >&2
    tail -50 "$LOG" >&2
    exit 1
fi
# A clean stop: SIGTERM finishes the requests in flight, closes the database and exits 0.
kill -TERM "$DAEMON_PID"
daemon_status=0
wait "$DAEMON_PID" || daemon_status=$?
DAEMON_PID=
if [[ $daemon_status -ne 0 ]]; then
    echo "check-api: the daemon exited with status $daemon_status on SIGTERM:" >&2
    tail -20 "$LOG" >&2
    status=1
fi
if [[ $status -ne 0 ]]; then
    echo "check-api: FAILED; the daemon's last log lines:" >&2
    tail -20 "$LOG" >&2
else
    echo "check-api: OK"
fi
exit $status
