"""For operators: a health check a load balancer can poll (and the benchmark's baseline)."""

from flask import Blueprint

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
def healthz():
    """The app is up and serving. It touches nothing else, on purpose."""
    return "ok\n", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}
