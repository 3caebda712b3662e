"""The server is killed with SIGKILL in the middle of a load and restarted: every answer
acknowledged before the kill is still there, each learner carries on where they were, and the
SQLite file passes its integrity check."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import create_engine, text

from bench.client import Browser, Learner

from .conftest import database_url
from .test_load import stored_answers

LEARNERS = 40


def test_sigkill_mid_quiz_loses_no_acknowledged_answer(servers, tmp_path):
    url = database_url("sqlite", tmp_path)
    server = servers(url)
    learners = [Learner(Browser(server.url)) for _ in range(LEARNERS)]
    for learner in learners:
        learner.start()
    killed = threading.Event()

    def answer_until_killed(learner: Learner) -> None:
        try:
            while not killed.is_set() and learner.answer_next():
                pass
        except Exception:  # the server died under this request: it was not acknowledged
            pass

    with ThreadPoolExecutor(max_workers=LEARNERS) as pool:
        for learner in learners:
            pool.submit(answer_until_killed, learner)
        deadline = time.monotonic() + 60
        while sum(len(x.acknowledged) for x in learners) < LEARNERS * 4:
            assert time.monotonic() < deadline, "the load did not get going"
            time.sleep(0.02)
        server.kill()
        killed.set()
    before = [a for learner in learners for a in learner.acknowledged]
    assert LEARNERS * 4 <= len(before) < LEARNERS * 10  # killed mid-quiz

    restarted = servers(url, port=server.port)
    for learner in learners:  # each carries on with the same browser and attempt
        learner.browser.close()
        learner.browser.base = restarted.url
        learner.errors.clear()
        learner.finish()
        learner.browser.close()
    assert [e for learner in learners for e in learner.errors] == []

    stored = stored_answers(url)
    assert set(before) <= set(stored)  # nothing acknowledged was lost
    assert len(stored) == len(set((a, p) for a, p, _ in stored)) == LEARNERS * 10
    engine = create_engine(url)
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        finished = connection.execute(
            text("SELECT count(*) FROM attempt WHERE finished_at IS NOT NULL")
        ).scalar()
    engine.dispose()
    assert finished == LEARNERS
    print(
        f"SIGKILL after {len(before)} acknowledged answers: all kept; after the restart "
        f"{finished} of {LEARNERS} learners finished ({len(stored)} answers), integrity ok"
    )
