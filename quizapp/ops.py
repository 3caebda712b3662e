"""For operators: a liveness check a load balancer can poll (and the benchmark's baseline),
and a readiness check that asks the database."""

from flask import Blueprint

from . import db

bp = Blueprint("ops", __name__)
PLAIN = {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}


@bp.get("/healthz")
def healthz():
    """The app is up and serving. It touches nothing else, on purpose."""
    return "ok\n", 200, PLAIN


@bp.get("/readyz")
def readyz():
    """The app can serve pages: the database answers within a second (else 503)."""
    if db.ready(timeout=1.0):
        return "ok: the database answers\n", 200, PLAIN
    return "not ready: the database did not answer within a second\n", 503, PLAIN
