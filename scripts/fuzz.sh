#!/usr/bin/env bash
# The long fuzz run (the suite runs short, seeded versions of the same on every swift test):
#  1. libFuzzer on the JSON parser and writer (Fuzz/JSONParserFuzz.swift, built with the Model
#     sources and -sanitize=fuzzer,address), FUZZ_SECONDS per run;
#  2. the seeded property tests of the JSON parser, merge-patch validation, list queries, cursors and
#     filters, JOBPREP_FUZZ_SCALE times as many cases;
#  3. schemathesis over openapi.yaml against a live daemon (scripts/check-api.sh), MAX_EXAMPLES
#     examples per operation, once per seed in SEEDS.
#
#   scripts/fuzz.sh                       (FUZZ_SECONDS=300, JOBPREP_FUZZ_SCALE=20, MAX_EXAMPLES=200, SEEDS="1 2 3")
#   FUZZ_SECONDS=30 MAX_EXAMPLES=50 SEEDS=7 scripts/fuzz.sh
#
# Environment: those, SCRATCH (default .build), SKIP (any of: libfuzzer properties schemathesis).
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZ_SECONDS=${FUZZ_SECONDS:-300}
export JOBPREP_FUZZ_SCALE=${JOBPREP_FUZZ_SCALE:-20}
MAX_EXAMPLES=${MAX_EXAMPLES:-200}
SEEDS=${SEEDS:-"1 2 3"}
SCRATCH=${SCRATCH:-.build}
SKIP=${SKIP:-}
summary=()

if [[ $SKIP != *libfuzzer* ]]; then
    echo "== libFuzzer: the JSON parser for $FUZZ_SECONDS s"
    out=$SCRATCH/fuzz
    mkdir -p "$out/corpus"
    cp Fuzz/corpus/json/* "$out/corpus/"
    if swiftc -sanitize=fuzzer,address -parse-as-library -module-name Model -O \
        $(find Sources/Model -name '*.swift') Fuzz/JSONParserFuzz.swift -o "$out/json-fuzz" 2>"$out/build.log"; then
        log=$out/json-fuzz.log
        "$out/json-fuzz" -max_total_time="$FUZZ_SECONDS" -seed=1 -print_final_stats=1 -max_len=4096 \
            "$out/corpus" >"$log" 2>&1 || { tail -40 "$log" >&2; echo "fuzz: libFuzzer found a failure (see $log)" >&2; exit 1; }
        runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$')
        summary+=("libFuzzer: $runs JSON inputs in $FUZZ_SECONDS s, no failure")
    else
        # Without the toolchain's fuzzer runtime, the property tests below are the JSON fuzzing.
        echo "fuzz: swiftc -sanitize=fuzzer does not link here (see $out/build.log); relying on the property tests" >&2
        summary+=("libFuzzer: not available")
    fi
fi

if [[ $SKIP != *properties* ]]; then
    echo "== property tests x$JOBPREP_FUZZ_SCALE"
    swift build --build-tests --scratch-path "$SCRATCH"
    log=$(mktemp)
    swift test --skip-build --scratch-path "$SCRATCH" --filter 'ParserPropertyTests|QueryPropertyTests' 2>&1 | tee "$log" \
        | grep -E '^(json|merge|list query|cursors|paging|merge patches)|✘|Test run'
    if grep -q '✘' "$log"; then echo "fuzz: a property test failed" >&2; exit 1; fi
    summary+=("properties x$JOBPREP_FUZZ_SCALE: $(grep -E '^(json|merge|list query|cursors|paging)' "$log" | tr '\n' ';')")
    rm -f "$log"
fi

if [[ $SKIP != *schemathesis* ]]; then
    swift build --scratch-path "$SCRATCH" --product jobprepd
    for seed in $SEEDS; do
        echo "== schemathesis, seed $seed, $MAX_EXAMPLES examples per operation"
        SEED=$seed MAX_EXAMPLES=$MAX_EXAMPLES scripts/check-api.sh "$SCRATCH/debug/jobprepd"
    done
    summary+=("schemathesis: seeds $SEEDS at $MAX_EXAMPLES examples per operation, no failure")
fi

echo "fuzz: OK"
printf '  %s\n' "${summary[@]}"
