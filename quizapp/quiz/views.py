"""The learner's pages: the catalogue, starting a quiz, each statement, feedback, results."""

from typing import NamedTuple

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from markupsafe import Markup, escape
from werkzeug.exceptions import NotFound

from .. import catalog, db, templating, throttle
from ..content import Bank
from ..models import Classroom, Member
from . import attempts, identity, membership, progress, scoring
from .forms import (
    ActionForm,
    JoinCodeForm,
    JoinForm,
    StartForm,
    WayBackForm,
    answer_from_post,
)
from .scoring import CONFIDENT

bp = Blueprint("quiz", __name__)
NO_STORE = {"Cache-Control": "no-store"}  # pages that show a way-back code


class AttemptNotFound(NotFound):
    title = "We cannot find this attempt on this device"
    description = (
        "An attempt stays with the device that started it: if you made a way-back code there, "
        "type it under Carry on from another device and your attempts come along. Answers "
        "already given are kept."
    )


bp.before_request(identity.recognise)
bp.after_request(identity.issue_cookie)

LMS_KEEPS_IT = (
    "You came here from your course's learning platform: your work stays with your course "
    "account. Open the quiz from the course on the other device instead."
)


@bp.get("/")
def home():
    """The quizzes and articles, and the learner's classes and unfinished attempts."""
    library = catalog.library()
    return render_template(
        "quiz/home.html",
        banks=library.banks,
        articles=library.articles,
        join_form=JoinCodeForm,
        **_standing(),
    )


@bp.route("/quizzes/<bank_id>", methods=["GET", "POST"])
def start(bank_id: str):
    """Start a quiz. A learner in a class that takes it takes it for that class (with ?class=
    CODE, or the form's class_code; "none" for on their own); in several, they choose."""
    bank = catalog.bank_or_404(bank_id)
    form = StartForm(class_code=request.args.get("class", ""))
    learner = identity.learner_id(db.session())
    choices = [
        m for m in membership.classes_of(db.session(), learner) if bank.id in m.classroom.bank_ids
    ]
    if not form.class_code.data and len(choices) == 1:
        form.class_code.data = choices[0].classroom.join_code
    code = membership.normalise_code(form.class_code.data or "")
    chosen = next((m for m in choices if m.classroom.join_code == code), None)
    # one of their classes is known already; any other code is looked up (and guess-limited)
    member = chosen or _membership(form.class_code.data, bank)
    if form.validate_on_submit():
        if len(choices) > 1 and not form.class_code.data:
            form.class_code.errors.append("Choose the class you are taking it for, or none.")
        else:
            name = form.display_name.data or None
            learner = identity.ensure_learner(db.session())
            attempt = attempts.start(db.session(), bank, learner, name, member)
            return redirect(url_for(".resume", attempt_id=attempt.id))
    member_id = member.id if member else None
    ongoing = attempts.unfinished(db.session(), bank.id, learner, member_id) if learner else None
    feedback = (member.classroom.feedback if member else None) or bank.info.settings.feedback
    page = render_template(
        "quiz/start.html",
        bank=bank,
        form=form,
        ongoing=ongoing,
        member=member,
        choices=choices if len(choices) > 1 and member is None else [],
        feedback=feedback,
    )
    return page, 400 if request.method == "POST" else 200


@bp.route("/join", methods=["GET", "POST"], strict_slashes=False)
def join_by_code():
    """Type a class's join code (any case, with or without the dash or spaces)."""
    form = JoinCodeForm()
    if form.validate_on_submit():
        throttle.spend("guesses", throttle.address())
        found = membership.find_class(db.session(), form.code.data)
        if found is not None and not found.archived:
            throttle.refund("guesses", throttle.address())
            return redirect(url_for(".join", code=found.join_code))
        form.code.errors.append(
            "No class has that code. Check it with your instructor: codes have six letters and "
            "digits, like KXM-4TP."
        )
    status = 400 if request.method == "POST" else 200
    return render_template("quiz/join_code.html", form=form), status


@bp.route("/join/<code>", methods=["GET", "POST"])
def join(code: str):
    """Join a class by its code (from the link an instructor shares), giving a name."""
    classroom, member = _class_or_404(code)
    if member is not None:
        return redirect(url_for(".classroom", code=classroom.join_code))
    form = JoinForm()
    if request.method == "POST" and not classroom.joining_open:
        status = 403  # the page says that joining is closed
    elif form.validate_on_submit():
        learner = identity.ensure_learner(db.session())
        membership.join(db.session(), classroom, learner, form.display_name.data)
        return redirect(url_for(".classroom", code=classroom.join_code))
    else:
        status = 400 if request.method == "POST" else 200
    return render_template("quiz/join.html", classroom=classroom, form=form), status


