"""The HTTP bench: its rounds (every answer POST is sent in one round only, so that each
commits), and the CPU time it reports for each request."""

import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from bench.cpu import CPUTime, named, process_group
from bench.http import PAGES, Load, Result, _share, table


def test_each_round_takes_its_own_answer_posts_and_repeats_the_pages():
    posts = Load(tuple(("POST", f"/attempts/a/{n}", "") for n in range(10)), "c=1", 302)
    shares = [_share(posts, n, 3) for n in range(3)]
    sent = [request for share in shares for request in share.requests]
    assert len(sent) == len(set(sent)) == 9
    assert all(len(share.requests) == 3 for share in shares)
    page = Load((("GET", "/attempts/a/1", ""),), "c=1", 200)
    assert all(_share(page, n, 3) == page for n in range(3))


SPIN = "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="CPU time is read from /proc")
def test_the_cpu_a_server_spends_is_counted_with_its_workers_that_exit():
    """A server's CPU per request counts its master and workers, and a worker that exited
    during the run (its master reaped it), as gunicorn's workers are counted."""
    master = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, subprocess, time; time.sleep(0.3); "
            f"subprocess.run([sys.executable, '-c', {SPIN!r}]); time.sleep(30)",
        ]
    )
    try:
        with CPUTime(lambda: process_group(master.pid)) as spent:
            time.sleep(1.5)  # the worker starts, spins 0.3 s, and exits
        assert 0.25 <= spent.seconds < 1
    finally:
        master.kill()
        master.wait()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="CPU time is read from /proc")
def test_a_database_on_this_machine_is_found_by_its_processes_name():
    spinner = subprocess.Popen([sys.executable, "-c", SPIN])
    try:
        name = Path(f"/proc/{spinner.pid}/comm").read_text().strip()
        with CPUTime(lambda: named(name)) as spent:
            spinner.wait()
        assert spent.seconds >= 0.2
    finally:
        spinner.kill()


def test_the_table_shows_the_cpu_each_request_cost(capsys):
    """Each page's line says what a request cost the app's workers and, on PostgreSQL, the
    database server on the same cores: where a page's time went, not only how fast it was."""
    args = SimpleNamespace(workers=2)
    bare = Result(6000, 2.4, 3.5, 240, None)
    page = Result(3000, 4.8, 9.8, 450, 160)
    results = {name: (page, 6000) for name in PAGES} | {"bare hello": (bare, 6000)}
    table("PostgreSQL", results, args)
    lines = capsys.readouterr().out.splitlines()
    header = next(line for line in lines if line.startswith("  page"))
    assert header.split()[1:9] == ["req/s", "p50", "ms", "p99", "ms", "app", "CPU", "db"]
    bare_line = next(line for line in lines if line.startswith("  bare hello"))
    assert bare_line.split()[2:7] == ["6000", "2.40", "3.50", "240", "-"]
    statement = next(line for line in lines if line.startswith("  statement page"))
    assert statement.split()[2:8] == ["3000", "4.80", "9.80", "450", "160", "0.50"]
