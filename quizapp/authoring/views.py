"""Pages for authors: what `content check` reports, a preview of every statement of a bank,
and the bank as a file for Moodle or Canvas.

They show answer keys, so they are open to signed-in instructors, and to everyone only when
QUIZAPP_AUTHOR_TOOLS is on (by default, in debug mode); otherwise they do not exist (404).
"""

from itertools import groupby

from flask import Blueprint, Response, abort, current_app, render_template

from .. import catalog, templating  # templating's names are used at request time (a cycle)
from ..content import exporting
from ..instructor import accounts
from ..security import no_store

bp = Blueprint("authoring", __name__, url_prefix="/authoring")
bp.after_request(no_store)


@bp.before_request
def author_tools_only():
    if not enabled():
        abort(404)


def enabled() -> bool:
    return open_to_all() or accounts.signed_in()


def open_to_all() -> bool:
    """Whether anyone may use the author tools (development mode): every page says so."""
    # the app itself, not its proxy (see security.PROXIES)
    return bool(current_app._get_current_object().config["QUIZAPP_AUTHOR_TOOLS"])


@bp.get("/")
def problems():
    snapshot = catalog.current()
    by_file = groupby(sorted(snapshot.problems, key=lambda p: (p.path, p.line)), lambda p: p.path)
    errors = sum(p.severity == "error" for p in snapshot.problems)
    return render_template(
        "authoring/problems.html",
        files=[(path, list(found)) for path, found in by_file],
        errors=errors,
        warnings=len(snapshot.problems) - errors,
        banks=snapshot.library.banks,
    )


@bp.get("/banks/<bank_id>")
def preview(bank_id: str):
    """Every statement with its verdict and sources, and what the item-writing checks say
    about its wording, the words they name highlighted."""
    bank = catalog.bank_or_404(bank_id)
    review = catalog.library().wording
    wording = {
        q.id: (_segments(q.statement, review.marks(q.id)), review.for_question(q.id))
        for q in bank.questions
    }
    bank_findings = [f for f in review.findings if f.bank == bank.id and f.question is None]
    return render_template(
        "authoring/preview.html", bank=bank, wording=wording, bank_findings=bank_findings
    )


@bp.get("/banks/<bank_id>/export/<format_name>")
def download(bank_id: str, format_name: str):
    """The bank as a file to import into Moodle or Canvas; it holds the answer key, so it is
    an author tool like the preview."""
    bank = catalog.bank_or_404(bank_id)
    chosen = exporting.FORMATS.get(format_name) or abort(404)
    return Response(
        chosen.export(bank, catalog.library(), templating.public_url("quiz.home")),
        content_type=chosen.media_type,
        headers={"Content-Disposition": f'attachment; filename="{chosen.filename(bank)}"'},
    )


def _segments(text: str, marks: list) -> list[tuple[str, object]]:
    """The statement cut into (text, mark or None) pieces, for the template to highlight."""
    pieces, at = [], 0
    for mark in marks:
        if mark.start < at:  # overlapping marks: the first one shown
            continue
        pieces.append((text[at : mark.start], None))
        pieces.append((text[mark.start : mark.end], mark))
        at = mark.end
    pieces.append((text[at:], None))
    return [(piece, mark) for piece, mark in pieces if piece]
