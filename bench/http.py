"""Benchmark: the learner's pages under gunicorn, as ratios to a bare Flask app in the same run.

Starts, side by side on this machine, a bare Flask hello-world (bench/bare.py) and the app,
each under gunicorn with the production settings and the same number of sync workers, and
drives each page with wrk (a C load generator: `apt-get install wrk`; bench/wrk.lua sends the
learner's cookies and, for the answer POSTs, a fresh statement each time, so that every POST
commits). Reports requests/s, p50 and p99 for the bare app, /healthz, the catalog, a statement
page, an answer POST with its commit, the feedback page, the results page and an article page;
each as a ratio to the bare app, measured again right after each page (so that a drift in the
machine's speed during the run does not bend the ratios), and, read from Linux's /proc, the CPU
time each request cost the server's processes and a PostgreSQL server on this machine (whose work
shares the cores: where a page's time went, not only how fast it was). Beside the pages, as
yardsticks with no bar, the bare app's one read by key, one committed insert, and a post that
does both, on the same database: about the most a Flask page that reads, or a post that commits,
reaches on this machine. On SQLite, and on PostgreSQL as well when QUIZAPP_TEST_DATABASE_URL (or
DATABASE_URL) names one.

Ratios, not requests/s, are the figures to compare between machines: both sides of a ratio ran
on the same cores, a few seconds apart. Without wrk the Python client (bench.client) drives the
load instead, with a notice: it spends so long per request that the server's share shrinks and
the ratios look better than they are.

    python -m bench.http [--seconds 5] [--connections 16] [--workers N] [--rounds 1] [--check]
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import closing
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import make_url

from bench import bare as bare_app
from bench import cpu
from bench.client import Browser, Learner
from bench.cpu import CPUTime, parent, process_group
from bench.server import REPO, Server, fresh_database

WRK = shutil.which("wrk")
SCRIPT = REPO / "bench" / "wrk.lua"
PAGES = (
    "bare hello",
    "/healthz",
    "catalog",
    "statement page",
    "answer POST",
    "feedback page",
    "results page",
    "article page",
)
# the bare app's read, committed write, and both in one post (bench/bare.py): about the most a
# Flask page that reads, or a post that commits, reaches on this machine and database; no bars
YARDSTICKS = ("bare: read", "bare: write", "bare: read+write")
BARS = {
    "/healthz": 0.9,
    "statement page": 0.6,
    "answer POST": 0.35,
    "feedback page": 0.45,
    "results page": 0.45,
    "article page": 0.5,
}
POSTGRES_BARS = {"statement page": 0.5}
TAIL = 4.0  # p99 under this many times p50, for every page
PAGE_WEIGHT = 30 * 1024  # bytes: a statement page and its stylesheet (issue 7)


@dataclass(frozen=True)
class Load:
    """What one page's load is: the requests (one, repeated, or a list taken in turn), the
    learner's cookies, and the status each must answer."""

    requests: tuple[tuple[str, str, str], ...]  # (method, path, form body)
    cookies: str
    status: int


@dataclass(frozen=True)
class Result:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int = 0
    cpu_us: float | None = None  # CPU per request: the server's master and workers
    database_us: float | None = None  # and the database server's, when it shares this machine

    def costing(self, app: float, database: float | None) -> "Result":
        """With the CPU seconds the app's and the database's processes spent on it."""
        per_request = 1e6 / self.requests  # µs
        return replace(
            self,
            cpu_us=app * per_request,
            database_us=None if database is None else database * per_request,
        )


