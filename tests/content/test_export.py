"""A teacher exports a bank for Moodle (GIFT, Moodle XML) or Canvas (QTI 2.1), and what they
import is the bank: read back by parsers this project did not write (gift-pegjs, lxml with the
IMS schemas), field by field."""

import dataclasses
import io
import json
import os
import pty
import shutil
import subprocess
import sys
import zipfile
from functools import cache
from pathlib import Path

import lxml.html
import pytest
from flask import url_for
from lxml import etree

from quizapp import create_app
from quizapp.content import (
    exporting,
    gift,
    interchange,
    load_library,
    moodlexml,
    qti,
    render_markdown,
)
from quizapp.content.library import Bank, Library
from quizapp.paths import content_root

from ..conftest import FIXTURE_CONTENT

PUBLIC = "https://quiz.example.org/"
LIBRARY = load_library(content_root())[0]
BANKS = list(LIBRARY.banks.values())
FIXTURES = Path(__file__).parents[1] / "fixtures"
GIFT_PEGJS = FIXTURES / "gift-pegjs"
XSD = FIXTURES / "qti-xsd"
OFFLINE = etree.XMLParser(no_network=True)
QTI_NS = {"q": qti.QTI}
CP_NS = {"cp": qti.CP}
STANCE_LABELS = {"supports": "supports", "contradicts": "contradicts", "context": "gives context"}


def app(**config):
    settings = {"SECRET_KEY": "x", "QUIZAPP_DATABASE_URL": "sqlite://"}
    return create_app(settings | config)


def export(*args, **config):
    return app(**config).test_cli_runner().invoke(args=["content", "export", *args])


@cache
def schema(path: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD / path), OFFLINE))


