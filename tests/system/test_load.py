"""100 learners at once each finish a 10-statement quiz: no 5xx, and every answer the server
acknowledged is in the database exactly once. On SQLite and on PostgreSQL."""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import create_engine, text

from bench.client import Browser, Learner

from .conftest import database_url

LEARNERS = 100


def take_quiz(base: str) -> Learner:
    learner = Learner(Browser(base))
    try:
        learner.start()
        learner.finish()
    except Exception as exc:  # noted: the check below fails with the reason
        learner.errors.append(repr(exc))
    finally:
        learner.browser.close()
    return learner


def stored_answers(url: str) -> list[tuple[str, int, str]]:
    """Every response, as (attempt id, position, answer)."""
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT r.attempt_id, i.position, r.answer FROM response r JOIN attempt_item i"
                " ON i.attempt_id = r.attempt_id AND i.question_id = r.question_id"
            )
        ).all()
    engine.dispose()
    return [tuple(row) for row in rows]


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_100_learners_at_once_lose_nothing(kind, servers, tmp_path):
    url = database_url(kind, tmp_path)
    server = servers(url)
    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=LEARNERS) as pool:
        learners = list(pool.map(take_quiz, [server.url] * LEARNERS))
    elapsed = time.perf_counter() - began

    assert [e for learner in learners for e in learner.errors] == []
    acknowledged = [a for learner in learners for a in learner.acknowledged]
    assert len(acknowledged) == LEARNERS * 10
    stored = stored_answers(url)
    assert sorted(stored) == sorted(acknowledged)  # each exactly once, as acknowledged
    assert " 500 " not in server.output() and '" 5' not in server.output()
    print(
        f"{kind}: {LEARNERS} learners, {len(acknowledged)} answers acknowledged and stored once each "
        f"in {elapsed:.1f} s ({len(acknowledged) / elapsed:.0f} answers/s), no 5xx"
    )
