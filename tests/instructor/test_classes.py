"""An instructor creates a class, learners join by its link and take a quiz, and the instructor
reviews the gradebook and the item analysis, whose numbers are worked out here by hand."""

import csv
import io
import re

from ..conftest import Learner, create_class

KEY = {  # the fixture bank, in file order (it is not shuffled)
    "The sky is green.": "myth",
    "Grass is green.": "fact",
    "Details are irrelevant.": "myth",
    "Water is wet.": "fact",
}
FLIP = {"myth": "fact", "fact": "myth"}


def take(app, code: str, name: str, wrong: set[str], client=None) -> str:
    """A learner joins (once) and finishes the quiz, answering wrong on the statements named."""
    browser = client or app.test_client()
    if client is None:
        assert browser.post(f"/join/{code}", data={"display_name": name}).status_code == 302
    started = browser.post("/quizzes/sample-quiz", data={"class_code": code})
    assert started.status_code == 302
    learner = Learner(browser)
    first = browser.get(started.location).location
    attempt = first.rsplit("/", 1)[0]
    for number in range(1, 5):
        url = f"{attempt}/{number}"
        statement = learner.statement_text(url)
        answer = FLIP[KEY[statement]] if statement in wrong else KEY[statement]
        learner.answer(url, answer)
    return attempt


def test_two_learners_join_and_the_gradebook_shows_best_latest_and_attempts(app, teacher):
    class_url, code = create_class(teacher)
    take(app, code, "Ann", wrong=set())  # 4 of 4
    take(app, code, "Bob", wrong={"The sky is green.", "Grass is green."})  # 2 of 4
    teacher.post("/instructor/classes/new", data={"name": "Other", "quizzes": ["sample-quiz"]})

    page = teacher.get(class_url + "/gradebook").text
    rows = re.findall(r'<th scope="row">(.*?)</th>(.*?)</tr>', page, re.S)
    table = {
        name: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cells)).strip() for name, cells in rows
    }
    assert table == {
        "Ann": "best 100% latest 100% · 1 attempt",
        "Bob": "best 50% latest 50% · 1 attempt",
    }
    by_score = teacher.get(class_url + "/gradebook?sort=sample-quiz&dir=asc").text
    assert by_score.index(">Bob<") < by_score.index(">Ann<")


def test_best_and_latest_differ_after_a_retake(app, teacher):
    class_url, code = create_class(teacher)
    browser = app.test_client()
    browser.post(f"/join/{code}", data={"display_name": "Cy"})
    take(app, code, "Cy", wrong={"Grass is green."}, client=browser)  # 75%
    take(
        app,
        code,
        "Cy",
        wrong={"Grass is green.", "Water is wet.", "The sky is green."},
        client=browser,
    )  # 25%
    page = teacher.get(class_url + "/gradebook").text
    assert "best 75%" in page and "latest 25%" in page and "2 attempts" in page
    link = r'href="(/instructor/classes/\d+/attempts/[^"]+)">{}'
    # the best score opens the best attempt, the latest score the latest; each lists both
    best = teacher.get(re.search(link.format("best 75%"), page).group(1)).text
    assert "<strong>3 of 4</strong> correct" in best
    assert 'aria-current="page">#1' in best and "#2</a>" in best
    latest = teacher.get(re.search(link.format("latest 25%"), page).group(1)).text
    assert "<strong>1 of 4</strong> correct" in latest
    assert "#1</a>" in latest and 'aria-current="page">#2' in latest


