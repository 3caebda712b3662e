"""Command-line tools: `flask --app quizapp db ...`."""

import click
from flask import Flask
from flask.cli import AppGroup

from . import db

db_cli = AppGroup("db", help="Create and upgrade the database.")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def upgrade_command(revision: str) -> None:
    """Create the database, or bring it up to the latest schema."""
    db.upgrade(db.engine(), revision)
    click.echo(f"database is at revision {revision}: {db.engine().url.render_as_string()}")


@db_cli.command("revision")
@click.option("-m", "--message", required=True, help="What the migration changes.")
def revision_command(message: str) -> None:
    """Write a new migration from the difference between the models and the database."""
    db.new_revision(db.engine(), message)


def init_app(app: Flask) -> None:
    app.cli.add_command(db_cli)