@bp.get("/classes/<code>")
def classroom(code: str):
    """A member's view of their class: its quizzes."""
    found, member = _class_or_404(code)
    if member is None:
        return redirect(url_for(".join", code=found.join_code))
    banks = [b for b in map(catalog.library().banks.get, found.bank_ids) if b]
    standings = progress.standings(member.learner_id)
    return render_template(
        "quiz/classroom.html",
        classroom=found,
        member=member,
        banks=banks,
        standings={bank_id: s for (m, bank_id), s in standings.items() if m == member.id},
    )


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
    posted = request._get_current_object().method == "POST"  # see security.PROXIES
    if posted and open_to_answer:
        given, form = answer_from_post(attempt.certainty)
        if given is not None:
            attempts.record(db.session(), attempt, step, *given)
            return _after_answer(attempt, number, following)
        if form.answer.errors:
            abort(400)
        status = 400  # answered without saying how sure: ask again
    elif posted:
        return redirect(url_for(".statement", attempt_id=attempt_id, number=number))
    if open_to_answer:
        template = "quiz/statement.html"
        # answered so far: the statements before this one, or any when feedback waits
        deferred = attempt.feedback == "deferred"
        done = sum(s.response is not None for s in steps) if deferred else index
    else:
        template, done = "quiz/feedback.html", index + 1
    values = {
        "attempt_id": attempt.id,
        "position": index + 1,
        "total": len(steps),
        "done": done,
        "next_number": following.number if following else 0,
    }
    context = {"attempt": attempt, "bank": bank, "step": step, "following": following}
    if form is not None or (open_to_answer and step.response is not None):
        return render_template(template, form=form, **values, **context), status
    # what the page shows besides the values: the statement, how it is asked, the answer
    shown = (step.question.id, step.question.revision, bank.id, attempt.feedback)
    key = (*shown, attempt.certainty, following is None, step.response)
    return templating.page(template, key, values, form=None, **context)


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


class ResultsShape(NamedTuple):
    """Which parts a results page has (templates/quiz/results.html)."""

    retry: bool  # a retry of what an attempt before missed
    named: bool  # the learner gave a name
    cbm: bool  # certainty-based marks
    certainty: bool  # the quiz asks how sure
    to_retry: bool  # something to retry
    held: bool  # wrong answers given with confidence
    missed: bool
    right: bool


@bp.get("/attempts/<attempt_id>/results")
def results(attempt_id: str):
    attempt, bank, steps = _load(attempt_id)
    if attempt.finished_at is None:
        return redirect(url_for(".resume", attempt_id=attempt_id))
    score = scoring.score([(s.response.correct, s.response.certainty) for s in steps])
    missed = [s for s in steps if not s.response.correct]
    right = [s for s in steps if s.response.correct]
    held = sorted(
        (s for s in missed if (s.response.certainty or 0) >= CONFIDENT),
        key=lambda s: -s.response.certainty,
    )
    to_retry = attempts.missed(attempt, steps)
    # which of its parts the page has: with the quiz, all it shows besides the values
    shows = ResultsShape(
        retry=attempt.retry_of is not None,
        named=bool(attempt.display_name),
        cbm=score.cbm is not None,
        certainty=attempt.certainty,
        to_retry=bool(to_retry),
        held=bool(held),
        missed=bool(missed),
        right=bool(right),
    )
    values = {
        "attempt_id": attempt.id,
        "correct": score.correct,
        "total": score.total,
        "percent": score.percent,
        "right_count": len(right),
        "missed_count": len(missed),
        "retry_count": len(to_retry),
        "cbm": score.cbm or 0,
        "cbm_average": Markup(f"{score.cbm_average:+.1f}" if shows.cbm else ""),
        "display_name": escape(attempt.display_name or ""),
        "class_code": attempt.class_code or "none",
        "glance": templating.glance(steps),
        "held": templating.held(held),
        "missed_items": templating.review_items(missed, True),
        "right_items": templating.review_items(right, False),
    }
    return templating.page("quiz/results.html", (bank.id, shows), values, bank=bank, shows=shows)


@bp.post("/attempts/<attempt_id>/retry")
def retry(attempt_id: str):
    """A new attempt made only of what this one missed."""
    attempt, bank, steps = _load(attempt_id)
    only = attempts.missed(attempt, steps)
    if not ActionForm().validate_on_submit() or attempt.finished_at is None or not only:
        abort(400)
    member = db.session().get(Member, attempt.member_id) if attempt.member_id else None
    if member is not None and member.classroom.archived:
        member = None  # an archived class takes no new attempts: the retry is the learner's own
    fresh = attempts.start(
        db.session(), bank, attempt.learner_id, attempt.display_name, member, only, attempt.id
    )
    return redirect(url_for(".resume", attempt_id=fresh.id))


@bp.get("/progress")
def my_progress():
    """This learner's finished attempts, quiz by quiz, with scores over time, and their way
    back from another device."""
    return _progress_page()


