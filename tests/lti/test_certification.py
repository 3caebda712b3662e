"""The IMS certification suite's known bad payloads, each refused with a page that says what
failed; and the one it files as bad that its guide calls valid, launched."""

import time

import pytest

from .certification import bad_payloads, misfiled_payloads
from .conftest import text

PLACEHOLDER = {"issuer": "-", "client_id": "-", "deployment_id": "-", "nonce": "-", "now": 0}
CASES = [case.name for case in bad_payloads(**PLACEHOLDER)]


def _signed(frame, payloads, name):
    nonce, state = frame.nonce_and_state(frame.login())
    lms = frame.lms
    case = next(
        c
        for c in payloads(
            issuer=lms.issuer,
            client_id=lms.client_id,
            deployment_id=lms.deployment_id,
            nonce=nonce,
            now=int(time.time()),
            target_link_uri="http://localhost/lti/launch",
        )
        if c.name == name
    )
    return case, {"id_token": lms.sign(case.body, header=case.header), "state": state}


@pytest.mark.parametrize("name", CASES)
def test_a_known_bad_payload_is_refused_with_a_clear_page(frame, name):
    case, form = _signed(frame, bad_payloads, name)
    response = frame.post_launch(form)
    assert response.status_code == 403, f"{case.why}: {response.status_code}"
    page = text(response)
    assert "What failed" in page and "What your LMS administrator should check" in page


def test_an_instructor_launch_without_a_course_opens(frame):
    name = misfiled_payloads(**PLACEHOLDER)[0].name
    _, form = _signed(frame, misfiled_payloads, name)
    response = frame.post_launch(form)
    assert response.status_code in (302, 303), text(response)[:400]
