"""db.read and db.transaction, the learner pages' read and write paths, read and write what
SQLAlchemy's own execution does."""

import gc
import os
from datetime import UTC, datetime

import pytest
from sqlalchemy import bindparam, event, insert, literal_column, select
from sqlalchemy.exc import DBAPIError, IntegrityError

from quizapp import catalog, db
from quizapp.models import Attempt, Learner, Response
from quizapp.quiz import attempts
from quizapp.quiz.attempts import _READ

_ANSWERED = insert(Response.__table__).values(
    attempt_id=bindparam("attempt"),
    question_id=bindparam("question"),
    revision=bindparam("revision"),
    answer=bindparam("given"),
    correct=bindparam("right"),
    certainty=bindparam("sure"),
    answered_at=bindparam("now"),
)


def test_read_matches_sqlalchemy_row_for_row_with_types(app):
    with app.test_request_context():
        banks = catalog.library().banks
        bank = banks["sample-quiz"]
        session = db.session()
        learner = Learner()
        session.add(learner)
        session.commit()
        started = attempts.start(session, bank, learner.id, display_name="Ada")
        attempt, _, steps = attempts.load(started.id, banks)
        assert attempt.finished_at is None
        assert attempt.certainty is bank.info.settings.certainty
        for step in steps:
            attempts.record(session, attempt, step, step.question.answer)

        attempt, _, steps = attempts.load(started.id, banks)
        params = {"attempt_id": started.id, "device": "no such device"}
        expected = [tuple(row) for row in session.execute(_READ, params)]
        assert [tuple(row) for row in db.read(_READ, **params)] == expected

    assert isinstance(attempt.finished_at, datetime)  # not the text SQLite stores
    assert attempt.correct_count == attempt.question_count == len(steps)
    assert [step.response.correct for step in steps] == [True] * len(steps)  # not 1


def test_read_of_an_unknown_attempt_is_empty(app):
    with app.test_request_context():
        assert db.read(_READ, attempt_id="no-such-attempt", device="") == []
        assert attempts.load("no-such-attempt", catalog.library().banks) is None


def test_an_attempt_is_read_in_one_row_whatever_its_length(app):
    """The read on every learner page brought back a row per statement, each repeating the
    attempt's fourteen columns, and the driver made every value of every row (a sixth of a
    statement page's instructions on SQLite). Its statements now come in one JSON column of the
    attempt's row, and are the same steps, in order, with the same answers."""
    with app.test_request_context():
        banks = catalog.library().banks
        session = db.session()
        learner = Learner()
        session.add(learner)
        session.commit()
        started = attempts.start(session, banks["sample-quiz"], learner.id, display_name="Ada")
        _, _, steps = attempts.load(started.id, banks)
        assert len(steps) > 2
        attempt = attempts.load(started.id, banks)[0]
        attempts.record(session, attempt, steps[0], steps[0].question.answer, 3)
        attempts.record(
            session, attempt, steps[2], "fact" if steps[2].question.answer == "myth" else "myth", 1
        )

        assert len(db.read(_READ, attempt_id=started.id, device="")) == 1
        _, _, read = attempts.load(started.id, banks)

    assert [step.number for step in read] == list(range(1, len(steps) + 1))
    assert [step.question.id for step in read] == [step.question.id for step in steps]
    first, second, third = read[:3]
    assert first.response == (steps[0].question.answer, True, 3)
    assert first.response.correct is True  # a bool, not SQLite's 1
    assert second.response is None
    assert third.response.correct is False and third.response.certainty == 1


def _started(app) -> str:
    session = db.session()
    learner = Learner()
    session.add(learner)
    session.commit()
    bank = catalog.library().banks["sample-quiz"]
    return attempts.start(session, bank, learner.id, display_name=None).id


def _answer(attempt_id: str, question: str = "q1") -> dict:
    moment = datetime(2026, 3, 4, 5, 6, 7, 890000, tzinfo=UTC)
    return {
        "attempt": attempt_id,
        "question": question,
        "revision": "r1",
        "given": "myth",
        "right": True,
        "sure": 2,
        "now": moment,
    }


def test_a_transaction_writes_what_the_orm_reads_back_with_its_types(app):
    with app.test_request_context():
        attempt_id = _started(app)
        with db.transaction() as write:
            assert write.execute(_ANSWERED, _answer(attempt_id)) == 1
        stored = db.session().scalars(select(Response).filter_by(attempt_id=attempt_id)).one()
        assert (stored.answer, stored.correct, stored.certainty) == ("myth", True, 2)
        assert db.as_utc(stored.answered_at) == datetime(2026, 3, 4, 5, 6, 7, 890000, tzinfo=UTC)


