"""LMS registrations in the database: add, list, remove, find."""

from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from ..db import begin_write
from .models import Deployment, Platform


class RegistrationError(Exception):
    """A registration that cannot be made, with what to fix."""


def _checked_url(name: str, url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise RegistrationError(f"{name} must be an absolute http(s) address, not {url!r}")
    return url


def add(
    db: Session,
    *,
    issuer: str,
    client_id: str,
    deployment_ids: list[str],
    auth_login_url: str,
    auth_token_url: str,
    key_set_url: str,
    name: str | None = None,
    auth_audience: str | None = None,
) -> Platform:
    """Register a platform (an issuer and one of its client ids) with its deployments."""
    if not client_id.strip():
        raise RegistrationError("the client id is empty")
    if not deployment_ids:
        raise RegistrationError("give at least one deployment id")
    platform = Platform(
        issuer=_checked_url("the issuer", issuer),
        client_id=client_id.strip(),
        name=name or urlsplit(issuer).netloc,
        auth_login_url=_checked_url("the OIDC authentication URL", auth_login_url),
        auth_token_url=_checked_url("the access token URL", auth_token_url),
        key_set_url=_checked_url("the public keyset URL", key_set_url),
        auth_audience=auth_audience,
        deployments=[Deployment(deployment_id=d) for d in dict.fromkeys(deployment_ids)],
    )
    begin_write(db)
    db.add(platform)
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        raise RegistrationError(
            f"{issuer} with client id {client_id} is already registered; remove it first"
        ) from None
    return platform


def listing(db: Session) -> list[Platform]:
    query = select(Platform).options(selectinload(Platform.deployments)).order_by(Platform.id)
    return list(db.scalars(query))


def remove(db: Session, platform_id: int) -> Platform:
    found = db.get(Platform, platform_id)
    if found is None:
        raise RegistrationError(f"there is no platform {platform_id} (see flask lti list)")
    begin_write(db)
    db.delete(found)
    db.commit()
    return found


def find(db: Session, issuer: str, client_id: str | None) -> Platform | None:
    """The registration for this issuer and client id; without a client id (a login request
    may leave it out), the issuer's only registration, if it has just one."""
    query = select(Platform).where(Platform.issuer == issuer)
    if client_id:
        query = query.where(Platform.client_id == client_id)
    found = db.scalars(query.limit(2)).all()
    return found[0] if len(found) == 1 else None


def has_deployment(db: Session, platform: Platform, deployment_id: str) -> bool:
    return db.get(Deployment, (platform.id, deployment_id)) is not None
