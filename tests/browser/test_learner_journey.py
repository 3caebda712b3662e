"""A learner takes a quiz in Chromium, follows a source to the article, and every page passes
axe-core's WCAG 2.1 AA rules."""

import re

from axe_playwright_python.sync_playwright import Axe

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def assert_accessible(page) -> None:
    results = Axe().run(page, options=WCAG_21_AA)
    assert results.violations_count == 0, results.generate_report()


def test_from_the_home_page_to_the_results_and_into_the_article(app, page, live_server, screenshot):
    bank = app.extensions["quizapp.catalog"].current().library.banks["pore-basics"]
    total = len(bank.questions)
    myths = sum(q.answer == "myth" for q in bank.questions)
    page.goto(live_server.url("/"))
    assert_accessible(page)
    screenshot(page, "home")
    page.get_by_role("link", name="What pores are, and why they look larger").click()
    page.get_by_label("Your name (optional)").fill("Sam")
    page.get_by_role("button", name="Start").click()

    answered = 0
    while True:
        progress = page.locator(".progress label").inner_text()
        assert progress == f"Statement {answered + 1} of {total}"
        page.get_by_role("radio", name=re.compile("^High")).check()
        if answered == 0:
            assert_accessible(page)
            screenshot(page, "statement")
        page.get_by_role("button", name="Myth").click()
        answered += 1
        banner = page.get_by_role("status")
        assert re.search(r"(You were right|Not quite)", banner.inner_text())
        assert page.locator(".explanation").inner_text().strip()
        if answered == 1:
            assert_accessible(page)
            screenshot(page, "feedback")
        next_link = page.get_by_role("link", name=re.compile("Next statement|See your results"))
        if next_link.inner_text() == "See your results":
            next_link.click()
            break
        next_link.click()

    assert page.get_by_role("heading", name="Your results").is_visible()
    score = page.locator(".score").inner_text()
    # answering "myth" to everything, sure of it, scores exactly the myths; certainty-based
    # marks give +3 for each myth and -6 for each fact
    assert score == f"{myths} of {total} correct ({round(100 * myths / total)}%)"
    assert (
        f"Certainty marks: {3 * myths - 6 * (total - myths)} in all"
        in page.locator(".cbm").inner_text()
    )
    held = page.get_by_role("region", name="Sure, but not so")
    assert held.get_by_role("listitem").count() == total - myths  # every fact, held as a myth
    assert page.locator(".review__item").count() == total  # each statement once, missed first
    assert page.locator(".review__item").first.get_attribute("class").endswith("--wrong")
    assert_accessible(page)
    screenshot(page, "results")

    link = page.locator(".source a").first
    href = link.get_attribute("href")
    link.click()
    section_id = href.split("#", 1)[1]
    assert page.url.endswith(href)
    target = page.locator(":target")
    assert target.get_attribute("id") == section_id
    highlighted = target.evaluate("e => getComputedStyle(e).backgroundColor")
    plain = page.locator(f"section.article-section:not(#{section_id})").first
    assert highlighted != plain.evaluate("e => getComputedStyle(e).backgroundColor")
    assert_accessible(page)
    screenshot(page, "article")


def tab_to(page, describe: str, limit: int = 40, exact: bool = True) -> None:
    """Press Tab until the focused element's text (or its label's) is `describe`, or, not
    exact, starts with it."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const e = document.activeElement;"
            " return (e.labels && e.labels[0] ? e.labels[0].innerText : e.innerText || '').trim(); }"
        )
        if focused == describe or (not exact and focused.startswith(describe)):
            return
    raise AssertionError(f"Tab never reached {describe!r}")


def test_keyboard_alone_with_javascript_off_and_certainty(browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    context.set_default_timeout(8000)
    page = context.new_page()
    page.goto(live_server.url("/quizzes/pore-basics"))
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    tab_to(page, "Start")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/attempts/[^/]+/1$"))
    assert page.get_by_role("group", name="How sure are you?").is_visible()

    tab_to(page, "Low", exact=False)  # the certainty radios; arrows move within the group
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.get_by_role("radio", name=re.compile("^High")).is_checked()
    tab_to(page, "Fact")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # a visible focus ring
    page.keyboard.press("Enter")
    verdict = page.get_by_role("status").inner_text()
    assert re.search(r"(You were right|Not quite)", verdict)
    assert "with high certainty" in verdict

    tab_to(page, "Next statement")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/attempts/[^/]+/2$"))
    tab_to(page, "Myth")  # answering without saying how sure: the page says what to do
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert "There is a problem" in page.get_by_role("alert").inner_text()
    assert page.title().startswith("Error: ") and page.url.endswith("/2")
    tab_to(page, "Choose how sure you are", exact=False)  # the summary's link, early in the page
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#certainty-1"
    assert page.get_by_role("radio", name=re.compile("^Low")).is_visible()
    context.close()


def test_a_phone_360_pixels_wide_needs_no_sideways_scrolling(browser, live_server):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()
    for path in ("/", "/quizzes/pore-basics", "/articles/pore-truth"):
        page.goto(live_server.url(path))
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
    page.goto(live_server.url("/quizzes/pore-basics"))
    page.get_by_role("button", name="Start").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_role("radio", name=re.compile("^Medium")).check()
    myth = page.get_by_role("button", name="Myth").bounding_box()
    assert myth["height"] >= 44  # big enough for a thumb
    context.close()