def test_a_transaction_that_raises_or_is_rolled_back_leaves_nothing(app):
    with app.test_request_context():
        attempt_id = _started(app)
        with pytest.raises(RuntimeError), db.transaction() as write:
            write.execute(_ANSWERED, _answer(attempt_id, "q1"))
            raise RuntimeError("the request failed half way")
        with db.transaction() as write:
            write.execute(_ANSWERED, _answer(attempt_id, "q2"))
            write.rollback()
        assert db.session().scalars(select(Response).filter_by(attempt_id=attempt_id)).all() == []
        # the connections went back to the pool with no transaction open: a write still works
        with db.transaction() as write:
            write.execute(_ANSWERED, _answer(attempt_id, "q3"))
        assert db.session().scalar(select(Attempt.id).where(Attempt.id == attempt_id))


def test_a_refused_constraint_is_sqlalchemys_integrity_error_and_keeps_the_first(app):
    with app.test_request_context():
        attempt_id = _started(app)
        with db.transaction() as write:
            write.execute(_ANSWERED, _answer(attempt_id))
        twice = {**_answer(attempt_id), "given": "fact"}
        with pytest.raises(IntegrityError), db.transaction() as write:
            write.execute(_ANSWERED, twice)
        stored = db.session().scalars(select(Response).filter_by(attempt_id=attempt_id)).one()
        assert stored.answer == "myth"


def _drop_pooled_connections(app) -> None:
    """What a database restart does to the pool and to the connection reads are made on: they
    are dead. On PostgreSQL the server ends them; SQLite has no server, so they are closed behind
    the app's back."""
    pooled = app.extensions["quizapp.db"].kw["bind"]
    held = [pooled.raw_connection() for _ in range(2)]
    drivers = [c.driver_connection for c in held]
    for connection in held:
        connection.close()
    drivers += [connection for connection, _cursor in db._READERS.get(pooled.pool, [])]
    if pooled.dialect.name == "postgresql":
        admin = db.make_engine(app.config["QUIZAPP_DATABASE_URL"])
        with admin.begin() as connection:
            for driver in drivers:
                pid = driver.info.backend_pid
                connection.exec_driver_sql(f"SELECT pg_terminate_backend({int(pid)})")
        admin.dispose()
    else:
        for driver in drivers:
            driver.close()


def test_connections_dropped_by_a_restart_are_replaced_and_the_pages_still_answer(
    app, client, learner
):
    statement = learner.start()  # a learner, a session and a read, as before the restart
    assert client.get(statement).status_code == 200
    _drop_pooled_connections(app)  # a moment ago: too soon for the idle check to test them
    for _ in range(3):
        assert client.get("/").status_code == 200
        assert client.get("/quizzes/sample-quiz").status_code == 200
        assert client.get(statement).status_code == 200


def test_a_connection_idle_for_a_while_is_tested_before_the_orm_uses_it(app, monkeypatch):
    if app.extensions["quizapp.db"].kw["bind"].dialect.name != "postgresql":
        pytest.skip("a server that drops idle connections: PostgreSQL only (SQLite has none)")
    _drop_pooled_connections(app)
    monkeypatch.setattr(db, "PING_AFTER_IDLE", 0.0)  # as if they had sat unused for a while
    with app.app_context():  # the ORM's session has no retry of its own: the ping replaces it
        assert db.session().scalars(select(Attempt.id)).all() == []


def test_a_page_says_503_when_the_database_cannot_be_opened(make_app, tmp_path):
    app = make_app(QUIZAPP_DATABASE_URL=f"sqlite:///{tmp_path / 'no-such-folder' / 'q.db'}")
    page = app.test_client().get("/")
    assert page.status_code == 503 and "try again" in page.text


def test_a_write_stopped_after_its_first_statement_stores_none_of_it(app):
    """One statement of a write sent, then the worker stops before the next (here the driver
    cannot send its parameter; gunicorn's timeout raises in a worker the same way): nothing is
    stored, and the connection goes back to the pool with no transaction open. On PostgreSQL
    the statements travel in one pipeline, whose Sync would commit what came before."""
    with app.test_request_context():
        attempt_id = _started(app)
        unsendable = {**_answer(attempt_id, "q2"), "given": object()}
        with pytest.raises(DBAPIError):
            db.write((_ANSWERED, _answer(attempt_id, "q1")), (_ANSWERED, unsendable))
        assert db.session().scalars(select(Response).filter_by(attempt_id=attempt_id)).all() == []
        assert db.write((_ANSWERED, _answer(attempt_id, "q3"))) == [1]
        db.session().commit()  # a fresh read
        stored = db.session().scalars(select(Response.question_id).filter_by(attempt_id=attempt_id))
        assert stored.all() == ["q3"]


def test_a_learners_read_takes_no_connection_out_of_the_pool(app, client, learner):
    """Taking a connection out of SQLAlchemy's pool and putting it back cost a statement page a
    tenth of its time (17 µs of 173 on the bench's VM), for one SELECT. Connections taken out
    of the pool once are kept for reads instead (db._READERS)."""
    url = learner.start()
    client.get(url)
    taken = []

    def checked_out(*_args):
        taken.append(1)

    pooled = db.engine(app)
    event.listen(pooled, "checkout", checked_out)
    try:
        for _ in range(3):
            assert client.get(url).status_code == 200
    finally:
        event.remove(pooled, "checkout", checked_out)
    assert taken == []


