#!/usr/bin/env python3
"""A fixed number of requests over keep-alive connections, for profiling (wrk runs for a time, not
a count). Exits non-zero on any unexpected status.

    client.py URL_BASE MODE COUNT CONNECTIONS TOKEN [IDS]    (MODE: get | get-random | post | list)

get-random asks for seeded stories at random among the first IDS (1,000), each connection with its own fixed
seed, so that two runs ask for the same records.
"""
import http.client
import random
import sys
import threading
import urllib.parse

BODY = ('{"title":"Story: moving billing to a new store",'
        '"use_case":"Billing data had to move to a new store without downtime, for a team of forty engineers.",'
        '"design":"Dual writes behind a flag, then a backfill checked row by row against the old store.",'
        '"challenges":"Two clocks disagreed about time zones, and the backfill competed with peak traffic.",'
        '"outcome":"Cut over in a week with no lost invoice; learned to rehearse the rollback first."}')


def worker(base, mode, count, token, failures, ids, seed):
    pick = random.Random(seed)
    url = urllib.parse.urlparse(base)
    connection = http.client.HTTPConnection(url.hostname, url.port)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    for _ in range(count):
        if mode == "post":
            connection.request("POST", "/v1/stories", BODY, headers)
            expected = 201
        elif mode == "list":
            connection.request("GET", "/v1/stories?limit=50", headers=headers)
            expected = 200
        elif mode == "search":
            connection.request("GET", "/v1/search?q=zephyr", headers=headers)
            expected = 200
        elif mode == "get-random":
            connection.request("GET", f"/v1/stories/s{pick.randint(1, ids):014d}", headers=headers)
            expected = 200
        else:
            connection.request("GET", "/v1/stories/s00000000000001", headers=headers)
            expected = 200
        response = connection.getresponse()
        response.read()
        if response.status != expected:
            failures.append(response.status)


def main():
    base, mode, count, connections, token = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    ids = int(sys.argv[6]) if len(sys.argv) > 6 else 1000
    failures = []
    threads = [threading.Thread(target=worker, args=(base, mode, count // connections, token, failures, ids, n))
               for n in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        sys.exit(f"client: {len(failures)} unexpected statuses, e.g. {failures[:5]}")


if __name__ == "__main__":
    main()
