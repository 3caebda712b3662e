"""The learner's pages: the catalogue, starting a quiz, each statement, feedback, results."""

import hashlib
import hmac
import secrets

from flask import Blueprint, abort, redirect, render_template, request, session, url_for

from .. import catalog, db
from ..content import Bank
from ..models import Member
from . import attempts, membership, progress, scoring
from .forms import ActionForm, AnswerForm, CertainAnswerForm, JoinForm, StartForm
from .scoring import CONFIDENT

bp = Blueprint("quiz", __name__)


@bp.get("/")
def home():
    library = catalog.library()
    return render_template("quiz/home.html", banks=library.banks, articles=library.articles)


@bp.route("/quizzes/<bank_id>", methods=["GET", "POST"])
def start(bank_id: str):
    """Start a quiz; with ?class=CODE (or the form's class_code) as a member of that class."""
    bank = catalog.bank_or_404(bank_id)
    form = StartForm(class_code=request.args.get("class", ""))
    member = _membership(form.class_code.data, bank)
    if form.validate_on_submit():
        name = form.display_name.data or None
        attempt = attempts.start(db.session(), bank, _owner(), name, member)
        return redirect(url_for(".resume", attempt_id=attempt.id))
    ongoing = attempts.unfinished(db.session(), bank.id, _owner())
    status = 400 if request.method == "POST" else 200
    page = render_template("quiz/start.html", bank=bank, form=form, ongoing=ongoing, member=member)
    return page, status


@bp.route("/join/<code>", methods=["GET", "POST"])
def join(code: str):
    """Join a class by its code (from the link an instructor shares), giving a name."""
    classroom = membership.find_class(db.session(), code)
    if classroom is None or classroom.archived:
        abort(404)
    if membership.member_of(db.session(), classroom, _owner()):
        return redirect(url_for(".classroom", code=classroom.join_code))
    form = JoinForm()
    if request.method == "POST" and not classroom.joining_open:
        status = 403  # the page says that joining is closed
    elif form.validate_on_submit():
        membership.join(db.session(), classroom, _owner(), form.display_name.data)
        return redirect(url_for(".classroom", code=classroom.join_code))
    else:
        status = 400 if request.method == "POST" else 200
    return render_template("quiz/join.html", classroom=classroom, form=form), status


@bp.get("/classes/<code>")
def classroom(code: str):
    """A member's view of their class: its quizzes."""
    found = membership.find_class(db.session(), code)
    if found is None or found.archived:
        abort(404)
    member = membership.member_of(db.session(), found, _owner())
    if member is None:
        return redirect(url_for(".join", code=found.join_code))
    banks = [b for b in map(catalog.library().banks.get, found.bank_ids) if b]
    return render_template("quiz/classroom.html", classroom=found, member=member, banks=banks)


@bp.get("/attempts/<attempt_id>")
def resume(attempt_id: str):
    """Go on at the first statement not yet answered, or to the check page, or the results."""
    attempt, _bank, steps = _load(attempt_id)
    pending = next((s for s in steps if s.response is None), None)
    if attempt.finished_at is not None:
        return redirect(url_for(".results", attempt_id=attempt_id))
    if pending is None:
        return redirect(url_for(".check", attempt_id=attempt_id))
    return redirect(url_for(".statement", attempt_id=attempt_id, number=pending.number))


@bp.route("/attempts/<attempt_id>/<int(max=100000):number>", methods=["GET", "POST"])
def statement(attempt_id: str, number: int):
    """A statement to judge; once answered (immediate feedback), the feedback on it."""
    attempt, bank, steps = _load(attempt_id)
    index = next((i for i, s in enumerate(steps) if s.number == number), None)
    if index is None:
        abort(404)
    step, following = steps[index], steps[index + 1] if index + 1 < len(steps) else None
    open_to_answer = step.response is None or _changeable(attempt)
    form, status = None, 200  # a GET needs no form object: the template writes the fields
    if request.method == "POST" and open_to_answer:
        form = (CertainAnswerForm if attempt.certainty else AnswerForm)()
        if form.validate_on_submit():
            certainty = form.certainty.data if attempt.certainty else None
            attempts.record(db.session(), attempt, step, form.answer.data, certainty)
            return _after_answer(attempt, number, following)
        if form.answer.errors:
            abort(400)
        status = 400  # answered without saying how sure: ask again
    elif request.method == "POST":
        return redirect(url_for(".statement", attempt_id=attempt_id, number=number))
    template = "quiz/statement.html" if open_to_answer else "quiz/feedback.html"
    page = render_template(
        template,
        attempt=attempt,
        bank=bank,
        step=step,
        position=index + 1,
        total=len(steps),
        following=following,
        form=form,
        steps=steps,
    )
    return page, status


