"""Alembic runs migrations on the engine quizapp.db hands it (see db.upgrade)."""

from alembic import context

from quizapp.models import Base

engine = context.config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    context.run_migrations()
