"""`flask lti ...`: register platforms, rotate the tool's keys, send scores."""

import time

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from .. import db
from ..templating import DEVELOPMENT_ROOT, public_url
from . import keys, outbox, platforms, registration, roster, scores

lti_cli = AppGroup("lti", help="Connect LMSs (LTI 1.3): platforms, keys and scores.")


@lti_cli.command("add-platform")
@click.option(
    "--issuer", required=True, help="The platform's issuer (iss), e.g. https://lms.example.org"
)
@click.option("--client-id", required=True, help="The client id the LMS gave this tool.")
@click.option(
    "--deployment-id",
    "deployment_ids",
    multiple=True,
    required=True,
    help="A deployment id of the tool in the LMS (repeat for several).",
)
@click.option("--auth-login-url", required=True, help="The platform's OIDC authentication URL.")
@click.option("--token-url", required=True, help="The platform's access token URL.")
@click.option("--jwks-url", required=True, help="The platform's public keyset URL.")
@click.option("--name", help="A name to show for it (default: the issuer's host).")
@click.option("--audience", help="The token URL's audience, if the platform names another.")
def add_platform_command(
    issuer, client_id, deployment_ids, auth_login_url, token_url, jwks_url, name, audience
):
    """Register an LMS: the values are on the LMS's page for the tool (Moodle: "Tool
    configuration details"; Canvas: the developer key's client id and the deployment id)."""
    try:
        found = platforms.add(
            db.session(),
            issuer=issuer,
            client_id=client_id,
            deployment_ids=list(deployment_ids),
            auth_login_url=auth_login_url,
            auth_token_url=token_url,
            key_set_url=jwks_url,
            name=name,
            auth_audience=audience,
        )
    except platforms.RegistrationError as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"platform {found.id} added: {found.issuer} client id {found.client_id}")
    _tool_urls()


def _public(endpoint: str, **values) -> str:
    root = current_app.config["QUIZAPP_PUBLIC_URL"]
    with current_app.test_request_context("/", base_url=root or DEVELOPMENT_ROOT):
        return public_url(endpoint, **values)


def _tool_urls() -> None:
    click.echo(f"  tool login URL (OIDC initiation): {_public('lti.login')}")
    click.echo(f"  tool launch / redirect URL:       {_public('lti.launch')}")
    click.echo(f"  tool public keyset URL:           {_public('lti.jwks')}")


@lti_cli.command("list")
def list_command():
    """The registered platforms, with their deployments."""
    found = platforms.listing(db.session())
    if not found:
        click.echo("no platform is registered: flask lti add-platform, or Dynamic Registration")
    for platform in found:
        deployments = ", ".join(d.deployment_id for d in platform.deployments) or "none"
        click.echo(
            f"{platform.id}  {platform.name}  issuer {platform.issuer}  "
            f"client id {platform.client_id}  deployments {deployments}"
        )


@lti_cli.command("remove")
@click.argument("platform_id", type=int)
def remove_command(platform_id: int):
    """Remove a platform: its launches stop working; the classes and work it brought stay."""
    try:
        found = platforms.remove(db.session(), platform_id)
    except platforms.RegistrationError as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"platform {platform_id} removed: {found.issuer} client id {found.client_id}")


@lti_cli.command("rotate-keys")
def rotate_keys_command():
    """Make a new signing key: published now, signing an hour from now; the key it replaces
    stays published an hour after that, until nothing it signed can still be checked."""
    fresh, replaced = keys.rotate(db.session())
    click.echo(
        f"new key {fresh.kid}: published now, signs from {fresh.signs_from:%Y-%m-%d %H:%M} UTC"
    )
    click.echo(f"key {replaced.kid} signs until then and stays published one hour more")


@lti_cli.command("registration-url")
def registration_url_command():
    """The URL to paste into the LMS for Dynamic Registration (Moodle: "Tool URL" under
    "Manage tools"; Canvas: "LTI Registration" developer key)."""
    with current_app.app_context():
        key = registration.registration_key()
    click.echo(_public("lti.register", key=key))
    click.echo(f"Canvas developer key by URL: {_public('lti.canvas')}")
    _tool_urls()


@lti_cli.command("send-scores")
@click.option(
    "--loop",
    "every",
    type=click.FloatRange(min=1),
    metavar="SECONDS",
    help="Keep going, a pass every SECONDS (a side process); without it, one pass.",
)
def send_scores_command(every: float | None):
    """Send the scores waiting for their LMS, and read the member lists of courses that were
    read more than 10 minutes ago. Run it every minute (a systemd timer, cron) or as a side
    process with --loop 60; several at once never send the same score."""
    while True:
        session = db.session()
        try:
            summary = scores.send_due(session)
            read, failed = roster.refresh_stale(session)
            click.echo(f"{summary}; member lists: {read} read, {failed} failed")
        except SQLAlchemyError as e:
            if every is None:
                raise
            session.rollback()  # the database is away: the next pass tries again
            click.echo(f"the pass failed: {e}", err=True)
        finally:
            session.close()  # the next pass reads afresh
        if every is None:
            return
        time.sleep(every)


@lti_cli.command("scores")
def scores_command():
    """The scores the LMSs have not accepted yet, failed ones first, with their ids (for
    resend), how often they were tried, when the next try is and the LMS's last answer."""
    found = outbox.waiting(db.session())
    if not found:
        click.echo("every score has been accepted by its LMS")
    for score in found:
        click.echo(
            f"{score.id}  {score.platform}  {score.learner}  {score.link_title or score.bank_id}"
            f"  {score.score_given:g}%  tries {score.tries}"
            f"  next {score.next_try_at:%Y-%m-%d %H:%M} UTC"
            + (f"  last answer: {score.last_error}" if score.last_error else "")
        )


@lti_cli.command("resend")
@click.option("--all-failed", is_flag=True, help="Every unsent score that failed at least once.")
@click.argument("score_ids", nargs=-1, type=int)
def resend_command(all_failed: bool, score_ids: tuple[int, ...]):
    """Make unsent scores due now (by id, or --all-failed); the next send-scores sends them."""
    if not all_failed and not score_ids:
        raise click.UsageError("name the scores (their ids), or give --all-failed")
    ids = list(score_ids) if score_ids else None
    count = outbox.resend(db.session(), ids, all_failed=all_failed)
    click.echo(f"{count} score{'s' if count != 1 else ''} due now; send-scores sends them")