def prepare(base: str, posts: int) -> dict[str, Load]:
    """A learner with a statement to see, one answered (its feedback), a finished attempt (its
    results), and `posts` statements never answered, for the answer POSTs."""
    learner = Learner(Browser(base))
    learner.start()
    statement = learner.attempt + "/1"
    answered = Learner(learner.browser)
    answered.start()
    answered.answer_next()
    finished = Learner(learner.browser)
    finished.start()
    finished.finish()
    # the POSTs' statements belong to a second learner, so that the first has as many
    # attempts as a learner has, not hundreds (Home lists the attempts under way)
    poster = Browser(base)
    fresh = []
    while len(fresh) < posts:
        attempt = Learner(poster)
        attempt.start()
        fresh += [f"{attempt.attempt}/{n}" for n in range(1, 11)]
    poster.close()
    browser = learner.browser
    cookies = _cookies(browser)
    body = f"answer=myth&csrf_token={poster.token}"

    def get(path: str) -> tuple[tuple[str, str, str], ...]:
        return (("GET", path, ""),)

    loads = {
        "/healthz": Load(get("/healthz"), cookies, 200),
        "catalog": Load(get("/"), cookies, 200),
        "statement page": Load(get(statement), cookies, 200),
        "answer POST": Load(tuple(("POST", p, body) for p in fresh), _cookies(poster), 302),
        "feedback page": Load(get(answered.attempt + "/1"), cookies, 200),
        "results page": Load(get(finished.attempt + "/results"), cookies, 200),
        "article page": Load(get("/articles/pore-truth"), cookies, 200),
    }
    for name, load in loads.items():  # each page answers as expected before it is measured
        method, path, _ = load.requests[0]
        if method == "GET" and browser.get(path).status != load.status:
            raise RuntimeError(f"{name} ({path}) does not answer {load.status}")
    browser.close()
    return loads


def yardsticks(posts: int) -> dict[str, Load]:
    """The bare app's read, and `posts` of each of its posts, each inserting a key of its own."""

    def each(path: str, prefix: str) -> tuple[tuple[str, str, str], ...]:
        return tuple(("POST", path, f"key={prefix}{n}") for n in range(posts))

    return {
        "bare: read": Load((("GET", "/read", ""),), "", 200),
        "bare: write": Load(each("/write", "w"), "", 302),
        "bare: read+write": Load(each("/read-write", "rw"), "", 302),
    }


def _cookies(browser: Browser) -> str:
    return "; ".join(f"{k}={v}" for k, v in browser.cookies.items())


def run_wrk(base: str, load: Load, seconds: float, connections: int, workdir: Path) -> Result:
    env = {**os.environ, "BENCH_COOKIE": load.cookies}
    target = base + load.requests[0][1]
    if len(load.requests) > 1:
        listing = workdir / "requests.txt"
        listing.write_text("".join(f"{m} {p} {b}\n" for m, p, b in load.requests))
        env["BENCH_REQUESTS"] = str(listing)
        target = base + "/"
    threads = min(2, connections)
    command = [WRK, f"-t{threads}", f"-c{connections}", f"-d{int(seconds)}s", "--timeout", "10s"]
    done = subprocess.run(
        [*command, "-s", str(SCRIPT), target, "--", str(threads)],
        env=env,
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    )
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    if summary["bad_status"] or summary["socket_errors"] > summary["requests"] // 100:
        raise RuntimeError(f"{target}: {summary}\n{done.stdout}")
    if summary["repeated"]:
        raise RuntimeError(f"{target}: ran out of fresh statements ({summary['repeated']})")
    return Result(
        summary["requests"] / summary["seconds"],
        summary["p50_us"] / 1000,
        summary["p99_us"] / 1000,
        summary["requests"],
    )


def _python_client(base: str, load: Load, seconds: float) -> list[float]:
    """One Python client: repeat the GET (or make each POST once) for `seconds`."""
    browser = Browser(base, cookies=_cookie_jar(load.cookies))
    latencies, n = [], 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline and (len(load.requests) == 1 or n < len(load.requests)):
        method, path, body = load.requests[n % len(load.requests)]
        form = dict(pair.split("=", 1) for pair in body.split("&")) if body else None
        began = time.perf_counter()
        reply = browser.request(method, path, form)
        latencies.append((time.perf_counter() - began) * 1000)
        if reply.status != load.status:
            raise RuntimeError(f"{path} answered {reply.status}")
        n += 1
    browser.close()
    return latencies


def _cookie_jar(cookies: str) -> dict[str, str]:
    """A Cookie header's pairs (none in an empty one)."""
    return dict(pair.split("=", 1) for pair in cookies.split("; ") if pair)


