"""An author brings questions over from Moodle: `flask content import` turns the true/false
questions of a GIFT or Moodle XML file into a new bank, lists what it skipped, refuses bad
files at the place they go wrong, and what our own export writes comes back the same."""

import re
import shutil
import signal
from contextlib import contextmanager
from pathlib import Path

import pytest

from quizapp.content import ContentError, exporting, importing, load_library
from quizapp.content.importing import htmltext
from quizapp.paths import content_root

from ..conftest import content_command

FIXTURES = Path(__file__).parent.parent / "fixtures"
SAMPLES = FIXTURES / "interchange"
PUBLIC_URL = "https://quiz.example.org/"
NO_SOURCES = (
    "warning: no sources yet: cite at least one `ref: article#section` with its stance "
    "before learners see this statement"
)


@pytest.fixture
def content(tmp_path):
    """A copy of the fixture content to import into."""
    root = tmp_path / "content"
    shutil.copytree(FIXTURES / "content", root)
    return root


def run_import(content, *args):
    return content_command(content, "import", *args)


def imported(path: Path, bank_id: str = "imported", taken=None) -> importing.Draft:
    found = importing.read(path, path.name)
    return importing.compose(found, bank_id, taken or {}, path.name)


def load_written(content, bank_id="imported"):
    library, problems = load_library(content)
    errors = [str(p) for p in problems if p.severity == "error"]
    assert errors == []
    return library.banks[bank_id], [str(p) for p in problems]


# --- the hand-written samples ---------------------------------------------------------------


def test_a_gift_file_becomes_statements_with_their_verdicts_feedback_and_categories(content):
    result = run_import(content, SAMPLES / "awkward.gift", "--bank", "imported")
    assert result.exit_code == 0, result.output
    bank, _ = load_written(content)
    assert bank.title == "Pore care"  # the categories' common parent
    assert [(q.id, q.statement, q.answer, q.tags) for q in bank.questions] == [
        (
            "pores-breathe",
            'Pores need to "breathe": make-up suffocates them.',
            "myth",
            ("pore-size", "anatomy", "basics"),
        ),
        (
            "oil-glands",
            "Each pore opens onto a sebaceous gland & a hair follicle.",
            "fact",
            ("basics",),
        ),
        (
            "sunscreen-spf-30-is-only-needed-on-sunny-days",
            "Sunscreen {SPF 30} is only needed on sunny days.",
            "myth",
            ("basics",),
        ),
        ("escapes", "A backslash \\ and the signs ~ = # { } : all survive.", "fact", ("basics",)),
        ("retinoids", "Retinoids make pores look smaller over months.", "fact", ("treatments",)),
    ]
    explanations = [q.explanation for q in bank.questions]
    assert explanations[0] == (  # [markdown], over two lines, with \n\n and an escaped link
        "Pores do not breathe: they carry oil and sweat to the surface.\n"
        "Make-up can clog them, which is *another* problem.\n\n"
        "See [the pore article](https://example.org/articles/pore-truth#intro)."
    )
    assert explanations[1] == (  # [html]: paragraphs, entities and a link
        "Oil glands empty into pores.\n\n"
        "More oil can make pores look larger; see [oil & pores](https://example.org/oil)."
    )
    assert explanations[2] == "Yes: UV passes through clouds."  # no general feedback: the right one
    assert explanations[3] == "Every escaped sign is text: ~ = # { } : and \\\\ \\*too\\*."
    assert explanations[4] == "(The file gave no feedback: say why this is a fact.)"
    assert all(q.sources == () and q.difficulty == "medium" for q in bank.questions)


