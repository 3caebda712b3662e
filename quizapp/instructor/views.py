"""Instructor pages: sign in, classes and their join links, gradebook, item analysis, exports.

Everything but signing in and getting an account (newcomers.py) needs a signed-in instructor,
who sees only their own classes.
"""

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from .. import catalog, db
from ..lti import outbox, roster
from ..quiz import attempts, scoring
from ..quiz.forms import ActionForm
from ..quiz.membership import format_code
from ..security import no_store, same_site_path
from ..templating import public_url
from . import accounts, analysis, charts, classes, export, learning, newcomers, signin
from .forms import ClassForm, FeedbackForm, LoginForm, RenameForm
from .gradebook import EMPTY, gradebook, sort_rows, with_absent

bp = Blueprint("instructor", __name__, url_prefix="/instructor")
bp.after_request(no_store)
bp.register_blueprint(newcomers.bp)
# what a change to a class says once made; any other says "Saved."
DONE = {
    "archive": "Archived: learners can no longer see the class. Its scores are kept.",
    "restore": "Restored. Joining stays closed until you open it.",
}


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in, within the limits of signin.attempt."""
    form = LoginForm()
    if form.validate_on_submit():
        found = signin.attempt(db.session(), form.email.data, form.password.data)
        if found is not None:
            accounts.sign_in(found)
            target = same_site_path(request.args.get("next", "")) or url_for(".dashboard")
            return signin.remember_browser(redirect(target), found)
        form.password.errors.append("That email and password do not match an instructor.")
    status = 400 if request.method == "POST" else 200
    open_signup = current_app.config["QUIZAPP_OPEN_SIGNUP"]
    return render_template("instructor/login.html", form=form, open_signup=open_signup), status


@bp.post("/logout")
@login_required
def logout():
    """Sign out here and everywhere: every copy of the session ends."""
    if not ActionForm().validate_on_submit():
        abort(400)
    accounts.sign_out(db.session(), current_user)
    return redirect(url_for("quiz.home"))


@bp.get("/")
@login_required
def dashboard():
    listing = classes.listing(db.session(), current_user)
    library = catalog.library()
    return render_template("instructor/dashboard.html", listing=listing, banks=library.banks)


@bp.route("/classes/new", methods=["GET", "POST"])
@login_required
def new_class():
    form = _class_form()
    if form.validate_on_submit():
        made = classes.create(
            db.session(),
            current_user,
            form.name.data.strip(),
            form.quizzes.data,
            form.feedback.data or None,
        )
        return redirect(url_for(".classroom", classroom_id=made.id))
    status = 400 if request.method == "POST" else 200
    return render_template("instructor/new_class.html", form=form), status


@bp.get("/classes/<int(max=2147483647):classroom_id>")
@login_required
def classroom(classroom_id: int):
    return _class_page(_owned(classroom_id))


@bp.get("/classes/<int(max=2147483647):classroom_id>/archive")
@login_required
def confirm_archive(classroom_id: int):
    """Archiving asks first: the button on this page does it, Cancel goes back."""
    found = _owned(classroom_id)
    if found.archived:
        return redirect(url_for(".classroom", classroom_id=classroom_id))
    return render_template("instructor/archive.html", classroom=found, action=ActionForm())


@bp.post(
    "/classes/<int(max=2147483647):classroom_id>"
    "/<any(rename, joining, archive, restore, feedback):change>"
)
@login_required
def change_class(classroom_id: int, change: str):
    found = _owned(classroom_id)
    form = {"rename": RenameForm, "feedback": FeedbackForm}.get(change, ActionForm)()
    if not form.validate_on_submit():
        if change in ("rename", "feedback"):  # the page again, saying what to correct
            return _class_page(found, **{change: form}), 400
        abort(400)
    updates = {
        "rename": lambda: {"name": form.name.data.strip()},
        "feedback": lambda: {"feedback": form.feedback.data or None},
        "joining": lambda: {"joining_open": not found.joining_open},
        # setting, not toggling: pressing Archive twice (the back button) keeps it archived
        "archive": lambda: {"archived": True, "joining_open": False},
        "restore": lambda: {"archived": False},
    }[change]()
    classes.update(db.session(), found, **updates)
    flash(DONE.get(change, "Saved."))
    return redirect(url_for(".classroom", classroom_id=classroom_id))


@bp.get("/classes/<int(max=2147483647):classroom_id>/gradebook")
@login_required
def class_gradebook(classroom_id: int):
    found = _owned(classroom_id)
    key = request.args.get("sort", "name")
    key = key if key == "name" or key in found.bank_ids else "name"
    descending = request.args.get("dir") == "desc"
    rows = gradebook(db.session(), found)
    members = roster.for_class(db.session(), found)  # as last read: no call to the LMS here
    if members is not None:
        rows = with_absent(rows, [p.label for p in members.not_started])
    return render_template(
        "instructor/gradebook.html",
        classroom=found,
        rows=sort_rows(rows, key, descending),
        banks=catalog.library().banks,
        sort=key,
        descending=descending,
        empty=EMPTY,
        roster=members,
        waiting=outbox.waiting(db.session(), found.id) if members else [],
        action=ActionForm(),
    )


@bp.post("/classes/<int(max=2147483647):classroom_id>/lms/<any(resend, roster):action>")
@login_required
def lms_action(classroom_id: int, action: str):
    """An LMS course's gradebook: send the waiting scores again now, or read the course's
    member list now (the teacher waits for that one, as they asked to)."""
    found = _owned(classroom_id)
    context = roster.context_of(db.session(), found)
    if context is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    if action == "resend":
        count = outbox.resend(db.session(), classroom_id=found.id)
        plural = "s" if count != 1 else ""
        flash(f"{count} score{plural} will be sent again at the score sender's next pass.")
    else:
        try:
            count = roster.refresh(db.session(), context)
            flash(f"The member list was read: {count} in the course.")
        except roster.RosterError as e:
            flash(f"The member list could not be read. {e}")
    return redirect(url_for(".class_gradebook", classroom_id=classroom_id), 303)


@bp.get("/classes/<int(max=2147483647):classroom_id>/<any(gradebook, responses):kind>.csv")
@login_required
def class_csv(classroom_id: int, kind: str):
    found = _owned(classroom_id)
    if kind == "gradebook":
        rows = export.gradebook_rows(gradebook(db.session(), found), found.bank_ids)
    else:
        rows = export.response_rows(db.session(), found, catalog.library())
    filename = f"{found.join_code.lower()}-{kind}.csv"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(export.to_csv(rows), mimetype="text/csv", headers=headers)


@bp.get("/classes/<int(max=2147483647):classroom_id>/attempts/<attempt_id>")
@login_required
def review(classroom_id: int, attempt_id: str):
    found = _owned(classroom_id)
    loaded = attempts.load(attempt_id, catalog.library().banks)
    if loaded is None or loaded[0].classroom_id != found.id:
        abort(404)
    attempt, bank, steps = loaded
    answered = [(s.response.correct, s.response.certainty) for s in steps if s.response]
    return render_template(
        "instructor/review.html",
        classroom=found,
        attempt=attempt,
        bank=bank,
        steps=steps,
        score=scoring.score(answered),
        others=attempts.of_member(db.session(), attempt.member_id, bank.id),
    )


@bp.get("/classes/<int(max=2147483647):classroom_id>/quizzes/<bank_id>")
@bp.get("/quizzes/<bank_id>", defaults={"classroom_id": None})
@login_required
def item_analysis(classroom_id: int | None, bank_id: str):
    found, bank = _class_and_bank(classroom_id, bank_id)
    first_only = request.args.get("attempts") != "all"
    result = analysis.analyse(db.session(), bank, found, first_only)
    return render_template(
        "instructor/analysis.html",
        classroom=found,
        bank=bank,
        result=result,
        first_only=first_only,
        histogram=charts.counts(result.histogram),
        facility=charts.shares([(f"#{n}", i.facility) for n, i in enumerate(result.items, 1)]),
        guessing_x=charts.x_of(0.5),
    )


@bp.get("/classes/<int(max=2147483647):classroom_id>/quizzes/<bank_id>/learning")
@bp.get("/quizzes/<bank_id>/learning", defaults={"classroom_id": None})
@login_required
def learning_report(classroom_id: int | None, bank_id: str):
    """Learning gain, myth persistence and the myths still believed with confidence."""
    found, bank = _class_and_bank(classroom_id, bank_id)
    result = learning.learning(db.session(), bank, found)
    return render_template("instructor/learning.html", classroom=found, bank=bank, result=result)


def _class_and_bank(classroom_id: int | None, bank_id: str):
    """A report's class (None: every learner) and quiz; 404 unless the class takes the quiz."""
    found = _owned(classroom_id) if classroom_id is not None else None
    bank = catalog.bank_or_404(bank_id)
    if found is not None and bank_id not in found.bank_ids:
        abort(404)
    return found, bank


def _owned(classroom_id: int):
    found = classes.owned(db.session(), current_user, classroom_id)
    if found is None:
        abort(404)
    return found


def _class_page(found, rename: RenameForm | None = None, feedback: FeedbackForm | None = None):
    """The class page; a form given is one posted with errors, shown with them."""
    return render_template(
        "instructor/class.html",
        classroom=found,
        code=format_code(found.join_code),
        join_url=public_url("quiz.join", code=found.join_code),
        rename=rename or RenameForm(formdata=None, name=found.name),
        feedback=feedback or FeedbackForm(formdata=None, feedback=found.feedback or ""),
        action=ActionForm(),
        banks=catalog.library().banks,
    )


def _class_form() -> ClassForm:
    form = ClassForm()
    form.quizzes.choices = [SelectChoice(b.id, b.title) for b in catalog.library().banks.values()]
    return form
