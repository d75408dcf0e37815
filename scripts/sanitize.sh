#!/usr/bin/env bash
# The integration tests (DaemonTests: a real daemon in process and as a child process; StorageTests:
# the writer, readers, backup, full disk) under AddressSanitizer and ThreadSanitizer, each with its
# own scratch path. Exits non-zero if a test fails or a sanitizer reports anything.
#
#   scripts/sanitize.sh                  (both)
#   scripts/sanitize.sh thread           (one)
#
# Environment: FILTER (default 'DaemonTests|StorageTests').
set -euo pipefail
cd "$(dirname "$0")/.."
FILTER=${FILTER:-'DaemonTests|StorageTests'}
kinds=("$@")
((${#kinds[@]})) || kinds=(address thread)
# Report every problem, and make the process fail on the first one.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:halt_on_error=1:abort_on_error=1}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:second_deadlock_stack=1}
status=0
for kind in "${kinds[@]}"; do
    scratch=.build-${kind:0:1}san
    echo "== swift test --sanitize=$kind ($scratch), filter $FILTER"
    log=$scratch/sanitize.log
    swift build --build-tests --sanitize="$kind" --scratch-path "$scratch"
    if swift test --skip-build --sanitize="$kind" --scratch-path "$scratch" --filter "$FILTER" >"$log" 2>&1 \
        && ! grep -qE 'ERROR: (Address|Thread)Sanitizer|WARNING: ThreadSanitizer' "$log"; then
        echo "   $(grep -E 'Test run with' "$log" | tail -1)"
    else
        status=1
        grep -E -A30 'ERROR: (Address|Thread)Sanitizer|WARNING: ThreadSanitizer' "$log" | head -80 >&2 || true
        grep -E '✘' "$log" | head -20 >&2 || true
        echo "sanitize: $kind FAILED (log: $log)" >&2
    fi
done
exit $status
