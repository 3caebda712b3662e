"""Launches from an LMS: learners go to their quiz in the course's class, teachers to its
gradebook; every launch that fails a check is refused with a page that says what to fix."""

import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlalchemy import func, select

from quizapp import db
from quizapp.lti.models import Login, User
from quizapp.models import Attempt, Classroom, Learner, Member

from .conftest import FRAME_NAVIGATION, register, register_second_client, text
from .lms import INSTRUCTOR, LEARNER, TEACHING_ASSISTANT
from .lms import User as LmsUser

QUIZ = {"quiz": "sample-quiz"}


def test_a_learner_goes_straight_to_the_quiz_in_the_courses_class(frame, tool):
    response = frame.launch_as(custom=QUIZ)
    assert response.status_code == 302
    target = urlsplit(response.location)
    assert target.path == "/quizzes/sample-quiz"
    page = frame.client.get(response.location)
    assert page.status_code == 200
    assert "Myths and facts" in text(page)  # the course's title names the class
    first = frame.client.post(response.location, data={"display_name": ""})
    assert first.status_code == 302
    with tool.app_context():
        attempt = db.session().scalars(select(Attempt)).one()
        member = db.session().get(Member, attempt.member_id)
        assert member.display_name == "Ann Example"
        assert db.session().get(Classroom, member.classroom_id).name == "Myths and facts"


def test_the_same_course_is_one_class_and_the_same_user_one_learner(frame, tool):
    frame.launch_as(custom=QUIZ)
    frame.launch_as(custom=QUIZ, resource_link_id="another-link")
    with tool.app_context():
        assert db.session().scalar(select(func.count(Classroom.id))) == 1
        assert db.session().scalar(select(func.count(User.id))) == 1


@pytest.mark.parametrize("role", [INSTRUCTOR, TEACHING_ASSISTANT])
def test_teachers_and_assistants_land_on_the_courses_gradebook_without_a_password(frame, role):
    frame.launch_as(custom=QUIZ)  # a learner first: the course's class exists
    response = frame.launch_as(LmsUser("t-1", "Tess Teacher"), roles=(role,), custom=QUIZ)
    assert response.status_code == 303
    assert response.location.endswith("/gradebook")
    gradebook = frame.client.get(response.location)
    assert gradebook.status_code == 200
    assert "Ann Example" in text(gradebook)
    assert frame.client.get("/instructor/login").status_code == 200  # no password was set


def test_a_teacher_of_one_course_cannot_open_another_courses_gradebook(frame, tool):
    frame.teacher(custom=QUIZ, context={"id": "c-1", "title": "First"})
    first = frame.client.get("/instructor/").get_data(as_text=True)
    frame.teacher(custom=QUIZ, context={"id": "c-2", "title": "Second"})
    with tool.app_context():
        first_id = db.session().scalar(select(Classroom.id).where(Classroom.name == "First"))
    other = tool.test_client()
    other_frame = type(frame)(other, frame.lms)
    other_frame.launch_as(LmsUser("t-2", "Other"), roles=(INSTRUCTOR,), custom=QUIZ,
                          context={"id": "c-3", "title": "Third"})  # fmt: skip
    assert other.get(f"/instructor/classes/{first_id}/gradebook").status_code == 404
    assert "First" in first


def test_names_and_emails_are_kept_only_when_the_platform_sends_them(frame, tool):
    frame.launch_as(LmsUser("quiet-1"), custom=QUIZ)
    frame.launch_as(LmsUser("open-1", "Open Person", email="open@example.edu"), custom=QUIZ)
    with tool.app_context():
        users = {u.sub: u for u in db.session().scalars(select(User))}
    assert (users["quiet-1"].name, users["quiet-1"].email) == (None, None)
    assert (users["open-1"].name, users["open-1"].email) == ("Open Person", "open@example.edu")