def test_a_moodle_xml_file_becomes_statements_with_its_html_as_markdown(content):
    result = run_import(content, SAMPLES / "awkward.moodle.xml", "--bank", "imported")
    assert result.exit_code == 0, result.output
    bank, _ = load_written(content)
    assert bank.title == "Skin myths"
    assert bank.info.description == "Myths about *skin* & pores."  # the category's info
    assert [(q.id, q.statement, q.answer, q.tags) for q in bank.questions] == [
        (
            "toner-closes-pores",
            "Toner closes your pores for good.",  # CDATA, <strong> and &nbsp;
            "myth",  # "true" scores 0
            ("toner", "quick-fixes", "skin-myths"),
        ),
        (
            "sunscreen-daily",
            "Daily sunscreen keeps pores less visible & skin firm.",
            "fact",
            ("skin-myths",),
        ),
        (
            "ice-shrinks-pores",
            "Rubbing ice on your face shrinks pores for good.",
            "myth",
            ("skin-myths",),
        ),
        ("retinoids", "Retinoids help pores look smaller <over months>.", "fact", ("treatments",)),
    ]
    assert [q.explanation for q in bank.questions] == [
        "Pores have no muscles, so nothing can *close* them.\n\n"
        "Read [what does not work](https://example.org/articles/pore-truth#what-doesnt-work) & why.",
        "UV breaks down collagen.\nCollagen holds pores firm.\n\n"
        "So daily sunscreen keeps them less visible.",
        "Right: ice only *tightens* skin for a few minutes.",  # the feedback on the right answer
        "They speed up cell turnover, so pores clog less.",
    ]


def test_the_command_says_what_it_read_skipped_tagged_and_wrote(content):
    result = run_import(content, SAMPLES / "awkward.gift", "--bank", "imported")
    gift = SAMPLES / "awkward.gift"
    assert result.stdout.splitlines() == [
        f"{gift}: read as GIFT (told by its content)",
        f"{gift}:23:1: skipped a multiple choice question 'Which acid'",
        f"{gift}:29:1: skipped an essay question 'Describe'",
        f"{gift}:31:1: skipped a numerical question 'Year'",
        f"{gift}:33:1: skipped a short answer question 'Gland'",
        f"{gift}:35:1: skipped a short answer question 'Lowercase': Moodle reads {{false}} as a "
        "short answer; write {FALSE} for true/false",
        "2 categories: each statement is tagged with its own (basics, treatments); "
        "the title is 'Pore care'",
        f"{gift}:21:1: no feedback became the explanation of 'retinoids'; write one",
        f"wrote {content / 'questions' / 'imported.yaml'}: 5 statement(s), each with "
        "`sources: []`; cite an article section for each before learners see it "
        "(`flask --app quizapp content check` lists them)",
    ]


def test_moodle_xml_skipped_questions_are_named(content):
    result = run_import(content, SAMPLES / "awkward.moodle.xml", "--bank", "imported")
    xml = SAMPLES / "awkward.moodle.xml"
    assert f"{xml}: read as Moodle XML (told by its content)" in result.stdout
    assert [line for line in result.stdout.splitlines() if ": skipped " in line] == [
        f"{xml}:54:3: skipped a multiple choice question 'Best acid'",
        f"{xml}:60:3: skipped a short answer question 'Gland'",
        f"{xml}:65:3: skipped an essay question 'Your routine'",
    ]


def test_the_written_bank_is_readable_yaml_that_content_check_asks_sources_for(content):
    run_import(content, SAMPLES / "awkward.moodle.xml", "--bank", "imported")
    text = (content / "questions" / "imported.yaml").read_text()
    assert text.startswith(
        "# yaml-language-server: $schema=bank.schema.json\n"
        "# Imported from awkward.moodle.xml (Moodle XML) by `flask content import`.\n"
        "schema_version: 1\nbank:\n  id: imported\n  title: Skin myths\n"
    )
    assert "    explanation: |\n      Pores have no muscles" in text
    assert "# Moodle XML has no difficulty: every statement is `medium` until you choose." in text
    _, problems = load_written(content)
    lines = [n for n, line in enumerate(text.splitlines(), 1) if line == "    sources: []"]
    assert len(lines) == 4
    for line in lines:
        assert f"questions/imported.yaml:{line}:5: {NO_SOURCES}" in problems


def test_dry_run_prints_the_bank_and_writes_nothing(content):
    result = run_import(content, SAMPLES / "awkward.gift", "--bank", "imported", "--dry-run")
    assert result.exit_code == 0
    assert result.stdout.startswith("# yaml-language-server: $schema=bank.schema.json\n")
    assert "  - id: pores-breathe\n" in result.stdout
    assert "skipped a multiple choice question" in result.stderr
    assert "would write" in result.stderr
    assert not (content / "questions" / "imported.yaml").exists()


