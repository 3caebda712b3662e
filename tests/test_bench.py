"""The HTTP bench: its rounds (every answer POST is sent in one round only, so that each
commits), the CPU time it reports for each request, and its yardsticks (a bare Flask app's one
read and one committed write)."""

import os
import shutil
import subprocess
import sys
from contextlib import closing
from pathlib import Path
from types import SimpleNamespace

import pytest

from bench import bare, cpu
from bench.cpu import CPUTime, process_group
from bench.http import (
    PAGES,
    YARDSTICKS,
    Load,
    Result,
    _client_shares,
    _cookie_jar,
    _share,
    database_server,
    table,
    yardsticks,
)


def test_each_round_takes_its_own_answer_posts_and_repeats_the_pages():
    posts = Load(tuple(("POST", f"/attempts/a/{n}", "") for n in range(10)), "c=1", 302)
    shares = [_share(posts, n, 3) for n in range(3)]
    sent = [request for share in shares for request in share.requests]
    assert len(sent) == len(set(sent)) == 9
    assert all(len(share.requests) == 3 for share in shares)
    page = Load((("GET", "/attempts/a/1", ""),), "c=1", 200)
    assert all(_share(page, n, 3) == page for n in range(3))


def test_without_wrk_each_python_client_repeats_a_page_or_takes_its_share_of_posts():
    """The fallback's clients all load a page at once; a list of posts is shared out among them,
    each post sent once."""
    page = Load((("GET", "/read", ""),), "", 200)
    assert _client_shares(page, 4) == [page] * 4
    posts = Load(tuple(("POST", "/write", f"key={n}") for n in range(10)), "a=1", 302)
    shares = _client_shares(posts, 4)
    assert len(shares) == 4 and all(share.requests for share in shares)
    assert sorted(r for share in shares for r in share.requests) == sorted(posts.requests)


def test_a_load_without_cookies_sends_none():
    """The bare app's loads carry no cookies (the fallback failed on them)."""
    assert _cookie_jar("") == {}
    assert _cookie_jar("a=1; b=x=y") == {"a": "1", "b": "x=y"}


SPIN = "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass"
TICK = os.sysconf("SC_CLK_TCK")
ON_LINUX = pytest.mark.skipif(not cpu.AVAILABLE, reason="reads Linux's /proc")


def _process(proc: Path, pid: int, parent: int, ticks: int, reaped: int = 0) -> None:
    """A process as /proc shows it, with a name that has spaces and parentheses in it."""
    fields = ["S", str(parent), *["0"] * 9, str(ticks), "0", str(reaped), "0", *["0"] * 5]
    (proc / str(pid)).mkdir(exist_ok=True)
    (proc / str(pid) / "stat").write_text(
        f"{pid} (gunicorn: worker (x) [a b]) {' '.join(fields)}\n"
    )


def test_a_servers_cpu_counts_its_workers_and_what_its_master_reaped(tmp_path, monkeypatch):
    """What a server spent in a run: its master, its workers, one started during the run, and
    one that ended during it (counted through its master, which reaped it, less what it had
    spent before); nothing of another process."""
    monkeypatch.setattr(cpu, "PROC", tmp_path)
    _process(tmp_path, 10, 1, ticks=100)
    _process(tmp_path, 11, 10, ticks=50)
    _process(tmp_path, 12, 10, ticks=30)
    _process(tmp_path, 99, 1, ticks=1000)
    with CPUTime(lambda: process_group(10)) as spent:
        shutil.rmtree(tmp_path / "11")  # spent 20 more ticks, ended, and was reaped
        _process(tmp_path, 10, 1, ticks=102, reaped=70)
        _process(tmp_path, 12, 10, ticks=40)
        _process(tmp_path, 13, 10, ticks=5)  # a new worker
        _process(tmp_path, 99, 1, ticks=1500)
    assert spent.seconds == pytest.approx((2 + 20 + 10 + 5) / TICK)


def test_a_process_that_ended_unseen_by_its_parent_counts_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(cpu, "PROC", tmp_path)
    _process(tmp_path, 21, 1, ticks=300)
    with CPUTime(lambda: {pid for pid in (21,) if (tmp_path / str(pid)).exists()}) as spent:
        shutil.rmtree(tmp_path / "21")
    assert spent.seconds == 0


@ON_LINUX
def test_the_cpu_of_a_real_worker_is_counted_once_reaped():
    master = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import subprocess, sys, time; time.sleep(0.2); "
            f"subprocess.run([sys.executable, '-c', {SPIN!r}]); print('reaped', flush=True); "
            "time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        with CPUTime(lambda: process_group(master.pid)) as spent:
            assert master.stdout.readline() == "reaped\n"
        assert 0.25 <= spent.seconds < 1.5  # the worker's 0.3 s, and the master's start
    finally:
        master.kill()
        master.wait()


