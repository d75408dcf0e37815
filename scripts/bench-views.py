#!/usr/bin/env python3
"""Latency of the computed views over a 5,000-record dataset.

Seeds a running jobprepd (through /v1/batch, so every record takes the normal write path), then
times readiness, briefing, export and search from a keep-alive HTTP client and prints the median
and p95 of each. Standard library only. Run it through scripts/bench-views.sh, which builds a
release binary and starts a daemon on a temporary data directory.
"""

import argparse
import datetime
import http.client
import json
import random
import statistics
import sys
import time

DOMAIN = (
    "platform migration latency budget customer onboarding pipeline reliability mentoring hiring "
    "roadmap incident postmortem billing payments search ranking cache database schema rollout "
    "experiment metrics dashboard stakeholder negotiation contract compliance security audit "
    "kubernetes terraform observability tracing queue backlog refactor prototype launch growth "
    "retention churn pricing analytics forecasting inventory logistics warehouse mobile offline "
    "sync conflict design review architecture interview feedback coaching leadership initiative"
).split()


def vocabulary(rng, size=3000):
    """Words with a Zipf-like frequency (as in real text): the domain words spread over the ranks,
    the rest made of syllables."""
    syllables = "ka lo mi ne ru sa te vo zi pa do re fu gi ha ju lu mo na pe qui so ta ve wo xa yu ze".split()
    words = []
    seen = set(DOMAIN)
    while len(words) < size - len(DOMAIN):
        w = "".join(rng.choice(syllables) for _ in range(rng.randrange(2, 4)))
        if w not in seen:
            seen.add(w)
            words.append(w)
    for i, w in enumerate(DOMAIN):  # ranks 3, 53, 103, …: from very common to rare
        words.insert(min(len(words), 3 + 50 * i), w)
    weights = [1 / (rank + 1) for rank in range(len(words))]
    return words, weights


RNG_WORDS = None


def text(rng, n):
    words, weights = RNG_WORDS
    return " ".join(rng.choices(words, weights, k=n)).capitalize() + "."


class Client:
    def __init__(self, port, token):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.headers = {"Authorization": f"Bearer {token}"}

    def request(self, method, path, body=None, accept=None):
        headers = dict(self.headers)
        if body is not None:
            headers["Content-Type"] = "application/json"
            body = json.dumps(body).encode()
        if accept:
            headers["Accept"] = accept
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        if response.status >= 400:
            sys.exit(f"{method} {path}: {response.status} {data[:500]!r}")
        return data


def seed(client, rng, total):
    """Creates `total` records across the collections, in batches of 200 operations (under the 1 MiB body limit)."""
    plan = {  # per 5,000
        "values": 10, "industries": 20, "compensation-research": 200, "pitches": 100, "companies": 500,
        "value-assessments": 1000, "contacts": 800, "opportunities": 600, "activities": 800,
        "questions": 200, "answers": 400, "stories": 300, "traits": 50, "job-boards": 20,
    }
    scale = total / sum(plan.values())
    counts = {name: max(1, round(n * scale)) for name, n in plan.items()}
    ops = []
    ids = {name: [f"{name[:3]}-{i}" for i in range(n)] for name, n in counts.items()}
    builtin = [q["id"] for q in json.loads(client.request("GET", "/v1/questions?builtin=true&limit=500"))["items"]]

    def add(collection, body):
        ops.append({"method": "POST", "path": f"/v1/{collection}", "body": body})

    for i, vid in enumerate(ids["values"]):
        add("values", {"id": vid, "name": f"Value {i} " + rng.choice(DOMAIN), "why": text(rng, 25), "rank": i + 1})
    for i, iid in enumerate(ids["industries"]):
        add("industries", {"id": iid, "name": f"Industry {i}", "stance": rng.choice(["target", "avoid"]),
                           "reason": text(rng, 15), "rank": i + 1})
    for rid in ids["compensation-research"]:
        low = rng.randrange(60, 120) * 1000
        add("compensation-research", {"id": rid, "role": "Staff engineer", "location": "Berlin", "low": low,
                                      "median": low + 20000, "high": low + 50000, "currency": "EUR",
                                      "source": text(rng, 4), "observed_on": "2026-02-01"})
    for cid in ids["companies"]:
        add("companies", {"id": cid, "name": f"Company {cid} " + rng.choice(DOMAIN), "industry": "Software",
                          "website": f"https://{cid}.example.com", "mission": text(rng, 30), "notes": text(rng, 40)})
    for pid in ids["pitches"]:
        add("pitches", {"id": pid, "title": text(rng, 3), "who": text(rng, 30), "recent": text(rng, 30),
                        "value": text(rng, 30), "company_id": rng.choice([None, rng.choice(ids["companies"])])})
    for aid in ids["value-assessments"]:
        add("value-assessments", {"id": aid, "company_id": rng.choice(ids["companies"]),
                                  "value_id": rng.choice(ids["values"]),
                                  "verdict": rng.choice(["shares", "partly", "conflicts", "unknown"]),
                                  "evidence": text(rng, 20), "observed_on": "2026-03-01"})
    today = datetime.date.today()

    def day(offset):
        return (today + datetime.timedelta(days=offset)).isoformat()

    for kid in ids["contacts"]:
        add("contacts", {"id": kid, "name": f"Contact {kid}", "relationship": "colleague",
                         "company_id": rng.choice(ids["companies"]), "email": f"{kid}@example.com",
                         "notes": text(rng, 20), "next_follow_up_on": day(rng.randrange(-3, 60))})
    for oid in ids["opportunities"]:
        add("opportunities", {"id": oid, "title": text(rng, 3), "company_id": rng.choice(ids["companies"]),
                              "status": rng.choice(["prospect", "applied", "interviewing", "rejected"]),
                              "referred_by": rng.choice(ids["contacts"]), "notes": text(rng, 40)})
    for xid in ids["activities"]:
        add("activities", {"id": xid, "opportunity_id": rng.choice(ids["opportunities"]),
                           "contact_id": rng.choice(ids["contacts"]),
                           "kind": rng.choice(["call", "email", "interview", "follow_up"]),
                           "scheduled_at": day(rng.randrange(-60, 30)) + "T09:00:00Z",
                           "done_at": rng.choice([None, day(-1) + "T10:00:00Z"]), "notes": text(rng, 20)})
    for qid in ids["questions"]:
        add("questions", {"id": qid, "text": text(rng, 8).rstrip(".") + "?", "category": "custom",
                          "guidance": text(rng, 20)})
    for sid in ids["stories"]:
        add("stories", {"id": sid, "title": text(rng, 4), "kind": rng.choice(["project", "accomplishment"]),
                        "use_case": text(rng, 40), "design": text(rng, 60), "challenges": text(rng, 40),
                        "outcome": text(rng, 40), "ended_on": day(-rng.randrange(30, 3000)),
                        "tags": rng.sample(DOMAIN, 3)})
    questions = builtin + ids["questions"]
    for nid in ids["answers"]:
        add("answers", {"id": nid, "question_id": rng.choice(questions), "body": text(rng, 80),
                        "opportunity_id": rng.choice([None, None, rng.choice(ids["opportunities"])]),
                        "story_ids": rng.sample(ids["stories"], 2)})
    for tid in ids["traits"]:
        kind = rng.choice(["strength", "weakness"])
        add("traits", {"id": tid, "kind": kind, "text": text(rng, 5),
                       "evidence" if kind == "strength" else "mitigation": text(rng, 25)})
    for job in ids["job-boards"]:
        add("job-boards", {"id": job, "name": f"Board {job}", "url": f"https://{job}.example.com"})
    for start in range(0, len(ops), 200):
        client.request("POST", "/v1/batch", {"operations": ops[start:start + 200]})
    return len(ops), ids


