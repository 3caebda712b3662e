"""CSV exports of a class, safe to open in a spreadsheet."""

import csv
import io
import re
from collections.abc import Iterable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..content import Library
from ..models import Attempt, AttemptItem, Classroom, Member, Response
from ..quiz.scoring import CERTAINTY, cbm_mark
from .gradebook import EMPTY, Row

# = + - @ tab or CR starting a cell, or starting a part of it after a ; or , (which a
# spreadsheet in another locale may split into cells of their own), then spaces, start a formula
FORMULA = re.compile(r"(^|[;,]\s*)(?=[=+\-@\t\r])")


def safe(value) -> str:
    """A cell a spreadsheet shows as text: each formula start gets a ' before it (OWASP).

    Whole numbers the app wrote itself (a mark of -6) stay numbers: they are no formula.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return FORMULA.sub(r"\1'", "" if value is None else str(value))


def to_csv(rows: Iterable[list]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([safe(cell) for cell in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def percent(score: float | None) -> str:
    return "" if score is None else f"{round(100 * score)}"


def gradebook_rows(rows: list[Row], bank_ids: list[str]) -> Iterator[list]:
    header = ["learner"]
    for bank_id in bank_ids:
        header += [f"{bank_id} best %", f"{bank_id} latest %", f"{bank_id} attempts"]
    yield header
    for row in rows:
        line = [row.name]
        for bank_id in bank_ids:
            cell = row.cells.get(bank_id, EMPTY)
            line += [percent(cell.best), percent(cell.latest), cell.attempts]
        yield line


def response_rows(db: Session, classroom: Classroom, library: Library) -> Iterator[list]:
    """One row per answer given in the class, in the order the learners gave them.

    With certainty-based marking, how sure the learner said they were (low, medium, high) and
    the mark it earned (+1 to +3 if right, 0, -2 or -6 if wrong); both empty otherwise.
    """
    yield [
        "class",
        "learner",
        "quiz",
        "attempt",
        "attempt started",
        "position",
        "question id",
        "revision",
        "statement",
        "answer",
        "certainty",
        "verdict",
        "correct",
        "certainty mark",
        "answered at",
    ]
    query = (
        select(Member.display_name, Attempt, AttemptItem.position, Response)
        .join(Attempt, Attempt.member_id == Member.id)
        .join(Response, Response.attempt_id == Attempt.id)
        .join(
            AttemptItem,
            (AttemptItem.attempt_id == Attempt.id)
            & (AttemptItem.question_id == Response.question_id),
        )
        .where(Member.classroom_id == classroom.id)
        .order_by(Member.display_name, Attempt.started_at, Response.answered_at, Response.id)
    )
    for name, attempt, position, response in db.execute(query).yield_per(1000):
        bank = library.banks.get(attempt.bank_id)
        question = bank.current(response.question_id, response.revision) if bank else None
        current = question is not None
        sure = response.certainty in CERTAINTY
        yield [
            classroom.name,
            name,
            attempt.bank_id,
            attempt.id,
            attempt.started_at.isoformat(),
            position,
            response.question_id,
            response.revision,
            question.statement if current else "(an earlier wording)",
            response.answer,
            CERTAINTY[response.certainty][0].lower() if sure else "",
            question.answer if current else "",
            "yes" if response.correct else "no",
            cbm_mark(response.correct, response.certainty) if sure else "",
            response.answered_at.isoformat(),
        ]