def test_item_analysis_counts_first_attempts_and_says_so(app, teacher):
    class_url, code = create_class(teacher)
    take(app, code, "Ann", wrong=set())
    bob = app.test_client()
    bob.post(f"/join/{code}", data={"display_name": "Bob"})
    take(app, code, "Bob", wrong={"The sky is green.", "Grass is green."}, client=bob)
    take(
        app,
        code,
        "Bob",
        wrong={"Grass is green.", "Details are irrelevant.", "Water is wet."},
        client=bob,
    )
    analysis_url = class_url + "/quizzes/sample-quiz"

    first = teacher.get(analysis_url).text
    assert "each learner's <strong>first</strong> finished attempt" in first
    assert "2 attempts, mean score 75%" in first  # (100% + 50%) / 2
    facility = re.findall(r"<td>(\d+%|–)</td>\s*<td>(–|-?\d\.\d\d)</td>", first)
    assert [f for f, _ in facility] == ["50%", "50%", "100%", "100%"]
    assert [d for _, d in facility] == ["–"] * 4  # fewer than 4 attempts: not computed
    assert "Myths judged facts: <strong>1</strong>" in first  # Bob, the sky
    assert "facts judged myths: <strong>1</strong>" in first  # Bob, the grass
    assert "50–59%: 1." in first and "90–100%: 1." in first  # the histogram's text

    every = teacher.get(analysis_url + "?attempts=all").text
    assert "Counting <strong>every</strong>" in every
    assert "3 attempts" in every
    facility = re.findall(r"<td>(\d+%|–)</td>\s*<td>(?:–|-?\d\.\d\d)</td>", every)
    # sky: right, wrong, right; grass: right, wrong, wrong; detail: r, r, w; water: r, r, w
    assert facility == ["67%", "33%", "67%", "67%"]


def test_overall_analysis_counts_learners_outside_any_class(app, teacher, learner):
    _, code = create_class(teacher)
    take(app, code, "Ann", wrong=set())
    url = learner.start()  # no class
    attempt = url.rsplit("/", 1)[0]
    for number in range(1, 5):
        learner.answer(f"{attempt}/{number}", "fact")  # right on the two facts only
    overall = teacher.get("/instructor/quizzes/sample-quiz").text
    assert "2 attempts, mean score 75%" in overall
    assert "All learners, in any class or none." in overall


def test_an_instructor_cannot_see_another_instructors_class(app, teacher, instructors):
    class_url, code = create_class(teacher)
    attempt = take(app, code, "Ann", wrong=set())
    instructors.create("bo@example.org", "another long password")
    other = app.test_client()
    instructors.login(other, "bo@example.org", "another long password")
    attempt_id = attempt.rsplit("/", 1)[1]
    for path in (
        "",
        "/gradebook",
        "/gradebook.csv",
        "/responses.csv",
        "/quizzes/sample-quiz",
        f"/attempts/{attempt_id}",
    ):
        assert other.get(class_url + path).status_code == 404, path
    assert other.post(class_url + "/rename", data={"name": "Mine"}).status_code == 404
    assert "Biology 101" not in other.get("/instructor/").text


def test_a_learner_cannot_reach_instructor_pages(app, teacher, learner, client):
    class_url, _ = create_class(teacher)
    for path in (
        "/instructor/",
        "/instructor/classes/new",
        class_url,
        class_url + "/gradebook",
        "/instructor/quizzes/sample-quiz",
    ):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.location.startswith("/instructor/login?next="), path


def test_the_csv_exports_are_safe_against_spreadsheet_formulas(app, teacher):
    class_url, code = create_class(teacher)
    take(app, code, '=HYPERLINK("http://evil.example","click")', wrong={"Water is wet."})
    gradebook = teacher.get(class_url + "/gradebook.csv")
    assert gradebook.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(gradebook.text)))
    assert rows[0] == [
        "learner",
        "sample-quiz best %",
        "sample-quiz latest %",
        "sample-quiz attempts",
    ]
    assert rows[1] == ['\'=HYPERLINK("http://evil.example","click")', "75", "75", "1"]
    answers = list(csv.reader(io.StringIO(teacher.get(class_url + "/responses.csv").text)))
    assert len(answers) == 1 + 4
    assert answers[0][:2] == ["class", "learner"]
    assert all(row[0] == "Biology 101" and row[1].startswith("'=") for row in answers[1:])
    column = {name: n for n, name in enumerate(answers[0])}
    water = answers[-1]
    assert [water[column[c]] for c in ("answer", "verdict", "correct")] == ["myth", "fact", "no"]
    assert water[column["certainty"]] == ""  # the quiz did not ask


