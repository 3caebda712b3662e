"""The tool's signing keys, published at /lti/jwks.json.

A platform fetches the tool's key set when it checks something the tool signed (a client
assertion for a token, a deep linking response). So a new key is published some time before it
signs (`PUBLISH_LEAD`), and the key it replaces stays published until nothing it signed can
still be checked (`KEEP_AFTER`): platforms that cache the key set never meet an unknown kid.
"""

import json
import secrets
from datetime import timedelta

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwcrypto.jwk import JWK
from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from ..db import begin_write
from ..models import utcnow
from .models import ToolKey

PUBLISH_LEAD = timedelta(hours=1)  # a new key is published this long before it signs
KEEP_AFTER = timedelta(hours=1)  # longer than anything the tool signs lives (5 minutes)


def _new_key(signs_from) -> ToolKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    kid = secrets.token_hex(16)
    public = json.loads(JWK.from_pem(pem.encode()).export_public())
    public.update(kid=kid, alg="RS256", use="sig")
    return ToolKey(kid=kid, private_pem=pem, public_jwk=public, signs_from=signs_from)


def published(db: Session) -> list[dict]:
    """The public keys platforms may fetch, newest first (never a private part); the first
    key is made on the first request, so a platform never reads an empty set."""
    signing_key(db)
    now = utcnow()
    query = (
        select(ToolKey.public_jwk)
        .where(or_(ToolKey.unpublish_at.is_(None), ToolKey.unpublish_at > now))
        .order_by(ToolKey.created_at.desc())
    )
    return list(db.scalars(query))


def signing_key(db: Session) -> ToolKey:
    """The key that signs now: the newest whose time has come; the first key ever made signs
    at once."""
    query = (
        select(ToolKey)
        .where(ToolKey.signs_from <= utcnow())
        .order_by(ToolKey.signs_from.desc())
        .limit(1)
    )
    found = db.scalars(query).first()
    if found is None:
        begin_write(db)
        found = _new_key(signs_from=utcnow())
        db.add(found)
        db.commit()
    return found


def rotate(db: Session) -> tuple[ToolKey, ToolKey | None]:
    """A new key, published now and signing after PUBLISH_LEAD; the key signing now is
    unpublished KEEP_AFTER that; keys past their time are deleted. Returns (new, replaced)."""
    now = utcnow()
    current = signing_key(db)
    begin_write(db)
    db.execute(delete(ToolKey).where(ToolKey.unpublish_at <= now))
    fresh = _new_key(signs_from=now + PUBLISH_LEAD)
    db.add(fresh)
    older_keys = select(ToolKey).where(ToolKey.unpublish_at.is_(None), ToolKey.kid != fresh.kid)
    for older in db.scalars(older_keys):
        older.unpublish_at = fresh.signs_from + KEEP_AFTER
    db.commit()
    return fresh, current
