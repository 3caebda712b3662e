"""The baseline of `make bench`: a bare Flask app that only says hello, served by the same
gunicorn settings as the app, so that a ratio to it is what the app's own work costs."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
@app.get("/healthz")
def hello():
    return "hello"
