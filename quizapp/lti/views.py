"""The LTI endpoints: keys, OIDC login, launch, deep linking, registration."""

import secrets

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user

from .. import catalog, db
from ..instructor import classes
from ..models import Instructor
from ..quiz import identity
from ..security import csrf, digest, no_store
from ..templating import public_url
from . import deeplinking, frames, keys, launches, registration, tool
from .forms import PickForm, QuizChoiceForm, RegisterForm
from .models import Link, Platform

bp = Blueprint("lti", __name__, url_prefix="/lti")
STATE_LIFETIME = int(tool.LOGIN_LIFETIME.total_seconds())
LOGIN_PARAMS = (
    "iss",
    "login_hint",
    "target_link_uri",
    "lti_message_hint",
    "client_id",
    "lti_deployment_id",
    "lti_storage_target",
)
LAUNCH = "lti_launch"  # session key: the launch the picker answers


def _state_cookie(state: str) -> str:
    """One cookie per login, so that two frames launching at once do not overwrite each
    other's state."""
    return "quizapp_lti_state_" + digest(state)[:16]


@bp.get("/jwks.json")
def jwks():
    """The tool's public keys (never a private part), each with its kid."""
    response = jsonify(keys=keys.published(db.session()))
    response.headers["Cache-Control"] = "max-age=300"
    return response


@bp.get("/canvas.json")
def canvas():
    """The Canvas developer key's configuration, for its "Enter URL" method."""
    return jsonify(registration.canvas_configuration())


@bp.route("/login", methods=["GET", "POST"])
@csrf.exempt  # the platform posts it; the state and nonce made here protect the launch
def login():
    """OIDC login initiation: remember a state and a nonce, then go to the platform."""
    source = request.args if request.method == "GET" else request.form
    params = {name: source[name] for name in LOGIN_PARAMS if source.get(name)}
    params["redirect_uri"] = public_url("lti.launch")
    storage = params.get("lti_storage_target")
    try:
        target, state, secret = tool.start_login(db.session(), params, storage=bool(storage))
    except tool.Refused as refusal:
        return _refused(refusal)
    if secret:  # the platform's storage keeps the state too, for a frame without cookies
        response = current_app.make_response(
            render_template(
                "lti/login_storage.html",
                target=target,
                state=state,
                secret=secret,
                storage=storage,
                platform_origin=frames.origin(target),
            )
        )
    else:
        response = redirect(target)
    response.set_cookie(
        _state_cookie(state),
        state,
        max_age=STATE_LIFETIME,
        httponly=True,
        secure=True,
        samesite="None",
        partitioned=True,
    )
    return no_store(response)


@bp.post("/launch")
@csrf.exempt  # the platform posts it; the signed id_token, state and nonce are the checks
def launch():
    """Check the launch, then take the user where it leads."""
    state = request.form.get("state", "")
    login_row = tool.pending_login(db.session(), state)
    if login_row is not None and not _bound_to_browser(state, login_row):
        if login_row.storage_hash and not request.form.get("storage_secret"):
            return _page(
                "lti/storage_check.html",
                login=login_row,
                state=state,
                id_token=request.form.get("id_token", ""),
                platform_origin=frames.origin(login_row.platform.auth_login_url),
            )
        return _page("lti/new_window.html", login=login_row, params=login_row.params)
    try:
        checked = tool.check_launch(db.session(), state)
    except tool.Refused as refusal:
        return _refused(refusal)
    return _arrive(checked)


def _bound_to_browser(state: str, login_row) -> bool:
    """The state came back to the browser that began the login: by its cookie, or by the
    secret the platform's storage kept for this browser, posted by this site's own page
    (another site could otherwise post a secret it got by beginning a login itself)."""
    cookie = request.cookies.get(_state_cookie(state), "")
    if cookie and secrets.compare_digest(cookie, state):
        return True
    secret = request.form.get("storage_secret", "")
    own_page = frames.origin(request.headers.get("Origin")) == frames.origin(request.host_url)
    return bool(own_page and login_row.storage_hash and secret) and secrets.compare_digest(
        digest(secret), login_row.storage_hash
    )


def _arrive(checked: tool.Checked):
    claims = checked.claims
    frames.begin()
    session.clear()  # a launch starts a session of its own: nothing carries over
    session[frames.ORIGINS] = _frame_origins(checked.platform, claims)
    if claims[tool.MESSAGE_TYPE] == "LtiDeepLinkingRequest":
        if not launches.is_staff(claims[tool.ROLES]):
            abort(403, description="Only a course's teachers can add quizzes to it.")
        session[LAUNCH] = checked.launch_id
        return redirect(url_for(".pick", launch_id=checked.launch_id), 303)
    arrival = launches.arrive(db.session(), checked.platform, claims)
    quiz = _quiz(arrival.link)
    if arrival.staff:
        login_user(db.session().get(Instructor, arrival.user.instructor_id))
        if arrival.link is not None and quiz is None:
            return redirect(url_for(".choose", link_id=arrival.link.id), 303)
        if arrival.classroom is not None:
            return redirect(
                url_for("instructor.class_gradebook", classroom_id=arrival.classroom.id), 303
            )
        return redirect(url_for("instructor.dashboard"), 303)
    session[identity.LMS_LEARNER] = arrival.user.learner_id
    if quiz is None:
        return _page("lti/not_ready.html", link=arrival.link)
    code = arrival.classroom.join_code if arrival.member else None
    return redirect(url_for("quiz.start", bank_id=quiz.id, **({"class": code} if code else {})))


