"""CPU time, read from Linux's /proc: what a server's processes spent while a page was under
load, so that the bench can say what one request cost the app's workers and, when the database
runs on this machine, the database server, which shares the same cores."""

import os
from collections.abc import Callable, Iterable
from pathlib import Path

PROC = Path("/proc")


def _fields(pid: int) -> list[str] | None:
    """/proc/PID/stat's fields after the command's name (which may hold spaces)."""
    try:
        return (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None  # gone, or no /proc here


def _seconds(pid: int) -> float:
    """User and system time of the process and of its children it has reaped."""
    fields = _fields(pid)
    if fields is None:
        return 0.0
    utime, stime, cutime, cstime = (int(f) for f in fields[11:15])
    return (utime + stime + cutime + cstime) / os.sysconf("SC_CLK_TCK")


def _all() -> Iterable[int]:
    return (int(entry.name) for entry in PROC.iterdir() if entry.name.isdigit())


def process_group(master: int) -> list[int]:
    """A server's master and its workers (its child processes)."""
    children = [pid for pid in _all() if (fields := _fields(pid)) and int(fields[1]) == master]
    return [master, *children]


def named(name: str) -> list[int]:
    """Every process of that name (`postgres`: its server, its backends, its helpers)."""
    found = []
    for pid in _all():
        try:
            if (PROC / str(pid) / "comm").read_text().strip() == name:
                found.append(pid)
        except OSError:
            pass
    return found


class CPUTime:
    """CPU seconds the processes `find()` names spent in the block: found again at its end,
    so that one started during the block counts too; one that ended counts through the
    parent that reaped it (a gunicorn master, PostgreSQL's postmaster), less what it had spent
    before the block."""

    def __init__(self, find: Callable[[], list[int]]):
        self.find = find
        self.seconds = 0.0

    def __enter__(self) -> "CPUTime":
        self._before = {pid: _seconds(pid) for pid in self.find()}
        return self

    def __exit__(self, *_exc) -> None:
        now = {pid: _seconds(pid) for pid in self.find()}
        ended = sum(spent for pid, spent in self._before.items() if pid not in now)
        self.seconds = sum(spent - self._before.get(pid, 0.0) for pid, spent in now.items()) - ended
