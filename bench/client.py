"""A learner's browser over plain HTTP: cookies, CSRF tokens, no redirects followed.

Used by the load, fault and several-server checks and by the HTTP benchmark; it speaks to a
server on loopback only.
"""

import http.client
import re
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@dataclass
class Reply:
    status: int
    location: str
    body: str


@dataclass
class Browser:
    base: str
    cookies: dict[str, str] = field(default_factory=dict)
    token: str = ""

    def __post_init__(self):
        self.connection = None

    def request(self, method: str, path: str, form: dict | None = None) -> Reply:
        """One request on a kept-alive connection; a dropped connection is retried once."""
        body = urlencode(form) if form is not None else None
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(urlsplit(self.base).netloc, timeout=30)
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                text = response.read().decode()
                break
            except (ConnectionError, http.client.HTTPException):
                self.close()
                if attempt == 2 or method == "POST":  # a POST is never sent twice unasked
                    raise
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        found = TOKEN.search(text)
        if found:
            self.token = found.group(1)
        return Reply(response.status, response.headers.get("Location", ""), text)

    def get(self, path: str) -> Reply:
        return self.request("GET", path)

    def post(self, path: str, form: dict) -> Reply:
        return self.request("POST", path, {**form, "csrf_token": self.token})

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def path_of(location: str) -> str:
    return urlsplit(location).path or location


@dataclass
class Learner:
    """Takes `bank` statement by statement, remembering every answer the server acknowledged."""

    browser: Browser
    bank: str = "load-test"
    attempt: str = ""
    acknowledged: list[tuple[str, int, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def start(self) -> None:
        self.browser.get(f"/quizzes/{self.bank}")
        started = self.browser.post(f"/quizzes/{self.bank}", {"display_name": ""})
        self._expect(started, 302, "start")
        self.attempt = path_of(started.location)

    def answer_next(self) -> bool:
        """Answer the first unanswered statement; False when the attempt is finished."""
        resumed = self.browser.get(self.attempt)
        self._expect(resumed, 302, "resume")
        target = path_of(resumed.location)
        if target.endswith("/results"):
            return False
        page = self.browser.get(target)
        self._expect(page, 200, "statement")
        answer = "myth"
        reply = self.browser.post(target, {"answer": answer})
        self._expect(reply, 302, "answer")
        self.acknowledged.append(
            (self.attempt.rsplit("/", 1)[1], int(target.rsplit("/", 1)[1]), answer)
        )
        return True

    def finish(self) -> None:
        while self.answer_next():
            pass
        results = self.browser.get(self.attempt + "/results")
        self._expect(results, 200, "results")

    def _expect(self, reply: Reply, status: int, what: str) -> None:
        if reply.status != status:
            self.errors.append(f"{what}: {reply.status}")
            raise RuntimeError(f"{what} answered {reply.status}, expected {status}")
