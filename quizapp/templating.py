"""Template filters and globals shared by every page."""

import random
import re
from collections.abc import Hashable, Iterator
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import quote

from flask import Flask, current_app, g, render_template, request, session, url_for
from markupsafe import Markup

from . import catalog, security
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
    app.extensions["quizapp.stand_ins"] = _StandIns()
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
    app.add_template_global(fragment, "fragment")
    app.add_template_global(source_cards, "source_cards")
    app.add_template_global(FROM, "FROM")


def fragment(template: str, key: Hashable = "", **context) -> Markup:
    """A part of a page that depends only on the content (a quiz list, an article's text):
    rendered once per content version and root path, then served as it is. A content reload
    makes a new snapshot, and with it new fragments."""
    key = (template, key, request._get_current_object().script_root)  # see security.PROXIES
    return _kept(key, lambda: Markup(render_template(template, **context)))


def _kept(key: tuple, render):
    """What `render` makes, kept with the current content version under `key`."""
    fragments = catalog.current().fragments
    found = fragments.get(key)
    if found is None:
        found = render()
        if len(fragments) < MAX_FRAGMENTS:
            fragments[key] = found
    return found


def page(template: str, key: Hashable, values: dict[str, int | str], **context) -> str:
    """The page `render_template(template, **values, **context)` makes, made from a copy of it
    rendered once per content version, key and layout, in which each of `values` (and the CSRF
    token) stood as a stand-in, filled in here.

    For the pages every learner turns, where rendering the template took as long as reading the
    attempt. `key` must tell apart everything in `context` the page shows; `values` are what
    changes from one learner to the next (positions, an attempt's id), and the template may only
    print them or build links with them, never decide on them (tests/quiz/test_page_copies.py
    renders the pages both ways). A Markup value (HTML made for this learner: a list's items, an
    escaped name) is put in as it is, so the template may only print it. Any other value that
    would print differently escaped or in a link, or a message waiting to be flashed, makes the
    page in full.
    """
    if "_flashes" in session._get_current_object() or not all(map(_plain, values.values())):
        return render_template(template, **values, **context)
    app = current_app._get_current_object()  # see security.PROXIES
    stand_ins = app.extensions["quizapp.stand_ins"]
    layout = (
        request._get_current_object().script_root,
        accounts.signed_in(),
        authoring.open_to_all(),
    )

    def copy() -> _Copy:
        g.quizapp_copy = True  # the links' way back is filled in below (see _opened_from)
        try:
            fill = {name: int(stand_ins[name]) for name in values}
            html = render_template(template, **fill, **context, csrf_token=lambda: stand_ins[CSRF])
        finally:
            g.quizapp_copy = False
        named = {stand_ins[name]: name for name in (*values, CSRF)}
        pieces = _alternatives(tuple(named)).split(html)
        texts = tuple(pieces[::2])
        names = tuple(named[piece] for piece in pieces[1::2])
        return _Copy(texts, names, any(_FROM_LINK in text for text in texts))

    kept = _kept(("page", template, key, layout), copy)
    filled = {name: str(value) for name, value in values.items()}
    if CSRF in kept.names:
        filled[CSRF] = security.csrf_token()
    texts = kept.texts
    if kept.links_back:  # the copy's own links say which page they were opened from
        opened = _from_query()
        texts = [str.replace(text, _FROM_LINK, opened) for text in texts]
    parts = [""] * (2 * len(kept.names) + 1)
    parts[::2] = texts
    parts[1::2] = map(filled.__getitem__, kept.names)  # no value is read again, for anything
    return Markup("".join(parts))


class _Copy(NamedTuple):
    """A page's copy in pieces: its texts, and between each two the name of the value that
    stands there."""

    texts: tuple[str, ...]
    names: tuple[str, ...]
    links_back: bool  # whether a text has a link to say which page it was opened from


CSRF = "csrf_token"
_PLAIN = re.compile(r"[A-Za-z0-9_.-]*")  # printed the same escaped or not, and in a link


def _plain(value: int | str) -> bool:
    return isinstance(value, int | Markup) or _PLAIN.fullmatch(value) is not None


class _StandIns(dict):
    """A stand-in per value's name, the same for the life of the process: a number of 13 digits
    that no page otherwise shows (a number, so that it passes a link's number converter)."""

    def __missing__(self, name: str) -> str:
        # setdefault: two threads drawing one at once both take the one kept
        return self.setdefault(name, str(random.SystemRandom().randrange(10**12, 10**13)))


