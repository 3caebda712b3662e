"""Command-line tools: `flask --app quizapp db ...` and `flask --app quizapp content ...`."""

import functools
import json
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from . import catalog, db
from .content import (
    ContentError,
    ContentProblem,
    exporting,
    importing,
    itemwriting,
    jsonschema,
    load_library,
)
from .instructor import accounts, invitations
from .lti.cli import lti_cli
from .templating import DEVELOPMENT_ROOT, public_url

db_cli = AppGroup("db", help="Create and upgrade the database.")
content_cli = AppGroup(
    "content", help="Check, describe, import and export question banks and articles."
)
instructor_cli = AppGroup("instructor", help="Manage instructor accounts.")


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


@content_cli.command("check")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--strict", is_flag=True, help="Fail on warnings as well as errors.")
@click.option(
    "--guessable-above",
    type=click.FloatRange(0, 1),
    default=itemwriting.GUESSABLE,
    show_default=True,
    help="Warn when the words alone let a classifier guess more verdicts than this share.",
)
@click.option(
    "--format", "output", type=click.Choice(["text", "json"]), default="text", help="Output."
)
def check_command(
    paths: tuple[Path, ...], strict: bool, guessable_above: float, output: str
) -> None:
    """Check every bank and article, or only those in PATHS; print every problem.

    Each problem is one line, path:line:col: error|warning: message. The exit status is 0
    when there is no error (and, with --strict, no warning), else 1.
    """
    root = catalog.content_root(current_app)
    _, problems = load_library(root, guessable_above)
    if paths:
        wanted = [_display(path, root) for path in paths]
        problems = [p for p in problems if any(_within(p.path, w) for w in wanted)]
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    if output == "json":
        click.echo(json.dumps([_as_dict(p) for p in problems], indent=2))
    else:
        for problem in problems:
            click.echo(str(problem))
        click.echo(f"{errors} error(s), {warnings} warning(s) in {root}", err=True)
    sys.exit(1 if errors or (strict and warnings) else 0)


@content_cli.command("schema")
def schema_command() -> None:
    """Print the JSON Schema (draft-07) of a bank file, as kept in questions/bank.schema.json."""
    click.echo(jsonschema.render(), nl=False)


@content_cli.command("export")
@click.argument("bank_id")
@click.option(
    "--format",
    "output",
    type=click.Choice(list(exporting.FORMATS)),
    default="gift",
    show_default=True,
    help="gift and moodle-xml for Moodle; qti21, a zip, for Canvas and other QTI platforms.",
)
@click.option(
    "--output",
    "path",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write to this file rather than to standard output.",
)
@click.option(
    "--public-url",
    metavar="URL",
    help="The address learners use, where the source links point (default: QUIZAPP_PUBLIC_URL).",
)
def export_command(bank_id: str, output: str, path: Path | None, public_url: str | None) -> None:
    """Write the bank BANK_ID for Moodle (GIFT, Moodle XML) or as a QTI 2.1 package.

    Each statement becomes a true/false question (true means fact) whose general feedback is
    the explanation and links to its sources, which start with QUIZAPP_PUBLIC_URL or
    --public-url. The QTI package is a zip: give --output, or redirect standard output.
    """
    library = catalog.library()
    bank = library.banks.get(bank_id)
    if bank is None:
        known = ", ".join(library.banks) or "none"
        raise click.BadParameter(
            f"no bank '{bank_id}' loaded (known: {known})", param_hint="BANK_ID"
        )
    root = public_url or current_app.config["QUIZAPP_PUBLIC_URL"]
    address = urlsplit(root or "")
    if address.scheme not in ("http", "https") or not address.netloc:
        raise click.UsageError(
            "the source links in an export must work for learners in Moodle or Canvas: set "
            "QUIZAPP_PUBLIC_URL, or pass --public-url, to the address learners use, "
            "e.g. https://quiz.example.org/"
        )
    chosen = exporting.FORMATS[output]
    if chosen.binary and path is None and sys.stdout.isatty():
        raise click.UsageError(
            f"{output} is a zip file: give --output PATH, or redirect standard output to a file"
        )
    data = chosen.export(bank, library, root)
    if path is None:
        sys.stdout.buffer.write(data)
    else:
        path.write_bytes(data)
        click.echo(f"wrote {path}: {len(bank.questions)} statements as {output}", err=True)


