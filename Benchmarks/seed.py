#!/usr/bin/env python3
"""Seeds N stories into jobprepd (POST /v1/batch) or PocketBase (POST /api/batch), 1,000 per request.

Ids are s00000000000001 ... (15 characters: valid in both), so wrk can pick records at random.
Exactly 10 records mention "zephyr", whatever N, so a search has the same number of hits at every size.

    seed.py jobprepd   http://127.0.0.1:PORT COUNT TOKEN
    seed.py pocketbase http://127.0.0.1:PORT COUNT
"""
import http.client
import json
import sys
import time
import urllib.parse

WORDS = ("ledger invoice rollout cache queue schema replica latency budget hiring mentoring migration "
         "incident postmortem roadmap pricing onboarding search billing outage retry audit").split()


def story(n, count):
    words = [WORDS[(n * 7 + k * 3) % len(WORDS)] for k in range(6)]
    rare = " zephyr" if n % max(1, count // 10) == 0 else ""
    return {
        "id": f"s{n:014d}",
        "title": f"Story {n}: {words[0]} and {words[1]}",
        "use_case": f"The {words[2]} had to change without downtime for a team of forty engineers{rare}.",
        "design": f"Dual writes behind a flag for the {words[3]}, then a backfill checked row by row.",
        "challenges": f"Two clocks disagreed about time zones, and the {words[4]} competed with peak traffic.",
        "outcome": f"Cut over in a week with no lost {words[5]}; learned to rehearse the rollback first.",
    }


def main():
    kind, url, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    token = sys.argv[4] if len(sys.argv) > 4 else ""
    parsed = urllib.parse.urlparse(url)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=600)
    started = time.monotonic()
    for first in range(1, count + 1, 1000):
        numbers = range(first, min(first + 1000, count + 1))
        if kind == "jobprepd":
            path = "/v1/batch"
            body = {"operations": [{"method": "POST", "path": "/v1/stories", "body": story(n, count)} for n in numbers]}
            headers = {"Authorization": f"Bearer {token}"}
        else:
            path = "/api/batch"
            body = {"requests": [{"method": "POST", "url": "/api/collections/stories/records", "body": story(n, count)}
                                 for n in numbers]}
            headers = {}
        headers["Content-Type"] = "application/json"
        connection.request("POST", path, json.dumps(body), headers)
        response = connection.getresponse()
        answer = response.read()
        if response.status != 200:
            sys.exit(f"seed: {kind} answered {response.status} to a batch: {answer[:500]!r}")
    print(f"seeded {count} stories into {kind} in {time.monotonic() - started:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
