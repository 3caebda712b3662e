"""The app's view of the content: loaded once at start, reloaded on change when configured.

Files with errors are left out, named in one log line, and everything else is served. The
problems themselves are listed once, by `flask content check` and on the authoring page: every
CLI command creates the app, so logging them here would print them twice in the check.
"""

import threading
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, abort, current_app

from . import paths
from .content import Bank, ContentProblem, Library, load_library


@dataclass(frozen=True)
class Snapshot:
    library: Library
    problems: tuple[ContentProblem, ...]
    fingerprint: tuple
    # parts of pages that depend only on this content, rendered once (templating.fragment)
    fragments: dict = field(default_factory=dict, compare=False, repr=False)


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
        return tuple(sorted((str(p), _stamp(p)) for p in files))

    def _load(self) -> Snapshot:
        fingerprint = self._fingerprint()
        library, problems = load_library(self.root)
        left_out = sorted({p.path for p in problems if p.severity == "error"})
        summary = (
            f"content from {self.root}: quizzes {len(library.banks)}, "
            f"articles {len(library.articles)}, "
            f"warnings {sum(p.severity == 'warning' for p in problems)}"
        )
        if left_out:
            self.app.logger.error(
                "%s; left out for errors: %s (`flask content check` says where)",
                summary,
                ", ".join(left_out),
            )
        else:
            self.app.logger.info("%s", summary)
        return Snapshot(library, tuple(problems), fingerprint)


def _stamp(path: Path) -> tuple | None:
    """What changes when the file is edited; None while there is no file (a broken link)."""
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size


def init_app(app: Flask) -> None:
    reload = bool(app.config["QUIZAPP_CONTENT_RELOAD"])
    app.extensions["quizapp.catalog"] = Catalog(app, content_root(app), reload)


def content_root(app: Flask) -> Path:
    return Path(app.config["QUIZAPP_CONTENT_DIR"] or paths.content_root())


def current() -> Snapshot:
    """The content to serve in this request, with the problems found in it."""
    # the app itself, not its proxy (see security.PROXIES)
    return current_app._get_current_object().extensions["quizapp.catalog"].current()


def library() -> Library:
    return current().library


def bank_or_404(bank_id: str) -> Bank:
    """The quiz a page names, or a 404."""
    bank = library().banks.get(bank_id)
    if bank is None:
        abort(404)
    return bank
