"""Alembic runs migrations on the engine quizapp.db hands it (see db.upgrade)."""

from alembic import context

from quizapp.lti import models as lti_models  # noqa: F401  (their tables join Base's)
from quizapp.models import Base

engine = context.config.attributes["engine"]

with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    # SQLite alters a table by copying it and dropping the old one; with foreign keys on, that
    # drop would cascade and delete every row that refers to it. The pragma is ignored inside
    # a transaction, so it is set before one begins.
    if sqlite:
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
    try:
        with connection.begin():
            context.configure(
                connection=connection, target_metadata=Base.metadata, render_as_batch=sqlite
            )
            context.run_migrations()
    finally:
        if sqlite:
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")
