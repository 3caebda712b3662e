"""gunicorn's settings for production (`make serve`), read from QUIZAPP_* variables.

gunicorn -c python:quizapp.gunicorn_conf quizapp.wsgi:app
"""

import gc
import multiprocessing
import os

# anything served by this config is production: a shared secret key, secure cookies
os.environ.setdefault("QUIZAPP_PRODUCTION", "true")

bind = os.environ.get("QUIZAPP_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("QUIZAPP_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("QUIZAPP_THREADS", "1"))
preload_app = True  # load the content once, and refuse to start at once on a bad setting
accesslog = "-"  # stdout
errorlog = "-"
timeout = 30
graceful_timeout = 10
keepalive = 5


def pre_fork(_server, _worker):
    """What the master loaded (the app, its content, its libraries) is set apart from Python's
    cyclic garbage collector before a worker is forked: a worker's full collections then pass
    over only what it made itself, and do not write to (and so copy) the pages it shares with
    the master."""
    gc.freeze()
