"""Moodle GIFT export: each statement becomes a true/false question (true means fact).

The explanation and its sources become the general feedback, shown whatever was answered.
"""

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
_STANCES = {"supports": "supports", "contradicts": "contradicts", "context": "gives context"}


def escape(text: str) -> str:
    """Escape GIFT's reserved characters; a newline is written as \\n."""
    return text.replace("\r", "").translate(_RESERVED)


def export(bank: Bank, library: Library) -> str:
    out = [
        f"// {bank.title}",
        f"// Exported from Myth or Fact: {len(bank.questions)} statements; TRUE means fact.",
        f"$CATEGORY: myth-or-fact/{bank.id}",
        "",
    ]
    for question in bank.questions:
        verdict = "TRUE" if question.answer == "fact" else "FALSE"
        sources = "\n".join(
            f"- {library.articles[s.article].title} › "
            f"{library.articles[s.article].section(s.section).title} ({_STANCES[s.stance]})"
            for s in question.sources
        )
        general = f"{question.explanation.strip()}\n\nSources:\n\n{sources}"
        out += [
            f"// {question.id} (revision {question.revision})",
            f"::{escape(question.id)}::[markdown]Myth or fact? {escape(question.statement)}"
            f"{{{verdict}#{escape(f'Not quite: it is a {question.answer}.')}"
            f"#{escape(f'Right: it is a {question.answer}.')}####{escape(general)}}}",
            "",
        ]
    return "\n".join(out)
