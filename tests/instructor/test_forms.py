"""Instructor forms follow the GOV.UK patterns: an error summary that links to each field,
"Error:" in the title, large choices with their label inline, and a confirmation before a
class is archived."""

import html
import re

import pytest

from ..conftest import create_class

PASSWORD = "a long new password"


def summary_links(page: str) -> list[tuple[str, str]]:
    """The error summary's (link target, message) pairs; fails unless the summary is there."""
    summary = re.search(r'<div class="error-summary"[^>]*>(.*?)</div>', page, re.S)
    assert summary, "no error summary"
    opening = re.search(r'<div class="error-summary"[^>]*>', page).group(0)
    assert 'role="alert"' in opening
    assert re.search(r"<h2[^>]*>There is a problem</h2>", summary.group(1))
    return re.findall(r'<a href="#([\w-]+)">([^<]+)</a>', summary.group(1))


def invitation(teacher) -> str:
    page = teacher.post("/instructor/invite", data={"email": "bo@example.org"}).text
    return re.search(r"https?://[^/\s\"]+(/instructor/invitations/[\w-]+)", page).group(1)


@pytest.fixture
def open_app(make_app):
    return make_app(QUIZAPP_OPEN_SIGNUP=True)


def posts(app, teacher):
    """Each instructor form, posted wrong: (who posts, path, data, errors expected by field)."""
    class_url, _ = create_class(teacher)
    return {
        "login": (
            app.test_client(),
            "/instructor/login",
            {},
            {"email": "Enter your email address.", "password": "Enter your password."},
        ),
        "wrong password": (
            app.test_client(),
            "/instructor/login",
            {"email": "ada@example.org", "password": "not the password"},
            {"password": "That email and password do not match an instructor."},
        ),
        "new class": (
            teacher,
            "/instructor/classes/new",
            {"name": " "},
            {"name": "Give the class a name.", "quizzes": "Choose at least one quiz."},
        ),
        "rename": (
            teacher,
            class_url + "/rename",
            {"name": ""},
            {"name": "Give the class a name."},
        ),
        "feedback": (
            teacher,
            class_url + "/feedback",
            {"feedback": "sometimes"},
            {"feedback": "Choose when learners see the verdicts."},
        ),
        "invite": (
            teacher,
            "/instructor/invite",
            {"email": "nobody"},
            {"email": "Enter an email address, like name@example.org."},
        ),
        "invitation": (
            app.test_client(),
            invitation(teacher),
            {"password": "short", "confirm": "other"},
            {
                "password": "Choose a password of at least 10 characters.",
                "confirm": "The passwords do not match: type the same password twice.",
            },
        ),
    }


FORMS = ["login", "wrong password", "new class", "rename", "feedback", "invite", "invitation"]


@pytest.mark.parametrize("form", FORMS)
def test_a_form_with_errors_says_so_in_the_title_and_summarises_them(app, teacher, form):
    who, path, data, expected = posts(app, teacher)[form]
    page = who.post(path, data=data)
    assert page.status_code == 400, page.text
    text = page.text
    assert re.search(r"<title>Error: ", text), re.search(r"<title>.*?</title>", text).group(0)
    links = summary_links(text)
    assert {target: html.unescape(message) for target, message in links} == expected
    for target, message in links:
        # each link leads to its field, which is marked invalid and repeats the message beside it
        field = re.search(rf'<input [^>]*id="{target}"[^>]*>', text)
        assert field, target
        assert message in text[text.index("</div>", text.index("error-summary")) :]
    main = text[text.index("<main") :]
    assert main.index("error-summary") < main.index("<form")  # at the top, before the form


def test_sign_up_with_errors_is_summarised_too(open_app):
    page = open_app.test_client().post("/instructor/signup", data={"email": "x"})
    assert page.status_code == 400
    assert "<title>Error: " in page.text
    assert dict(summary_links(page.text)) == {
        "email": "Enter an email address, like name@example.org.",
        "password": "Choose a password of at least 10 characters.",
        "confirm": "Type the password again.",
    }


def test_forms_without_errors_have_no_summary_and_a_plain_title(app, teacher):
    class_url, _ = create_class(teacher)
    for who, path in (
        (app.test_client(), "/instructor/login"),
        (teacher, "/instructor/classes/new"),
        (teacher, class_url),
        (teacher, "/instructor/invite"),
    ):
        text = who.get(path).text
        assert "error-summary" not in text and "<title>Error" not in text, path


def test_choices_have_the_input_then_its_label_on_one_clickable_row(teacher):
    class_url, _ = create_class(teacher)
    for path in ("/instructor/classes/new", class_url):
        text = teacher.get(path).text
        options = re.findall(r'<label class="option">(.*?)</label>', text, re.S)
        assert options, path
        for option in options:  # the label holds its input, then its words: all one target
            assert re.fullmatch(r'\s*<input [^>]*type="(checkbox|radio)"[^>]*>\s*[^<]+', option)
        # no group is a .field, whose labels are bold blocks above their input
        for group in re.findall(r"<fieldset[^>]*>", text):
            assert 'class="field' not in group, group
        # the first choice carries the group's id, which the error summary links to
        assert re.search(r'<label class="option"><input [^>]*id="(quizzes|feedback)"', text)


def test_archiving_asks_for_confirmation_first(app, teacher):
    class_url, code = create_class(teacher)
    page = teacher.get(class_url).text
    assert f'action="{class_url}/archive"' not in page  # no one-click archive
    assert f'href="{class_url}/archive"' in page
    confirm = teacher.get(class_url + "/archive")
    assert confirm.status_code == 200
    assert "Archive Biology 101?" in confirm.text
    assert "scores are kept" in confirm.text
    assert f'action="{class_url}/archive"' in confirm.text
    assert re.search(r"<button [^>]*>Archive the class</button>", confirm.text)
    assert f'<a href="{class_url}">Cancel</a>' in confirm.text
    learner = app.test_client()
    learner.post(f"/join/{code}", data={"display_name": "Ann"})
    assert learner.get(f"/classes/{code}").status_code == 200  # asking archived nothing
    assert teacher.post(class_url + "/archive").location == class_url
    assert learner.get(f"/classes/{code}").status_code in (404, 410)
    teacher.post(class_url + "/archive")  # a second press (back button) does not restore it
    assert learner.get(f"/classes/{code}").status_code in (404, 410)
    archived = teacher.get(class_url).text
    assert re.search(r"<button [^>]*>Restore the class</button>", archived)
    teacher.post(class_url + "/restore")
    assert "Joining closed" in teacher.get(class_url).text