def _quiz(link: Link | None):
    return catalog.library().banks.get(link.bank_id) if link and link.bank_id else None


def _frame_origins(platform: Platform, claims: dict) -> list[str]:
    """The LMS pages that may frame the tool in this session, from what the platform registered
    and signed (never from a header a browser sends): its login page's origin, and where its
    launch says to return."""
    presentation = claims.get(tool.CLAIM + "launch_presentation")
    found = [
        frames.origin(platform.auth_login_url),
        frames.origin(presentation.get("return_url") if isinstance(presentation, dict) else None),
    ]
    return list(dict.fromkeys(o for o in found if o))


@bp.route("/pick/<launch_id>", methods=["GET", "POST"])
def pick(launch_id: str):
    """Deep linking: a teacher picks a quiz; the signed answer goes back to the LMS."""
    if session.get(LAUNCH) != launch_id:
        abort(403, description="This page belongs to another launch; add the quiz again.")
    found = db.session().get(tool.Launch, launch_id)
    if found is None:
        abort(404)
    banks = list(catalog.library().banks.values())
    form = PickForm().set_quizzes(banks)
    if form.validate_on_submit():
        bank = catalog.library().banks[form.quiz.data]
        title = form.title.data or bank.title
        platform = db.session().get(Platform, found.platform_id)
        token = deeplinking.response_jwt(
            db.session(),
            platform,
            found.claims,
            bank=bank,
            title=title,
            policy=form.policy.data,
            url=public_url("lti.launch"),
        )
        target = deeplinking.return_url(found.claims)
        if frames.origin(target) is None:
            abort(400, description="The LMS gave no web address to send the quiz back to.")
        g.form_targets = (frames.origin(target),)
        return _page("lti/deep_link_return.html", target=target, token=token, title=title)
    status = 400 if request.method == "POST" else 200
    return _page("lti/pick.html", form=form, banks=banks), status


@bp.route("/links/<int(max=2147483647):link_id>/quiz", methods=["GET", "POST"])
def choose(link_id: int):
    """A link made by hand in the LMS names no quiz: one of the course's teachers picks it."""
    link = db.session().get(Link, link_id)
    if link is None or not current_user.is_authenticated:
        abort(404)
    if classes.owned(db.session(), current_user, link.context.classroom_id) is None:
        abort(404)
    banks = list(catalog.library().banks.values())
    form = QuizChoiceForm(policy=link.policy).set_quizzes(banks)
    if form.validate_on_submit():
        launches.choose_quiz(db.session(), link, form.quiz.data, form.policy.data)
        return redirect(
            url_for("instructor.class_gradebook", classroom_id=link.context.classroom_id), 303
        )
    status = 400 if request.method == "POST" else 200
    return _page("lti/choose.html", form=form, link=link), status


@bp.route("/register", methods=["GET", "POST"])
def register():
    """LTI Dynamic Registration: the LMS opens this with its configuration's address."""
    if not registration.key_matches(request.args.get("key")):
        abort(404)
    frames.begin()  # opened in the LMS's frame or a popup: the form needs a session there
    form = RegisterForm(
        openid_configuration=request.args.get("openid_configuration", ""),
        registration_token=request.args.get("registration_token", ""),
    )
    g.cross_origin_opener = True
    session[frames.ORIGINS] = [o for o in [frames.origin(form.openid_configuration.data)] if o]
    if form.validate_on_submit():
        try:
            platform = registration.register(
                db.session(), form.openid_configuration.data, form.registration_token.data or None
            )
        except tool.Refused as refusal:
            return _refused(refusal)
        return _page("lti/registered.html", platform=platform)
    if request.method == "POST":
        abort(400, description="The registration form was incomplete; start again from the LMS.")
    return _page(
        "lti/register.html", form=form, issuer=frames.origin(form.openid_configuration.data)
    )


def _page(template: str, **context):
    return no_store(current_app.make_response(render_template(template, **context)))


def _refused(refusal: tool.Refused):
    current_app.logger.warning("LTI refused: %s", refusal.what)
    page = render_template("lti/refused.html", refusal=refusal)
    return no_store(current_app.make_response((page, 403)))


def _frame_headers(response):
    """Framed pages may be framed by their LMS (and no other); the registration page keeps
    its opener, which Dynamic Registration tells when it is done."""
    globals_ = g._get_current_object()  # see security.PROXIES
    if frames.framed():
        form_targets = tuple(t for t in globals_.get("form_targets", ()) if t)
        policy = frames.policy(session.get(frames.ORIGINS, []), form_targets)
        response.headers["Content-Security-Policy"] = policy  # and so no X-Frame-Options
    if globals_.get("cross_origin_opener"):
        response.headers["Cross-Origin-Opener-Policy"] = "unsafe-none"
    return response


def init_app(app) -> None:
    """The framed session, and its headers: a framed page's own policy, which the site's
    headers then keep (security.SiteHeaders)."""
    app.session_interface = frames.SessionInterface()
    app.after_request(_frame_headers)
