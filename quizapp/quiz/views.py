"""The learner's pages: the catalogue, starting a quiz, each statement, feedback, results."""

import hashlib
import secrets

from flask import Blueprint, abort, redirect, render_template, request, session, url_for

from .. import catalog, db
from ..content import Bank
from ..models import Member
from . import attempts, membership, scoring
from .forms import AnswerForm, JoinForm, StartForm

bp = Blueprint("quiz", __name__)


@bp.get("/")
def home():
    library = catalog.library()
    return render_template("quiz/home.html", banks=library.banks, articles=library.articles)


@bp.route("/quizzes/<bank_id>", methods=["GET", "POST"])
def start(bank_id: str):
    """Start a quiz; with ?class=CODE (or the form's class_code) as a member of that class."""
    bank = _bank_or_404(bank_id)
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
    if classroom.joining_open and form.validate_on_submit():
        membership.join(db.session(), classroom, _owner(), form.display_name.data)
        return redirect(url_for(".classroom", code=classroom.join_code))
    status = 403 if request.method == "POST" and not classroom.joining_open else 200
    status = 400 if status == 200 and request.method == "POST" else status
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
    """Go on at the first statement not yet answered, or to the results."""
    _attempt, _bank, steps = _load(attempt_id)
    pending = next((s for s in steps if s.response is None), None)
    if pending is None:
        return redirect(url_for(".results", attempt_id=attempt_id))
    return redirect(url_for(".statement", attempt_id=attempt_id, number=pending.number))


@bp.route("/attempts/<attempt_id>/<int:number>", methods=["GET", "POST"])
def statement(attempt_id: str, number: int):
    """A statement to judge; once answered, the same address shows the feedback."""
    attempt, bank, steps = _load(attempt_id)
    index = next((i for i, s in enumerate(steps) if s.number == number), None)
    if index is None:
        abort(404)
    step = steps[index]
    form = AnswerForm()
    if request.method == "POST":
        if step.response is None:
            if not form.validate_on_submit():
                abort(400)
            attempts.record(db.session(), attempt, step, form.answer.data)
        return redirect(url_for(".statement", attempt_id=attempt_id, number=number))
    following = steps[index + 1] if index + 1 < len(steps) else None
    template = "quiz/statement.html" if step.response is None else "quiz/feedback.html"
    return render_template(
        template,
        attempt=attempt,
        bank=bank,
        step=step,
        position=index + 1,
        total=len(steps),
        following=following,
        form=form,
    )


@bp.get("/attempts/<attempt_id>/results")
def results(attempt_id: str):
    attempt, bank, steps = _load(attempt_id)
    if any(s.response is None for s in steps):
        return redirect(url_for(".resume", attempt_id=attempt_id))
    score = scoring.score([s.response.correct for s in steps])
    code = attempt.member.classroom.join_code if attempt.member else ""
    retake = StartForm(display_name=attempt.display_name, class_code=code)
    return render_template(
        "quiz/results.html", attempt=attempt, bank=bank, steps=steps, score=score, retake=retake
    )


def _bank_or_404(bank_id: str) -> Bank:
    bank = catalog.library().banks.get(bank_id)
    if bank is None:
        abort(404)
    return bank


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


def _load(attempt_id: str):
    """The attempt with its bank and steps, or 404 when it is not this browser's."""
    attempt = attempts.find(db.session(), attempt_id, _owner())
    if attempt is None:
        abort(404)
    bank = _bank_or_404(attempt.bank_id)
    return attempt, bank, attempts.steps(attempt, bank)


def _owner() -> str:
    """This browser's identity: a random token in its signed session, stored only as a hash."""
    if "browser" not in session:
        session["browser"] = secrets.token_urlsafe(32)
        session.permanent = True
    return hashlib.sha256(session["browser"].encode()).hexdigest()
