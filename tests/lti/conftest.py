"""LTI fixtures: the tool in a Flask test client, registered with a FakeLMS on loopback."""

import re
from urllib.parse import parse_qsl, urlsplit

import pytest

from quizapp import db
from quizapp.lti import platforms

from .lms import INSTRUCTOR, LEARNER, FakeLMS, User


@pytest.fixture
def lms(app):
    """A platform on 127.0.0.1 that reads the tool's keys from the app in-process."""

    def tool_jwks():
        return app.test_client().get("/lti/jwks.json").get_json()

    with FakeLMS("http://localhost", tool_jwks=tool_jwks) as platform:
        yield platform


def register(app, lms, client_id=None, deployment_id=None, auth_login_url=None) -> int:
    """Register the FakeLMS with the tool (its default client and deployment unless named)."""
    with app.app_context():
        found = platforms.add(
            db.session(),
            issuer=lms.issuer,
            client_id=client_id or lms.client_id,
            deployment_ids=[deployment_id or lms.deployment_id],
            auth_login_url=auth_login_url or lms.auth_url,
            auth_token_url=lms.token_url,
            key_set_url=lms.jwks_url,
            name="Fake Moodle",
        )
        return found.id


def register_second_client(app, lms):
    """The same platform registers the tool a second time (as Canvas does for each school):
    one issuer, another client id and deployment, registered here too."""
    second = lms.add_client(
        initiate_login_uri="http://localhost/lti/login",
        redirect_uris=["http://localhost/lti/launch"],
        target_link_uri="http://localhost/lti/launch",
        jwks_uri="http://localhost/lti/jwks.json",
    )
    register(app, lms, client_id=second.client_id, deployment_id=second.deployment_id)
    return second


@pytest.fixture
def tool(app, lms):
    """The app with the FakeLMS registered (its default client and deployment)."""
    register(app, lms)
    return app


class Browser:
    """A browser in the LMS's frame: starts launches and follows them."""

    def __init__(self, client, lms):
        self.client, self.lms = client, lms

    def login(self, **launch):
        """The login initiation; returns the tool's redirect to the platform's auth URL."""
        response = self.client.get("/lti/login", query_string=self.lms.login_params(**launch))
        assert response.status_code == 302, response.get_data(as_text=True)
        return response.headers["Location"]

    def nonce_and_state(self, location):
        query = dict(parse_qsl(urlsplit(location).query))
        return query["nonce"], query["state"]

    def post_launch(self, form):
        return self.client.post("/lti/launch", data=form, headers=FRAME_NAVIGATION)

    def launch(self, **launch):
        """Login, the platform's authentication, the launch: the tool's answer to it."""
        _, form = self.lms.authorize(self.login(**launch))
        return self.post_launch(form)

    def launch_as(self, user=None, roles=(LEARNER,), **launch):
        return self.launch(user=user or User("learner-1", "Ann Example"), roles=roles, **launch)

    def teacher(self, **launch):
        return self.launch_as(User("teacher-1", "Tess Teacher"), roles=(INSTRUCTOR,), **launch)


# the launch as a browser sends it from the platform's page inside the course's iframe
FRAME_NAVIGATION = {
    "Sec-Fetch-Site": "cross-site",
    "Sec-Fetch-Mode": "navigate",
    "Sec-Fetch-Dest": "iframe",
}


@pytest.fixture
def frame(tool, lms):
    return Browser(tool.test_client(), lms)


def text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))
