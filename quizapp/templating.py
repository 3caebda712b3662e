"""Template filters and globals shared by every page."""

from flask import Flask, current_app, request, url_for
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


# The links in every page's layout: (endpoint, values) by name.
LAYOUT_LINKS = {
    "stylesheet": ("static", {"filename": "style.css"}),
    "home": ("quiz.home", {}),
    "progress": ("quiz.my_progress", {}),
    "classes": ("instructor.dashboard", {}),
    "sign_in": ("instructor.login", {}),
    "sign_out": ("instructor.logout", {}),
    "author_tools": ("authoring.problems", {}),
}


def init_app(app: Flask) -> None:
    app.extensions["quizapp.layout_links"] = {}
    app.add_template_global(layout_links, "layout_links")
    app.add_template_filter(_markdown, "markdown")
    app.add_template_global(STANCES, "STANCES")
    app.add_template_global(scoring.CERTAINTY, "CERTAINTY")
    app.add_template_global(scoring.cbm_mark, "cbm")
    app.add_template_global(catalog.library, "library")
    app.add_template_global(authoring.enabled, "author_tools")
    app.add_template_global(authoring.open_to_all, "development_mode")
    app.add_template_global(accounts.signed_in, "signed_in")
    app.add_template_global(public_url, "public_url")


DEVELOPMENT_ROOT = "http://127.0.0.1:5000/"  # where `make run` serves


def public_url(endpoint: str, **values) -> str:
    """An absolute link to copy or send: from QUIZAPP_PUBLIC_URL, never from the Host header
    a client sent (without the setting, as in development, from the request)."""
    root = current_app.config["QUIZAPP_PUBLIC_URL"]
    if not root:
        return url_for(endpoint, _external=True, **values)
    path = url_for(endpoint, **values).removeprefix(request.script_root)
    return root.rstrip("/") + path


def layout_links() -> dict[str, str]:
    """The layout's links, built once for each root the app is served under.

    They are the same on every page, and building them took a page as long as reading an
    attempt from the database.
    """
    built = current_app.extensions["quizapp.layout_links"]
    root = request.script_root
    if root not in built:
        if len(built) >= 8:  # a proxy sending many prefixes: keep a few
            built.clear()
        built[root] = {
            name: url_for(endpoint, **values) for name, (endpoint, values) in LAYOUT_LINKS.items()
        }
    return built[root]


def _markdown(text: str) -> Markup:
    return Markup(render_markdown(text))
