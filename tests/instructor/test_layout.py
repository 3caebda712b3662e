"""Instructor pages in Chromium, from a 320 px phone to a 1280 px desktop: no sideways scroll of
the page, wide tables scroll in their own labelled region, charts legible on a phone, report
tables not clipped on a desktop, and no two buttons touching. Skips without Chromium."""

import threading

import pytest
from werkzeug.serving import make_server

from quizapp.content import load_library
from quizapp.paths import content_root

from ..conftest import create_class

BANK = "pore-basics"  # bundled content: real statements, as long as instructors meet them
STATEMENTS = len(load_library(content_root())[0].banks[BANK].questions)


@pytest.fixture
def app(make_app):
    # a long public address: the links shown to copy must wrap, not widen the page
    public = "https://mythorfact.quizzes.anexampleschooldistrict.example.org/"
    return make_app(QUIZAPP_CONTENT_DIR=None, QUIZAPP_PUBLIC_URL=public)


@pytest.fixture
def site(app, teacher):
    """The app served on a free port, with a class whose learners took a bundled quiz."""
    class_url, code = create_class(teacher, name="Skin science, period 3", quizzes=(BANK,))
    for n, name in enumerate(("Robin", "Sam", "Kai", "Alex")):
        learner = app.test_client()
        learner.post(f"/join/{code}", data={"display_name": name})
        for attempt in range(2):
            first = learner.get(
                learner.post(f"/quizzes/{BANK}", data={"class_code": code}).location
            ).location
            url = first.rsplit("/", 1)[0]
            for number in range(1, STATEMENTS + 1):
                answer = "myth" if (number + n + attempt) % 3 else "fact"
                learner.post(f"{url}/{number}", data={"answer": answer, "certainty": 1 + n % 3})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", class_url
    server.shutdown()
    thread.join()


def signed_in(browser, root, width):
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(root + "/instructor/login")
    page.get_by_label("Email").fill("ada@example.org")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/instructor/")
    return page


def pages(page, root, class_url):
    """Every instructor page worth measuring, by name."""
    page.goto(root + class_url + "/gradebook")
    review = page.get_by_role("link", name="best", exact=False).first.get_attribute("href")
    return {
        "dashboard": "/instructor/",
        "new class": "/instructor/classes/new",
        "class": class_url,
        "archive": class_url + "/archive",
        "gradebook": class_url + "/gradebook",
        "review": review,
        "item analysis": f"{class_url}/quizzes/{BANK}",
        "overall analysis": f"/instructor/quizzes/{BANK}?attempts=all",
        "learning": f"{class_url}/quizzes/{BANK}/learning",
        "invite": "/instructor/invite",
    }


SIDEWAYS = "document.documentElement.scrollWidth - window.innerWidth"
# every data table sits in a region that is labelled by an element with text and is focusable
UNLABELLED_TABLES = """() => [...document.querySelectorAll('table.data')].filter(table => {
  const region = table.closest('[role=region]');
  if (!region || region.getAttribute('tabindex') !== '0') return true;
  const label = document.getElementById(region.getAttribute('aria-labelledby') || '');
  return !label || !label.textContent.trim();
}).map(table => table.outerHTML.slice(0, 80))"""
CHART_TEXT_PX = """() => [...document.querySelectorAll('svg.chart text')].map(
  t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a)"""
CLIPPED_REGIONS = """() => [...document.querySelectorAll('[role=region]')]
  .filter(r => r.scrollWidth > r.clientWidth + 1).map(r => r.getAttribute('aria-labelledby'))"""
# pairs of buttons (or links drawn as buttons) less than 8 px apart
TOUCHING_BUTTONS = """() => {
  const boxes = [...document.querySelectorAll('main button, main .button')]
    .filter(b => b.offsetParent).map(b => [b.textContent.trim(), b.getBoundingClientRect()]);
  const close = [];
  boxes.forEach(([a, p], i) => boxes.slice(i + 1).forEach(([b, q]) => {
    const dx = Math.max(p.left - q.right, q.left - p.right);
    const dy = Math.max(p.top - q.bottom, q.top - p.bottom);
    if (Math.max(dx, dy) < 8) close.push([a, b]);
  }));
  return close;
}"""


@pytest.mark.parametrize("width", [320, 375])
def test_no_instructor_page_scrolls_sideways_on_a_phone(browser, site, width):
    root, class_url = site
    page = signed_in(browser, root, width)
    for name, path in pages(page, root, class_url).items():
        page.goto(root + path)
        assert page.evaluate(SIDEWAYS) <= 0, f"{name} scrolls sideways at {width} px"
        assert page.evaluate(UNLABELLED_TABLES) == [], name
    page.context.close()


def test_chart_text_is_at_least_12_px_on_a_phone(browser, site):
    root, class_url = site
    page = signed_in(browser, root, 375)
    page.goto(f"{root}{class_url}/quizzes/{BANK}")
    sizes = page.evaluate(CHART_TEXT_PX)
    assert sizes and min(sizes) >= 12, sizes
    page.context.close()


def test_report_tables_use_the_width_of_a_desktop_screen(browser, site):
    root, class_url = site
    page = signed_in(browser, root, 1280)
    for path in (f"{class_url}/quizzes/{BANK}", f"{class_url}/quizzes/{BANK}/learning"):
        page.goto(root + path)
        assert page.evaluate(CLIPPED_REGIONS) == [], path
    page.context.close()


@pytest.mark.parametrize("width", [375, 1280])
def test_no_two_buttons_touch(browser, site, width):
    root, class_url = site
    page = signed_in(browser, root, width)
    for name, path in pages(page, root, class_url).items():
        page.goto(root + path)
        assert page.evaluate(TOUCHING_BUTTONS) == [], f"{name} at {width} px"
    page.context.close()


# choices whose input is not beside (left of, level with) its words, or whose words are bold
MISPLACED_CHOICES = """() => [...document.querySelectorAll('label.option')].filter(label => {
  const input = label.querySelector('input').getBoundingClientRect();
  const words = [...label.childNodes].find(n => n.nodeType === 3 && n.textContent.trim());
  const range = document.createRange();
  range.selectNodeContents(words);
  const text = range.getBoundingClientRect();  // all its lines, where long words wrap
  const sameRow = text.top < input.bottom && text.bottom > input.top && text.left > input.right;
  return !sameRow || parseInt(getComputedStyle(label).fontWeight) >= 600;
}).map(label => label.textContent.trim())"""


@pytest.mark.parametrize("width", [320, 1280])
def test_each_choice_is_one_row_with_its_input_first_and_the_whole_row_clickable(
    browser, site, width
):
    root, class_url = site
    page = signed_in(browser, root, width)
    for path in ("/instructor/classes/new", class_url):
        page.goto(root + path)
        assert page.evaluate(MISPLACED_CHOICES) == [], path
    page.goto(root + "/instructor/classes/new")
    row = page.locator("label.option").first
    box = row.bounding_box()
    row.click(position={"x": box["width"] - 4, "y": box["height"] / 2})  # far from the box
    assert row.locator("input").is_checked()
    page.context.close()
