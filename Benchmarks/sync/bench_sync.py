#!/usr/bin/env python3
"""Sync benchmarks for jobprepd, on loopback, against release builds.

1. Initial sync of 10,000 records (about 100,000 cells) into a fresh daemon with `jobprepd sync`.
2. Applying pushed changes: the same cells POSTed to /v1/sync/changes of another fresh daemon.
3. 1,000 Server-Sent Events subscribers: delay from a write's commit to its event at each one.
4. 2,000 clients parked on long-poll: GET throughput (wrk) with them versus without them.

Usage: bench_sync.py path/to/jobprepd  (scripts/bench-sync builds and calls it)
"""
import asyncio
import json, os, shutil, socket, statistics, subprocess, sys, tempfile, time, urllib.request

BIN = sys.argv[1]
RECORDS = int(os.environ.get("RECORDS", "10000"))
SUBSCRIBERS = int(os.environ.get("SUBSCRIBERS", "1000"))
WAITERS = int(os.environ.get("WAITERS", "2000"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Daemon:
    def __init__(self, name):
        self.dir = tempfile.mkdtemp(prefix=f"jobprep-bench-{name}-")
        self.port = free_port()
        self.proc = subprocess.Popen(
            [BIN, "serve", "--data-dir", self.dir, "--port", str(self.port), "--no-log-requests"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(200):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1)
                break
            except Exception:
                time.sleep(0.05)
        self.token = open(os.path.join(self.dir, "token")).read().strip()
        self.url = f"http://127.0.0.1:{self.port}"

    def request(self, method, path, body=None, timeout=60):
        data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Authorization", "Bearer " + self.token)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return json.loads(r.read() or b"null")

    def stop(self):
        self.proc.terminate()
        self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def seed(daemon, records):
    """Stories, contacts and companies with every field set: about ten cells each."""
    ops = []
    for i in range(records):
        kind = i % 3
        if kind == 0:
            body = {"title": f"Story {i}", "use_case": "Billing for a marketplace " * 3, "design": "Event sourced ledger",
                    "challenges": "Migrating live data", "outcome": "Shipped", "kind": "project",
                    "started_on": "2024-01-01", "ended_on": "2025-01-01", "tags": ["payments", f"t{i % 50}"]}
            ops.append({"method": "POST", "path": "/v1/stories", "body": body})
        elif kind == 1:
            body = {"name": f"Contact {i}", "relationship": "colleague", "email": f"p{i}@example.com", "phone": "+1 555 0100",
                    "url": f"https://example.com/{i}", "notes": "Met at a conference", "last_contacted_on": "2026-01-02",
                    "next_follow_up_on": "2026-12-01"}
            ops.append({"method": "POST", "path": "/v1/contacts", "body": body})
        else:
            body = {"name": f"Company {i}", "industry": "Fintech", "website": f"https://c{i}.example.com",
                    "mission": "Make money move", "notes": "Series B"}
            ops.append({"method": "POST", "path": "/v1/companies", "body": body})
        if len(ops) == 200:
            daemon.request("POST", "/v1/batch", {"operations": ops})
            ops = []
    if ops:
        daemon.request("POST", "/v1/batch", {"operations": ops})


def all_changes(daemon):
    status = daemon.request("GET", "/v1/sync/status")
    cursor, changes = "0", []
    while True:
        page = daemon.request("GET", f"/v1/sync/changes?since={cursor}&limit=10000&protocol=1&schema={status['schema']}")
        changes += page["changes"]
        cursor = page["cursor"]
        if not page["has_more"]:
            return changes, status["schema"]


def bench_initial_sync(a):
    b = Daemon("b")
    try:
        started = time.perf_counter()
        out = subprocess.run([BIN, "sync", "--data-dir", b.dir, "--peer", a.url, "--token", a.token],
                             capture_output=True, text=True, check=True)
        elapsed = time.perf_counter() - started
        print(f"initial sync of {RECORDS} records: {elapsed:.2f} s  ({out.stdout.strip()})")
        return elapsed
    finally:
        b.stop()


def bench_push_apply(a):
    changes, schema = all_changes(a)
    c = Daemon("c")
    try:
        node = "ab" * 16
        bodies, batch, size = [], [], 0
        for change in changes:
            encoded = json.dumps(change)
            if size + len(encoded) > 900_000:
                bodies.append(batch)
                batch, size = [], 0
            batch.append(change)
            size += len(encoded) + 1
        if batch:
            bodies.append(batch)
        payloads = [json.dumps({"node_id": node, "protocol": 1, "schema": schema, "changes": b}).encode() for b in bodies]
        started = time.perf_counter()
        applied = 0
        for payload in payloads:
            applied += c.request("POST", "/v1/sync/changes", payload)["applied"]
        elapsed = time.perf_counter() - started
        rate = len(changes) / elapsed
        print(f"push apply: {len(changes)} cells in {len(payloads)} pushes, {applied} applied, {elapsed:.2f} s = {rate:,.0f} cells/s")
        return rate
    finally:
        c.stop()


async def sse_subscriber(port, token, ready, arrivals, marker_count):
    reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 20)
    writer.write(f"GET /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\r\n".encode())
    await writer.drain()
    await reader.readuntil(b"\r\n\r\n")
    ready.append(1)
    seen = 0
    while seen < marker_count:
        line = await reader.readline()
        if b"marker-" in line:
            arrivals.append(time.perf_counter())
            seen += 1
    writer.close()


async def bench_sse(a):
    ready, arrivals = [], []
    writes = 5
    tasks = [asyncio.create_task(sse_subscriber(a.port, a.token, ready, arrivals, writes)) for _ in range(SUBSCRIBERS)]
    while len(ready) < SUBSCRIBERS:
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)
    delays = []
    loop = asyncio.get_running_loop()
    for i in range(writes):
        before = len(arrivals)
        committed = await loop.run_in_executor(None, lambda: (a.request("POST", "/v1/values", {"name": f"marker-{i}"}), time.perf_counter())[1])
        while len(arrivals) - before < SUBSCRIBERS:
            await asyncio.sleep(0.005)
        delays += [max(0.0, t - committed) for t in arrivals[before:]]
        await asyncio.sleep(0.2)
    await asyncio.gather(*tasks)
    delays.sort()
    p50, p99, worst = delays[len(delays) // 2], delays[int(len(delays) * 0.99)], delays[-1]
    print(f"SSE: {SUBSCRIBERS} subscribers x {writes} writes: delay after the 201 p50 {p50*1000:.1f} ms, p99 {p99*1000:.1f} ms, max {worst*1000:.1f} ms")
    return worst


def wrk_get(a, record_id):
    lua = os.path.join(tempfile.mkdtemp(), "auth.lua")
    with open(lua, "w") as f:
        f.write(f'wrk.headers["Authorization"] = "Bearer {a.token}"\n')
    out = subprocess.run(["wrk", "-t1", "-c32", "-d5s", "-s", lua, f"{a.url}/v1/values/{record_id}"],
                         capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        if line.startswith("Requests/sec:"):
            return float(line.split()[1])
    raise RuntimeError(out)


async def long_poll_waiters(port, token, schema, stop, parked):
    async def waiter():
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while not stop.is_set():
            writer.write((f"GET /v1/sync/changes?since=999999999&wait=60&protocol=1&schema={schema} HTTP/1.1\r\n"
                          f"Host: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\r\n").encode())
            await writer.drain()
            parked.append(1)
            try:
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=0.5)
            except asyncio.TimeoutError:
                await stop.wait()
                break
            length = int([l for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")][0].split(b":")[1])
            await reader.readexactly(length)
        writer.close()
    await asyncio.gather(*[waiter() for _ in range(WAITERS)])


def bench_long_poll(a, rounds=int(os.environ.get("LONGPOLL_ROUNDS", "5"))):
    """GET rate alone and with the waiters parked, interleaved `rounds` times; medians of each."""
    record = a.request("POST", "/v1/values", {"name": "target"})
    schema = a.request("GET", "/v1/sync/status")["schema"]

    async def with_waiters():
        stop, parked = asyncio.Event(), []
        task = asyncio.create_task(long_poll_waiters(a.port, a.token, schema, stop, parked))
        while len(parked) < WAITERS:
            await asyncio.sleep(0.05)
        await asyncio.sleep(1)
        loaded = await asyncio.get_running_loop().run_in_executor(None, wrk_get, a, record["id"])
        stop.set()
        await asyncio.sleep(0)
        task.cancel()
        # The daemon notices hung-up waiters within a quarter of a second; let it before the next round.
        await asyncio.sleep(1.5)
        return loaded

    alone, loaded = [], []
    for _ in range(rounds):
        alone.append(wrk_get(a, record["id"]))
        time.sleep(1)
        loaded.append(asyncio.run(with_waiters()))
        time.sleep(1)
    alone.append(wrk_get(a, record["id"]))
    base, under = statistics.median(alone), statistics.median(loaded)
    print(f"GET one record, medians of {len(alone)} and {rounds} interleaved 5 s runs: {base:,.0f} req/s alone, "
          f"{under:,.0f} req/s with {WAITERS} long-poll waiters ({(1 - under / base) * 100:+.1f}% lower)")
    print(f"  alone: {', '.join(f'{x:,.0f}' for x in alone)}; with waiters: {', '.join(f'{x:,.0f}' for x in loaded)}")
    return under / base


def main():
    a = Daemon("a")
    try:
        started = time.perf_counter()
        seed(a, RECORDS)
        print(f"seeded {RECORDS} records in {time.perf_counter() - started:.1f} s")
        sync_time = bench_initial_sync(a)
        rate = bench_push_apply(a)
        worst = asyncio.run(bench_sse(a))
        ratio = bench_long_poll(a)
        print()
        print("target                                   result")
        print(f"initial sync 10k records < 3 s            {sync_time:.2f} s {'OK' if sync_time < 3 else 'MISSED'}")
        print(f"push apply >= 50,000 cells/s              {rate:,.0f} {'OK' if rate >= 50000 else 'MISSED'}")
        print(f"1,000 SSE subscribers within 100 ms       max {worst*1000:.0f} ms {'OK' if worst < 0.1 else 'MISSED'}")
        print(f"2,000 long-polls cost < 10% GET rate      {(1-ratio)*100:.1f}% {'OK' if ratio > 0.9 else 'MISSED'}")
    finally:
        a.stop()


if __name__ == "__main__":
    main()