@ON_LINUX
def test_the_database_server_is_found_by_the_backend_that_answers():
    """The PostgreSQL server the URL reaches, and its processes (backends and helpers); none
    for SQLite, whose work is the app's workers' own."""
    assert database_server("sqlite:///x.sqlite3") is None
    url = os.environ.get("QUIZAPP_TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        pytest.skip("QUIZAPP_TEST_DATABASE_URL names no PostgreSQL database")
    server = database_server(url)
    assert server is not None
    assert Path(f"/proc/{server}/comm").read_text().strip() in ("postgres", "postmaster")
    assert len(process_group(server)) > 1


def test_cpu_seconds_become_microseconds_per_request():
    result = Result(6000, 2.4, 3.5, requests=30_000)
    assert result.costing(13.5, 2.7).cpu_us == pytest.approx(450)
    assert result.costing(13.5, 2.7).database_us == pytest.approx(90)
    assert result.costing(13.5, None).database_us is None


def test_the_table_shows_the_cpu_each_request_cost(capsys):
    """Each page's line says what a request cost the app's workers and, on PostgreSQL, the
    database server on the same cores: where a page's time went, not only how fast it was."""
    args = SimpleNamespace(workers=2)
    bare = Result(6000, 2.4, 3.5, 30_000, cpu_us=240, database_us=0)
    page = Result(3000, 4.8, 9.8, 15_000, cpu_us=450, database_us=160)
    results = {name: (page, 6000) for name in (*PAGES, *YARDSTICKS)} | {"bare hello": (bare, 6000)}
    table("PostgreSQL", results, args)
    lines = capsys.readouterr().out.splitlines()
    header = next(line for line in lines if line.startswith("  page"))
    assert header.split()[1:9] == ["req/s", "p50", "ms", "p99", "ms", "app", "µs", "db"]
    bare_line = next(line for line in lines if line.startswith("  bare hello"))
    assert bare_line.split()[2:8] == ["6000", "2.40", "3.50", "240", "0", "1.00"]
    statement = next(line for line in lines if line.startswith("  statement page"))
    assert statement.split()[2:8] == ["3000", "4.80", "9.80", "450", "160", "0.50"]
    table("SQLite", {**results, "bare hello": (Result(6000, 2.4, 3.5, 30_000, 240), 6000)}, args)
    lines = capsys.readouterr().out.splitlines()
    sqlite_bare = next(line for line in lines if line.startswith("  bare hello"))
    assert sqlite_bare.split()[5:7] == ["240", "-"]  # not measured: SQLite is the workers' own


def test_the_yardsticks_read_a_row_and_commit_a_row(database, monkeypatch):
    """The bare app's read answers with the row it read, and its write is committed before it
    answers: what any Flask app on this database does at the least for a page and for a post."""
    url, _engine = database
    monkeypatch.setenv("QUIZAPP_DATABASE_URL", url)
    bare.prepare(url)
    try:
        client = bare.app.test_client()
        read = client.get("/read")
        assert read.status_code == 200
        assert read.text == "<p>a yardstick row</p>"
        for n in range(2):
            assert client.post("/write", data={"key": f"k{n}"}).status_code == 302
        assert client.post("/read-write", data={"key": "k2"}).status_code == 302
        with closing(bare.connect(url)) as other:  # another connection: the writes committed
            query = "SELECT key, value FROM bench_yardstick ORDER BY key"
            written = other.execute(query).fetchall()
        assert [tuple(row) for row in written] == [
            ("k0", "a written row"),
            ("k1", "a written row"),
            ("k2", "a yardstick row"),  # what it read, written
            ("one", "a yardstick row"),
        ]
    finally:
        bare.drop(url)


def test_each_yardstick_write_has_a_key_of_its_own():
    loads = yardsticks(posts=30)
    assert loads["bare: read"].requests == (("GET", "/read", ""),)
    posts = loads["bare: write"].requests + loads["bare: read+write"].requests
    assert len(posts) == len({body for _method, _path, body in posts}) == 60
    assert {path for method, path, _body in posts if method == "POST"} == {"/write", "/read-write"}
    assert loads["bare: write"].status == loads["bare: read+write"].status == 302


def test_the_table_shows_the_yardsticks_with_no_bar(capsys):
    """A yardstick is the bare app's, not a page of the app's: it has no bar, and however low,
    it fails no check."""
    args = SimpleNamespace(workers=2)
    page = Result(6000, 2.4, 3.5, 30_000, cpu_us=240)  # every page meets its bars
    slow = Result(600, 24.0, 999.0, 3_000, cpu_us=900)  # a tail far over 4x its p50
    results = {name: (page, 6000) for name in PAGES} | {name: (slow, 6000) for name in YARDSTICKS}
    assert table("SQLite", results, args) is False
    lines = capsys.readouterr().out.splitlines()
    write = next(line for line in lines if line.startswith("  bare: read+write"))
    assert write.split()[2:8] == ["600", "24.00", "999.00", "900", "-", "0.10"]
    assert write.endswith("yardstick: no bar")