@bp.get("/attempts/<attempt_id>/check")
def check(attempt_id: str):
    """Deferred feedback: every answer so far, to change or to submit."""
    attempt, bank, steps = _load(attempt_id)
    if not _changeable(attempt):
        return redirect(url_for(".resume", attempt_id=attempt_id))
    return render_template(
        "quiz/check.html", attempt=attempt, bank=bank, steps=steps, form=ActionForm()
    )


@bp.post("/attempts/<attempt_id>/submit")
def submit(attempt_id: str):
    attempt, _bank, steps = _load(attempt_id)
    if not ActionForm().validate_on_submit() or any(s.response is None for s in steps):
        abort(400)
    if _changeable(attempt):
        attempts.submit(db.session(), attempt)
    return redirect(url_for(".results", attempt_id=attempt_id))


@bp.get("/attempts/<attempt_id>/results")
def results(attempt_id: str):
    attempt, bank, steps = _load(attempt_id)
    if attempt.finished_at is None:
        return redirect(url_for(".resume", attempt_id=attempt_id))
    score = scoring.score([(s.response.correct, s.response.certainty) for s in steps])
    confident_misses = sorted(
        (s for s in steps if not s.response.correct and (s.response.certainty or 0) >= CONFIDENT),
        key=lambda s: -s.response.certainty,
    )
    return render_template(
        "quiz/results.html",
        attempt=attempt,
        bank=bank,
        steps=steps,
        score=score,
        confident_misses=confident_misses,
        to_retry=attempts.missed(attempt, steps),
        retake=StartForm(display_name=attempt.display_name, class_code=attempt.class_code or ""),
        action=ActionForm(),
    )


@bp.post("/attempts/<attempt_id>/retry")
def retry(attempt_id: str):
    """A new attempt made only of what this one missed."""
    attempt, bank, steps = _load(attempt_id)
    only = attempts.missed(attempt, steps)
    if not ActionForm().validate_on_submit() or attempt.finished_at is None or not only:
        abort(400)
    member = db.session().get(Member, attempt.member_id) if attempt.member_id else None
    fresh = attempts.start(
        db.session(), bank, _owner(), attempt.display_name, member, only, attempt.id
    )
    return redirect(url_for(".resume", attempt_id=fresh.id))


@bp.get("/progress")
def my_progress():
    """This browser's finished attempts, quiz by quiz, with scores over time."""
    past = progress.history(db.session(), _owner())
    banks = catalog.library().banks
    by_bank = {bank_id: [p for p in past if p.bank_id == bank_id] for bank_id in banks}
    return render_template(
        "quiz/progress.html", by_bank={k: v for k, v in by_bank.items() if v}, banks=banks
    )


def _changeable(attempt) -> bool:
    """Deferred feedback lets answers change until the attempt is submitted."""
    return attempt.feedback == "deferred" and attempt.finished_at is None


def _after_answer(attempt, number: int, following):
    if not _changeable(attempt):
        return redirect(url_for(".statement", attempt_id=attempt.id, number=number))
    if following is not None:
        return redirect(url_for(".statement", attempt_id=attempt.id, number=following.number))
    return redirect(url_for(".check", attempt_id=attempt.id))


def _membership(code: str | None, bank: Bank) -> Member | None:
    """The learner's membership of the class a quiz is started in; 404 if it cannot be."""
    if not code:
        return None
    classroom = membership.find_class(db.session(), code)
    if classroom is None or classroom.archived or bank.id not in classroom.bank_ids:
        abort(404)
    member = membership.member_of(db.session(), classroom, _owner())
    if member is None:
        abort(403)
    return member


def _load(attempt_id: str) -> tuple[attempts.AttemptRecord, Bank, list[attempts.Step]]:
    """The attempt with its bank and steps, or 404 when it is not this browser's."""
    loaded = attempts.load(attempt_id, catalog.library().banks)
    if loaded is None or not hmac.compare_digest(loaded[0].owner, _owner()):
        abort(404)
    return loaded


def _owner() -> str:
    """This browser's identity: a random token in its signed session, stored only as a hash."""
    if "browser" not in session:
        session["browser"] = secrets.token_urlsafe(32)
        session.permanent = True
    return hashlib.sha256(session["browser"].encode()).hexdigest()
