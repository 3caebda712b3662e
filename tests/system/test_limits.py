"""Sign-in limits hold exactly across gunicorn's workers with the default settings: the
counts live in the database the workers share, not in each worker's memory."""

from concurrent.futures import ThreadPoolExecutor

from bench.client import Browser
from quizapp import create_app, db
from quizapp.instructor import accounts

from .conftest import database_url


def test_sixty_rapid_wrong_passwords_let_exactly_ten_through(servers, tmp_path):
    url = database_url("sqlite", tmp_path)
    server = servers(url, QUIZAPP_WORKERS="4")
    app = create_app({"QUIZAPP_DATABASE_URL": url, "SECRET_KEY": "cli"})
    with app.app_context():
        accounts.create(db.session(), "lead@example.org", "the real password")
    first = Browser(server.url)
    first.get("/instructor/login")

    def guess(n: int) -> int:
        browser = Browser(server.url, cookies=dict(first.cookies), token=first.token)
        form = {"email": "lead@example.org", "password": f"wrong guess {n}"}
        status = browser.post("/instructor/login", form).status
        browser.close()
        return status

    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(guess, range(60)))
    print(f"\n60 wrong passwords at once, 4 workers: {statuses.count(400)} checked, "
          f"{statuses.count(429)} refused with 429")  # fmt: skip
    assert statuses.count(400) == 10 and statuses.count(429) == 50