def test_an_lms_learner_is_never_a_cookie_learner(tool, frame):
    """A browser whose cookie learner has work launches: the LMS user is a learner of its
    own, and the way-back code (which would carry work between them) is not offered."""
    frame.client.post("/quizzes/sample-quiz", data={"display_name": "Cookie"})
    frame.launch_as(custom=QUIZ)
    with tool.app_context():
        assert db.session().scalar(select(func.count(Learner.id))) == 2
    assert frame.client.post("/progress/way-back").status_code == 403
    assert frame.client.get("/back").status_code == 403
    assert "from your course" in text(frame.client.get("/progress"))


def test_a_link_without_a_quiz_asks_the_teacher_to_choose_and_tells_learners_to_wait(frame):
    waiting = frame.launch_as(resource_link_id="manual")
    assert waiting.status_code == 200
    assert "not set up yet" in text(waiting)
    chooser = frame.teacher(resource_link_id="manual")
    assert chooser.status_code == 303 and "/lti/links/" in chooser.location
    chosen = frame.client.post(chooser.location, data={"quiz": "sample-quiz", "policy": "latest"})
    assert chosen.status_code == 303 and chosen.location.endswith("/gradebook")
    ready = frame.launch_as(resource_link_id="manual")
    assert urlsplit(ready.location).path == "/quizzes/sample-quiz"


# -- refusals -----------------------------------------------------------------------------------


def refused(response, words):
    assert response.status_code == 403, response.get_data(as_text=True)[:500]
    page = text(response)
    assert "could not open this activity" in page
    assert words in page
    return page


def crafted(frame, **token):
    """A launch whose id_token the test makes, for the nonce and state the tool sent."""
    location = frame.login(custom=QUIZ)
    nonce, state = frame.nonce_and_state(location)
    return frame.post_launch({"id_token": frame.lms.id_token(nonce, **token), "state": state})


def test_a_replayed_launch_is_refused(frame):
    """pylti1p3 only looks the nonce up: the same id_token and state posted again passed."""
    _, form = frame.lms.authorize(frame.login(custom=QUIZ))
    assert frame.post_launch(form).status_code == 302
    refused(frame.post_launch(form), "unknown, already used")


def test_an_id_token_for_several_audiences_is_refused(frame):
    """pylti1p3 took the first audience and ignored the others."""
    aud = [frame.lms.client_id, "someone-else"]
    refused(crafted(frame, overrides={"aud": aud, "azp": frame.lms.client_id}), "several audiences")


def test_an_authorized_party_other_than_the_tool_is_refused(frame):
    """pylti1p3 never looked at azp."""
    refused(crafted(frame, overrides={"azp": "someone-else"}), "authorized party (azp)")


@pytest.mark.parametrize("claim", ["exp", "iat"])
def test_a_token_without_exp_or_iat_is_refused(frame, claim):
    page = refused(crafted(frame, remove=[claim]), "is missing the")
    assert f"&#34;{claim}&#34; claim" in page


@pytest.mark.parametrize("alg", ["none", "HS256"])
def test_only_rs256_is_accepted(frame, alg):
    refused(crafted(frame, header={"alg": alg}), "only RS256")


def test_a_key_not_the_platforms_is_refused(frame):
    refused(crafted(frame, key=frame.lms.rogue_key), "has no key")


def test_a_rotated_platform_key_is_fetched_once(frame, tool):
    assert frame.launch_as(custom=QUIZ).status_code == 302  # the key set is cached
    frame.lms.rotate_key(retire_old=True)
    fetches = sum(r["path"].endswith("certs.php") for r in frame.lms.requests)
    assert frame.launch_as(custom=QUIZ).status_code == 302
    assert sum(r["path"].endswith("certs.php") for r in frame.lms.requests) == fetches + 1


def test_an_unknown_deployment_is_refused(frame):
    refused(
        crafted(frame, overrides={"https://purl.imsglobal.org/spec/lti/claim/deployment_id": "99"}),
        "not registered",
    )


def test_a_platform_not_registered_is_refused_at_login(frame):
    params = frame.lms.login_params(custom=QUIZ)
    response = frame.client.get(
        "/lti/login", query_string={**params, "iss": "https://evil.example"}
    )
    refused(response, "No platform is registered here with issuer https://evil.example")


