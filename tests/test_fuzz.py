"""Random and malicious requests to every route never give a 500, as a learner or as an
instructor; script in names renders as text. (Property-based, with hypothesis.)"""

import os
import re
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .test_requests import BYPASSES

NASTY = [
    "", "0", "-1", "1", "2", "99999999999999999999999", "1e309", "NaN", " ", "\t", "\x00", "%00",
    "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "' OR 1=1 --", "../../etc/passwd",
    "\u202e\u0000", "😀" * 20, "a" * 2000, "myth", "fact", "deferred", "=1+1", "null", "[]", "{}",
    "\x1b[31m", "\x7f", "\x85", "\r\n", ";=1+1", "ABCDE-FGHJK-MNPQR",
]  # fmt: skip
# the redirect bypasses of tests/test_requests.py, as values of `next` and of any field
NASTY += BYPASSES
# mostly the known-nasty values, sometimes any text at all
TEXT = st.one_of(*[st.sampled_from(NASTY)] * 4, st.text(max_size=40))
FIELD_NAMES = [
    "answer", "certainty", "display_name", "class_code", "name", "quizzes", "feedback",
    "email", "password", "confirm", "next", "sort", "dir", "attempts", "class", "code", "switch",
]  # fmt: skip
# how a body may be sent: as a browser's form, or as what no page takes
BODIES = st.sampled_from(["form", "json", "multipart", "text"])
FORMS = st.fixed_dictionaries({}, optional={name: TEXT for name in FIELD_NAMES})
QUERIES = st.dictionaries(st.sampled_from(FIELD_NAMES), TEXT, max_size=3)
SETTINGS = settings(
    max_examples=int(os.environ.get("QUIZAPP_FUZZ_EXAMPLES", "15")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def routes() -> list[tuple[str, list[str], list[str]]]:
    """Every route of the app: (rule, its arguments, its methods)."""
    from quizapp import create_app

    app = create_app({"SECRET_KEY": "x", "QUIZAPP_DATABASE_URL": "sqlite://"})
    return [
        (rule.rule, sorted(rule.arguments), sorted(rule.methods - {"HEAD", "OPTIONS"}))
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
    ]


ROUTES = routes()


@pytest.fixture
def actors(app, instructors):
    """A learner with an attempt under way, an instructor with a class; the ids they own."""
    instructors.create()
    teacher = app.test_client()
    instructors.login(teacher)
    made = teacher.post(
        "/instructor/classes/new", data={"name": "Fuzz", "quizzes": ["sample-quiz"]}
    )
    class_id = made.location.rsplit("/", 1)[1]
    code = re.search(r"/join/([A-Z0-9]{6})", teacher.get(made.location).text).group(1)
    learner = app.test_client()
    learner.post(f"/join/{code}", data={"display_name": "Fuzzy"})
    started = learner.post("/quizzes/sample-quiz", data={"class_code": code})
    attempt_id = started.location.rsplit("/", 1)[1]
    known = {"classroom_id": class_id, "attempt_id": attempt_id, "code": code, "bank_id": "sample-quiz",
             "slug": "sample-article", "number": "1", "change": "rename", "kind": "gradebook"}  # fmt: skip
    return learner, teacher, known


def fill(rule: str, arguments: list[str], values: dict, known: dict) -> str:
    path = rule
    for name in arguments:
        value = values.get(name)
        text = known.get(name, "x") if value is None else value
        path = re.sub(rf"<(?:[^:<>]+:)?{name}>", quote(str(text), safe="") or "x", path)
    return path


@pytest.mark.parametrize("as_who", ["learner", "instructor"])
@pytest.mark.parametrize(("rule", "arguments", "methods"), ROUTES, ids=[r[0] for r in ROUTES])
@SETTINGS
@given(data=st.data())
def test_no_request_to_any_route_gives_a_server_error(
    actors, as_who, rule, arguments, methods, data
):
    learner, teacher, known = actors
    client = learner if as_who == "learner" else teacher
    values = data.draw(st.fixed_dictionaries({}, optional={name: TEXT for name in arguments}))
    path = fill(rule, arguments, values, known)
    query = data.draw(QUERIES)
    method = data.draw(st.sampled_from(methods))
    form = data.draw(FORMS) if method == "POST" else None
    body = data.draw(BODIES) if method == "POST" else "form"
    sent = {"data": form}
    if body == "json":
        sent = {"json": form, "headers": {"X-CSRFToken": "any"}}
    elif body == "multipart":
        sent = {"data": form, "content_type": "multipart/form-data"}
    elif body == "text":
        sent = {"data": str(form), "content_type": "text/plain"}
    response = client.open(path, method=method, query_string=query, **sent)
    assert response.status_code < 500, (method, path, query, body, form, response.status_code)
    if body != "form":
        assert response.status_code in (404, 405, 415), (method, path, body, response.status_code)


PAYLOAD = '<img src=x onerror="alert(1)">'


def test_script_in_names_renders_as_text(app, actors):
    _, teacher, known = actors
    class_url = f"/instructor/classes/{known['classroom_id']}"
    teacher.post(class_url + "/rename", data={"name": PAYLOAD})
    other = app.test_client()
    other.post(f"/join/{known['code']}", data={"display_name": PAYLOAD})
    attempt = other.post("/quizzes/sample-quiz", data={"class_code": known["code"]}).location
    for number in range(1, 5):
        other.post(f"{attempt}/{number}", data={"answer": "myth"})
    pages = [
        teacher.get(class_url).text,
        teacher.get(class_url + "/gradebook").text,
        teacher.get("/instructor/").text,
        other.get(f"/classes/{known['code']}").text,
        other.get(f"{attempt}/results").text,
    ]
    for page in pages:
        assert PAYLOAD not in page
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in pages[1]
