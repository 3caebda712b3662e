"""An LMS course page on one site frames the tool on another, both over HTTPS, in a Chromium
that blocks third-party cookies: the LTI launch completes inside the frame, on the tool's
partitioned (CHIPS) cookies alone, and the learner starts the quiz and answers a statement
there (so the framed session and its CSRF token work); axe finds no WCAG 2.1 AA violation in
the framed pages.

The tool is https://localhost:PORT; the LMS (FakeLMS's pages, served again over HTTPS, plus a
course page with the iframe) is https://127.0.0.1:PORT2, another site. FakeLMS's own plain-HTTP
address stays the issuer and serves the keys and tokens the tool fetches server to server.
"""

import datetime
import ipaddress
import json
import re
import threading
from urllib.parse import parse_qsl

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from markupsafe import escape
from werkzeug.serving import WSGIRequestHandler, make_server

from ..conftest import CHROMIUM, CHROMIUM_ARGS, FIXTURE_CONTENT
from ..lti.conftest import register
from ..lti.lms import LEARNER, FakeLMS, User
from .conftest import app_on_fresh_sqlite
from .test_learner_journey import assert_accessible

# Chromium's third-party cookie phase-out, as Chrome ships it: unpartitioned cookies are not
# sent to (nor set by) a frame on another site; partitioned ones are.
BROWSER_ARGS = [*CHROMIUM_ARGS, "--ignore-certificate-errors", "--test-third-party-cookie-phaseout"]

# Chromium's profile setting "Block third-party cookies" (0 would allow them)
BLOCK_THIRD_PARTY_COOKIES = json.dumps({"profile": {"cookie_controls_mode": 1}})

# Run in the tool's frame: set one unpartitioned and one partitioned cookie, read them back.
COOKIE_PROBE = """
() => {
  document.cookie = "probe_plain=1; SameSite=None; Secure; Path=/";
  document.cookie = "probe_chips=1; SameSite=None; Secure; Partitioned; Path=/";
  return document.cookie;
}
"""


class _Quiet(WSGIRequestHandler):
    def log(self, type, message, *args):
        pass


def _certificate(folder):
    """A self-signed certificate for localhost and 127.0.0.1: (cert path, key path)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(cert_path), str(key_path)


class _Served:
    """A WSGI app on an HTTPS port of 127.0.0.1, in a thread."""

    def __init__(self, wsgi, tls):
        self.server = make_server(
            "127.0.0.1", 0, wsgi, threaded=True, ssl_context=tls, request_handler=_Quiet
        )
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.thread.join()
        self.server.server_close()


def _course_page(lms_wsgi):
    """FakeLMS's pages, plus /course?hint=..., a course page that frames its launch page."""

    def wsgi(environ, start_response):
        if environ["PATH_INFO"] != "/course":
            return lms_wsgi(environ, start_response)
        hint = dict(parse_qsl(environ.get("QUERY_STRING", ""))).get("hint", "")
        html = (
            "<!doctype html><html lang=en><meta charset=utf-8><title>QZ101: Myths and facts"
            "</title><h1>Myths and facts</h1>"
            f'<iframe title="Quiz" src="/mod/lti/launch.php?hint={escape(hint)}" '
            'width="980" height="760"></iframe></html>'
        )
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [html.encode()]

    return wsgi


@pytest.fixture
def sites(tmp_path):
    """The tool at https://localhost:PORT and the LMS at https://127.0.0.1:PORT2."""
    tls = _certificate(tmp_path)
    app = app_on_fresh_sqlite(tmp_path, QUIZAPP_CONTENT_DIR=str(FIXTURE_CONTENT))
    tool = _Served(app, tls)
    tool_url = f"https://localhost:{tool.port}"
    app.config["QUIZAPP_PUBLIC_URL"] = tool_url + "/"

    def tool_jwks():  # FakeLMS would not trust the test certificate
        return app.test_client().get("/lti/jwks.json").get_json()

    lms = FakeLMS(tool_url, tool_jwks=tool_jwks).start()
    lms_site = _Served(_course_page(lms._server.app), tls)
    lms_url = f"https://127.0.0.1:{lms_site.port}"
    # the browser goes to the login page over HTTPS
    register(app, lms, auth_login_url=f"{lms_url}/mod/lti/auth.php")
    yield lms, lms_url, tool_url
    lms_site.stop()
    lms.stop()
    tool.stop()
    app.extensions["quizapp.db"].kw["bind"].dispose()