def gift_pegjs(text: str) -> list[dict]:
    """What gift-pegjs (the npm package, run by Node) parses from a GIFT file."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("the GIFT export is read back with gift-pegjs, which needs Node.js")
    if not (GIFT_PEGJS / "node_modules" / "gift-pegjs").is_dir():
        pytest.skip("gift-pegjs is not installed: npm ci --prefix tests/fixtures/gift-pegjs")
    run = subprocess.run(
        [node, str(GIFT_PEGJS / "parse.js")],
        input=text,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def expected_feedback(question, library: Library) -> str:
    """The feedback as docs/authoring.md describes it, spelled out independently."""
    if not question.sources:
        return question.explanation.strip()
    lines = []
    for source in question.sources:
        article = library.articles[source.article]
        link = f"{PUBLIC}articles/{source.article}#{source.section}"
        title = f"{article.title} › {article.section(source.section).title}"
        lines.append(f"- [{title}]({link}) ({STANCE_LABELS[source.stance]})")
    return question.explanation.strip() + "\n\nSources:\n\n" + "\n".join(lines)


def rendered_text(markdown: str) -> str:
    """The text a reader sees of Markdown as the app renders it."""
    return "".join(
        lxml.html.fragment_fromstring(render_markdown(markdown), create_parent="div").itertext()
    ).strip()


def with_questions(bank: Bank, *questions) -> Bank:
    return dataclasses.replace(bank, questions=tuple(questions))


FIXTURE_LIBRARY = load_library(FIXTURE_CONTENT)[0]
SAMPLE = FIXTURE_LIBRARY.banks["sample-quiz"]
SPECIAL = with_questions(
    SAMPLE,
    SAMPLE.questions[0].model_copy(
        update={
            "statement": "Is 1 = 1 {really} #1: ~yes? C:\\pores\nand a second line",
            "explanation": "Braces {} and ~tilde~, = and #hash#, a:colon, a \\ backslash.\n\n"
            "A second paragraph:: ####, then\na line break.",
        }
    ),
)
SOURCELESS = with_questions(SAMPLE, SAMPLE.questions[0].model_copy(update={"sources": ()}))


# --- every shipped bank, in every format, from the command line ---


@pytest.mark.parametrize("name", list(exporting.FORMATS))
@pytest.mark.parametrize("bank", BANKS, ids=lambda b: b.id)
def test_every_shipped_bank_exports_in_every_format(bank, name):
    result = export("--format", name, bank.id, QUIZAPP_PUBLIC_URL=PUBLIC)
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == exporting.FORMATS[name].export(bank, LIBRARY, PUBLIC)
    assert result.stdout_bytes


# --- GIFT, read by gift-pegjs ---


def read_gift(bank: Bank, library: Library) -> list[dict]:
    parsed = gift_pegjs(gift.export(bank, library, PUBLIC))
    category, *questions = parsed
    assert category == {"type": "Category", "title": interchange.category(bank.title)}
    assert len(questions) == len(bank.questions)
    return questions


def assert_gift_question(read: dict, question, library: Library) -> None:
    assert read["type"] == "TF"
    assert read["title"] == question.id
    assert read["id"] == question.id  # Moodle 4's ID number, from "// [id:...]"
    assert read["tags"] == (list(question.tags) or None)
    assert read["stem"] == {"format": "markdown", "text": f"Myth or fact? {question.statement}"}
    assert read["isTrue"] is (question.answer == "fact")
    # gift-pegjs names the two feedbacks after their order: the first is for a wrong answer
    assert read["trueFeedback"]["text"] == f"Not quite: it is a {question.answer}."
    assert read["falseFeedback"]["text"] == f"Right: it is a {question.answer}."
    assert read["globalFeedback"] == {
        "format": "markdown",
        "text": expected_feedback(question, library),
    }


@pytest.mark.parametrize("bank", BANKS, ids=lambda b: b.id)
def test_gift_pegjs_reads_every_statement_of_a_shipped_bank(bank):
    for read, question in zip(read_gift(bank, LIBRARY), bank.questions, strict=True):
        assert_gift_question(read, question, LIBRARY)


def test_every_gift_special_character_survives_in_statement_and_explanation():
    text = gift.export(SPECIAL, FIXTURE_LIBRARY, PUBLIC)
    assert "Is 1 \\= 1 \\{really\\} \\#1\\: \\~yes? C\\:\\\\pores\\nand a second line" in text
    (read,) = read_gift(SPECIAL, FIXTURE_LIBRARY)
    assert_gift_question(read, SPECIAL.questions[0], FIXTURE_LIBRARY)


def test_the_gift_file_says_what_it_cannot_carry():
    bank = LIBRARY.banks["pore-basics"]  # certainty-based marking, shuffled
    header = gift.export(bank, LIBRARY, PUBLIC).split("$CATEGORY")[0]
    assert (
        "// Not carried: each statement's difficulty, certainty-based marking, shuffling the "
        "statements. The sources, each with its stance, are listed in each statement's general "
        "feedback, not kept as data.\n"
    ) in header


# --- Moodle XML, parsed back with lxml ---


def text_of(element) -> str:
    (text,) = element.xpath("text")
    return text.text


@pytest.mark.parametrize("bank", BANKS, ids=lambda b: b.id)
def test_moodle_xml_reads_back_field_by_field(bank):
    quiz = etree.fromstring(moodlexml.export(bank, LIBRARY, PUBLIC).encode(), OFFLINE)
    assert quiz.tag == "quiz"
    category, *questions = quiz.xpath("question")
    assert category.get("type") == "category"
    assert text_of(category.find("category")) == f"$course$/top/Myth or Fact/{bank.title}"
    assert category.find("info").get("format") == "markdown"
    assert text_of(category.find("info")) == bank.info.description
    assert category.findtext("idnumber") == bank.id
    assert len(questions) == len(bank.questions)
    for read, question in zip(questions, bank.questions, strict=True):
        assert read.get("type") == "truefalse"
        assert text_of(read.find("name")) == question.id
        assert read.find("questiontext").get("format") == "html"
        statement = lxml.html.fragment_fromstring(text_of(read.find("questiontext")))
        assert (statement.tag, statement.text) == ("p", question.statement)
        assert read.find("generalfeedback").get("format") == "markdown"
        assert text_of(read.find("generalfeedback")) == expected_feedback(question, LIBRARY)
        assert [read.findtext(f) for f in ("defaultgrade", "penalty", "hidden", "idnumber")] == [
            "1",
            "1",
            "0",
            question.id,
        ]
        answers = {text_of(a): a for a in read.findall("answer")}
        assert set(answers) == {"true", "false"}
        right = "true" if question.answer == "fact" else "false"
        for value, answer in answers.items():
            assert answer.get("format") == "moodle_auto_format"
            assert answer.get("fraction") == ("100" if value == right else "0")
            assert answer.find("feedback").get("format") == "html"
            verdict = "Right" if value == right else "Not quite"
            assert text_of(answer.find("feedback")) == f"{verdict}: it is a {question.answer}."
        assert [text_of(t) for t in read.xpath("tags/tag")] == list(question.tags)


def test_a_slash_in_a_bank_title_stays_in_one_moodle_category():
    assert interchange.category("Acids / retinoids").endswith("/Myth or Fact/Acids // retinoids")
    assert interchange.category("/ first and last /").endswith("or Fact/ // first and last // ")


def test_moodle_xml_says_what_it_cannot_carry_without_touching_the_description():
    bank = LIBRARY.banks["pore-basics"]
    quiz = etree.fromstring(moodlexml.export(bank, LIBRARY, PUBLIC).encode(), OFFLINE)
    (comment,) = [c for c in quiz if isinstance(c, etree._Comment)]
    assert "Not carried: each statement's difficulty, certainty-based marking" in comment.text
    assert "tags" not in comment.text.split("Not carried:")[1].split(".")[0]


# --- QTI 2.1: a content package, valid against the IMS schemas ---


def open_package(bank: Bank, library: Library = LIBRARY) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(qti.export(bank, library, PUBLIC)))


def valid(document: bytes, xsd: str):
    parsed = etree.fromstring(document, OFFLINE)
    schema(xsd).assertValid(parsed)
    return parsed


def a_manifest(document: bytes):
    """An IMS content package manifest, read with lxml: the CP schema itself is not kept here
    (its 2007 notice asks every distributor to register with IMS; see qti-xsd/README.md), so
    the shape it requires is checked: a manifest with an identifier, then metadata,
    organizations and resources, in that order, each resource with a type, an href and files."""
    manifest = etree.fromstring(document, OFFLINE)
    assert manifest.tag == f"{{{CP_NS['cp']}}}manifest"
    assert manifest.get("identifier")
    children = [etree.QName(child).localname for child in manifest if isinstance(child.tag, str)]
    assert children == ["metadata", "organizations", "resources"]
    for resource in manifest.xpath("cp:resources/cp:resource", namespaces=CP_NS):
        assert resource.get("identifier") and resource.get("type") and resource.get("href")
    return manifest


@pytest.mark.parametrize("bank", BANKS, ids=lambda b: b.id)
def test_the_qti_package_is_valid_and_its_manifest_lists_every_file(bank):
    package = open_package(bank)
    manifest = a_manifest(package.read("imsmanifest.xml"))
    assert manifest.xpath("cp:metadata/cp:schema/text()", namespaces=CP_NS) == ["QTIv2.1 Package"]
    resources = manifest.xpath("cp:resources/cp:resource", namespaces=CP_NS)
    test, *items = resources
    assert test.get("type") == "imsqti_test_xmlv2p1"
    assert [i.get("type") for i in items] == ["imsqti_item_xmlv2p1"] * len(bank.questions)
    assert [i.get("href") for i in items] == [f"items/{q.id}.xml" for q in bank.questions]
    for resource in resources:
        assert resource.xpath("cp:file/@href", namespaces=CP_NS) == [resource.get("href")]
    assert test.xpath("cp:dependency/@identifierref", namespaces=CP_NS) == [
        i.get("identifier") for i in items
    ]
    assert sorted(package.namelist()) == sorted(
        ["imsmanifest.xml", *(r.get("href") for r in resources)]
    )

    assessment = valid(package.read(test.get("href")), "qtiv2p1/imsqti_v2p1.xsd")
    assert assessment.get("title") == bank.title
    refs = assessment.xpath("//q:assessmentItemRef", namespaces=QTI_NS)
    assert [r.get("href") for r in refs] == [i.get("href") for i in items]
    for ref, question in zip(refs, bank.questions, strict=True):
        item = valid(package.read(ref.get("href")), "qtiv2p1/imsqti_v2p1.xsd")
        assert item.get("identifier") == ref.get("identifier")
        assert_qti_item(item, question, LIBRARY)


def assert_qti_item(item, question, library: Library) -> None:
    def one(path):
        (found,) = item.xpath(path, namespaces=QTI_NS)
        return found

    assert item.get("title") == question.id
    assert one("q:itemBody/q:p/text()") == question.statement
    interaction = one("q:itemBody/q:choiceInteraction")
    assert (interaction.get("maxChoices"), interaction.get("shuffle")) == ("1", "false")
    choices = {c.get("identifier"): c.text for c in interaction}
    assert choices == {"MYTH": "Myth", "FACT": "Fact"}
    assert one("q:responseDeclaration/q:correctResponse/q:value/text()") == (
        question.answer.upper()
    )
    feedback = {f.get("identifier"): f for f in item.xpath("q:modalFeedback", namespaces=QTI_NS)}
    assert set(feedback) == {"CORRECT", "INCORRECT", "GENERAL_FEEDBACK"}
    assert "".join(feedback["CORRECT"].itertext()) == f"Right: it is a {question.answer}."
    assert general_feedback(item) == rendered_text(expected_feedback(question, library))
    links = feedback["GENERAL_FEEDBACK"].xpath(".//q:a", namespaces=QTI_NS)
    assert [a.get("href") for a in links] == [
        f"{PUBLIC}articles/{s.article}#{s.section}" for s in question.sources
    ]
    for link, source in zip(links, question.sources, strict=True):
        article = library.articles[source.article]
        assert link.text == f"{article.title} › {article.section(source.section).title}"
        assert link.tail == f" ({STANCE_LABELS[source.stance]})"
    # every answer sets SCORE and shows its verdict's feedback and the general one
    for branch, score, verdict in (
        ("q:responseIf", "1", "CORRECT"),
        ("q:responseElse", "0", "INCORRECT"),
    ):
        path = f"q:responseProcessing/q:responseCondition/{branch}/q:setOutcomeValue"
        assert item.xpath(f"{path}[@identifier='SCORE']/q:baseValue/text()", namespaces=QTI_NS) == [
            score
        ]
        assert item.xpath(
            f"{path}[@identifier='FEEDBACK']/q:multiple/q:baseValue/text()", namespaces=QTI_NS
        ) == [verdict, "GENERAL_FEEDBACK"]


def general_feedback(item) -> str:
    """The text of the feedback shown whatever the answer."""
    (found,) = item.xpath("q:modalFeedback[@identifier='GENERAL_FEEDBACK']", namespaces=QTI_NS)
    return "".join(found.itertext()).strip()


def test_the_qti_validation_catches_a_broken_item():
    package = open_package(LIBRARY.banks["pore-basics"])
    name = next(n for n in package.namelist() if n.startswith("items/"))
    broken = package.read(name).replace(b' maxChoices="1"', b' maxChoices="one"')
    with pytest.raises(etree.DocumentInvalid, match="maxChoices"):
        valid(broken, "qtiv2p1/imsqti_v2p1.xsd")


def test_a_rich_explanation_becomes_valid_qti_html():
    question = SAMPLE.questions[0].model_copy(
        update={
            "explanation": "# Heading\n\nSome *emphasis*, **strong**, `code` and a "
            '[link](https://example.org/ "with a title").  \nA hard break.\n\n'
            "3. an ordered list\n4. that starts at three\n\n- a list\n  - nested\n\n"
            "> a quote\n\n```python\nprint('<code>')\n```\n\n![an image](pore.png \"title\")"
            "\n\n---\n\n<b>raw HTML</b> & entities &amp; ©"
        }
    )
    package = open_package(with_questions(SAMPLE, question), FIXTURE_LIBRARY)
    item = valid(package.read(f"items/{question.id}.xml"), "qtiv2p1/imsqti_v2p1.xsd")
    text = general_feedback(item)
    assert "<b>raw HTML</b> & entities & ©" in text
    assert "print('<code>')" in text


def test_qti_carries_shuffle_draw_and_feedback_timing_in_its_test():
    drawn = FIXTURE_LIBRARY.banks["drawn-quiz"]  # shuffle, draw 2
    test = etree.fromstring(open_package(drawn, FIXTURE_LIBRARY).read(qti.TEST), OFFLINE)
    section = test.xpath("//q:assessmentSection", namespaces=QTI_NS)[0]
    assert section.xpath("q:selection/@select", namespaces=QTI_NS) == ["2"]
    assert section.xpath("q:ordering/@shuffle", namespaces=QTI_NS) == ["true"]
    assert test.xpath("q:testPart/@submissionMode", namespaces=QTI_NS) == ["individual"]
    deferred = FIXTURE_LIBRARY.banks["deferred-quiz"]
    test = etree.fromstring(open_package(deferred, FIXTURE_LIBRARY).read(qti.TEST), OFFLINE)
    assert test.xpath("q:testPart/@submissionMode", namespaces=QTI_NS) == ["simultaneous"]
    assert test.xpath("//q:selection | //q:ordering", namespaces=QTI_NS) == []
    manifest = etree.fromstring(open_package(deferred, FIXTURE_LIBRARY).read(qti.MANIFEST))
    (comment,) = [c for c in manifest if isinstance(c, etree._Comment)]
    assert "Not carried: each statement's difficulty, certainty-based marking." in comment.text


def test_a_question_id_that_starts_with_a_digit_is_a_valid_qti_identifier():
    question = SAMPLE.questions[0].model_copy(update={"id": "3-day-rule"})
    package = open_package(with_questions(SAMPLE, question), FIXTURE_LIBRARY)
    item = valid(package.read("items/3-day-rule.xml"), "qtiv2p1/imsqti_v2p1.xsd")
    assert item.get("identifier") == "_3-day-rule"
    a_manifest(package.read(qti.MANIFEST))
    valid(package.read(qti.TEST), "qtiv2p1/imsqti_v2p1.xsd")


def test_the_same_bank_makes_the_same_package():
    bank = LIBRARY.banks["quick-fixes"]
    assert qti.export(bank, LIBRARY, PUBLIC) == qti.export(bank, LIBRARY, PUBLIC)


# --- the feedback every format shares ---


def test_a_statement_without_sources_gets_its_explanation_alone_in_every_format():
    (question,) = SOURCELESS.questions
    explanation = question.explanation.strip()
    assert interchange.feedback(question, FIXTURE_LIBRARY, PUBLIC) == explanation
    (read,) = read_gift(SOURCELESS, FIXTURE_LIBRARY)
    assert read["globalFeedback"]["text"] == explanation
    quiz = etree.fromstring(moodlexml.export(SOURCELESS, FIXTURE_LIBRARY, PUBLIC).encode())
    assert quiz.xpath("question[2]/generalfeedback/text/text()") == [explanation]
    item = open_package(SOURCELESS, FIXTURE_LIBRARY).read(f"items/{question.id}.xml")
    assert general_feedback(etree.fromstring(item)) == explanation


def test_link_text_keeps_markdown_characters_of_a_title_literal():
    article = FIXTURE_LIBRARY.articles["sample-article"]
    odd = dataclasses.replace(
        article, meta=article.meta.model_copy(update={"title": "Pores [and] *skin*_care \\ `x`"})
    )
    library = dataclasses.replace(FIXTURE_LIBRARY, articles={"sample-article": odd})
    package = open_package(SAMPLE, library)
    item = etree.fromstring(package.read(f"items/{SAMPLE.questions[0].id}.xml"))
    (link,) = item.xpath("//q:a", namespaces=QTI_NS)
    assert link.text == "Pores [and] *skin*_care \\ `x` › First part"


def test_the_article_path_is_the_articles_page():
    with app().test_request_context("/"):
        path = url_for("articles.article", slug="pore-truth", _anchor="intro")
    assert interchange.article_url("https://x.example/quiz/", "pore-truth", "intro") == (
        f"https://x.example/quiz{path}"
    )


# --- the command line ---


def test_output_writes_the_file_and_says_so(tmp_path):
    target = tmp_path / "bank.zip"
    result = export(
        "--format", "qti21", "--output", str(target), "quick-fixes", QUIZAPP_PUBLIC_URL=PUBLIC
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert f"wrote {target}: 15 statements as qti21" in result.stderr
    assert zipfile.ZipFile(target).read(qti.MANIFEST).startswith(b"<?xml")


def test_public_url_option_sets_where_the_links_point():
    result = export(
        "--format", "moodle-xml", "--public-url", "https://lms.example.edu/quiz/", "pore-basics"
    )
    assert result.exit_code == 0, result.output
    assert "https://lms.example.edu/quiz/articles/" in result.stdout
    assert PUBLIC not in result.stdout


@pytest.mark.parametrize("url", [None, "quiz.example.org", "ftp://quiz.example.org/"])
def test_without_an_absolute_public_url_the_export_is_refused(url):
    args = ["--public-url", url] if url else []
    result = export(*args, "pore-basics")
    assert result.exit_code == 2
    assert "set QUIZAPP_PUBLIC_URL, or pass --public-url" in result.stderr


def test_an_unknown_format_or_bank_is_a_usage_error():
    result = export("--format", "qti30", "pore-basics", QUIZAPP_PUBLIC_URL=PUBLIC)
    assert result.exit_code == 2
    assert "'qti30' is not one of 'gift', 'moodle-xml', 'qti21'" in result.stderr
    result = export("--format", "qti21", "nope", QUIZAPP_PUBLIC_URL=PUBLIC)
    assert result.exit_code == 2
    assert "no bank 'nope' loaded (known: pore-basics," in result.stderr


def test_a_zip_is_not_written_to_a_terminal(tmp_path):
    flask = str(Path(sys.executable).with_name("flask"))
    command = [flask, "--app", "quizapp", "content", "export", "--format", "qti21", "quick-fixes"]
    environment = {"QUIZAPP_PUBLIC_URL": PUBLIC, "QUIZAPP_INSTANCE_PATH": str(tmp_path)}
    controller, terminal = pty.openpty()
    try:
        run = subprocess.run(
            command,
            stdout=terminal,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            env=os.environ | environment,
        )
    finally:
        os.close(terminal)
        os.close(controller)
    assert run.returncode == 2
    assert "qti21 is a zip file: give --output PATH" in run.stderr
