"""The learner's path through a course, as a class would walk it on day one: the class follows
the learner, codes can be typed, lost and archived things say what happened, nothing is a dead
end."""

from ..conftest import Learner, create_class


def test_a_class_quiz_opened_from_home_counts_for_the_class(app, client, teacher):
    class_url, code = create_class(teacher)
    client.post(f"/join/{code}", data={"display_name": "Ann"})
    page = client.get("/quizzes/sample-quiz").text  # from Home, no ?class=
    assert "You are taking this quiz for your class <strong>Biology 101</strong>" in page
    started = client.post("/quizzes/sample-quiz", data={"display_name": ""})
    learner = Learner(client)
    first = client.get(started.location).location
    for number in range(1, 5):
        learner.answer(first[:-1] + str(number), "myth")
    gradebook = teacher.get(class_url + "/gradebook").text
    assert "not started" not in gradebook and "1 attempt" in gradebook


def test_a_learner_can_still_take_a_class_quiz_on_their_own(app, client, teacher):
    class_url, code = create_class(teacher)
    client.post(f"/join/{code}", data={"display_name": "Ann"})
    page = client.get("/quizzes/sample-quiz?class=none").text
    assert "for your class" not in page
    client.post("/quizzes/sample-quiz?class=none", data={"class_code": "none"})
    assert "1 attempt" not in teacher.get(class_url + "/gradebook").text


def test_a_learner_in_two_classes_chooses(app, client, teacher):
    _, first = create_class(teacher, "Period 1")
    _, second = create_class(teacher, "Period 2")
    for code in (first, second):
        client.post(f"/join/{code}", data={"display_name": "Ann"})
    page = client.get("/quizzes/sample-quiz").text
    assert "Which class are you taking it for?" in page
    assert "Period 1" in page and "Period 2" in page and "None: on my own" in page
    unchosen = client.post("/quizzes/sample-quiz", data={"display_name": ""})
    assert unchosen.status_code == 400 and "There is a problem" in unchosen.text
    assert "<title>Error: " in unchosen.text
    chosen = client.post("/quizzes/sample-quiz", data={"class_code": second})
    assert chosen.status_code == 302


def test_home_and_progress_list_classes_with_what_is_done_and_under_way(app, client, teacher):
    _, code = create_class(teacher, quizzes=("sample-quiz", "drawn-quiz"))
    client.post(f"/join/{code}", data={"display_name": "Ann"})
    started = client.post("/quizzes/sample-quiz", data={"class_code": code})
    attempt = client.get(started.location).location.rsplit("/", 1)[0]
    for page in (client.get("/").text, client.get("/progress").text):
        assert "Your classes" in page and "Biology 101" in page
        assert f'<a href="{attempt}">under way: carry on</a>' in page
        assert "B drawn quiz</a>: not started" in page
        assert "Carry on" in page
    class_page = client.get(f"/classes/{code}").text
    assert "under way: carry on" in class_page and "not started" in class_page


def test_join_by_typing_the_code_forgiving_case_spaces_and_dashes(app, client, teacher):
    _, code = create_class(teacher)
    home = client.get("/").text
    assert 'action="/join"' in home and "Class code" in home
    assert client.get("/join").status_code == 200
    assert client.get("/join/").status_code == 200
    typed = f" {code[:3].lower()} - {code[3:].lower()} "
    found = client.post("/join", data={"code": typed})
    assert found.status_code == 302 and found.location == f"/join/{code}"
    wrong = client.post("/join", data={"code": "QQQ-QQQ"})
    assert wrong.status_code == 400
    assert "No class has that code." in wrong.text and 'id="code-error"' in wrong.text
    assert "<title>Error: Join a class" in wrong.text


def test_a_lost_attempt_says_what_happened_and_the_way_back(app, client, learner):
    url = learner.start()
    elsewhere = app.test_client().get(url)
    assert elsewhere.status_code == 404
    assert "An attempt stays with the device that started it" in elsewhere.text
    assert 'href="/back"' in elsewhere.text


def test_an_archived_class_says_so_and_that_scores_are_kept(app, client, teacher):
    class_url, code = create_class(teacher)
    client.post(f"/join/{code}", data={"display_name": "Ann"})
    teacher.post(class_url + "/archive")
    archived = client.get(f"/classes/{code}")
    assert archived.status_code == 410
    assert "This class has been archived" in archived.text and "scores are kept" in archived.text


def test_the_start_page_says_when_the_verdicts_come(client):
    assert "After each answer you will see" in client.get("/quizzes/sample-quiz").text
    deferred = client.get("/quizzes/deferred-quiz").text
    assert "After each answer" not in deferred
    assert "once you submit all your answers" in deferred


def test_the_too_many_attempts_page_offers_a_way_back(app, client):
    for _ in range(11):
        refused = client.post(
            "/join", data={"code": "QQQ-QQQ"}, headers={"Referer": "http://localhost/join"}
        )
    assert refused.status_code == 429
    assert '<a href="/join">Go back to the page you were on</a>' in refused.text
    assert 'href="/progress"' in refused.text


def test_development_mode_says_so_on_every_page_and_learners_footer_has_no_author_link(make_app):
    development = make_app(QUIZAPP_AUTHOR_TOOLS=True).test_client()
    for path in ("/", "/quizzes/sample-quiz", "/articles/sample-article", "/progress"):
        page = development.get(path).text
        assert "Development mode:" in page and 'href="/authoring/"' in page
        footer = page[page.index('<footer class="site-footer">') :]
        assert "/authoring/" not in footer
    production = make_app(QUIZAPP_AUTHOR_TOOLS=False).test_client().get("/").text
    assert "Development mode" not in production and "/authoring/" not in production


def test_an_attempt_begun_on_your_own_is_not_offered_as_the_class_one(app, client, teacher):
    _, code = create_class(teacher)
    own = client.post("/quizzes/sample-quiz?class=none", data={"class_code": "none"})
    own_attempt = client.get(own.location).location.rsplit("/", 1)[0]
    client.post(f"/join/{code}", data={"display_name": "Ann"})
    page = client.get("/quizzes/sample-quiz").text
    assert "for your class" in page and own_attempt not in page  # no "continue" to it here
    home = client.get("/").text
    assert f'<a href="{own_attempt}">A sample quiz</a>' in home and "started on your own" in home


def test_a_class_named_in_the_link_is_not_asked_again(app, client, teacher):
    _, first = create_class(teacher, "Period 1")
    _, second = create_class(teacher, "Period 2")
    for code in (first, second):
        client.post(f"/join/{code}", data={"display_name": "Ann"})
    page = client.get(f"/quizzes/sample-quiz?class={second}").text
    assert "Which class are you taking it for?" not in page and "Period 2" in page


def test_with_a_choice_of_classes_each_says_when_its_verdicts_come(app, client, teacher):
    class_url, first = create_class(teacher, "Period 1")
    _, second = create_class(teacher, "Period 2")
    teacher.post(class_url + "/feedback", data={"feedback": "deferred"})
    for code in (first, second):
        client.post(f"/join/{code}", data={"display_name": "Ann"})
    page = client.get("/quizzes/sample-quiz").text
    assert "After each answer you will see" not in page
    assert "verdicts once you submit" in page and "a verdict after each answer" in page


def test_an_error_page_survives_a_malformed_referer(client):
    broken = client.get("/no-such-page", headers={"Referer": "http://[bad/x"})
    assert broken.status_code == 404 and "Go back" not in broken.text


def test_a_lost_attempt_is_named_as_such(app, learner):
    url = learner.start()
    page = app.test_client().get(url).text
    assert "<h1>We cannot find this attempt on this device</h1>" in page
