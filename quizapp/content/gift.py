"""Moodle GIFT export: each statement becomes a true/false question (true means fact).

The explanation and its sources (see interchange) become the Markdown general feedback, shown
whatever was answered. A comment line before each question carries its id and tags, which
Moodle's importer reads as the question's ID number and tags (older versions skip it).
"""

from . import interchange
from .library import Bank, Library

_RESERVED = str.maketrans(
    {
        "\\": "\\\\",
        "#": "\\#",
        "=": "\\=",
        "~": "\\~",
        "{": "\\{",
        "}": "\\}",
        ":": "\\:",
        "\n": "\\n",
    }
)


def escape(text: str) -> str:
    """Escape GIFT's reserved characters; a newline is written as \\n."""
    return text.replace("\r", "").translate(_RESERVED)


def export(bank: Bank, library: Library, public_url: str) -> str:
    out = [
        f"// {interchange.one_line(bank.title)}",
        f"// Exported from Myth or Fact: {len(bank.questions)} statements; TRUE means fact.",
        f"// {interchange.left_out(bank, carried=frozenset({'tags'}))}",
        f"$CATEGORY: {interchange.category(bank.title)}",
        "",
    ]
    for question in bank.questions:
        verdict = "TRUE" if question.answer == "fact" else "FALSE"
        general = interchange.feedback(question, library, public_url)
        ids = [f"[id:{question.id}]", *(f"[tag:{tag}]" for tag in question.tags)]
        out += [
            f"// {question.id} (revision {question.revision})",
            f"// {' '.join(ids)}",
            f"::{escape(question.id)}::[markdown]{interchange.PROMPT}{escape(question.statement)}"
            f"{{{verdict}#{escape(f'Not quite: it is a {question.answer}.')}"
            f"#{escape(f'Right: it is a {question.answer}.')}####{escape(general)}}}",
            "",
        ]
    return "\n".join(out)