def measure(client, label, runs, make_path, accept=None):
    times = []
    size = 0
    for i in range(runs):
        path = make_path(i)
        start = time.perf_counter()
        size = len(client.request("GET", path, accept=accept))
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    print(f"{label:<34} median {statistics.median(times):7.2f} ms   p95 {p95:7.2f} ms   ({runs} runs, {size:,} bytes)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--records", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--only", help="time only the views whose label contains this")
    parser.add_argument("--seed-only", action="store_true", help="seed, then exit (to profile by hand)")
    parser.add_argument("--no-seed", action="store_true", help="the daemon already holds the dataset")
    args = parser.parse_args()
    rng = random.Random(42)
    global RNG_WORDS
    RNG_WORDS = vocabulary(random.Random(7))
    client = Client(args.port, args.token)
    if args.no_seed:
        opportunities = [o["id"] for o in json.loads(client.request("GET", "/v1/opportunities?limit=500"))["items"]]
    else:
        start = time.perf_counter()
        created, ids = seed(client, rng, args.records)
        print(f"seeded {created} records in {time.perf_counter() - start:.1f} s (through /v1/batch)\n")
        opportunities = ids["opportunities"]
    if args.seed_only:
        return
    global measure
    if args.only:
        timed = measure
        measure = lambda c, label, *rest, **kw: timed(c, label, *rest, **kw) if args.only in label else None
    runs = args.runs
    client.request("GET", "/v1/readiness")  # warm the page cache and the statement cache
    measure(client, "GET /v1/profile (baseline)", runs, lambda i: "/v1/profile")
    measure(client, "GET /v1/readiness", runs, lambda i: "/v1/readiness")
    measure(client, "GET …/briefing (JSON)", runs, lambda i: f"/v1/opportunities/{opportunities[i % len(opportunities)]}/briefing")
    measure(client, "GET …/briefing (Markdown)", runs,
            lambda i: f"/v1/opportunities/{opportunities[i % len(opportunities)]}/briefing", accept="text/markdown")
    measure(client, "GET /v1/export (JSON)", runs, lambda i: "/v1/export")
    measure(client, "GET /v1/export (Markdown prep sheet)", runs, lambda i: "/v1/export", accept="text/markdown")
    # By how common they are in the seeded text: "platform" is the 4th most frequent word, "latency"
    # the 104th, "kubernetes" about the 1,500th; plus a prefix, a phrase, operators, a miss and broken syntax.
    queries = ["platform", "latency", "kubernetes", "platform latency", "pay*", '"design review"',
               "payments OR billing", "zzzunknown", 'NEAR("unbalanced', "Company com-1"]
    for q in queries:
        encoded = urllib_quote(q)
        measure(client, f"GET /v1/search?q={q}", runs, lambda i, e=encoded: f"/v1/search?q={e}")


def urllib_quote(q):
    from urllib.parse import quote
    return quote(q, safe="")


if __name__ == "__main__":
    main()