@content_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--bank", "bank_id", metavar="BANK_ID", required=True, help="The new bank's id (a slug)."
)
@click.option("--dry-run", is_flag=True, help="Print the bank's YAML instead of writing it.")
def import_command(file: Path, bank_id: str, dry_run: bool) -> None:
    """Make a new bank of the true/false questions in a GIFT or Moodle XML FILE.

    True means fact; the feedback is the explanation; questions of other types are listed and
    skipped. The bank is written to questions/BANK_ID.yaml in the content folder, never over
    an existing file, with `sources: []` for every statement until you cite the articles.
    Problems are printed as path:line:col: error: message, and the exit status is then 1.
    """
    if not bank_id or importing.slug(bank_id) != bank_id:
        raise click.BadParameter(
            f"'{bank_id}' is not a slug: use lowercase letters, digits and single hyphens, "
            f"like '{importing.slug(bank_id) or 'pore-basics'}'",
            param_hint="--bank",
        )
    root = catalog.content_root(current_app)
    say = functools.partial(click.echo, err=dry_run)  # with --dry-run, stdout is the YAML
    try:
        path = importing.target(root, bank_id)
        found = importing.read(file, str(file))
        say(f"{file}: read as {found.format} (told by its content)")
        for skipped in found.skipped:
            say(f"{file}:{skipped.line}:{skipped.col}: {skipped}")
        draft = importing.compose(found, bank_id, importing.ids_in_use(root), str(file))
        if not dry_run:
            importing.write(draft, path, root)
    except ContentError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        sys.exit(1)
    for change in draft.changes:
        say(change)
    if dry_run:
        click.echo(draft.text, nl=False)
    say(
        f"{'would write' if dry_run else 'wrote'} {path}: {draft.statements} statement(s), "
        "each with `sources: []`; cite an article section for each before learners see it "
        "(`flask --app quizapp content check` lists them)"
    )


def _password_option(prompt: str):
    """--password, asked for twice (hidden) unless given or in QUIZAPP_INSTRUCTOR_PASSWORD."""
    return click.option(
        "--password",
        prompt=prompt,
        hide_input=True,
        confirmation_prompt=True,
        envvar="QUIZAPP_INSTRUCTOR_PASSWORD",
        help="For scripts; otherwise you are asked (or set QUIZAPP_INSTRUCTOR_PASSWORD).",
    )


@instructor_cli.command("create")
@click.argument("email")
@_password_option("Password")
def create_instructor_command(email: str, password: str) -> None:
    """Create an instructor account that signs in with EMAIL."""
    try:
        instructor = accounts.create(db.session(), email, password)
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"created instructor {instructor.email}; sign in at /instructor/login")


@instructor_cli.command("set-password")
@click.argument("email")
@_password_option("New password")
def set_password_command(email: str, password: str) -> None:
    """Give the instructor EMAIL a new password; every session of the account ends."""
    try:
        instructor = accounts.set_password(db.session(), email, password)
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"new password for {instructor.email}; it is signed out everywhere")


@instructor_cli.command("invite")
@click.argument("email")
@click.option(
    "--days",
    type=click.IntRange(1, 90),
    default=invitations.LIFETIME.days,
    show_default=True,
    help="How long the link works.",
)
def invite_command(email: str, days: int) -> None:
    """Print a one-time link with which EMAIL creates their instructor account.

    Send it to them yourself. It works once, until it expires; the database keeps only a hash
    of it. The link starts with QUIZAPP_PUBLIC_URL.
    """
    try:
        made, token = invitations.create(db.session(), email, lifetime=timedelta(days=days))
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from None
    root = current_app.config["QUIZAPP_PUBLIC_URL"]
    with current_app.test_request_context("/", base_url=root or DEVELOPMENT_ROOT):
        link = public_url("instructor.newcomers.invitation", token=token)
    if not root:
        click.echo(
            f"QUIZAPP_PUBLIC_URL is not set: the link assumes the development server at "
            f"{DEVELOPMENT_ROOT}. Set it to the address instructors use.",
            err=True,
        )
    expires = made.expires_at.strftime("%Y-%m-%d %H:%M UTC")
    click.echo(f"Invitation for {made.email}: it works once, for {days} days (until {expires}).")
    click.echo(f"Send them this link (it is shown only now):\n\n  {link}\n")


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        raise click.BadParameter(
            f"{path} is not inside the content folder {root} (see QUIZAPP_CONTENT_DIR)",
            param_hint="PATHS",
        ) from None


def _within(problem_path: str, wanted: str) -> bool:
    return (
        wanted == "." or problem_path == wanted or problem_path.startswith(wanted.rstrip("/") + "/")
    )


def _as_dict(problem: ContentProblem) -> dict:
    return {
        "path": problem.path,
        "line": problem.line,
        "col": problem.col,
        "severity": problem.severity,
        "message": problem.message,
    }


def init_app(app: Flask) -> None:
    app.cli.add_command(db_cli)
    app.cli.add_command(content_cli)
    app.cli.add_command(instructor_cli)
    app.cli.add_command(lti_cli)
