"""A learner starts on one device, copies their way-back code, and carries on in a second
browser with the same progress and class; the instructor's gradebook keeps one row."""

import re

from .conftest import teacher_with_class
from .test_learner_journey import assert_accessible


def test_a_learner_carries_on_on_a_second_device(app, browser, page, live_server):
    teacher, code = teacher_with_class(
        app, browser, live_server, "two-devices@example.org", "Two devices"
    )

    # the school computer: join, start the class's quiz, answer the first statement
    page.goto(live_server.url(f"/join/{code}"))
    page.get_by_label("Your name").fill("Robin")
    page.get_by_role("button", name="Join the class").click()
    page.get_by_role("link", name="What pores are, and why they look larger").click()
    page.get_by_role("button", name="Start").click()
    page.get_by_role("radio", name=re.compile("^Medium")).check()
    page.get_by_role("button", name="Myth").click()
    statement_url = page.url

    page.get_by_role("link", name="Your progress").click()
    page.get_by_role("button", name="Make a way-back code").click()
    shown = page.locator(".way-back .code").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}-[A-Z2-9]{5}", shown)
    assert_accessible(page)

    # the phone: a second browser, which knows nothing of Robin until the code is typed
    phone = browser.new_context(viewport={"width": 375, "height": 812}).new_page()
    phone.goto(statement_url)
    assert phone.get_by_role(
        "heading", name="We cannot find this attempt on this device"
    ).is_visible()
    phone.goto(live_server.url("/progress"))
    phone.get_by_role("link", name="Carry on here").click()
    assert_accessible(phone)
    phone.get_by_label("Your way-back code").fill(shown.lower().replace("-", " "))
    phone.get_by_role("button", name="Carry on here").click()
    assert "this device now carries your attempts" in phone.get_by_role("status").inner_text()
    phone.goto(statement_url)
    assert phone.locator(".progress label").inner_text().startswith("Statement 1 of")
    phone.goto(live_server.url(f"/classes/{code}"))
    assert phone.get_by_role("heading", name="Two devices").is_visible()
    phone.goto(live_server.url(f"/join/{code}"))
    assert phone.url.endswith(f"/classes/{code}")  # a member already: not asked to join again

    teacher.reload()  # the class page, opened before Robin joined
    with teacher.expect_navigation():  # counted on the gradebook, not the page it leaves
        teacher.get_by_role("link", name="Gradebook", exact=True).click()
    rows = teacher.locator("tbody th[scope=row]")
    assert rows.count() == 1 and rows.first.inner_text() == "Robin"
    teacher.context.close()
    phone.context.close()
