"""Every page, as a learner, an instructor and an author meet it, on a 375x667 phone and a
1280x800 desk, light and dark: nothing scrolls sideways, every link and control is a 44 px
target (or spaced as one), the Myth and Fact buttons are on the first screen, and axe finds no
WCAG 2.1 AA violation."""

import re

import pytest

from .conftest import teacher_with_class
from .test_learner_journey import assert_accessible

PHONE = {"width": 375, "height": 667}
DESK = {"width": 1280, "height": 800}
TARGET = 44  # px, WCAG 2.5.5

# For each visible link or control: its box, and whether a 44 px square centred on it would
# overlap another's box (WCAG 2.5.8's spacing test, at 44 px rather than 24).
SMALL_TARGETS = """
() => {
  const targets = [...document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex="0"]'
  )].filter(e => e.checkVisibility({visibilityProperty: true}) && !e.closest('.skip-link'));
  const boxes = targets.map(e => e.getBoundingClientRect());
  const small = [];
  boxes.forEach((b, i) => {
    if (b.width >= 44 && b.height >= 44) return;
    const cx = b.left + b.width / 2, cy = b.top + b.height / 2;
    const square = {left: cx - 22, right: cx + 22, top: cy - 22, bottom: cy + 22};
    const crowded = boxes.some((o, j) => j !== i && o.left < square.right && o.right > square.left
                                         && o.top < square.bottom && o.bottom > square.top
                                         && !targets[j].contains(targets[i])
                                         && !targets[i].contains(targets[j]));
    if (crowded) small.push(`${targets[i].tagName} "${(targets[i].innerText || targets[i].name
      || targets[i].id || '').trim().slice(0, 30)}" ${Math.round(b.width)}x${Math.round(b.height)}`);
  });
  return small;
}
"""


@pytest.fixture(scope="module")
def pages(app, browser, live_server):
    """The address of every kind of page, with the state each needs (made once)."""
    teacher, code = teacher_with_class(
        app, browser, live_server, "sweep@example.org", "Sweep class"
    )
    context = teacher.context
    class_path = re.sub(r"^https?://[^/]+", "", teacher.url)

    learner_context = browser.new_context()
    learner = learner_context.new_page()
    learner.goto(live_server.url(f"/join/{code}"))
    learner.get_by_label("Your name").fill("Sam")
    learner.get_by_role("button", name="Join the class").click()
    learner.goto(live_server.url(f"/quizzes/pore-basics?class={code}"))
    learner.get_by_role("button", name="Start").click()
    statement = learner.url
    answered = 0
    while "/results" not in learner.url:
        learner.get_by_role("radio", name=re.compile("^High")).check()
        learner.get_by_role("button", name="Myth").click()
        answered += 1
        if answered == 1:
            feedback = learner.url
        learner.get_by_role("link", name=re.compile("Next statement|See your results")).click()
    results = learner.url
    teacher.goto(live_server.url(class_path + "/gradebook"))
    review = teacher.locator("a[href*='/attempts/']").first.get_attribute("href")

    learner_pages = {
        "home": "/",
        "start": "/quizzes/pore-basics",
        "statement": None,  # a fresh attempt, made per visit (the learner's is finished)
        "feedback": feedback,
        "results": results,
        "progress": "/progress",
        "back": "/back",
        "join by code": "/join",
        "join a class": f"/join/{code}",
        "class": f"/classes/{code}",
        "article": "/articles/pore-truth",
        "not found": "/no-such-page",
    }
    instructor_pages = {
        "sign in": "/instructor/login",
        "classes": "/instructor/",
        "new class": "/instructor/classes/new",
        "class page": class_path,
        "gradebook": class_path + "/gradebook",
        "review": review,
        "item analysis": class_path + "/quizzes/pore-basics",
        "learning": class_path + "/quizzes/pore-basics/learning",
        "author tools": "/authoring/",
        "bank preview": "/authoring/banks/pore-basics",
    }
    yield {
        "learner": (learner_context, learner_pages),
        "instructor": (context, instructor_pages),
        "statement": statement,
    }
    learner_context.close()
    context.close()


def _check(page, name: str, url: str, viewport: dict) -> None:
    page.goto(url)
    url = f"{name} ({url})"
    width = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert width[0] <= width[1], f"{url} scrolls sideways at {viewport['width']} px: {width}"
    small = page.evaluate(SMALL_TARGETS)
    assert small == [], f"{url} at {viewport['width']} px has targets under {TARGET} px: {small}"
    assert_accessible(page)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", [PHONE, DESK], ids=["phone", "desk"])
@pytest.mark.parametrize("who", ["learner", "instructor"])
def test_every_page_fits_has_big_targets_and_passes_axe(
    browser, live_server, pages, who, viewport, scheme
):
    source, paths = pages[who]
    context = browser.new_context(
        viewport=viewport, color_scheme=scheme, storage_state=source.storage_state()
    )
    context.set_default_timeout(8000)
    page = context.new_page()
    for name, path in paths.items():
        if path is None:  # a statement of a new attempt
            page.goto(live_server.url("/quizzes/quick-fixes"))
            page.get_by_role("button", name="Start").click()
            path = page.url
        url = path if path.startswith("http") else live_server.url(path)
        _check(page, name, url, viewport)
    context.close()


def test_myth_and_fact_are_on_the_first_screen_of_a_phone(browser, live_server):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    for bank in ("pore-basics", "quick-fixes", "treatments-that-work", "reading-the-sources"):
        page.goto(live_server.url(f"/quizzes/{bank}"))
        page.get_by_role("button", name="Start").click()
        for name in ("Myth", "Fact"):
            box = page.get_by_role("button", name=name, exact=True).bounding_box()
            assert box["y"] + box["height"] <= PHONE["height"], (bank, name, box)
        for level in ("Low", "Medium", "High"):
            radio = page.get_by_role("radio", name=re.compile(f"^{level}"))
            assert not radio.is_checked()  # never preselected
            box = radio.locator("xpath=..").bounding_box()
            assert box["y"] + box["height"] <= PHONE["height"], (bank, level, box)
    context.close()


def test_pressing_myth_without_saying_how_sure_explains_what_to_do(browser, live_server):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(live_server.url("/quizzes/pore-basics"))
    page.get_by_role("button", name="Start").click()
    page.get_by_role("button", name="Myth").click()
    summary = page.get_by_role("alert")
    assert "There is a problem" in summary.inner_text()
    assert "how sure you are" in summary.inner_text()
    assert page.title().startswith("Error: ")
    summary.get_by_role("link").click()  # the summary's link takes the focus to the question
    assert page.evaluate("document.activeElement.name") == "certainty"
    context.close()


def test_a_learner_on_a_phone_from_statement_to_results(browser, live_server, screenshot):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    page.goto(live_server.url("/quizzes/pore-basics"))
    page.get_by_role("button", name="Start").click()
    answered = 0
    while "/results" not in page.url:
        if answered == 0:
            screenshot(page, "phone-statement")
        page.get_by_role("radio", name=re.compile("^Medium")).check()
        page.get_by_role("button", name="Fact").click()
        if answered == 0:
            screenshot(page, "phone-feedback")
        answered += 1
        page.get_by_role("link", name=re.compile("Next statement|See your results")).click()
    assert page.get_by_role("heading", name="Your results").is_visible()
    glance = page.get_by_role("navigation", name="Every statement at a glance")
    assert glance.get_by_role("link").count() == answered
    screenshot(page, "phone-results")
    context.close()