def test_a_state_from_another_login_or_browser_is_refused(frame, tool):
    """The state is bound to the browser that began the login: another browser posting it
    (no state cookie) is not launched, and gets the "new window" page, not a session."""
    _, form = frame.lms.authorize(frame.login(custom=QUIZ))
    thief = tool.test_client()
    response = thief.post("/lti/launch", data=form, headers=FRAME_NAVIGATION)
    assert response.status_code == 200
    assert "Open the activity in a new window" in text(response)
    assert thief.get("/progress").status_code == 200
    assert "from your course" not in text(thief.get("/progress"))
    refused(frame.post_launch({**form, "state": "made-up"}), "unknown, already used")


def test_a_nonce_from_another_login_is_refused(frame):
    first_nonce, _ = frame.nonce_and_state(frame.login(custom=QUIZ))
    _, state = frame.nonce_and_state(frame.login(custom=QUIZ))
    token = frame.lms.id_token(first_nonce)
    refused(frame.post_launch({"id_token": token, "state": state}), "nonce")


def test_every_login_is_used_once_and_expires(frame, tool):
    frame.launch_as(custom=QUIZ)
    with tool.app_context():
        logins = db.session().scalars(select(Login)).all()
    assert len(logins) == 1 and logins[0].used_at is not None


# -- headers and cookies -------------------------------------------------------------------------


def test_the_lms_may_frame_the_launched_pages_and_no_one_else(frame, tool):
    response = frame.launch_as(custom=QUIZ)
    page = frame.client.get(response.location)
    policy = page.headers["Content-Security-Policy"]
    assert f"frame-ancestors {frame.lms.issuer}" in policy
    assert "X-Frame-Options" not in page.headers
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if "quizapp_lti_session" in c)
    assert "SameSite=None" in cookie and "Secure" in cookie and "Partitioned" in cookie
    plain = tool.test_client().get("/")
    assert "frame-ancestors 'none'" in plain.headers["Content-Security-Policy"]
    assert plain.headers["X-Frame-Options"] == "DENY"


def test_the_state_cookie_survives_a_frame_without_third_party_cookies(frame):
    response = frame.client.get("/lti/login", query_string=frame.lms.login_params(custom=QUIZ))
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if "quizapp_lti_state_" in c)
    assert "SameSite=None" in cookie and "Secure" in cookie and "Partitioned" in cookie
    assert "HttpOnly" in cookie


def test_another_sites_frame_cannot_load_ordinary_pages(tool):
    response = tool.test_client().get("/", headers=FRAME_NAVIGATION)
    assert response.status_code == 403


# -- registration -------------------------------------------------------------------------------


def test_one_issuer_with_two_client_ids_keeps_them_apart(app, lms):
    register(app, lms)
    second = register_second_client(app, lms)
    client = app.test_client()
    params = lms.login_params(custom=QUIZ, client_id=second.client_id)
    location = client.get("/lti/login", query_string=params).headers["Location"]
    assert dict(parse_qsl(urlsplit(location).query))["client_id"] == second.client_id
    _, form = lms.authorize(location)
    assert client.post("/lti/launch", data=form, headers=FRAME_NAVIGATION).status_code == 302


# -- found by a hostile review ------------------------------------------------------------------


def storage_login(client, lms):
    """A login that keeps its secret in the platform's storage: the secret (as the login page
    hands it to the platform) and the platform's launch form."""
    params = {**lms.login_params(custom=QUIZ), "lti_storage_target": "_parent"}
    page = client.get("/lti/login", query_string=params).get_data(as_text=True)
    secret = re.search(r'data-value="([^"]+)"', page).group(1)
    target = re.search(r'data-next="([^"]+)"', page).group(1).replace("&amp;", "&")
    return secret, lms.authorize(target)[1]


