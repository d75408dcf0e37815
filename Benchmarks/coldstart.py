#!/usr/bin/env python3
"""Cold start: the time from exec to the first 200 on a health URL, and the idle RSS after.

    coldstart.py RUNS PORT HEALTH_PATH -- COMMAND...

Before each run the command's `{fresh}` arguments are replaced by a new empty directory, so a run
can start on a new data directory; without `{fresh}` it restarts on the same one. Prints one JSON
line: every run's milliseconds and the idle RSS (VmRSS, KiB) one second after the last start.
"""
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time


def status_of(port, path):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
            head = s.recv(64)
            return int(head.split()[1]) if head.startswith(b"HTTP/") else 0
    except OSError:
        return 0


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    runs, port, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    command = sys.argv[sys.argv.index("--") + 1:]
    times, idle = [], 0
    for run in range(runs):
        fresh = tempfile.mkdtemp(prefix="cold-", dir=os.environ.get("BENCH_TMP"))
        argv = [a.replace("{fresh}", fresh) for a in command]
        started = time.perf_counter()
        process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while status_of(port, path) != 200:
            if process.poll() is not None:
                sys.exit(f"coldstart: {argv[0]} exited with {process.returncode}")
            if time.perf_counter() - started > 30:
                sys.exit(f"coldstart: {argv[0]} did not answer {path} within 30 s")
            time.sleep(0.0005)
        times.append((time.perf_counter() - started) * 1000)
        if run == runs - 1:
            time.sleep(1)
            idle = rss_kib(process.pid)
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    print(json.dumps({"ms": [round(t, 1) for t in times], "idle_rss_kib": idle}))


if __name__ == "__main__":
    main()
