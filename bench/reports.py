"""Benchmark: gradebook and item analysis over 100,000 responses (issue 5's bar: < 150 ms).

Fills a fresh database with one class of 1,667 learners who each finished the quiz
`pore-basics` (15 statements) four times: 6,668 attempts and 100,020 responses, all of them in
the one class and the one quiz, so that each report aggregates every response. Then it times
the real pages through Flask's test client (server time: SQL and template), and the home page
as a baseline in the same run.

    python -m bench.reports [--database URL ...] [--check]

Without --database it runs on a temporary SQLite file, and on PostgreSQL too when
QUIZAPP_TEST_DATABASE_URL points at one (the tables there are dropped and made anew).
"""

import argparse
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, text

from bench.server import fresh_database
from quizapp import create_app
from quizapp.db import make_engine
from quizapp.instructor import accounts
from quizapp.models import (
    Attempt,
    AttemptItem,
    Classroom,
    ClassroomQuiz,
    Learner,
    Member,
    Response,
)

BANK = "pore-basics"
LEARNERS = 1667  # x 4 attempts x 15 statements: about 100,000 responses
ATTEMPTS_EACH = 4
BAR_MS = 150.0
RUNS = 15


def fill(app, engine) -> tuple[int, int]:
    """Returns (classroom id, responses written)."""
    library = app.extensions["quizapp.catalog"].current().library
    questions = library.banks[BANK].questions
    rng = random.Random(7)
    start = datetime(2026, 1, 5, 9, tzinfo=UTC)
    with app.app_context():
        from quizapp import db

        instructor = accounts.create(db.session(), "bench@example.org", "benchmark password")
        instructor_id = instructor.id
    with engine.begin() as conn:
        classroom_id = conn.execute(
            insert(Classroom).returning(Classroom.id),
            {"instructor_id": instructor_id, "name": "Benchmark", "join_code": "BENCH2",
             "joining_open": True, "archived": False, "created_at": start},
        ).scalar_one()  # fmt: skip
        conn.execute(
            insert(ClassroomQuiz), {"classroom_id": classroom_id, "bank_id": BANK, "position": 0}
        )
        learners = (
            conn.execute(insert(Learner).returning(Learner.id), [{"created_at": start}] * LEARNERS)
            .scalars()
            .all()
        )
        members = [
            {"classroom_id": classroom_id, "learner_id": learner,
             "display_name": f"Learner {n:04d}", "joined_at": start}
            for n, learner in enumerate(learners)
        ]  # fmt: skip
        conn.execute(insert(Member), members)
        ids = conn.execute(text("SELECT id, learner_id FROM member")).all()
        attempts, items, responses = [], [], []
        for member_id, learner in ids:
            ability = rng.uniform(0.35, 0.95)
            for k in range(ATTEMPTS_EACH):
                attempt_id = secrets.token_urlsafe(16)
                began = start + timedelta(days=k, minutes=member_id % 600)
                correct = 0
                for position, q in enumerate(questions, start=1):
                    right = rng.random() < ability
                    correct += right
                    answer = q.answer if right else ("fact" if q.answer == "myth" else "myth")
                    items.append(
                        {
                            "attempt_id": attempt_id,
                            "position": position,
                            "question_id": q.id,
                            "revision": q.revision,
                        }
                    )
                    responses.append(
                        {
                            "attempt_id": attempt_id,
                            "question_id": q.id,
                            "revision": q.revision,
                            "answer": answer,
                            "correct": right,
                            "answered_at": began + timedelta(seconds=20 * position),
                        }
                    )
                attempts.append(
                    {
                        "id": attempt_id,
                        "bank_id": BANK,
                        "learner_id": learner,
                        "member_id": member_id,
                        "display_name": None,
                        "started_at": began,
                        "finished_at": began + timedelta(minutes=5),
                        "question_count": len(questions),
                        "correct_count": correct,
                    }
                )
        conn.execute(insert(Attempt), attempts)
        conn.execute(insert(AttemptItem), items)
        conn.execute(insert(Response), responses)
    return classroom_id, len(responses)


def timed(client, path: str) -> list[float]:
    assert client.get(path).status_code == 200, path  # warm-up, and proof the page works
    samples = []
    for _ in range(RUNS):
        began = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200
    return samples


def run(url: str) -> list[tuple[str, float, float]]:
    engine = fresh_database(url)
    instance = tempfile.mkdtemp(prefix="quizapp-bench-")
    os.environ["QUIZAPP_INSTANCE_PATH"] = instance
    app = create_app(
        {"QUIZAPP_DATABASE_URL": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False}
    )
    began = time.perf_counter()
    classroom_id, written = fill(app, engine)
    print(f"  filled {written:,} responses in {time.perf_counter() - began:.1f} s")
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    client = app.test_client()
    client.post(
        "/instructor/login", data={"email": "bench@example.org", "password": "benchmark password"}
    )
    in_class = f"/instructor/classes/{classroom_id}"
    pages = {
        "home page (baseline)": "/",
        f"gradebook ({LEARNERS:,} learners)": f"{in_class}/gradebook",
        "item analysis, class, first attempts": f"{in_class}/quizzes/{BANK}",
        "item analysis, class, every attempt": f"{in_class}/quizzes/{BANK}?attempts=all",
        "item analysis, overall, every attempt": f"/instructor/quizzes/{BANK}?attempts=all",
    }
    results = []
    for name, path in pages.items():
        samples = timed(client, path)
        results.append((name, statistics.median(samples), max(samples)))
    engine.dispose()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", action="append", help="a SQLAlchemy URL (repeatable)")
    parser.add_argument(
        "--check", action="store_true", help=f"exit 1 if a report's median is over {BAR_MS:.0f} ms"
    )
    args = parser.parse_args()
    urls = args.database or [f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite3'}"]
    if not args.database and os.environ.get("QUIZAPP_TEST_DATABASE_URL", "").startswith(
        "postgresql"
    ):
        urls.append(os.environ["QUIZAPP_TEST_DATABASE_URL"])
    failed = False
    for url in urls:
        print(f"{make_engine(url).dialect.name}:")
        results = run(url)
        baseline = results[0][1]
        print(f"  {'page':40} {'median ms':>10} {'max ms':>8} {'x home':>7}  bar")
        for name, median, worst in results:
            verdict = "" if name.startswith("home") else ("ok" if median < BAR_MS else "OVER")
            failed |= verdict == "OVER"
            print(f"  {name:40} {median:10.1f} {worst:8.1f} {median / baseline:7.1f}  {verdict}")
    return 1 if failed and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