def test_another_site_cannot_sign_a_browser_in_as_someone_else(tool, lms):
    """Login CSRF: an attacker begins a login with the platform's storage, reads the secret
    from the page, and makes a victim's browser post the attacker's launch with it."""
    secret, form = storage_login(tool.test_client(), lms)
    victim = tool.test_client()
    headers = {**FRAME_NAVIGATION, "Origin": "https://evil.example"}
    response = victim.post("/lti/launch", data={**form, "storage_secret": secret}, headers=headers)
    assert response.status_code == 200
    assert "Open the activity in a new window" in text(response)
    assert "from your course" not in text(victim.get("/progress"))


def test_an_institution_role_does_not_make_a_learner_staff(frame):
    roles = (LEARNER, "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Instructor")
    response = frame.launch_as(roles=roles, custom=QUIZ)
    assert urlsplit(response.location).path == "/quizzes/sample-quiz"


@pytest.mark.parametrize(
    "claims",
    [
        {"https://purl.imsglobal.org/spec/lti/claim/deployment_id": ["1"]},
        {
            "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
                "lineitem": {"x": 1},
                "scope": "s",
            }
        },
        {
            "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {
                "context_memberships_url": 7
            }
        },
        {"https://purl.imsglobal.org/spec/lti/claim/launch_presentation": {"return_url": 7}},
        {"https://purl.imsglobal.org/spec/lti/claim/roles": "Instructor"},
    ],
)
def test_claims_of_the_wrong_type_never_make_a_500(frame, claims):
    response = crafted(frame, overrides=claims)
    assert response.status_code in (302, 303, 403), text(response)[:300]


def test_an_outsized_login_request_is_refused_and_old_logins_are_cleared(frame, tool):
    params = {**frame.lms.login_params(custom=QUIZ), "lti_message_hint": "x" * 5000}
    refused(frame.client.get("/lti/login", query_string=params), "longer than")
    with tool.app_context():
        assert db.session().scalars(select(Login)).all() == []


def test_a_learner_takes_the_whole_quiz_inside_the_frame(frame):
    """The frame stays cross-site after the launch: every page of the launched session is a
    cross-site frame navigation, and its attempts are the session's learner's."""
    start = frame.launch_as(custom=QUIZ).location
    assert frame.client.get(start, headers=FRAME_NAVIGATION).status_code == 200
    begun = frame.client.post(start, data={"display_name": ""}, headers=FRAME_NAVIGATION)
    attempt = frame.client.get(begun.location, headers=FRAME_NAVIGATION)
    assert attempt.status_code == 302
    statement = frame.client.get(attempt.location, headers=FRAME_NAVIGATION)
    assert statement.status_code == 200
    answered = frame.client.post(
        attempt.location, data={"answer": "myth"}, headers=FRAME_NAVIGATION
    )
    assert answered.status_code == 302


def test_where_cookies_are_blocked_the_platforms_storage_binds_the_state(tool, lms):
    """The login page leaves a secret in the platform's storage (lti.put_data) and the launch
    page reads it back (lti.get_data): without any cookie, this site's page posts it."""
    secret, form = storage_login(tool.test_client(), lms)
    no_cookies = tool.test_client()
    asked = no_cookies.post("/lti/launch", data=form, headers=FRAME_NAVIGATION)
    assert 'id="lti-storage-get"' in asked.get_data(as_text=True)  # the page that reads it
    own_page = {"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"}
    launched = no_cookies.post(
        "/lti/launch", data={**form, "storage_secret": secret}, headers=own_page
    )
    assert urlsplit(launched.location).path == "/quizzes/sample-quiz"


def test_the_new_window_page_begins_the_same_launch_again(frame, tool):
    _, form = frame.lms.authorize(frame.login(custom=QUIZ))
    page = tool.test_client().post("/lti/launch", data=form, headers=FRAME_NAVIGATION)
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', page.get_data(as_text=True)))
    assert {"iss", "login_hint", "target_link_uri", "lti_message_hint"} <= set(fields)
    again = tool.test_client().get("/lti/login", query_string=fields)
    assert again.status_code == 302
