"""An instructor signs in, creates a class and reads its gradebook and item analysis, in
Chromium; a learner joins by the link in another browser. Every instructor page passes axe."""

import re

from quizapp import db
from quizapp.instructor import accounts

from .test_learner_journey import assert_accessible


def test_instructor_creates_a_class_and_reads_the_gradebook(
    app, browser, page, live_server, screenshot
):
    with app.app_context():
        accounts.create(db.session(), "teacher@example.org", "a long enough password")

    page.goto(live_server.url("/instructor/"))
    assert "/instructor/login" in page.url  # sign-in first
    assert_accessible(page)
    page.get_by_label("Email").fill("teacher@example.org")
    page.get_by_label("Password").fill("a long enough password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("heading", name="Your classes").is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="New class").click()
    assert_accessible(page)
    page.get_by_label("Class name").fill("Skin science, period 3")
    page.get_by_label("What pores are, and why they look larger").check()
    page.get_by_role("button", name="Create the class").click()
    assert page.get_by_role("heading", name="Skin science, period 3").is_visible()
    assert_accessible(page)
    screenshot(page, "instructor-class")
    join_url = page.get_by_role("textbox", name="Join link").input_value()
    join_path = re.search(r"/join/[A-Z0-9]{6}$", join_url).group(0)

    learner = browser.new_context().new_page()
    learner.goto(live_server.url(join_path))  # the live server's host name, not SERVER_NAME
    learner.get_by_label("Your name").fill("Robin")
    learner.get_by_role("button", name="Join the class").click()
    learner.get_by_role("link", name="What pores are, and why they look larger").click()
    learner.get_by_role("button", name="Start").click()
    while True:
        learner.get_by_role("radio", name=re.compile("^Low")).check()
        learner.get_by_role("button", name="Fact").click()
        following = learner.get_by_role("link", name=re.compile("Next statement|See your results"))
        done = following.inner_text() == "See your results"
        following.click()
        if done:
            break
    learner.context.close()

    page.get_by_role("link", name="Gradebook", exact=True).click()
    assert page.get_by_role("row", name=re.compile("Robin")).is_visible()
    assert_accessible(page)
    screenshot(page, "instructor-gradebook")
    page.get_by_role("link", name=re.compile(r"best \d+%")).click()
    assert page.get_by_role("heading", name=re.compile("Robin")).is_visible()
    assert_accessible(page)

    page.goto(page.url.split("/attempts/")[0])
    page.get_by_role("link", name="Item analysis").click()
    assert page.get_by_role("heading", name=re.compile("Item analysis")).is_visible()
    assert page.locator("svg.chart").count() == 2
    assert_accessible(page)
    screenshot(page, "instructor-analysis")
