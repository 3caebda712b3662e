"""Benchmark: throughput and latency under gunicorn, as ratios to a hello-world route.

Starts gunicorn with the production config on loopback (SQLite), prepares learners over HTTP,
then for each page runs a closed-loop load from separate processes for a few seconds and
reports requests/s, p50 and p99 latency, and the ratio to /healthz in the same run. Bars
(issue 7): the statement page at least 0.7x, the answer POST (with its commit) at least 0.35x.
Also reports the weight of a statement page with its stylesheet (bar: under 30 KB).

The clients are Python (http.client, see bench.client) on the same machine as the server;
gunicorn's sync workers close each connection, so every request opens one. A client that costs
less per request (wrk, in C) leaves more of each request to the app, so its ratios are lower.

    python -m bench.http [--seconds 4] [--clients 4] [--check]
"""

import argparse
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from bench.client import Browser, Learner
from bench.server import Server
from quizapp.db import make_engine, upgrade

BARS = {"statement page": 0.7, "answer POST": 0.35}


def prepare(base: str, clients: int, posts_each: int) -> dict[str, list[list[dict]]]:
    """Per client: the requests to repeat (GETs) or to make once each (POSTs)."""
    plan: dict[str, list[list[dict]]] = {
        "hello world": [],
        "statement page": [],
        "answer POST": [],
        "results page": [],
    }
    for _ in range(clients):
        learner = Learner(Browser(base))
        learner.start()
        statement = learner.attempt + "/1"
        learner.browser.get(statement)
        cookies = dict(learner.browser.cookies)
        posts = []
        while len(posts) < posts_each:
            fresh = Learner(learner.browser)
            fresh.start()
            posts += [
                {
                    "method": "POST",
                    "path": f"{fresh.attempt}/{n}",
                    "form": {"answer": "myth", "csrf_token": learner.browser.token},
                }
                for n in range(1, 11)
            ]
        done = Learner(learner.browser)
        done.start()
        done.finish()
        learner.browser.close()
        plan["hello world"].append([{"method": "GET", "path": "/healthz", "cookies": cookies}])
        plan["statement page"].append([{"method": "GET", "path": statement, "cookies": cookies}])
        plan["answer POST"].append([{**p, "cookies": cookies} for p in posts[:posts_each]])
        plan["results page"].append(
            [{"method": "GET", "path": done.attempt + "/results", "cookies": cookies}]
        )
    return plan


def hammer(base: str, requests: list[dict], seconds: float, expect: int) -> list[float]:
    """One client: repeat GETs (or make each POST once) for `seconds`; latencies in ms."""
    browser = Browser(base, cookies=dict(requests[0]["cookies"]))
    latencies = []
    deadline = time.perf_counter() + seconds
    n = 0
    while time.perf_counter() < deadline and n < len(requests) * (
        1 if requests[0]["method"] == "POST" else 10**9
    ):
        spec = requests[n % len(requests)]
        began = time.perf_counter()
        reply = browser.request(spec["method"], spec["path"], spec.get("form"))
        latencies.append((time.perf_counter() - began) * 1000)
        if reply.status != expect:
            raise RuntimeError(f"{spec['path']} answered {reply.status}")
        n += 1
    browser.close()
    return latencies


def measure(base: str, per_client: list[list[dict]], seconds: float, expect: int):
    with ProcessPoolExecutor(len(per_client)) as pool:
        began = time.perf_counter()
        results = list(
            pool.map(
                hammer,
                [base] * len(per_client),
                per_client,
                [seconds] * len(per_client),
                [expect] * len(per_client),
            )
        )
        elapsed = time.perf_counter() - began
    latencies = sorted(x for r in results for x in r)
    p99 = latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))]
    return len(latencies) / elapsed, statistics.median(latencies), p99


def weight(base: str) -> tuple[int, int]:
    """A statement page of a shipped quiz (certainty asked) and its one stylesheet, in bytes."""
    learner = Learner(Browser(base), bank="pore-basics")
    learner.start()
    page = learner.browser.get(learner.attempt + "/1").body.encode()
    css = learner.browser.get("/static/style.css").body.encode()
    learner.browser.close()
    return len(page), len(css)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--clients", type=int, default=4, help="load-generating processes")
    parser.add_argument("--check", action="store_true", help="exit 1 if a bar is missed")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="quizapp-http-"))
    url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    upgrade(make_engine(url))
    server = Server(url, workdir).start()
    try:
        plan = prepare(
            server.url, args.clients, posts_each=int(600 * args.seconds / args.clients) + 10
        )
        rows = []
        for name, per_client in plan.items():
            expect = 302 if name == "answer POST" else 200
            rows.append((name, *measure(server.url, per_client, args.seconds, expect)))
        page, css = weight(server.url)
    finally:
        server.stop()
    baseline = rows[0][1]
    workers = server.env["QUIZAPP_WORKERS"]
    print(f"gunicorn, {workers} workers, SQLite; {args.clients} clients, {args.seconds:.0f} s each")
    print(f"  {'request':16} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>6}  bar")
    missed = False
    for name, rps, p50, p99 in rows:
        ratio = rps / baseline
        bar = BARS.get(name)
        verdict = "" if bar is None else (f">= {bar}: ok" if ratio >= bar else f">= {bar}: MISSED")
        missed |= verdict.endswith("MISSED")
        print(f"  {name:16} {rps:8.0f} {p50:8.2f} {p99:8.2f} {ratio:6.2f}  {verdict}")
    total = page + css
    verdict = "ok" if total < 30720 else "MISSED"
    print(f"  statement page and stylesheet: {page:,} + {css:,} = {total:,} B (< 30 KB: {verdict})")
    missed |= total >= 30720
    return 1 if missed and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