def _tool_frame(page, tool_url):
    return next(f for f in page.frames if f.url.startswith(tool_url))


def _wait_in_frame(locator, what, page, tool_url, answers, console):
    """Wait for `locator`; failing, say what the tool answered (statuses and headers, the
    requests' too), what the console said and what the frame shows."""
    try:
        locator.wait_for()
    except Exception:  # Playwright's TimeoutError, or a frame gone
        tool = [a for a in answers if a[1].startswith(tool_url)]
        shown = [f.inner_text("body") for f in page.frames if f.url.startswith(tool_url)]
        pytest.fail(
            f"{what}: not in the frame.\nThe tool's answers (status, URL, request headers, "
            f"response headers): {tool}\nConsole: {console}\nThe frame shows: {shown}"
        )


def test_a_launch_in_the_lms_frame_works_with_third_party_cookies_blocked(browser, sites, tmp_path):
    lms, lms_url, tool_url = sites
    # a profile of its own, not an incognito context (which blocks third-party cookies in any
    # case), set to block them as Chrome's setting does (cookie_controls_mode 1), flag as well
    profile = tmp_path / "profile"
    (profile / "Default").mkdir(parents=True)
    (profile / "Default" / "Preferences").write_text(BLOCK_THIRD_PARTY_COOKIES)
    context = browser.browser_type.launch_persistent_context(
        str(profile),
        executable_path=str(CHROMIUM),
        args=BROWSER_ARGS,
        viewport={"width": 1000, "height": 900},
    )
    context.set_default_timeout(8000)
    page = context.pages[0] if context.pages else context.new_page()
    console, answers = [], []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    page.on(
        "response",
        lambda r: answers.append((r.status, r.url, r.request.all_headers(), r.all_headers())),
    )
    seen = (page, tool_url, answers, console)
    try:
        launch = lms.launch_page_url(
            user=User("learner-1", "Ann Example"), roles=(LEARNER,), custom={"quiz": "sample-quiz"}
        )
        hint = dict(parse_qsl(launch.split("?", 1)[1]))["hint"]
        page.goto(f"{lms_url}/course?hint={hint}")
        frame = page.frame_locator("iframe[title=Quiz]")
        _wait_in_frame(frame.get_by_role("button", name="Start"), "The quiz start page", *seen)
        tool_frame = _tool_frame(page, tool_url)
        assert re.match(rf"{tool_url}/quizzes/sample-quiz\b", tool_frame.url), tool_frame.url

        # third-party cookies really are blocked: the frame keeps a partitioned cookie but
        # not an unpartitioned one, and sends back only the partitioned one
        cookies = tool_frame.evaluate(COOKIE_PROBE)
        assert "probe_chips=1" in cookies and "probe_plain" not in cookies, cookies
        assert_accessible(tool_frame)

        frame.get_by_role("button", name="Start").click()  # a POST with its CSRF token
        _wait_in_frame(frame.get_by_role("button", name="Myth"), "The first statement", *seen)
        sent = [a[2].get("cookie", "") for a in answers if a[1].startswith(tool_url)][-1]
        assert "probe_chips=1" in sent and "probe_plain" not in sent, sent
        assert_accessible(_tool_frame(page, tool_url))

        frame.get_by_role("button", name="Myth").click()
        banner = frame.get_by_role("status")
        _wait_in_frame(banner, "The feedback on the answer", *seen)
        assert re.search(r"(You were right|Not quite)", banner.inner_text())
        assert_accessible(_tool_frame(page, tool_url))
        assert page.url.startswith(lms_url)  # all of it inside the course page's frame
    finally:
        context.close()
