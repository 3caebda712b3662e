"""Template filters shared by every page."""

from flask import Flask
from markupsafe import Markup

from . import catalog
from .authoring import views as authoring
from .content import render_markdown
from .instructor import accounts
from .quiz import scoring

STANCES = {
    "supports": "supports this statement",
    "contradicts": "contradicts this statement",
    "context": "gives context",
}


def init_app(app: Flask) -> None:
    app.add_template_filter(_markdown, "markdown")
    app.add_template_global(STANCES, "STANCES")
    app.add_template_global(scoring.CERTAINTY, "CERTAINTY")
    app.add_template_global(scoring.cbm_mark, "cbm")
    app.add_template_global(catalog.library, "library")
    app.add_template_global(authoring.enabled, "author_tools")
    app.add_template_global(accounts.signed_in, "signed_in")


def _markdown(text: str) -> Markup:
    return Markup(render_markdown(text))
