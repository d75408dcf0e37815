#!/usr/bin/env python3
"""Inclusive instructions per request of chosen functions, side by side across callgrind outputs of
Benchmarks/profile (Benchmarks/PROFILE.md, session 10). Totals move between runs with the search indexer's
transaction sizes; a function's own count holds still, so compare those.

    Benchmarks/callgrind-functions.py REQUESTS OLD/callgrind.out.post NEW/callgrind.out.post -- 'PROGRAM TOTALS' \\
        GroupCommitWriterC6commit 'MHDCallbacksO13accessHandler.*To ' StoredClocksO6encode

Each pattern is a regular expression matched against callgrind_annotate's function names; the largest match counts.
"""
import re
import subprocess
import sys


def main():
    if "--" not in sys.argv or len(sys.argv) < 5:
        sys.exit(__doc__)
    split = sys.argv.index("--")
    requests = int(sys.argv[1])
    files = sys.argv[2:split]
    patterns = sys.argv[split + 1:]
    counts = {pattern: [0] * len(files) for pattern in patterns}
    for column, path in enumerate(files):
        listing = subprocess.run(
            ["callgrind_annotate", "--inclusive=yes", path], capture_output=True, text=True, check=True
        ).stdout
        for line in listing.splitlines():
            match = re.match(r"\s*([\d,]+) \([ \d.]+%\)\s+(\S.*)$", line)
            if not match:
                continue
            count = int(match.group(1).replace(",", ""))
            for pattern in patterns:
                if re.search(pattern, match.group(2)):
                    counts[pattern][column] = max(counts[pattern][column], count)
    for pattern in patterns:
        print(" ".join(f"{count // requests:>10,}" for count in counts[pattern]), " ", pattern)


if __name__ == "__main__":
    main()
