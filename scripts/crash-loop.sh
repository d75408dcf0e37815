#!/usr/bin/env bash
# Kills a real jobprepd with SIGKILL under concurrent writers, again and again, and checks after each
# restart that every acknowledged write is there and PRAGMA integrity_check is ok (the CrashTests
# suite, with many more cycles and several seeds). Cycles alternate --durability normal and full.
#
#   scripts/crash-loop.sh                 (CYCLES=40 per seed, SEEDS="1 2 3": about 20 minutes on 2 cores)
#   CYCLES=100 SEEDS="7" scripts/crash-loop.sh
#
# Every acknowledged write so far is checked again after every restart, so a run's cost grows with
# the square of its cycles; several seeds go further than one long run.
#
# Environment: CYCLES, SEEDS, SCRATCH (default .build).
set -euo pipefail
cd "$(dirname "$0")/.."
CYCLES=${CYCLES:-40}
SEEDS=${SEEDS:-"1 2 3"}
SCRATCH=${SCRATCH:-.build}

swift build --build-tests --scratch-path "$SCRATCH"
total_cycles=0
total_acknowledged=0
total_checked=0
for seed in $SEEDS; do
    echo "== crash loop: $CYCLES SIGKILL cycles, seed $seed"
    log=$(mktemp)
    if ! JOBPREP_CRASH_CYCLES=$CYCLES JOBPREP_CRASH_SEED=$seed swift test --skip-build --scratch-path "$SCRATCH" \
        --filter 'CrashTests/everyAcknowledgedWriteSurvivesSIGKILL' 2>&1 | tee "$log" | grep -E '^crash test|✘'; then
        :
    fi
    if grep -q '✘' "$log" || ! grep -q '^crash test' "$log"; then
        echo "crash-loop: FAILED with seed $seed (log: $log)" >&2
        exit 1
    fi
    line=$(grep '^crash test' "$log")
    acknowledged=$(sed -E 's/.* ([0-9]+) acknowledged creates and ([0-9]+) counters.*/\1+\2/' <<<"$line")
    checked=$(sed -E 's/.*; ([0-9]+) acknowledged writes checked in all.*/\1/' <<<"$line")
    total_cycles=$((total_cycles + CYCLES))
    total_acknowledged=$((total_acknowledged + acknowledged))
    total_checked=$((total_checked + checked))
    rm -f "$log"
done
echo "crash-loop: OK: $total_cycles SIGKILL cycles, $total_acknowledged distinct acknowledged writes, $total_checked checks of an acknowledged write after a restart, integrity ok every time"
