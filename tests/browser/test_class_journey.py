"""A class's first day in Chromium: an instructor invited by a colleague signs up from the link,
makes a class, and reads out its code; a learner types it at /join, opens the class's quiz from
Home, finishes it, and the gradebook shows it."""

import re

from .test_learner_journey import assert_accessible


def test_an_invited_instructor_and_a_learner_who_types_the_code(app, browser, page, live_server):
    with app.app_context():
        invited = app.test_cli_runner().invoke(
            args=["instructor", "invite", "newcomer@example.org"]
        )
    assert invited.exit_code == 0, invited.output
    link = re.search(r"https?://\S+/instructor/\S+", invited.output).group(0)
    teacher = browser.new_context().new_page()
    teacher.goto(live_server.url(re.sub(r"^https?://[^/]+", "", link)))
    assert_accessible(teacher)
    teacher.get_by_label("Password", exact=True).fill("a newcomer's password")
    teacher.get_by_label(re.compile("again|Confirm", re.I)).fill("a newcomer's password")
    teacher.get_by_role("button", name=re.compile("Create|Set up|Sign up", re.I)).click()
    assert teacher.get_by_role("heading", name="Your classes").is_visible()
    teacher.get_by_role("link", name="New class").click()
    teacher.get_by_label("Class name").fill("First day")
    teacher.get_by_label("What pores are, and why they look larger").check()
    teacher.get_by_role("button", name="Create the class").click()
    code = teacher.locator(".join-code code").inner_text()  # read out, as KXM-4TP

    page.goto(live_server.url("/"))
    page.get_by_label("Class code").fill(code.lower().replace("-", " "))
    page.get_by_role("button", name="Join", exact=True).click()
    page.get_by_label("Your name").fill("Kim")
    page.get_by_role("button", name="Join the class").click()
    page.get_by_role("link", name="Myth or Fact").click()  # Home, then the quiz from there
    assert page.get_by_role("heading", name="Your classes").is_visible()
    page.get_by_role("link", name="What pores are, and why they look larger").first.click()
    assert "for your class" in page.locator(".notice").first.inner_text()
    page.get_by_role("button", name="Start").click()
    while "/results" not in page.url:
        page.get_by_role("radio", name=re.compile("^Low")).check()
        page.get_by_role("button", name="Fact").click()
        page.get_by_role("link", name=re.compile("Next statement|See your results")).click()
    page.goto(live_server.url("/"))
    assert "done, best" in page.get_by_role("region", name="Your classes").inner_text()

    teacher.reload()
    teacher.get_by_role("link", name="Gradebook", exact=True).click()
    row = teacher.locator("tbody tr").first
    assert "Kim" in row.inner_text() and "not started" not in row.inner_text()
    teacher.context.close()