def test_an_existing_bank_is_never_overwritten(content):
    before = (content / "questions" / "sample-quiz.yaml").read_text()
    result = run_import(content, SAMPLES / "awkward.gift", "--bank", "sample-quiz")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "questions/sample-quiz.yaml:1:1: error: the bank 'sample-quiz' exists already; "
        "choose another --bank or delete this file"
    ]
    assert (content / "questions" / "sample-quiz.yaml").read_text() == before


@pytest.mark.parametrize("bank_id", ["Pore Basics", "pore_basics", "-pores", "pores--basics", ""])
def test_a_bank_id_must_be_a_slug(content, bank_id):
    result = run_import(content, SAMPLES / "awkward.gift", "--bank", bank_id)
    assert result.exit_code == 2
    assert f"'{bank_id}' is not a slug: use lowercase letters, digits and single hyphens" in (
        result.output
    )
    assert sorted(p.name for p in (content / "questions").iterdir()) == sorted(
        p.name for p in (FIXTURES / "content" / "questions").iterdir()
    )


def test_ids_already_used_are_changed_and_the_author_is_told_why(content, tmp_path):
    gift = tmp_path / "taken.gift"
    gift.write_text(
        "::sky-is-green::The sky is green.{F}\n\n"
        "::Twice::One statement.{T}\n\n"
        "::Twice::Another statement.{F}\n"
    )
    result = run_import(content, gift, "--bank", "imported")
    assert result.exit_code == 0, result.output
    assert (
        f"{gift}:1:1: the id 'sky-is-green' is used by bank 'sample-quiz' (ids are unique "
        "across all banks); this statement is 'sky-is-green-2'"
    ) in result.stdout.splitlines()
    assert (
        f"{gift}:5:1: the id 'twice' is used by an earlier question of this file (ids are unique "
        "across all banks); this statement is 'twice-2'"
    ) in result.stdout.splitlines()
    bank, _ = load_written(content)
    assert [q.id for q in bank.questions] == ["sky-is-green-2", "twice", "twice-2"]


def served(tmp_path, bank_id: str, draft: importing.Draft):
    """The imported bank as the app loads it, alone in a content folder, with no error."""
    root = tmp_path / "content"
    (root / "questions").mkdir(parents=True)
    (root / "questions" / f"{bank_id}.yaml").write_text(draft.text)
    library, problems = load_library(root)
    assert [str(p) for p in problems if p.severity == "error"] == []
    return library.banks[bank_id]


@pytest.mark.parametrize(
    "statement",
    [
        "yes",
        "no",
        "true",
        "null",
        "~",
        "123",
        "0x1F",
        "1e3",
        ".inf",
        "- a list?",
        "#hashtag",
        "Pores: a guide",
        "It is 50% water # mostly",
        "'quoted'",
        '"double"',
        "[brackets]",
        "{braces}",
        "&anchor",
        "*alias",
        "!tag",
        "|pipe",
        ">fold",
        "@at",
        "`tick`",
        "%percent",
        "ends with a colon:",
        "a\u2028line separator",
    ],
)
def test_any_statement_text_is_written_so_that_yaml_reads_it_back_unchanged(tmp_path, statement):
    xml = tmp_path / "odd.xml"
    escaped = statement.replace("&", "&amp;").replace("<", "&lt;")
    xml.write_text(
        "<quiz><question type='truefalse'><name><text>odd</text></name>"
        f"<questiontext format='plain_text'><text>{escaped}</text></questiontext>"
        f"<generalfeedback format='plain_text'><text>{escaped}</text></generalfeedback>"
        "<answer fraction='100'><text>true</text></answer>"
        "<answer fraction='0'><text>false</text></answer></question></quiz>"
    )
    question = served(tmp_path, "odd", imported(xml, "odd")).questions[0]
    assert question.statement == " ".join(statement.split())
    assert question.explanation == htmltext.escape(statement)


def test_ids_and_tags_that_yaml_would_read_as_values_stay_text(tmp_path):
    gift = tmp_path / "values.gift"
    gift.write_text(
        "// [tag:true] [tag:1e3]\n::True::Pores are holes.{T####Yes.}\n\n"
        "// [tag:null]\n::0x1F::Pores are tubes.{F####No.}\n"
    )
    bank = served(tmp_path, "null", imported(gift, "null"))
    assert [(q.id, q.tags) for q in bank.questions] == [
        ("true", ("true", "1e3")),
        ("0x1f", ("null",)),
    ]