def test_a_connection_kept_for_reads_keeps_its_cursor(make_app, learner, monkeypatch):
    """A cursor made for every read cost a page on PostgreSQL 33 µs of the worker's CPU and 30
    of its time on the bench's VM (psycopg sets a new cursor's adapters up, and finds each
    column's loader again); a connection kept for reading keeps one cursor."""
    made = []

    class Counted:
        def __init__(self, connection):
            self.connection = connection

        def cursor(self):
            made.append(1)
            return self.connection.cursor()

        def __getattr__(self, name):
            return getattr(self.connection, name)

    lend = db._lent
    monkeypatch.setattr(db, "_lent", lambda bind: Counted(lend(bind)))
    learner.client = make_app().test_client()  # a new pool: no connection kept for it yet
    url = learner.start()
    for _ in range(3):
        assert learner.client.get(url).status_code == 200
    assert made == [1]


def test_a_forked_process_uses_none_of_its_parents_connections(app):
    """gunicorn forks its workers: a child that read on a connection its parent opened, or took
    one from the pool it inherited, would share the parent's socket. The child opens its own,
    for its reads and for the ORM, and the parent's still work."""
    with app.app_context():
        attempt_id = _started(app)
        assert db.read(_READ, attempt_id=attempt_id, device="")
        bind = db.engine()
        lent = [bind.raw_connection() for _ in range(2)]  # the pool's, idle again below
        parents = {id(c.driver_connection) for c in lent} | {
            id(c) for c, _ in db._READERS[bind.pool]
        }
        for connection in lent:
            connection.close()
        child = os.fork()
        if child == 0:  # the child: exits 0 only if it read right on connections of its own
            ok = False
            try:
                with app.app_context():
                    rows = db.read(_READ, attempt_id=attempt_id, device="")
                    orm = db.session().get(Attempt, attempt_id)
                    mine = {id(c) for c, _ in db._READERS[db.engine().pool]}
                    mine.add(id(db.session().connection().connection.driver_connection))
                    ok = rows[0][0] == orm.id == attempt_id and not mine & parents
                db._INHERITED.clear()  # as the child's end frees them: the parent's stay open
                gc.collect()
            finally:
                os._exit(0 if ok else 1)
        _, status = os.waitpid(child, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert db.read(_READ, attempt_id=attempt_id, device="")[0][0] == attempt_id
        assert db.session().get(Attempt, attempt_id).id == attempt_id


@pytest.mark.parametrize("cut_short", [SystemExit, ValueError])
def test_after_a_read_cut_short_the_next_reads_on_a_fresh_connection(app, monkeypatch, cut_short):
    """A read stopped midway (gunicorn's timeout raises in the worker; any error at all)
    may leave its connection in the middle of a reply: it is closed, and the next read opens
    another rather than meeting that state."""
    with app.app_context():
        attempt_id = _started(app)
        assert db.read(_READ, attempt_id=attempt_id, device="")
        readers = db._READERS[db.engine().pool]
        before = list(readers)
        with monkeypatch.context() as patched:

            def stopped(self, params):
                raise cut_short("stopped midway")

            patched.setattr(db._Compiled, "arguments", stopped)
            with pytest.raises(cut_short):
                db.read(_READ, attempt_id=attempt_id, device="")
        assert readers == []  # the one cut short is closed, not kept
        assert db.read(_READ, attempt_id=attempt_id, device="")[0][0] == attempt_id
        assert readers != before


@pytest.mark.parametrize("fails", ["no_such_function()", "pg_sleep(1)"])
def test_a_read_that_fails_is_not_taken_for_a_lost_connection(make_app, monkeypatch, fails):
    """An error of the statement itself (here a function the database does not have, or on
    PostgreSQL the statement timeout) is raised as it is: the read is not made again, and the
    pool's connections are kept. (Closed first, a PostgreSQL connection reads as lost whatever
    the error, and a hung read ran twice: past gunicorn's timeout.)"""
    app = make_app(QUIZAPP_DB_STATEMENT_TIMEOUT=0.2)
    reads = []
    original = db._read
    monkeypatch.setattr(db, "_read", lambda *args: (reads.append(1), original(*args))[1])
    with app.app_context():
        bind = db.engine()
        if fails.startswith("pg_") and bind.dialect.name != "postgresql":
            pytest.skip("a statement timeout: PostgreSQL only")
        assert db.read(select(literal_column("1"))) == [(1,)]
        pool, reads[:] = bind.pool, []
        with pytest.raises(DBAPIError) as raised:
            db.read(select(literal_column(fails)))
        assert not raised.value.connection_invalidated
        assert (len(reads), bind.pool) == (1, pool)
        assert db.read(select(literal_column("2"))) == [(2,)]
