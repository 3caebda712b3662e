"""An author downloads a bank from its preview, to import into Moodle or Canvas; the files
hold the answer key, so they are as closed as the preview."""

import io
import zipfile

import pytest

DOWNLOADS = [
    ("gift", "text/plain; charset=utf-8", "sample-quiz.gift.txt"),
    ("moodle-xml", "application/xml", "sample-quiz.moodle.xml"),
    ("qti21", "application/zip", "sample-quiz.qti21.zip"),
]


def test_the_preview_offers_the_three_downloads(make_app):
    page = make_app(QUIZAPP_AUTHOR_TOOLS=True).test_client().get("/authoring/banks/sample-quiz")
    for label, name in (
        ("Download for Moodle (GIFT)", "gift"),
        ("Moodle XML", "moodle-xml"),
        ("Canvas / QTI 2.1 (zip)", "qti21"),
    ):
        assert f'href="/authoring/banks/sample-quiz/export/{name}">{label}</a>' in page.text


@pytest.mark.parametrize(("name", "media_type", "filename"), DOWNLOADS)
def test_each_download_is_an_attachment_of_its_type_never_cached(
    make_app, name, media_type, filename
):
    client = make_app(QUIZAPP_AUTHOR_TOOLS=True).test_client()
    response = client.get(f"/authoring/banks/sample-quiz/export/{name}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == media_type
    assert response.headers["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response.headers["Cache-Control"] == "no-store"
    body = response.data
    if name == "qti21":
        body = zipfile.ZipFile(io.BytesIO(body)).read("items/sky-is-green.xml")
    assert b"SKY-EXPLANATION" in body


def test_source_links_point_at_the_public_address_or_else_at_the_one_the_author_used(make_app):
    client = make_app(QUIZAPP_AUTHOR_TOOLS=True).test_client()
    gift = client.get("/authoring/banks/sample-quiz/export/gift").text
    assert "(http\\://localhost/articles/sample-article\\#first)" in gift
    client = make_app(
        QUIZAPP_AUTHOR_TOOLS=True, QUIZAPP_PUBLIC_URL="https://quiz.example.org/"
    ).test_client()
    gift = client.get("/authoring/banks/sample-quiz/export/gift").text
    assert "(https\\://quiz.example.org/articles/sample-article\\#first)" in gift


def test_an_unknown_bank_or_format_is_not_found(make_app):
    client = make_app(QUIZAPP_AUTHOR_TOOLS=True).test_client()
    assert client.get("/authoring/banks/nope/export/gift").status_code == 404
    assert client.get("/authoring/banks/sample-quiz/export/qti30").status_code == 404


@pytest.mark.parametrize("name", [d[0] for d in DOWNLOADS])
def test_downloads_do_not_exist_for_a_visitor_when_author_tools_are_off(make_app, name):
    client = make_app().test_client()
    assert client.get(f"/authoring/banks/sample-quiz/export/{name}").status_code == 404


def test_a_signed_in_instructor_may_download(teacher):
    response = teacher.get("/authoring/banks/sample-quiz/export/moodle-xml")
    assert response.status_code == 200
    assert b"<idnumber>sky-is-green</idnumber>" in response.data
