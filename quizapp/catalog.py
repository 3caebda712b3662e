"""The app's view of the content: loaded once at start, reloaded on change when configured.

Problems are logged as `path:line:col: message`; the files that have them are left out and
everything else is served.
"""

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, abort, current_app

from . import paths
from .content import Bank, ContentProblem, Library, load_library


@dataclass(frozen=True)
class Snapshot:
    library: Library
    problems: tuple[ContentProblem, ...]
    fingerprint: tuple


class Catalog:
    def __init__(self, app: Flask, root: Path, reload: bool):
        self.app, self.root, self.reload = app, root, reload
        self._lock = threading.Lock()
        self.snapshot = self._load()

    def current(self) -> Snapshot:
        if self.reload and self._fingerprint() != self.snapshot.fingerprint:
            with self._lock:
                if self._fingerprint() != self.snapshot.fingerprint:
                    self.snapshot = self._load()
        return self.snapshot

    def _fingerprint(self) -> tuple:
        files = [*self.root.glob("articles/*.md"), *self.root.glob("questions/*.yaml")]
        return tuple(sorted((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files))

    def _load(self) -> Snapshot:
        fingerprint = self._fingerprint()
        library, problems = load_library(self.root)
        for problem in problems:
            level = logging.ERROR if problem.severity == "error" else logging.WARNING
            self.app.logger.log(level, "%s", problem)
        self.app.logger.info(
            "content from %s: quizzes %d, articles %d, problems %d",
            self.root,
            len(library.banks),
            len(library.articles),
            len(problems),
        )
        return Snapshot(library, tuple(problems), fingerprint)


def init_app(app: Flask) -> None:
    reload = bool(app.config["QUIZAPP_CONTENT_RELOAD"])
    app.extensions["quizapp.catalog"] = Catalog(app, content_root(app), reload)


def content_root(app: Flask) -> Path:
    return Path(app.config["QUIZAPP_CONTENT_DIR"] or paths.content_root())


def current() -> Snapshot:
    """The content to serve in this request, with the problems found in it."""
    return current_app.extensions["quizapp.catalog"].current()


def library() -> Library:
    return current().library


def bank_or_404(bank_id: str) -> Bank:
    """The quiz a page names, or a 404."""
    bank = library().banks.get(bank_id)
    if bank is None:
        abort(404)
    return bank
