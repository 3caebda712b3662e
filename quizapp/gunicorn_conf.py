"""gunicorn's settings for production (`make serve`), read from QUIZAPP_* variables.

gunicorn -c python:quizapp.gunicorn_conf quizapp.wsgi:app
"""

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
