"""CPU time, read from Linux's /proc: what a server's processes spent while a page was under
load, so that the bench can say what one request cost the app's workers and, when the database
runs on this machine, the database server, which shares the same cores."""

import os
from collections.abc import Callable
from pathlib import Path

PROC = Path("/proc")
AVAILABLE = (PROC / "self" / "stat").exists()  # Linux


def _fields(pid: int) -> list[str] | None:
    """/proc/PID/stat's fields after the command's name (which may hold spaces and parentheses);
    None for a process gone."""
    try:
        return (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def _pids() -> set[int]:
    return {int(entry.name) for entry in PROC.iterdir() if entry.name.isdigit()}


def parent(pid: int) -> int | None:
    fields = _fields(pid)
    return int(fields[1]) if fields else None


def process_group(master: int) -> set[int]:
    """A server's master and its child processes (gunicorn's workers; PostgreSQL's backends and
    helpers)."""
    return {master} | {pid for pid in _pids() if parent(pid) == master}


class CPUTime:
    """CPU seconds the processes `find()` names spent in the block, as user and system time.

    They are found again at the block's end, so that a process started in it counts in full. One
    that ended in it counts through the parent that reaped it (a gunicorn master, PostgreSQL's
    postmaster: a parent's time includes its reaped children's), less what it had spent before
    the block; one whose parent is not among them is lost, and counts nothing. Each end reads
    every process once with no process starting or ending meanwhile (else it reads them again),
    so that a worker reaped during the reading is neither missed nor counted twice."""

    def __init__(self, find: Callable[[], set[int]]):
        self.find = find
        self.seconds = 0.0

    def __enter__(self) -> "CPUTime":
        self._before = self._read()
        return self

    def __exit__(self, *_exc) -> None:
        before, now = self._before, self._read()
        spent = sum(seconds - before.get(pid, (0.0, None))[0] for pid, (seconds, _) in now.items())
        # the part of an ended process's time that its reaping parent counts again
        counted_again = sum(
            seconds for pid, (seconds, up) in before.items() if pid not in now and up in now
        )
        self.seconds = spent - counted_again

    def _read(self) -> dict[int, tuple[float, int]]:
        """pid: (its and its reaped children's CPU seconds, its parent), for each process."""
        tick = os.sysconf("SC_CLK_TCK")
        for _attempt in range(20):  # the processes come and go in bursts, rarely
            found = self.find()
            read = {pid: _fields(pid) for pid in found}
            if None not in read.values() and self.find() == found:
                break
        return {
            pid: (sum(int(f) for f in fields[11:15]) / tick, int(fields[1]))
            for pid, fields in read.items()
            if fields is not None
        }