def test_a_utf8_byte_order_mark_is_fine(tmp_path):
    gift = tmp_path / "bom.gift"
    gift.write_bytes(b"\xef\xbb\xbf::bom::Pores are holes.{T####They are.}\n")
    assert "  - id: bom\n" in imported(gift).text


@pytest.mark.parametrize(
    ("html", "markdown"),
    [
        ("<p>One</p><p>Two</p>", "One\n\nTwo"),
        ("One<br>two<br/>three", "One\ntwo\nthree"),
        ("<ul><li>a</li><li>b</li></ul>", "- a\n- b"),
        ("<ol><li>a</li><li>b</li></ol>", "1. a\n2. b"),
        ("<em>x</em> <i>y</i> <strong>z</strong> <b>w</b>", "*x* *y* **z** **w**"),
        ('<a href="https://e.org/a (b)">link</a>', "[link](https://e.org/a%20%28b%29)"),
        ('<a href="javascript:alert(1)">click</a>', "click"),
        ("<script>alert(1)</script><style>p{}</style>kept", "kept"),
        ("&lt;b&gt; &amp; &eacute; &#233; &nbsp;", "<b> & é é"),
        ("a * b _c_ [d] `e` snake_case", "a \\* b \\_c\\_ \\[d\\] \\`e\\` snake_case"),
        ('<img src="x.png" alt="a pore">', "a pore"),
        ("  spaced\n  out  ", "spaced out"),
        # text that Markdown would read as a block, or as an entity, stays text
        (
            "<p># of pores</p><p>1999. A year</p><p>&gt; not a quote</p>",
            "\\# of pores\n\n1999\\. A year\n\n\\> not a quote",
        ),
        ("<p>- not a list</p><ul><li>a list</li></ul>", "\\- not a list\n\n- a list"),
        ("Write &amp;copy; for it", "Write \\&copy; for it"),
        # a link inside a link ends the first, as in a browser
        (
            '<a href="https://e.org/1">one <a href="https://e.org/2">two</a></a>',
            "[one](https://e.org/1)[two](https://e.org/2)",
        ),
    ],
)
def test_html_becomes_markdown(html, markdown):
    assert htmltext.as_markdown(html, "html") == markdown


# --- bad input: a message at the place, and nothing written -----------------------------------


