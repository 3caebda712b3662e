"""Run the app under gunicorn with its production config, on a free loopback port."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, text

from bench import bare
from quizapp.db import make_engine, upgrade
from quizapp.models import Base

REPO = Path(__file__).resolve().parent.parent


def fresh_database(url: str) -> Engine:
    """A database migrated from empty; on PostgreSQL the app's tables are dropped first.

    For tests and benchmarks only: it destroys what the database held.
    """
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        Base.metadata.drop_all(engine)
        with engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        bare.drop(url)  # the bench's yardsticks' table, left by a run that was killed
    upgrade(engine)
    return engine


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def load_content(workdir: Path) -> Path:
    """The bundled content plus a 10-statement bank `load-test` (immediate feedback)."""
    root = workdir / "content"
    (root / "articles").mkdir(parents=True, exist_ok=True)
    (root / "questions").mkdir(exist_ok=True)
    for bundled in [*(REPO / "articles").glob("*.md"), *(REPO / "questions").glob("*.yaml")]:
        (root / bundled.parent.name / bundled.name).write_text(bundled.read_text())
    statements = "".join(
        f"""  - id: load-{n}
    type: myth_fact
    statement: Load statement number {n}.
    answer: {"myth" if n % 2 else "fact"}
    difficulty: easy
    explanation: Why statement {n} is what it is.
    sources: [{{ref: pore-truth#intro, stance: {"contradicts" if n % 2 else "supports"}}}]
"""
        for n in range(10)
    )
    (root / "questions" / "load-test.yaml").write_text(
        "schema_version: 1\nbank:\n  id: load-test\n  title: Load test\n"
        f"  description: Ten statements.\nquestions:\n{statements}"
    )
    return root


def wait_until_healthy(
    process: subprocess.Popen, url: str, timeout: float, name: str, output: Callable[[], str]
) -> None:
    """Wait for url's /healthz to answer 200; RuntimeError, with the server's output, if the
    process exits first or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited:\n{output()}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{name} did not answer in {timeout} s:\n{output()}")


def stop_group(process: subprocess.Popen | None) -> None:
    """SIGTERM to a server's process group; SIGKILL if it has not ended in 10 s."""
    if process and process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


class Server:
    """One gunicorn: start(), kill() (SIGKILL, as a crash), stop() (SIGTERM)."""

    def __init__(
        self,
        database_url: str,
        workdir: Path,
        port: int | None = None,
        app: str = "quizapp.wsgi:app",
        **env,
    ):
        self.app = app  # the WSGI app gunicorn serves (bench.bare:app for the baseline)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "QUIZAPP_DATABASE_URL": database_url,
            "QUIZAPP_SECRET_KEY": "a shared secret for the servers under test",
            "QUIZAPP_INSTANCE_PATH": str(workdir / "instance"),
            "QUIZAPP_CONTENT_DIR": str(load_content(workdir)),
            "QUIZAPP_BIND": f"127.0.0.1:{self.port}",
            "QUIZAPP_PUBLIC_URL": self.url,
            "QUIZAPP_WORKERS": "4",
            **env,
        }
        self.log = workdir / f"gunicorn-{self.port}.log"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 20) -> "Server":
        command = [sys.executable, "-m", "gunicorn", "-c", "python:quizapp.gunicorn_conf"]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [*command, self.app],
                env=self.env,
                cwd=REPO,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: kill() takes every worker
            )
        wait_until_healthy(self.process, self.url, timeout, "gunicorn", self.output)
        return self

    def kill(self) -> None:
        """SIGKILL to the master and every worker at once: no clean-up, as in a crash."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        stop_group(self.process)

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""
