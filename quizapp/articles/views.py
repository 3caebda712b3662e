"""Article pages: every section with its anchor, and the statements that cite it."""

from flask import Blueprint, abort, render_template, request

from .. import catalog
from ..security import same_site_path

bp = Blueprint("articles", __name__, url_prefix="/articles")


@bp.get("/<slug>")
def article(slug: str):
    found = catalog.library().articles.get(slug)
    if found is None:
        abort(404)
    # a source card says which quiz page it was opened from, to offer the way back
    back = same_site_path(request.args.get("from", ""))
    back = back if back and back.startswith("/attempts/") else None
    return render_template("articles/article.html", article=found, back=back)
