#!/usr/bin/env python3
"""A fixed number of requests over keep-alive connections, for profiling (wrk runs for a time, not
a count). Exits non-zero on any unexpected status.

    client.py URL_BASE MODE COUNT CONNECTIONS TOKEN     (MODE: get | post | list)
"""
import http.client
import sys
import threading
import urllib.parse

BODY = ('{"title":"Story: moving billing to a new store",'
        '"use_case":"Billing data had to move to a new store without downtime, for a team of forty engineers.",'
        '"design":"Dual writes behind a flag, then a backfill checked row by row against the old store.",'
        '"challenges":"Two clocks disagreed about time zones, and the backfill competed with peak traffic.",'
        '"outcome":"Cut over in a week with no lost invoice; learned to rehearse the rollback first."}')


def worker(base, mode, count, token, failures):
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
        else:
            connection.request("GET", "/v1/stories/s00000000000001", headers=headers)
            expected = 200
        response = connection.getresponse()
        response.read()
        if response.status != expected:
            failures.append(response.status)


def main():
    base, mode, count, connections, token = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    failures = []
    threads = [threading.Thread(target=worker, args=(base, mode, count // connections, token, failures))
               for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        sys.exit(f"client: {len(failures)} unexpected statuses, e.g. {failures[:5]}")


if __name__ == "__main__":
    main()