BAD_FILES = [
    (
        "malformed XML",
        "bad.xml",
        b'<?xml version="1.0"?>\n<quiz>\n  <question type="truefalse"></answer>\n</quiz>\n',
        "bad.xml:3:32: error: malformed XML: mismatched tag",
    ),
    (
        "an HTML entity outside CDATA",
        "bad.xml",
        b"<quiz>\n<question type='truefalse'><name><text>a&nbsp;b</text></name></question></quiz>",
        "bad.xml:2:41: error: malformed XML: undefined entity: XML knows only &amp; &lt; &gt; "
        "&quot; &apos; (write &#160; for &nbsp;, or put HTML inside <![CDATA[ ... ]]>)",
    ),
    (
        "an XML bomb (billion laughs)",
        "billion-laughs.xml",
        (SAMPLES / "billion-laughs.xml").read_bytes(),
        "billion-laughs.xml:3:3: error: the file declares XML entities, which are refused for "
        "safety; Moodle's exports never declare any",
    ),
    (
        "an external entity",
        "external-entity.xml",
        (SAMPLES / "external-entity.xml").read_bytes(),
        "external-entity.xml:3:3: error: the file declares XML entities, which are refused for "
        "safety; Moodle's exports never declare any",
    ),
    (
        "an external document type",
        "dtd.xml",
        b'<?xml version="1.0"?>\n<!DOCTYPE quiz SYSTEM "http://example.invalid/quiz.dtd">\n<quiz/>',
        "dtd.xml:2:56: error: the file refers to another document "
        "(http://example.invalid/quiz.dtd), which is refused for safety; Moodle's exports never do",
    ),
    (
        "XML that is not a Moodle quiz",
        "other.xml",
        b'<?xml version="1.0"?>\n<assessment/>',
        "other.xml:2:1: error: the file's element is <assessment>, not <quiz>: is it a Moodle "
        "XML export?",
    ),
    (
        "a true/false question without answers",
        "bad.xml",
        b"<quiz>\n  <question type='truefalse'><name><text>Empty</text></name></question>\n</quiz>",
        "bad.xml:2:3: error: question 'Empty': a true/false question needs its answers, 'true' "
        "and 'false'",
    ),
    (
        "a fraction that is not a number",
        "bad.xml",
        b"<quiz><question type='truefalse'><name><text>F</text></name>\n"
        b"<answer fraction='all'><text>true</text></answer></question></quiz>",
        "bad.xml:2:1: error: question 'F': the answer's fraction must be a number, not 'all'",
    ),
    (
        "GIFT: an answer left open",
        "bad.gift",
        b"::a::Pores breathe.{T\n\n::b::Pores are holes.{T}\n",
        "bad.gift:1:20: error: the answer opened with '{' is not closed with '}' (a blank line "
        "ends a question: write \\n for a new line inside one); write \\{ or \\} for a brace in "
        "the text",
    ),
    (
        "GIFT: a closing brace alone",
        "bad.gift",
        b"// comment\nPores } breathe.\n",
        "bad.gift:2:7: error: a '}' with no '{' before it; write \\{ or \\} for a brace in the text",
    ),
    (
        "GIFT: a name left open",
        "bad.gift",
        b"\n  ::Pores breathe. {T}\n",
        "bad.gift:2:3: error: the question name opened with '::' is not closed; end it with '::'",
    ),
    (
        "GIFT: a multiple choice with one choice",
        "bad.gift",
        b"Which? {~only}\n",
        "bad.gift:1:8: error: a multiple-choice answer needs two choices or more: =right ~wrong",
    ),
    (
        "GIFT: a matching pair without ->",
        "bad.gift",
        b"Match {=a -> b =c}\n",
        "bad.gift:1:7: error: each pair of a matching answer is written =item -> its match",
    ),
    (
        "GIFT: a numerical answer without a number",
        "bad.gift",
        b"How many? {#}\n",
        "bad.gift:1:11: error: a numerical answer needs a number after '#', like {#1822} or "
        "{#3:0.5}",
    ),
    (
        "GIFT: a question straight after $CATEGORY",
        "bad.gift",
        b"$CATEGORY: Pores\nPores breathe.{F}\n",
        "bad.gift:2:1: error: a category's name is one line, with no \\n in it: put a blank line "
        "after the $CATEGORY line (Moodle reads everything up to the next blank line as the name)",
    ),
    (
        "a file in another encoding",
        "latin1.gift",
        "::a::Pores breathe.{T}\n\n::b::Pores r\u00e9tr\u00e9cissent.{F}\n".encode("latin-1"),
        "latin1.gift:3:13: error: the file is not UTF-8 text; save it with UTF-8 encoding",
    ),
    (
        "no true/false question",
        "none.gift",
        b"Which? {=a ~b}\n\nWrite about pores.{}\n",
        "none.gift:1:1: error: the file has no true/false question, so there is nothing to import",
    ),
    (
        "GIFT: a \\n in a category",
        "category.gift",
        b"$CATEGORY: Pores\\n\n",
        "category.gift:1:17: error: a category's name is one line, with no \\n in it: put a blank "
        "line after the $CATEGORY line (Moodle reads everything up to the next blank line as the name)",
    ),
    (
        "a feedback too long to be an explanation",
        "long.xml",
        b"<quiz><question type='truefalse'><name><text>slow</text></name>"
        b"<questiontext><text>Pores breathe.</text></questiontext>"
        b"<generalfeedback><text><![CDATA[" + b"</" * 300_000 + b"]]></text></generalfeedback>"
        b"<answer fraction='100'><text>false</text></answer></question></quiz>",
        "long.xml:1:7: error: 'slow': a text of 600,000 characters, more than the 20,000 a "
        "statement or explanation may have",
    ),
    (
        "a huge file",
        "huge.gift",
        b"// " + b"x" * 5_000_000 + b"\nPores breathe.{F}\n",
        "huge.gift:1:1: error: the file is 5,000,022 bytes, more than the 5,000,000 an import "
        "may read; export fewer categories at a time",
    ),
]