def _client_shares(load: Load, clients: int) -> list[Load]:
    """What each client sends: all of them the one page, or each its share of a list."""
    if len(load.requests) == 1:
        return [load] * clients
    return [Load(load.requests[i::clients], load.cookies, load.status) for i in range(clients)]


def run_python(base: str, load: Load, seconds: float, clients: int) -> Result:
    shares = _client_shares(load, clients)
    with ProcessPoolExecutor(clients) as pool:
        began = time.perf_counter()
        results = list(pool.map(_python_client, [base] * clients, shares, [seconds] * clients))
        elapsed = time.perf_counter() - began
    latencies = sorted(x for r in results for x in r)
    p99 = latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))]
    return Result(len(latencies) / elapsed, statistics.median(latencies), p99, len(latencies))


def _share(load: Load, n: int, rounds: int) -> Load:
    """Round n's share of a list of requests (each answer POST is made once, in one round)."""
    if len(load.requests) == 1:
        return load
    size = len(load.requests) // rounds
    return Load(load.requests[n * size : (n + 1) * size], load.cookies, load.status)


def measure_database(url: str, args, workdir: Path) -> dict[str, tuple[Result, float]]:
    """Each page's result, and the bare app's requests/s measured right after it: a ratio of
    two neighbours stays true when the machine's speed drifts during the run."""

    postmaster = database_server(url)

    def load_on(target: Server, load: Load) -> Result:
        if WRK:
            return run_wrk(target.url, load, args.seconds, args.connections, workdir)
        return run_python(target.url, load, args.seconds, min(args.connections, 4))

    def drive(target: Server, load: Load) -> Result:
        if not cpu.AVAILABLE:
            return load_on(target, load)
        with (
            CPUTime(lambda: process_group(target.process.pid)) as app,
            CPUTime(lambda: process_group(postmaster) if postmaster else set()) as serving,
        ):
            result = load_on(target, load)
        return result.costing(app.seconds, serving.seconds if postmaster else None)

    settings = {"QUIZAPP_WORKERS": str(args.workers)}
    bare = Server(url, workdir, app="bench.bare:app", **settings).start()
    server = Server(url, workdir, **settings).start()
    hello = Load((("GET", "/", ""),), "", 200)
    results = {}
    try:
        drive(bare, hello)  # warm up
        first = drive(bare, hello)
        per_round = int(first.rps * args.seconds * 0.8) + 200
        posts = per_round * args.rounds
        pages = {name: (server, load) for name, load in prepare(server.url, posts).items()}
        pages |= {name: (bare, load) for name, load in yardsticks(posts).items()}
        drive(server, pages["statement page"][1])  # warm up
        bares = [first]
        runs = {name: [] for name in pages}
        for n in range(args.rounds):  # the pages in turn, each round
            for name, (target, load) in pages.items():
                page = drive(target, _share(load, n, args.rounds))
                bares.append(drive(bare, hello))
                runs[name].append((page, bares[-1].rps))
        for name, measured in runs.items():  # the run with the median ratio
            measured.sort(key=lambda run: run[0].rps / run[1])
            results[name] = measured[len(measured) // 2]
        page_size, css = weight(server.url)
    finally:
        server.stop()
        bare.stop()
    middle = sorted(bares, key=lambda r: r.rps)[len(bares) // 2]
    results["bare hello"] = (middle, middle.rps)
    verdict = "ok" if page_size + css < PAGE_WEIGHT else "MISSED"
    print(f"  a statement page and its stylesheet: {page_size:,} + {css:,} B (< 30 KB: {verdict})")
    return results


def database_server(url: str) -> int | None:
    """The process id of the PostgreSQL server the URL reaches, when it runs on this machine
    (where its work shares the cores the ratios are measured on): the parent of the backend that
    answers. None for SQLite, which works inside the app's workers, and for a server this
    machine cannot see."""
    if not cpu.AVAILABLE or make_url(url).get_backend_name() != "postgresql":
        return None
    with closing(bare_app.connect(url)) as connection:
        (backend,) = connection.execute("SELECT pg_backend_pid()").fetchone()
        server = parent(backend)  # read while the backend is there to be read
    return server if server is not None and server > 1 else None  # 1: an orphan, not a server


def weight(base: str) -> tuple[int, int]:
    """A statement page of a shipped quiz (certainty asked) and its one stylesheet, in bytes."""
    learner = Learner(Browser(base), bank="pore-basics")
    learner.start()
    page = learner.browser.get(learner.attempt + "/1").body.encode()
    css = learner.browser.get("/static/style.css").body.encode()
    learner.browser.close()
    return len(page), len(css)


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{platform.node()}: {os.cpu_count()} cores ({model}), Python {platform.python_version()}"
    )


def table(kind: str, results: dict[str, tuple[Result, float]], args) -> bool:
    """Print one database's table; True when a bar is missed. The bare app's line is the
    median of its runs; each page's ratio is to the bare run right after it."""
    bars = {**BARS, **(POSTGRES_BARS if kind == "PostgreSQL" else {})}
    print(f"\n{kind}: gunicorn, {args.workers} sync workers per server")
    print(
        f"  {'page':16} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'app µs':>7} {'db µs':>6} "
        f"{'ratio':>6}  bars"
    )
    missed = False
    for name in (*PAGES, *YARDSTICKS):
        result, baseline = results[name]
        ratio = result.rps / baseline
        notes = []
        bar = bars.get(name)
        if bar is not None:
            ok = ratio >= bar
            notes.append(f">= {bar}: {'ok' if ok else 'MISSED'}")
            missed |= not ok
        if name in YARDSTICKS:
            notes.append("yardstick: no bar")
        else:
            tail_ok = result.p99_ms < TAIL * result.p50_ms
            notes.append(f"p99 < {TAIL:.0f}x p50: {'ok' if tail_ok else 'MISSED'}")
            missed |= not tail_ok
        print(
            f"  {name:16} {result.rps:8.0f} {result.p50_ms:8.2f} {result.p99_ms:8.2f} "
            f"{_us(result.cpu_us):>7} {_us(result.database_us):>6} {ratio:6.2f}  {'; '.join(notes)}"
        )
    return missed


def _us(figure: float | None) -> str:
    return "-" if figure is None else f"{figure:.0f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5, help="per page")
    parser.add_argument("--connections", type=int, default=16, help="wrk's open connections")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="per server")
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="measure every page this many times, in turn, and report each page's run with "
        "the median ratio (on a machine whose speed varies)",
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if a bar is missed")
    args = parser.parse_args()
    client = (
        f"wrk -t2 -c{args.connections}, {args.seconds:.0f} s per page, "
        f"{args.rounds} round{'s' if args.rounds > 1 else ''} (the median ratio of each page)"
        if WRK
        else "the Python client: wrk is not installed (apt-get install wrk); its ratios flatter "
        "the app, since the client's own cost per request hides part of the server's"
    )
    print(f"bench.http on {machine()}\nload: {client}")
    print("compare ratios (page / bare Flask hello, same run), not requests/s, across machines")
    if cpu.AVAILABLE:
        print(
            "app µs, db µs: CPU time per request, of the server's gunicorn master and workers, and "
            "of a PostgreSQL server on this machine (its backends and helpers), which shares its "
            "cores; '-': not measured"
        )
    workdir = Path(tempfile.mkdtemp(prefix="quizapp-http-"))
    databases = [("SQLite", f"sqlite:///{workdir / 'bench.sqlite3'}")]
    postgres = os.environ.get("QUIZAPP_TEST_DATABASE_URL") or os.environ.get("DATABASE_URL", "")
    if postgres.startswith("postgresql"):
        databases.append(("PostgreSQL", postgres))
    missed = False
    for kind, url in databases:
        fresh_database(url).dispose()
        bare_app.prepare(url)
        try:
            missed |= table(kind, measure_database(url, args, workdir), args)
        finally:
            bare_app.drop(url)
    return 1 if missed and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