def test_joining_can_be_closed_and_the_class_renamed_and_archived(app, teacher):
    class_url, code = create_class(teacher)
    teacher.post(class_url + "/joining")
    learner = app.test_client()
    assert "not taking new learners" in learner.get(f"/join/{code}").text
    assert learner.post(f"/join/{code}", data={"display_name": "Late"}).status_code == 403
    teacher.post(class_url + "/joining")
    assert learner.post(f"/join/{code}", data={"display_name": "Late"}).status_code == 302

    teacher.post(class_url + "/rename", data={"name": "Biology 102"})
    assert "Biology 102" in learner.get(f"/classes/{code}").text
    teacher.post(class_url + "/archive")
    assert learner.get(f"/classes/{code}").status_code in (404, 410)  # gone, saying so
    started = learner.post("/quizzes/sample-quiz", data={"class_code": code})
    assert started.status_code in (404, 410)
    assert "archived" in teacher.get("/instructor/").text


def test_a_join_code_works_however_it_is_typed(app, teacher):
    _, code = create_class(teacher)
    browser = app.test_client()
    loose = f"{code[:3].lower()}-{code[3:]}"
    assert browser.post(f"/join/{loose}", data={"display_name": "Di"}).status_code == 302
    page = browser.get(f"/classes/{code}").text
    assert "you joined as Di" in page
    start = browser.get(f"/quizzes/sample-quiz?class={code}").text
    assert re.search("You are taking this quiz (in|for) your class", start)


def test_joining_needs_a_name_and_starting_in_a_class_needs_membership(app, teacher):
    _, code = create_class(teacher)
    browser = app.test_client()
    refused = browser.post(f"/join/{code}", data={"display_name": "  "})
    assert refused.status_code == 400
    assert "Please give the name your instructor knows you by." in refused.text
    # not a member: the same answer as for a code that does not exist
    assert browser.post("/quizzes/sample-quiz", data={"class_code": code}).status_code == 404
    assert browser.post("/quizzes/drawn-quiz", data={"class_code": code}).status_code == 404


def test_the_review_and_the_answers_csv_show_certainty(app, teacher):
    class_url, code = create_class(teacher, name="Period 3", quizzes=("deferred-quiz",))
    browser = app.test_client()
    browser.post(f"/join/{code}", data={"display_name": "Eve"})
    attempt = browser.get(
        browser.post("/quizzes/deferred-quiz", data={"class_code": code}).location
    ).location.rsplit("/", 1)[0]
    # key: fact, myth, fact, myth; Eve is wrong and certain on 1, right and unsure on 2
    given = [("myth", 3), ("myth", 1), ("fact", 2), ("myth", 2)]
    for number, (answer, certainty) in enumerate(given, 1):
        browser.post(f"{attempt}/{number}", data={"answer": answer, "certainty": certainty})
    browser.post(f"{attempt}/submit")

    gradebook = teacher.get(class_url + "/gradebook").text
    review_url = re.search(r'href="(/instructor/classes/\d+/attempts/[^"]+)">best', gradebook)
    review = teacher.get(review_url.group(1)).text
    cells = [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", row)).strip()
        for row in re.findall(r"<tr>\s*<td>\d</td>(.*?)</tr>", review, re.S)
    ]
    assert cells[0].endswith("myth High fact ✗ wrong -6")
    assert cells[1].endswith("myth Low myth ✓ right +1")
    assert "Certainty marks: <strong>-1</strong> in all" in review  # -6 + 1 + 2 + 2

    answers = list(csv.reader(io.StringIO(teacher.get(class_url + "/responses.csv").text)))
    column = {name: n for n, name in enumerate(answers[0])}
    rows = [
        [row[column[c]] for c in ("class", "certainty", "certainty mark")] for row in answers[1:]
    ]
    assert rows == [
        ["Period 3", "high", "-6"],
        ["Period 3", "low", "1"],
        ["Period 3", "medium", "2"],
        ["Period 3", "medium", "2"],
    ]
