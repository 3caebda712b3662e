"""Pages for getting an instructor account: inviting a colleague, accepting an invitation, and
signing up where the school allows anyone to (QUIZAPP_OPEN_SIGNUP).

A blueprint nested in the instructor one: its URLs are under /instructor/, and its pages are
sent with no-store like every instructor page.
"""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import db, throttle
from ..templating import public_url
from . import accounts, invitations, signin
from .forms import InviteForm, PasswordForm, SignupForm

bp = Blueprint("newcomers", __name__)
WELCOME = "Welcome: your account is ready. Create a class to begin."


@bp.route("/invite", methods=["GET", "POST"])
@login_required
def invite():
    """Invite a colleague; the link is shown once, in this response only."""
    form = InviteForm()
    shown = None
    if form.validate_on_submit():
        # each invitation counts against a limit, which also stops probing for accounts
        throttle.spend("guesses", "invite", str(current_user.id))
        try:
            made, token = invitations.create(db.session(), form.email.data, current_user)
        except accounts.AccountError:
            email = accounts.normalise_email(form.email.data)
            form.email.errors.append(f"{email} already has an account: they can sign in with it.")
        else:
            shown = (made, public_url("instructor.newcomers.invitation", token=token))
            form = InviteForm(formdata=None)
    page = render_template(
        "instructor/invite.html",
        form=form,
        shown=shown,
        sent=invitations.sent_by(db.session(), current_user),
    )
    return page, 400 if form.errors else 200


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def invitation(token: str):
    """The invited colleague chooses a password and is signed in to their new account."""
    found = invitations.find(db.session(), token)
    state = invitations.state(db.session(), found) if found else "unknown"
    form = PasswordForm()
    if state == invitations.OPEN and form.validate_on_submit():
        try:
            made = invitations.accept(db.session(), found, form.password.data)
        except invitations.InvitationClosed as closed:
            state = closed.state
        else:
            return _signed_in(made)
    status = {"unknown": 404, invitations.OPEN: 400 if form.errors else 200}.get(state, 410)
    page = render_template("instructor/invitation.html", invitation=found, state=state, form=form)
    # the link is the key to an account: no page it leads to may pass it on
    return page, status, {"Referrer-Policy": "no-referrer"}


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    """Anyone creates an account, where QUIZAPP_OPEN_SIGNUP allows it; limited per address."""
    if not current_app.config["QUIZAPP_OPEN_SIGNUP"]:
        abort(404)
    if request.method == "POST":
        throttle.spend("sign-in", "address", throttle.address())
    form = SignupForm()
    if form.validate_on_submit():
        try:
            made = accounts.create(db.session(), form.email.data, form.password.data)
        except accounts.AccountError:
            email = accounts.normalise_email(form.email.data)
            form.email.errors.append(f"{email} already has an account: sign in with it instead.")
        else:
            return _signed_in(made)
    page = render_template("instructor/signup.html", form=form)
    return page, 400 if form.errors else 200


def _signed_in(instructor):
    accounts.sign_in(instructor)
    flash(WELCOME)
    return signin.remember_browser(redirect(url_for("instructor.dashboard")), instructor)
