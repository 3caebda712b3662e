"""Limits on attempts that guess: instructor sign-ins, way-back codes and join codes.

Counts are fixed windows kept where every worker and server sees them: in the app's database
by default (QUIZAPP_RATELIMIT_STORAGE_URI=database), or in Redis (redis://host:6379). Each
attempt is counted (spend) before the guess is checked, in one atomic statement, so the limit
is exact however many requests arrive at once; one that succeeds is given back (refund).
`memory://` keeps counts in one process only.
"""

import ipaddress
import random
import time

from flask import Flask, abort, current_app, request
from limits import RateLimitItem, parse_many
from limits.storage import Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy import Engine, delete, select, text
from sqlalchemy.exc import SQLAlchemyError

from . import db
from .models import RateLimit

# what each kind of attempt is limited by (each a QUIZAPP_* setting)
SETTINGS = {"sign-in": "QUIZAPP_LOGIN_LIMITS", "guesses": "QUIZAPP_GUESS_LIMITS"}


def init_app(app: Flask) -> None:
    uri = app.config["QUIZAPP_RATELIMIT_STORAGE_URI"]
    storage = DatabaseStorage(db.engine(app)) if uri == "database" else storage_from_string(uri)
    app.extensions["quizapp.throttle"] = FixedWindowRateLimiter(storage)


def _limits(kind: str) -> list[RateLimitItem]:
    return parse_many(current_app.config[SETTINGS[kind]])


def spend(kind: str, *key: str) -> None:
    """Count one attempt; 429 if it goes over any of the kind's limits for this key."""
    limiter = current_app.extensions["quizapp.throttle"]
    for item in _limits(kind):
        if not limiter.hit(item, kind, *key):
            _refuse(limiter, item, kind, *key)


def refund(kind: str, *key: str) -> None:
    """Give back an attempt that succeeded: only failures use up a limit."""
    limiter = current_app.extensions["quizapp.throttle"]
    for item in _limits(kind):
        limiter.storage.incr(item.key_for(kind, *key), item.get_expiry(), amount=-1)


def address() -> str:
    """The client's address as a limit key; an IPv6 client is its /64, which one home or
    school network has whole."""
    remote = request.remote_addr or ""
    try:
        ip = ipaddress.ip_address(remote)
    except ValueError:
        return remote
    return str(ipaddress.ip_network(f"{ip}/64", strict=False)) if ip.version == 6 else str(ip)


def _refuse(limiter: FixedWindowRateLimiter, item: RateLimitItem, *key: str):
    reset_at = limiter.get_window_stats(item, *key).reset_time
    abort(429, retry_after=max(1, int(reset_at - time.time()) + 1))


class DatabaseStorage(Storage):
    """Fixed-window counts in the app's database: one row per key, raised by an upsert."""

    STORAGE_SCHEME = None  # made by init_app from the app's engine, never from a URI

    _HIT = text(
        "INSERT INTO rate_limit (bucket, hits, expires_at) VALUES (:key, :fresh, :expires) "
        "ON CONFLICT (bucket) DO UPDATE SET "
        "hits = CASE WHEN rate_limit.expires_at <= :now THEN :fresh "
        "ELSE rate_limit.hits + :amount END, "
        "expires_at = CASE WHEN rate_limit.expires_at <= :now THEN :expires "
        "ELSE rate_limit.expires_at END "
        "RETURNING hits"
    )

    def __init__(self, engine: Engine):
        super().__init__()
        self.engine = engine

    @property
    def base_exceptions(self):
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        with self._writing() as connection:
            # a new window starts at the amount, or at 0 for a refund that came too late
            values = {"key": key, "amount": amount, "fresh": max(amount, 0), "now": now}
            hits = connection.execute(self._HIT, values | {"expires": now + expiry}).scalar_one()
            if random.random() < 0.01:  # now and then, forget windows long over
                connection.execute(delete(RateLimit).where(RateLimit.expires_at < now - 86400))
        return hits

    def get(self, key: str) -> int:
        query = select(RateLimit.hits).where(
            RateLimit.bucket == key, RateLimit.expires_at > time.time()
        )
        with self.engine.connect() as connection:
            return connection.scalar(query) or 0

    def get_expiry(self, key: str) -> float:
        query = select(RateLimit.expires_at).where(RateLimit.bucket == key)
        with self.engine.connect() as connection:
            return connection.scalar(query) or time.time()

    def check(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with self._writing() as connection:
            return connection.execute(delete(RateLimit)).rowcount

    def clear(self, key: str) -> None:
        with self._writing() as connection:
            connection.execute(delete(RateLimit).where(RateLimit.bucket == key))

    def _writing(self):
        """A short write transaction (BEGIN IMMEDIATE on SQLite: see db.begin_write)."""
        return self.engine.execution_options(sqlite_begin="IMMEDIATE").begin()
