"""Moodle XML export: a category for the bank, then a true/false question per statement.

Written as Moodle's own exporter writes it (question/format/xml/format.php): TRUE means fact,
the explanation and its sources are the Markdown general feedback, and the question id is both
the name and the ID number. The category carries the bank's description and its id.
"""

from html import escape
from xml.etree import ElementTree as ET

from . import interchange
from .library import Bank, Library


def export(bank: Bank, library: Library, public_url: str) -> str:
    quiz = ET.Element("quiz")
    quiz.append(
        ET.Comment(
            f" Exported from Myth or Fact: bank {bank.id}, {len(bank.questions)} statements; "
            f"true means fact. {interchange.left_out(bank, carried=frozenset({'tags'}))} "
        )
    )
    category = ET.SubElement(quiz, "question", type="category")
    _text(ET.SubElement(category, "category"), interchange.category(bank.title))
    _text(ET.SubElement(category, "info", format="markdown"), bank.info.description)
    ET.SubElement(category, "idnumber").text = bank.id
    for question in bank.questions:
        item = ET.SubElement(quiz, "question", type="truefalse")
        _text(ET.SubElement(item, "name"), question.id)
        _text(
            ET.SubElement(item, "questiontext", format="html"),
            f"<p>{escape(question.statement, quote=False)}</p>",
        )
        _text(
            ET.SubElement(item, "generalfeedback", format="markdown"),
            interchange.feedback(question, library, public_url),
        )
        for tag, value in (("defaultgrade", "1"), ("penalty", "1"), ("hidden", "0")):
            ET.SubElement(item, tag).text = value
        ET.SubElement(item, "idnumber").text = question.id
        for value in ("true", "false"):
            right = (value == "true") == (question.answer == "fact")
            answer = ET.SubElement(
                item, "answer", fraction="100" if right else "0", format="moodle_auto_format"
            )
            _text(answer, value)
            verdict = "Right" if right else "Not quite"
            _text(
                ET.SubElement(answer, "feedback", format="html"),
                f"{verdict}: it is a {question.answer}.",
            )
        if question.tags:
            tags = ET.SubElement(item, "tags")
            for tag in question.tags:
                _text(ET.SubElement(tags, "tag"), tag)
    ET.indent(quiz)
    return ET.tostring(quiz, encoding="unicode", xml_declaration=True) + "\n"


def _text(parent: ET.Element, value: str) -> None:
    ET.SubElement(parent, "text").text = value
