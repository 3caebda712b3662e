"""Article pages: every section with its anchor, and the statements that cite it."""

from flask import Blueprint, abort, render_template

from .. import catalog

bp = Blueprint("articles", __name__, url_prefix="/articles")


@bp.get("/<slug>")
def article(slug: str):
    found = catalog.library().articles.get(slug)
    if found is None:
        abort(404)
    return render_template("articles/article.html", article=found)
