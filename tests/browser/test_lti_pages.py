"""The LTI pages a teacher, a learner and an LMS admin meet outside the quiz itself: the deep
linking picker, the quiz chooser for a link made by hand, "not set up yet", a refusal and the
Dynamic Registration page; each fits a phone and passes axe (WCAG 2.1 AA), light and dark."""

import pytest

from quizapp.lti import registration

from ..lti.conftest import register
from ..lti.lms import INSTRUCTOR, FakeLMS, User
from .test_every_page import DESK, PHONE, _check


@pytest.fixture(scope="module")
def lms(app, live_server):
    with FakeLMS(live_server.url()) as platform:
        register(app, platform)
        yield platform


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", [PHONE, DESK], ids=["phone", "desk"])
def test_the_lti_pages_fit_and_pass_axe(app, browser, live_server, lms, viewport, scheme):
    context = browser.new_context(viewport=viewport, color_scheme=scheme)
    context.set_default_timeout(8000)
    page = context.new_page()
    teacher = User("t-sweep", "Tess Sweep")
    page.goto(lms.launch_page_url(user=teacher, roles=(INSTRUCTOR,),
                                  message_type="LtiDeepLinkingRequest"))  # fmt: skip
    page.wait_for_url("**/lti/pick/**")
    _check(page, "deep linking picker", page.url, viewport)

    page.goto(lms.launch_page_url(user=teacher, roles=(INSTRUCTOR,), resource_link_id="by-hand"))
    page.wait_for_url("**/lti/links/**")
    _check(page, "quiz chooser", page.url, viewport)

    learner = context.browser.new_context(viewport=viewport, color_scheme=scheme).new_page()
    learner.goto(lms.launch_page_url(user=User("l-sweep"), resource_link_id=f"empty-{scheme}"))
    learner.wait_for_url("**/lti/launch")
    assert "not set up yet" in learner.content()
    learner.context.close()

    _check(page, "refusal", live_server.url("/lti/login"), viewport)
    with app.test_request_context():
        key = registration.registration_key()
    _check(page, "registration", lms.registration_url(live_server.url()) + f"&key={key}", viewport)
    context.close()
