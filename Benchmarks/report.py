#!/usr/bin/env python3
"""Turns the JSON lines of scripts/bench into Markdown tables: medians over the rounds, ratios
measured in the same run, and the issue's targets with what is met and by how much."""
import argparse
import json
import os
import platform
import statistics
import subprocess
from collections import defaultdict

MODES = {"get": "GET one record", "post": "POST create", "list": "list 50", "patch": "PATCH one field",
         "get-random": "GET one record (random id)", "search": "search (10 hits)"}
SERVERS = {"jobprepd": "jobprepd", "pocketbase": "PocketBase", "bare": "bare libmicrohttpd"}


def median(values):
    return statistics.median(values) if values else float("nan")


def summarize(runs):
    """Median figures of several wrk runs of one workload on one server."""
    return {
        "rps": median([r["requests"] / r["seconds"] for r in runs]),
        "p50": median([r["p50_us"] / 1000 for r in runs]),
        "p99": median([r["p99_us"] / 1000 for r in runs]),
        "cpu_us": median([r["cpu_s"] * 1e6 / max(1, r["requests"]) for r in runs]),
        "peak_mib": max(r["peak_kib"] for r in runs) / 1024,
        "errors": sum(r["errors"] + r["non2xx"] for r in runs),
    }


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def machine():
    model = "unknown CPU"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    if os.environ.get("BENCH_JOBPREPD"):
        subject = f"jobprepd binary {os.environ['BENCH_JOBPREPD']} (BENCH_JOBPREPD)"
    else:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
        subject = f"jobprepd at {commit or '?'}"
    return f"{os.cpu_count()} cores ({model}), Linux {platform.release()}, {subject}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("results")
    parser.add_argument("--duration", type=int)
    parser.add_argument("--rounds", type=int)
    parser.add_argument("--connections", type=int)
    parser.add_argument("--pocketbase")
    parser.add_argument("--large", type=int)
    args = parser.parse_args()
    lines = [json.loads(line) for line in open(args.results) if line.strip()]

    groups = defaultdict(list)
    for r in lines:
        if r["section"] in ("load", "scaling"):
            groups[(r["section"], r["mode"], r["server"], r["label"])].append(r)
    load = {(m, s): summarize(g) for (sec, m, s, _), g in groups.items() if sec == "load"}
    scaling = {(m, s, int(label)): summarize(g) for (sec, m, s, label), g in groups.items() if sec == "scaling"}
    cold = {r["label"]: r for r in lines if r["section"] == "cold"}
    durability = next((r for r in lines if r["section"] == "durability"), None)

    print(f"Machine: {machine()}.")
    print(f"wrk -t1 -c{args.connections} (keep-alive), {args.duration} s per run, {args.rounds} rounds interleaved "
          f"(jobprepd, PocketBase {args.pocketbase}, bare libmicrohttpd); medians. CPU is the server's user+system "
          f"time per request; peak RSS is VmHWM during the runs.\n")

    rows = []
    for mode in ("get", "post", "list", "patch"):
        for server in ("jobprepd", "pocketbase", "bare"):
            s = load.get((mode, server))
            if not s:
                continue
            pb, bare = load.get((mode, "pocketbase")), load.get((mode, "bare"))
            vs_pb = f"{s['rps'] / pb['rps']:.2f}×" if pb and server != "pocketbase" else ""
            vs_bare = f"{s['rps'] / bare['rps']:.0%}" if bare and server != "bare" else ""
            errors = f" ({s['errors']} errors)" if s["errors"] else ""
            rows.append([MODES[mode] if server == "jobprepd" else "", SERVERS[server], f"{s['rps']:,.0f}{errors}",
                         f"{s['p50']:.2f}", f"{s['p99']:.2f}", f"{s['cpu_us']:.0f}", f"{s['peak_mib']:.1f}",
                         vs_pb, vs_bare])
    print(table(["workload", "server", "req/s", "p50 ms", "p99 ms", "CPU µs/req", "peak RSS MiB",
                 "req/s vs PocketBase", "req/s vs bare"], rows))

    wal = [r["wal_max_kib"] for r in lines if r["section"] == "load" and r.get("wal_max_kib") is not None]
    if wal:
        print(f"\njobprepd's WAL file reached at most {max(wal) / 1024:.1f} MiB in these runs (its size sampled every "
              "0.2 s; the writer empties it once it passes 16,000 pages, 62.5 MiB of 4 KiB pages).")

    print(f"\nScaling: the same reads at 1,000 and {args.large:,} records (GET picks a random id; "
          "search is jobprepd's FTS5 `/v1/search`, PocketBase's `~` filter over the five text fields).\n")
    rows = []
    for mode in ("get-random", "list", "search"):
        for server in ("jobprepd", "pocketbase"):
            small, large = scaling.get((mode, server, 1000)), scaling.get((mode, server, args.large))
            if not small or not large:
                continue
            rows.append([MODES[mode], SERVERS[server],
                         f"{small['rps']:,.0f}", f"{small['p50']:.2f}", f"{small['p99']:.2f}",
                         f"{large['rps']:,.0f}", f"{large['p50']:.2f}", f"{large['p99']:.2f}",
                         f"{large['p50'] / small['p50']:.2f}×"])
    print(table(["workload", "server", "req/s at 1k", "p50 ms", "p99 ms", f"req/s at {args.large // 1000}k",
                 "p50 ms", "p99 ms", "p50 large / small"], rows))

    print("\nStart: exec to the first 200 on the health URL (median of 5, min–max); idle RSS one second later.\n")
    rows = [[label, f"{median(c['ms']):.0f}", f"{min(c['ms']):.0f}–{max(c['ms']):.0f}",
             f"{c['idle_rss_kib'] / 1024:.1f}"] for label, c in cold.items()]
    print(table(["server", "cold start ms", "range", "idle RSS MiB"], rows))

    # The targets of the issue, as ratios from this run.
    def check(name, ok, measured, target):
        return [name, measured, target, "met" if ok else "NOT met"]

    rows = []
    get, pb_get, bare_get = load.get(("get", "jobprepd")), load.get(("get", "pocketbase")), load.get(("get", "bare"))
    if get and pb_get and bare_get:
        rows.append(check("GET vs PocketBase", get["rps"] >= 5 * pb_get["rps"], f"{get['rps'] / pb_get['rps']:.2f}×", "≥ 5×"))
        rows.append(check("GET vs bare", get["rps"] >= 0.6 * bare_get["rps"], f"{get['rps'] / bare_get['rps']:.0%}", "≥ 60%"))
        rows.append(check("GET p99", get["p99"] < 5, f"{get['p99']:.2f} ms", "< 5 ms"))
    post, pb_post = load.get(("post", "jobprepd")), load.get(("post", "pocketbase"))
    if post and pb_post:
        rows.append(check("POST vs PocketBase", post["rps"] >= 2.5 * pb_post["rps"],
                          f"{post['rps'] / pb_post['rps']:.2f}×", "≥ 2.5×"))
    if durability:
        ok = durability["stored"] >= durability["acknowledged"] and durability["logged"] >= durability["acknowledged"]
        rows.append(check("acknowledged creates after kill -9", ok,
                          f"{durability['acknowledged']:,} acknowledged, {durability['stored']:,} stored, "
                          f"{durability['logged']:,} in the change log", "all stored and logged"))
    peaks = {s: max((v["peak_mib"] for (m, srv), v in load.items() if srv == s), default=0)
             for s in ("jobprepd", "pocketbase")}
    if peaks["pocketbase"]:
        rows.append(check("peak RSS under load vs PocketBase", peaks["jobprepd"] * 3 <= peaks["pocketbase"],
                          f"{peaks['jobprepd']:.1f} / {peaks['pocketbase']:.1f} MiB = "
                          f"{peaks['jobprepd'] / peaks['pocketbase']:.2f}", "≤ 1/3"))
    for label, c in cold.items():
        if label.startswith("jobprepd"):
            rows.append(check(f"idle RSS ({label})", c["idle_rss_kib"] < 30 * 1024,
                              f"{c['idle_rss_kib'] / 1024:.1f} MiB", "< 30 MiB"))
            rows.append(check(f"cold start ({label})", median(c["ms"]) < 200, f"{median(c['ms']):.0f} ms", "< 200 ms"))
    for mode in ("get-random", "list"):
        small, large = scaling.get((mode, "jobprepd", 1000)), scaling.get((mode, "jobprepd", args.large))
        if small and large:
            ratio = large["p50"] / small["p50"]
            rows.append(check(f"{MODES[mode]} p50 at {args.large // 1000}k vs 1k", ratio <= 2, f"{ratio:.2f}×", "≤ 2×"))
    print("\nTargets (jobprepd):\n")
    print(table(["target", "measured", "wanted", ""], rows))


if __name__ == "__main__":
    main()
