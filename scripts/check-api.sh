#!/usr/bin/env bash
# Checks that openapi.yaml is a valid OpenAPI 3.1 document and that a real daemon answers exactly as
# it says: starts `jobprepd serve` on a free port with a fresh data directory and runs schemathesis
# against it. Exits non-zero on any failure.
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
if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION" \
    || ! "$VENV/bin/pip" show openapi-spec-validator 2>/dev/null | grep -q "^Version: $SPEC_VALIDATOR_VERSION$"; then
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

echo "== schemathesis against http://127.0.0.1:$PORT (seed $SEED, at most $MAX_EXAMPLES examples per operation)"
status=0
(cd "$WORK/schemathesis" && "$VENV/bin/schemathesis" run "http://127.0.0.1:$PORT/openapi.yaml" \
    --url "http://127.0.0.1:$PORT" \
    --header "Authorization: Bearer $TOKEN" \
    --checks "$CHECKS" \
    --seed "$SEED" \
    --max-examples "$MAX_EXAMPLES" \
    --workers "$WORKERS" \
    --generation-database none \
    --no-color) \
    || status=$?

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
