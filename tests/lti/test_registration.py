"""How an LMS meets the tool: Dynamic Registration, the Canvas developer key, the tool's keys,
deep linking, and the `flask lti` commands."""

import re
from datetime import timedelta
from urllib.parse import parse_qsl, urlsplit

import requests
import time_machine
from sqlalchemy import select

from quizapp import db
from quizapp.lti import keys, registration
from quizapp.lti.models import Platform
from quizapp.models import utcnow

from .conftest import FRAME_NAVIGATION, text
from .lms import INSTRUCTOR, User


def _registration_url(app, lms) -> str:
    with app.test_request_context():
        key = registration.registration_key()
    return lms.registration_url("http://localhost") + f"&key={key}"


def test_pasting_one_url_into_the_lms_registers_the_tool(app, lms):
    client = app.test_client()
    url = _registration_url(app, lms)
    page = client.get(url, headers=FRAME_NAVIGATION)
    assert page.status_code == 200
    assert page.headers["Cross-Origin-Opener-Policy"] == "unsafe-none"  # postMessage to opener
    assert f"frame-ancestors {lms.issuer}" in page.headers["Content-Security-Policy"]
    query = dict(parse_qsl(urlsplit(url).query))
    done = client.post(url, data=query)
    assert done.status_code == 200, text(done)[:400]
    assert "Registered" in text(done)
    sent = lms.registrations[-1]
    with app.app_context():
        platform = db.session().scalars(select(Platform)).one()
        assert platform.issuer == lms.issuer
        assert platform.client_id == sent["client_id"]
        assert [d.deployment_id for d in platform.deployments] == [
            sent["https://purl.imsglobal.org/spec/lti-tool-configuration"]["deployment_id"]
        ]


def test_registration_needs_the_key_and_a_platform_that_owns_its_issuer(app, lms):
    client = app.test_client()
    assert client.get(lms.registration_url("http://localhost")).status_code == 404
    url = _registration_url(app, lms)
    lying = url.replace("openid-configuration.php", "openid-configuration.php%3Fx")
    forged = dict(parse_qsl(urlsplit(url).query))
    forged["openid_configuration"] = "http://localhost:1/elsewhere"
    refused = client.post(lying, data=forged)
    assert refused.status_code == 403
    assert "could not open this activity" in text(refused) or "registration" in text(refused)


def test_canvas_reads_the_developer_key_from_a_url(app):
    config = app.test_client().get("/lti/canvas.json").get_json()
    assert config["oidc_initiation_url"].endswith("/lti/login")
    assert config["target_link_uri"].endswith("/lti/launch")
    assert config["public_jwk_url"].endswith("/lti/jwks.json")
    assert "https://purl.imsglobal.org/spec/lti-ags/scope/score" in config["scopes"]
    assert any("contextmembership" in s for s in config["scopes"])
    placements = config["extensions"][0]["settings"]["placements"]
    assert {p["placement"] for p in placements} == {"assignment_selection", "link_selection"}
    assert {p["message_type"] for p in placements} == {"LtiDeepLinkingRequest"}


def test_the_key_set_is_public_keys_only_and_rotation_publishes_before_signing(app):
    client = app.test_client()
    first = client.get("/lti/jwks.json").get_json()["keys"]
    assert len(first) == 1 and first[0]["kid"] and "d" not in first[0]
    with app.app_context():
        fresh, replaced = keys.rotate(db.session())
        published = {k["kid"] for k in keys.published(db.session())}
        assert {fresh.kid, replaced.kid} <= published
        assert keys.signing_key(db.session()).kid == replaced.kid  # not yet the new one
    soon = utcnow() + keys.PUBLISH_LEAD + timedelta(minutes=1)
    with time_machine.travel(soon, tick=False), app.app_context():
        assert keys.signing_key(db.session()).kid == fresh.kid
        assert replaced.kid in {k["kid"] for k in keys.published(db.session())}
    later = keys.PUBLISH_LEAD + keys.KEEP_AFTER + timedelta(minutes=1)
    with time_machine.travel(utcnow() + later, tick=False):
        assert [k["kid"] for k in client.get("/lti/jwks.json").get_json()["keys"]] == [fresh.kid]


def test_a_teacher_picks_a_quiz_and_the_lms_gets_a_graded_link(frame, lms):
    response = frame.launch_as(
        User("t-9", "Tess"), roles=(INSTRUCTOR,), message_type="LtiDeepLinkingRequest"
    )
    assert response.status_code == 303 and "/lti/pick/" in response.location
    picker = frame.client.get(response.location)
    assert picker.status_code == 200 and "Add a quiz to your course" in text(picker)
    answer = frame.client.post(
        response.location, data={"quiz": "sample-quiz", "policy": "best", "title": ""}
    )
    page = answer.get_data(as_text=True)
    assert f'action="{lms.deep_link_return_url}"' in page
    assert f"form-action 'self' {lms.issuer}" in answer.headers["Content-Security-Policy"]
    token = re.search(r'name="JWT" value="([^"]+)"', page).group(1)
    assert requests.post(lms.deep_link_return_url, data={"JWT": token}, timeout=10).ok
    item = lms.deep_link_items[-1]
    assert item["type"] == "ltiResourceLink"
    assert item["lineItem"]["scoreMaximum"] == 100
    assert item["custom"] == {"quiz": "sample-quiz", "policy": "best"}


def test_only_teachers_may_pick(frame):
    response = frame.launch_as(message_type="LtiDeepLinkingRequest")
    assert response.status_code == 403


def test_the_commands_add_list_and_remove_a_platform(app):
    runner = app.test_cli_runner()
    added = runner.invoke(
        args=[
            "lti", "add-platform", "--issuer", "https://lms.example.edu", "--client-id", "c1",
            "--deployment-id", "d1", "--deployment-id", "d2",
            "--auth-login-url", "https://lms.example.edu/auth",
            "--token-url", "https://lms.example.edu/token",
            "--jwks-url", "https://lms.example.edu/jwks",
        ]
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "/lti/login" in added.output and "/lti/jwks.json" in added.output
    again = runner.invoke(args=["lti", "add-platform", "--issuer", "https://lms.example.edu", "--client-id", "c1", "--deployment-id", "d1", "--auth-login-url", "https://lms.example.edu/a", "--token-url", "https://lms.example.edu/t", "--jwks-url", "https://lms.example.edu/j"])  # fmt: skip
    assert again.exit_code == 1 and "already registered" in again.output
    listed = runner.invoke(args=["lti", "list"])
    assert "client id c1" in listed.output and "d1, d2" in listed.output
    bad = runner.invoke(args=["lti", "add-platform", "--issuer", "lms", "--client-id", "c", "--deployment-id", "d", "--auth-login-url", "x", "--token-url", "y", "--jwks-url", "z"])  # fmt: skip
    assert bad.exit_code == 1 and "absolute http(s) address" in bad.output
    platform_id = listed.output.split()[0]
    removed = runner.invoke(args=["lti", "remove", platform_id])
    assert removed.exit_code == 0
    assert "no platform is registered" in runner.invoke(args=["lti", "list"]).output
    url = runner.invoke(args=["lti", "registration-url"])
    assert "/lti/register?key=" in url.output