@pytest.mark.parametrize(
    ("name", "data", "expected"), [c[1:] for c in BAD_FILES], ids=[c[0] for c in BAD_FILES]
)
def test_bad_input_is_refused_at_its_place_and_nothing_is_written(
    content, tmp_path, name, data, expected
):
    source = tmp_path / name
    source.write_bytes(data)
    before = sorted(p.name for p in (content / "questions").iterdir())
    result = run_import(content, source, "--bank", "imported")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == f"{tmp_path}/{expected}"
    assert "Traceback" not in result.output
    assert sorted(p.name for p in (content / "questions").iterdir()) == before


def test_a_bank_too_large_to_load_is_not_written(tmp_path):
    gift = tmp_path / "many.gift"
    statement = "A statement long enough to make the bank large. " * 3
    gift.write_text("\n\n".join(f"::s{n}::{statement}{{T####{'why ' * 60}}}" for n in range(2500)))
    with pytest.raises(ContentError) as caught:
        imported(gift)
    assert re.fullmatch(
        r"many\.gift:1:1: error: the bank would be [\d,]+ bytes, more than the 1,000,000 a bank "
        r"may have; import the questions a few categories at a time",
        str(caught.value),
    )


# --- round trips: export, import, export ------------------------------------------------------

SHIPPED = list(load_library(content_root())[0].banks)


def questions_in(text: str, suffix: str) -> list[tuple]:
    """What an export says of each question: name, statement, verdict, explanation (without its
    list of sources), tags, category."""
    path = Path("export" + suffix)
    reader = importing.moodle.read if suffix.endswith("xml") else importing.gift.read
    found = reader(text, str(path))
    assert found.skipped == []
    return [
        (
            q.name,
            q.statement,
            q.verdict,
            q.explanation.split("\n\nSources:\n")[0],
            q.tags,
            q.category,
        )
        for q in found.questions
    ]


@pytest.mark.parametrize("output", ["gift", "moodle-xml"])
@pytest.mark.parametrize("bank_id", SHIPPED)
def test_export_then_import_then_export_gives_the_same_questions(tmp_path, bank_id, output):
    library, _ = load_library(content_root())
    original = library.banks[bank_id]
    chosen = exporting.FORMATS[output]
    first = chosen.export(original, library, PUBLIC_URL).decode()
    exported = tmp_path / chosen.filename(original)
    exported.write_text(first)

    root = tmp_path / "content"
    (root / "questions").mkdir(parents=True)
    draft = imported(exported, bank_id)
    importing.write(draft, root / "questions" / f"{bank_id}.yaml", root)
    reloaded, problems = load_library(root)
    assert [str(p) for p in problems if p.severity == "error"] == []
    bank = reloaded.banks[bank_id]
    assert [(q.id, q.statement, q.answer, q.explanation, q.tags) for q in bank.questions] == [
        (q.id, q.statement, q.answer, q.explanation, q.tags) for q in original.questions
    ]
    assert bank.title == original.title  # the category's last step
    if output == "moodle-xml":  # GIFT has no place for a description; Moodle XML, the category's
        assert bank.info.description == original.info.description
    for question in original.questions:  # the sources come back as comments to restore
        for source in question.sources:
            assert f"#   - ref: {source.ref}\n    #     stance: {source.stance}" in draft.text

    second = chosen.export(bank, reloaded, PUBLIC_URL).decode()
    assert questions_in(second, exported.suffix) == questions_in(first, exported.suffix)


# --- learners can take an imported bank before its sources are in ------------------------------


def test_a_learner_can_take_an_imported_bank_before_it_cites_sources(make_app, content):
    run_import(content, SAMPLES / "awkward.moodle.xml", "--bank", "imported")
    app = make_app(QUIZAPP_CONTENT_DIR=str(content))
    client = app.test_client()
    start = client.get("/quizzes/imported")
    assert start.status_code == 200
    assert "Drawn from:" not in start.text
    started = client.post("/quizzes/imported", data={"display_name": ""})
    url = client.get(started.location).location
    for number in range(1, 5):
        url = re.sub(r"/\d+$", f"/{number}", url)
        assert client.post(url, data={"answer": "myth"}).status_code == 302
        feedback = client.get(url)
        assert feedback.status_code == 200
        assert "No source is cited for this statement yet." in feedback.text
        assert '<ul class="sources"' not in feedback.text
    results = client.get(url.rsplit("/", 1)[0] + "/results")
    assert results.status_code == 200
    assert results.text.count("No source is cited for this statement yet.") == 4


