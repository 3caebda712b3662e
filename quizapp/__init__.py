"""The myth-versus-fact quiz app: create_app() builds it from config layers and parts."""

import os
from pathlib import Path

from flask import Flask, Request, current_app
from werkzeug.sansio.http import parse_cookie
from werkzeug.utils import cached_property
from werkzeug.wrappers import Request as WerkzeugRequest

from . import catalog, cli, config, db, errors, ops, paths, security, templating, throttle
from .articles.views import bp as articles_bp
from .authoring.views import bp as authoring_bp
from .instructor import accounts
from .instructor.views import bp as instructor_bp
from .lti import views as lti
from .quiz.views import bp as quiz_bp


class QuizRequest(Request):
    """Flask's request, reading its cookies from the one Cookie header in the WSGI environ, and
    its form limits from the app's config once per form.

    werkzeug finds that header by walking every header the request carries (a browser sends a
    dozen), where it reads any other header by name; every learner page reads its cookies. The
    parsing is werkzeug's own, as its request does it (the values as the server passed them)."""

    @cached_property
    def cookies(self):
        return parse_cookie(self.environ.get("HTTP_COOKIE"), cls=self.dict_storage_class)

    def _load_form_data(self) -> None:
        """werkzeug's parsing within the app's limits, as Flask's request reads a form. Flask
        reads each limit (werkzeug's parser asks for all three, whatever the body), and its
        debug flag, through the `current_app` proxy: ten lookups to read one form, a tenth of
        an answer post's time in the app. Here the limits are read from the config once and set
        on the request, as Flask lets a view set them (a limit set before is kept; one the
        config leaves unset is still read through Flask's property). Flask's debug-mode message
        for a form field looked up in `request.files` is left out: nothing here reads files."""
        config = current_app._get_current_object().config  # see security.PROXIES
        if self._max_content_length is None:
            self.max_content_length = config["MAX_CONTENT_LENGTH"]
        if self._max_form_memory_size is None:
            self.max_form_memory_size = config["MAX_FORM_MEMORY_SIZE"]
        if self._max_form_parts is None:
            self.max_form_parts = config["MAX_FORM_PARTS"]
        WerkzeugRequest._load_form_data(self)


class QuizApp(Flask):
    """Flask, asking once per function, not on every call, whether a view or hook is a
    coroutine (Flask asks on every call to each hook, the view and the teardowns: seven times on
    a learner's page). None of this app's is one; Flask's own answer is kept either way."""

    REMEMBERED = 1024  # functions; a callback made for one request is new each time
    request_class = QuizRequest

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._synchronous: set = set()

    def ensure_sync(self, func):
        if func in self._synchronous:
            return func
        made = super().ensure_sync(func)
        if made is func:
            if len(self._synchronous) >= self.REMEMBERED:
                self._synchronous.clear()
            self._synchronous.add(func)
        return made


def create_app(test_config: dict | None = None) -> Flask:
    """Config from defaults, then instance/config.py, then QUIZAPP_* variables, then test_config."""
    app = QuizApp(
        __name__,
        instance_path=os.environ.get("QUIZAPP_INSTANCE_PATH") or None,
        instance_relative_config=True,
        template_folder=str(paths.bundled("templates")),
        static_folder=str(paths.bundled("static")),
    )
    app.config.from_object(config.Defaults)
    app.config.from_pyfile("config.py", silent=True)
    config.load_environment(app.config, os.environ)
    if test_config is not None:
        app.config.from_mapping(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    config.finish(app)

    db.init_app(app)
    catalog.init_app(app)
    lti.init_app(app)
    security.init_app(app)
    throttle.init_app(app)
    accounts.init_app(app)
    errors.init_app(app)
    templating.init_app(app)
    cli.init_app(app)

    app.register_blueprint(ops.bp)
    app.register_blueprint(quiz_bp)
    app.register_blueprint(articles_bp)
    app.register_blueprint(authoring_bp)
    app.register_blueprint(instructor_bp)
    app.register_blueprint(lti.bp)
    return app