@lru_cache(maxsize=64)
def _alternatives(stand_ins: tuple[str, ...]) -> re.Pattern:
    """Any of the stand-ins, captured (so that re.split keeps them)."""
    return re.compile(f"({'|'.join(stand_ins)})")


MAX_FRAGMENTS = 10_000  # per content version: more than the content can hold, fewer than memory
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
    built = current_app._get_current_object().extensions["quizapp.layout_links"]
    root = request._get_current_object().script_root  # see security.PROXIES
    if root not in built:
        if len(built) >= 8:  # a proxy sending many prefixes: keep a few
            built.clear()
        built[root] = {
            name: url_for(endpoint, **values) for name, (endpoint, values) in LAYOUT_LINKS.items()
        }
    return built[root]


def _markdown(text: str) -> Markup:
    """Content's Markdown as HTML, rendered once per content version (texts from the content
    are few; anything else is rendered each time)."""
    return _kept(("markdown", text), lambda: Markup(render_markdown(text)))


FROM = "__from__"  # stands for the page a source link was followed from (see source_cards)
_FROM_LINK = f"?from={FROM}"


def source_cards(question) -> Markup:
    """A statement's source cards (content only, rendered once per content version), with
    each link saying which quiz page it was opened from, so that the article can offer the
    way back."""
    key = f"{question.id}\0{question.revision}"
    return _opened_from(fragment("_source_cards.html", key=key, question=question))


def review_items(steps, open_first: bool) -> Markup:
    """Statements of a finished attempt in its results, each rendered once per content version
    for each way of answering it (right or not, how sure, open or not), then numbered for this
    page; the first open if `open_first`."""

    def key(n: int, step) -> tuple:
        response, question = step.response, step.question
        opened = open_first and n == 0
        # right or not as scored when answered: an edit since may have turned the answer key
        given = (response.answer, response.correct, response.certainty)
        return (question.id, question.revision, *given, opened)

    def context(n: int, step) -> dict:
        response = step.response
        return {
            "question": step.question,
            "correct": response.correct,
            "answer": response.answer,
            "certainty": response.certainty,
            "open": open_first and n == 0,
        }

    items = _each("quiz/_review_item.html", steps, key, context)
    numbered = (str.replace(item, "__number__", str(int(s.number))) for item, s in items)
    return _opened_from("".join(numbered))


def glance(steps) -> Markup:
    """Every statement of a finished attempt at a glance: a link to each, right or not."""
    return _per_step("quiz/_glance_item.html", steps, lambda _n, s: (s.number, s.response.correct))


def held(steps) -> Markup:
    """Statements of a finished attempt answered wrong with confidence: a link to each."""
    return _per_step(
        "quiz/_held_item.html",
        steps,
        lambda _n, s: (
            s.number,
            s.question.id,
            s.question.revision,
            s.response.answer,
            s.response.certainty,
        ),
    )


def _per_step(template: str, steps, key) -> Markup:
    """Each step's part, rendered from the step and kept under `key(n, step)`, joined."""
    items = _each(template, steps, key, lambda _n, step: {"step": step})
    return Markup("".join(item for item, _ in items))


def _each(template: str, items, key, context) -> Iterator[tuple[str, object]]:
    """`fragment` for each of many items on one page: (the part, the item). The part is kept
    under `key(n, item)`, and rendered from `context(n, item)` the first time."""
    kept, root = catalog.current().fragments, request._get_current_object().script_root
    for n, item in enumerate(items):
        found = kept.get((template, k := key(n, item), root))
        yield (found if found is not None else fragment(template, k, **context(n, item))), item


def _opened_from(html: str) -> Markup:
    """Fill in the page the links were followed from (plain str.replace: Markup's own would
    escape its arguments again on every call)."""
    if _FROM_LINK not in html or g._get_current_object().get("quizapp_copy"):
        return Markup(html)  # no link to fill in, or a page's copy (filled in by page)
    return Markup(str.replace(html, _FROM_LINK, _from_query()))


def _from_query() -> str:
    """What a source link carries to say which quiz page it was followed from: nothing from
    another page."""
    path = request._get_current_object().path  # see security.PROXIES
    back = path if path.startswith("/attempts/") else ""
    return f"?from={quote(back, safe='/')}" if back else ""