@bp.post("/progress/way-back")
def make_way_back():
    """A new way-back code, shown once in this response (never stored but as a hash); the code
    before stops working and the learner's other devices are signed out."""
    if not ActionForm().validate_on_submit():
        abort(400)
    if identity.from_lms():
        abort(403, description=LMS_KEEPS_IT)
    learner = identity.ensure_learner(db.session())
    return _progress_page(way_back=identity.new_way_back(db.session(), learner))


@bp.route("/back", methods=["GET", "POST"])
def way_back():
    """Carry on, on this device, as the learner whose way-back code is typed here.

    A device with work of its own is switched only when the learner confirms it; that work
    stays with its own learner.
    """
    if identity.from_lms():
        abort(403, description=LMS_KEEPS_IT)
    form, status, leaving = WayBackForm(), 200, False
    if form.validate_on_submit():
        throttle.spend("guesses", throttle.address())
        target = identity.find_by_way_back(db.session(), form.code.data)
        current = identity.learner_id(db.session())
        if target is None:
            form.code.errors.append(
                "That code does not match a learner. Check it against the one you wrote down."
            )
        else:
            throttle.refund("guesses", throttle.address())
            leaving = current not in (None, target) and identity.has_work(db.session(), current)
            if not leaving or form.switch.data:
                if current != target:
                    identity.carry_on_as(db.session(), target)
                flash("Welcome back: this device now carries your attempts, progress and classes.")
                return redirect(url_for(".my_progress"))
    if request.method == "POST" and not leaving:
        status = 400
    page = render_template("quiz/back.html", form=form, leaving=leaving)
    return page, status, NO_STORE


def _changeable(attempt) -> bool:
    """Deferred feedback lets answers change until the attempt is submitted."""
    return attempt.feedback == "deferred" and attempt.finished_at is None


def _after_answer(attempt, number: int, following):
    if not _changeable(attempt):
        return redirect(url_for(".statement", attempt_id=attempt.id, number=number))
    if following is not None:
        return redirect(url_for(".statement", attempt_id=attempt.id, number=following.number))
    return redirect(url_for(".check", attempt_id=attempt.id))


def _progress_page(way_back: str | None = None):
    learner = identity.learner_id(db.session())
    past = progress.history(db.session(), learner) if learner else []
    banks = catalog.library().banks
    by_bank = {bank_id: [p for p in past if p.bank_id == bank_id] for bank_id in banks}
    page = render_template(
        "quiz/progress.html",
        by_bank={k: v for k, v in by_bank.items() if v},
        banks=banks,
        way_back=way_back,
        from_lms=identity.from_lms(),
        has_way_back=learner is not None and identity.has_way_back(db.session(), learner),
        form=ActionForm(),
        **_standing(),
    )
    return page, 200, NO_STORE


def _standing() -> dict:
    """The learner's classes and where they stand with each quiz, and their attempts under
    way, for Home and the progress page."""
    learner = identity.learner_id(db.session())
    if learner is None:
        return {"classes": [], "standings": {}, "under_way": []}
    standings = progress.standings(learner)
    under_way = [(m, b, s.unfinished) for (m, b), s in standings.items() if s.unfinished]
    return {
        "classes": membership.classes_of(db.session(), learner),
        "standings": standings,
        "under_way": under_way,
    }


def _membership(code: str | None, bank: Bank) -> Member | None:
    """The learner's membership of the class a quiz is started in; 404 if it cannot be."""
    if not code or code == "none":
        return None
    classroom, member = _class_or_404(code)
    if member is None or bank.id not in classroom.bank_ids:
        abort(404)  # the same answer as for a code that does not exist
    return member


def _class_or_404(code: str) -> tuple[Classroom, Member | None]:
    """The class a join code names, with this learner's membership of it.

    A member's own class is found at once. Any other look-up counts against this address's
    guess limit first, and is given back when the code names a class: once the limit is
    reached, a guesser learns nothing more.
    """
    found = membership.find_class(db.session(), code)
    usable = found is not None and not found.archived
    member = membership.member_of(db.session(), found, identity.learner_id(db.session()))
    if usable and member is not None:
        return found, member
    if member is not None:  # the learner's own class, archived since
        abort(410)
    throttle.spend("guesses", throttle.address())
    if not usable:
        abort(404)
    throttle.refund("guesses", throttle.address())
    return found, None


def _load(attempt_id: str) -> tuple[attempts.AttemptRecord, Bank, list[attempts.Step]]:
    """The attempt with its bank and steps, or 404 when it is not this learner's."""
    loaded = attempts.load(attempt_id, catalog.library().banks, identity.device().token_hash)
    # a learner from an LMS is the session's, never a device's
    lms = identity.lms_learner()
    viewer = lms if lms is not None else loaded and loaded[0].viewer
    if loaded is None or viewer != loaded[0].learner_id:
        raise AttemptNotFound()
    return loaded