# --- what a hostile or careless file cannot do -------------------------------------------------


@contextmanager
def within(seconds: int):
    """Fail, rather than hang, when reading a file takes far longer than it should."""

    def stop(*_):
        raise TimeoutError(f"still reading after {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_a_run_of_blank_lines_in_feedback_is_read_in_a_moment(tmp_path):
    xml = tmp_path / "blank.xml"
    xml.write_text(
        "<quiz><question type='truefalse'><name><text>blank</text></name>"
        "<questiontext><text>Pores breathe.</text></questiontext>"
        f"<generalfeedback format='markdown'><text>a{chr(10) * 60_000}b</text></generalfeedback>"
        "<answer fraction='100'><text>false</text></answer></question></quiz>"
    )
    with within(10):  # the "Sources:" search once took 46 s over these 60,000 newlines
        draft = imported(xml, "blank")
    assert "explanation: |" in draft.text


def test_control_characters_are_left_out_and_the_bank_exports(content, tmp_path):
    gift = tmp_path / "control.gift"
    gift.write_bytes(b"::ctl::Moisturiser \x01clogs pores.{F####Not \x02always.}\n")
    result = run_import(content, gift, "--bank", "imported")
    assert result.exit_code == 0, result.output
    assert "control characters, which no page shows, were left out" in result.output
    bank, _ = load_written(content)
    assert (bank.questions[0].statement, bank.questions[0].explanation) == (
        "Moisturiser clogs pores.",
        "Not always.",
    )
    package = content_command(content, "export", "--format", "qti21", "imported",
                              "--public-url", "https://quiz.example.org/")  # fmt: skip
    assert package.exit_code == 0, package.output


def test_an_id_of_a_bank_that_does_not_load_today_is_not_taken(content, tmp_path):
    broken = content / "questions" / "sample-quiz.yaml"
    broken.write_text(broken.read_text().replace("difficulty: easy", "difficulty: impossible", 1))
    taken = load_library(content)[0].banks.get("sample-quiz")
    assert taken is None  # it has an error: it is not served today
    first_id = re.search(r"- id: (\S+)", broken.read_text())[1]
    gift = tmp_path / "same.gift"
    gift.write_text(f"::{first_id}::Ice shrinks pores.{{F####It does not.}}\n")
    result = run_import(content, gift, "--bank", "imported")
    assert result.exit_code == 0, result.output
    assert f"the id '{first_id}' is used by bank 'sample-quiz'" in result.output


def test_an_authors_own_list_of_sources_stays_in_the_explanation(tmp_path):
    xml = tmp_path / "own.xml"
    xml.write_text(
        "<quiz><question type='truefalse'><name><text>strips</text></name>"
        "<questiontext><text>Pore strips clear pores for good.</text></questiontext>"
        "<generalfeedback format='html'><text><![CDATA[<p>They clear the top only.</p>"
        "<p><strong>Sources:</strong></p><ul><li>Smith J. (2019)</li>"
        "<li><a href='https://pubmed.example/123'>Jones 2020</a></li></ul>]]></text>"
        "</generalfeedback><answer fraction='100'><text>false</text></answer></question></quiz>"
    )
    explanation = served(tmp_path, "own", imported(xml, "own")).questions[0].explanation
    assert "Smith J. (2019)" in explanation
    assert "[Jones 2020](https://pubmed.example/123)" in explanation


def test_a_line_is_split_only_where_moodle_splits_it(tmp_path):
    gift = tmp_path / "nel.gift"
    gift.write_bytes("::one::Pores \u2028\u2028 breathe.{F####No.}\n".encode())
    bank = served(tmp_path, "nel", imported(gift, "nel"))
    assert [q.statement for q in bank.questions] == ["Pores breathe."]
