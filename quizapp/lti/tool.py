"""The edge where the LTI library is used: OIDC login, the launch's checks, service calls.

pylti1p3 (pylti1p3next) reads the messages and calls the services; the checks it leaves out
or makes loosely are made here, each in a small override, as the IMS certification checks them:

- the nonce is consumed once (the library only looks it up, so a replayed id_token passed);
- the state is bound to the browser that began the login, by a cookie or the platform's
  storage, and used once;
- `aud` must be exactly the client id (the library took the first of several audiences) and
  `azp`, when present, the client id too (the library never looked);
- RS256 only, `exp` and `iat` required, `iss` exact; the key is chosen by `kid`, and an unknown
  kid makes one fresh fetch of the platform's key set (a platform that rotated its keys);
- every HTTP call has a timeout, and every refusal is one exception, `Refused`, that says what
  failed and what the LMS administrator should check.

Nothing beyond this package imports the library: the rest of the app sees a checked launch.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

import jwt
import requests
from flask import request
from pylti1p3.deployment import Deployment as LibDeployment
from pylti1p3.exception import LtiException
from pylti1p3.message_launch import MessageLaunch
from pylti1p3.registration import Registration
from pylti1p3.request import Request
from pylti1p3.service_connector import ServiceConnector
from pylti1p3.session import SessionService
from pylti1p3.tool_config import ToolConfAbstract
from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from ..db import as_utc, begin_write, insert_for
from ..models import utcnow
from ..security import digest
from . import keys, platforms
from .models import AccessToken, Launch, Login, Platform

HTTP_TIMEOUT = (5, 10)  # seconds to connect, to read: a slow platform never holds a worker
LOGIN_LIFETIME = timedelta(minutes=10)  # from login initiation to launch
LAUNCH_LIFETIME = timedelta(hours=8)  # a deep linking picker left open for a school day
MAX_PARAM = 2048  # characters in one login parameter (hints are ids, not documents)
LEEWAY = 60  # seconds of clock difference allowed on exp and iat
USER_AGENT = "quizapp-lti"

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
MESSAGE_TYPE = CLAIM + "message_type"
VERSION = CLAIM + "version"
DEPLOYMENT = CLAIM + "deployment_id"
ROLES = CLAIM + "roles"
RESOURCE_LINK = CLAIM + "resource_link"
CHECK_REGISTRATION = "Check the tool's registration in the LMS and open the activity again."
LAUNCH_TYPES = ("LtiResourceLinkRequest", "LtiDeepLinkingRequest")


class Refused(Exception):
    """A launch or login refused: `what` failed, `check` is what the LMS admin should look at."""

    def __init__(self, what: str, check: str):
        super().__init__(what)
        self.what = what
        self.check = check


ERROR_EXCERPT = 300  # characters of a platform's error body kept


def answered(response: requests.Response, asked: str = "") -> str:
    """What the LMS answered a service call, in words a teacher can pass on to its admin."""
    body = " ".join((response.text or "").split())[:ERROR_EXCERPT]
    to = f" to {asked}" if asked else ""
    return f"The LMS answered {response.status_code} {response.reason or ''}{to}: {body}"


def unreachable(error: requests.RequestException) -> str:
    return f"The LMS could not be reached: {type(error).__name__}."


class Http(requests.Session):
    """A requests session whose every call has a timeout."""

    def __init__(self):
        super().__init__()
        self.headers["User-Agent"] = USER_AGENT

    def request(self, method, url, **kwargs):
        kwargs.setdefault("timeout", HTTP_TIMEOUT)
        return super().request(method, url, **kwargs)


class _Request(Request):
    """The current Flask request's parameters; no cookie session (launch data is server-side)."""

    session = None

    def __init__(self, params: dict | None = None):
        super().__init__()
        self._params = params

    def get_param(self, key):
        if self._params is not None:
            return self._params.get(key)
        source = request.args if request.method == "GET" else request.form
        return source.get(key)

    def get_cookie(self, key):
        return request.cookies.get(key)

    def is_secure(self):
        return request.is_secure


class _Registration(Registration):
    def __init__(self, kid: str):
        super().__init__()
        self._signing_kid = kid

    def get_kid(self):
        return self._signing_kid


def registration(db: Session, platform: Platform) -> Registration:
    """The library's view of a platform, with the key the tool signs with now."""
    signing = keys.signing_key(db)
    found = _Registration(signing.kid)
    found.set_issuer(platform.issuer).set_client_id(platform.client_id)
    found.set_auth_login_url(platform.auth_login_url).set_auth_token_url(platform.auth_token_url)
    found.set_key_set_url(platform.key_set_url).set_key_set(platform.key_set)
    found.set_tool_private_key(signing.private_pem)
    if platform.auth_audience:
        found.set_auth_audience(platform.auth_audience)
    return found


class _ToolConf(ToolConfAbstract):
    """Registrations from the database; an issuer may have many client ids (Canvas)."""

    def __init__(self, db: Session):
        super().__init__()
        self._db = db

    def check_iss_has_one_client(self, iss):
        return False

    def check_iss_has_many_clients(self, iss):
        return True

    def find_registration_by_issuer(self, iss, *args, **kwargs):
        raise Refused(
            "The launch did not say which client id it is for.",
            "The platform must send its client id (the aud claim).",
        )

    def find_registration_by_params(self, iss, client_id, *args, **kwargs):
        found = platforms.find(self._db, iss, client_id)
        return registration(self._db, found) if found else None

    def find_deployment(self, iss, deployment_id):
        return None

    def find_deployment_by_params(self, iss, deployment_id, client_id, *args, **kwargs):
        found = platforms.find(self._db, iss, client_id)
        if found and platforms.has_deployment(self._db, found, deployment_id):
            return LibDeployment().set_deployment_id(deployment_id)
        return None


class _LaunchStore(SessionService):
    """Launch data in the database, under the launch id; never in the cookie session."""

    def __init__(self, db: Session):
        self._db = db

    def save_launch_data(self, key, jwt_body):
        raise AssertionError("launches are saved by Launcher.save")

    def get_launch_data(self, key):
        found = self._db.get(Launch, key)
        return found.claims if found else None


@dataclass(frozen=True)
class Checked:
    """A launch that passed every check."""

    launch_id: str
    platform: Platform
    claims: dict


def start_login(db: Session, params: dict, storage: bool) -> tuple[str, str, str | None]:
    """Check a login initiation and record it: returns the platform's authentication URL to
    go to, the state (for the cookie) and, with `storage`, a secret for the platform's storage.
    """
    if any(len(value) > MAX_PARAM for value in params.values()):
        raise Refused(
            f"A login parameter is longer than {MAX_PARAM} characters.",
            "Check the tool's login URL in the LMS; the request was not one an LMS sends.",
        )
    issuer, hint = params.get("iss"), params.get("login_hint")
    if not issuer or not hint or not params.get("target_link_uri"):
        raise Refused(
            "The login request is missing iss, login_hint or target_link_uri.",
            "Open the activity from the course again; if it keeps failing, check that the "
            "tool's login URL in the LMS is this site's /lti/login.",
        )
    platform = platforms.find(db, issuer, params.get("client_id"))
    if platform is None:
        raise Refused(
            f"No platform is registered here with issuer {issuer}"
            + (f" and client id {params['client_id']}." if params.get("client_id") else "."),
            "Register the platform with flask lti add-platform (or Dynamic Registration) "
            "using exactly the issuer and client id the LMS shows for this tool.",
        )
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    secret = secrets.token_urlsafe(32) if storage else None
    begin_write(db)
    # logins and launches past their use go as new ones come: the tables stay small
    db.execute(delete(Login).where(Login.created_at < utcnow() - LOGIN_LIFETIME))
    db.execute(delete(Launch).where(Launch.created_at < utcnow() - LAUNCH_LIFETIME))
    db.add(
        Login(
            state_hash=digest(state),
            nonce=nonce,
            platform_id=platform.id,
            params=params,
            storage_hash=digest(secret) if secret else None,
        )
    )
    db.commit()
    query = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": platform.client_id,
        "redirect_uri": params["redirect_uri"],
        "state": state,
        "nonce": nonce,
        "login_hint": hint,
    }
    if params.get("lti_message_hint"):
        query["lti_message_hint"] = params["lti_message_hint"]
    separator = "&" if "?" in platform.auth_login_url else "?"
    return platform.auth_login_url + separator + urlencode(query), state, secret


def pending_login(db: Session, state: str) -> Login | None:
    """The login a launch's state names, if it is unused and recent."""
    found = db.get(Login, digest(state)) if state else None
    if found is None or found.used_at is not None:
        return None
    if as_utc(found.created_at) < utcnow() - LOGIN_LIFETIME:
        return None
    return found


class StrictLaunch(MessageLaunch):
    """The library's launch, with its loose checks made strict (see the module docstring)."""

    def __init__(self, db: Session, login: Login | None):
        super().__init__(
            _Request(),
            _ToolConf(db),
            session_service=_LaunchStore(db),
            cookie_service=object(),
            requests_session=Http(),
        )
        self._db = db
        self._login = login
        self._platform: Platform | None = None

    def _get_request_param(self, key):
        return self._request.get_param(key)

    # -- the order of the checks: state, format, header, registration, signature, nonce ...

    def validate(self):
        self._validated = True  # as the library does: its getters would validate again
        try:
            self.validate_state()
            self.validate_jwt_format()
            self._validate_header()
            self.validate_registration()
            self.validate_jwt_signature()
            self.validate_nonce()
            self.validate_deployment()
            self._validate_claims()
            self.validate_message()
        except LtiException as e:
            self._validated = False
            raise Refused(str(e), CHECK_REGISTRATION) from e
        except Refused:
            self._validated = False
            raise
        return self

    def validate_state(self):
        """The login is used up here, before anything else is checked: a state serves one
        launch attempt, so forged tokens cannot make the tool fetch key sets over and over."""
        used = None
        if self._login is not None:
            used = begin_write(self._db).execute(
                update(Login)
                .where(Login.state_hash == self._login.state_hash, Login.used_at.is_(None))
                .values(used_at=utcnow())
            )
            self._db.commit()
        if used is None or used.rowcount != 1:
            raise Refused(
                "This launch's login is unknown, already used or more than ten minutes old.",
                "Open the activity from the course again. If it happens every time, check that "
                "the LMS sends the launch to this site's /lti/launch straight after the login.",
            )
        return self

    def _validate_header(self):
        header = self._jwt.get("header", {})
        if header.get("alg") != "RS256":
            raise Refused(
                f"The id_token is signed with {header.get('alg')!r}; only RS256 is accepted.",
                "The platform must sign launches with an RSA key (RS256).",
            )
        if not header.get("kid"):
            raise Refused(
                "The id_token's header names no key (kid).",
                "The platform must name its signing key in the token header.",
            )

    def get_client_id(self):
        """The one audience: a token meant for several audiences is not taken (the library
        took the first)."""
        aud = self._jwt.get("body", {}).get("aud")
        if isinstance(aud, list):
            if len(aud) != 1:
                raise Refused(
                    "The id_token names several audiences; a launch must be for this tool only.",
                    "The platform must send aud equal to the tool's client id.",
                )
            aud = aud[0]
        if not isinstance(aud, str) or not aud:
            raise Refused(
                "The id_token has no audience (aud).",
                "The platform must send aud equal to the tool's client id.",
            )
        return aud

    def validate_registration(self):
        iss = self._jwt.get("body", {}).get("iss")
        client_id = self.get_client_id()
        known = isinstance(iss, str) and iss
        self._platform = platforms.find(self._db, iss, client_id) if known else None
        if self._platform is None:
            raise Refused(
                f"No platform is registered with issuer {iss!r} and client id {client_id!r}.",
                "Register the platform here with exactly the issuer and client id it uses.",
            )
        if self._platform.id != self._login.platform_id:
            raise Refused(
                "The launch comes from another platform than the login it answers.",
                "Open the activity from the course again.",
            )
        self._registration = registration(self._db, self._platform)
        return self

    def get_public_key(self):
        """The platform's key named by the token's kid; an unknown kid fetches the key set
        once more, in case the platform rotated its keys."""
        kid = self._jwt["header"]["kid"]
        key = _key_by_kid(self._platform.key_set, kid)
        if key is None:
            self._refresh_key_set()
            key = _key_by_kid(self._platform.key_set, kid)
        if key is None:
            raise Refused(
                f"The platform's key set has no key {kid!r}.",
                f"Check the platform's public keyset URL ({self._platform.key_set_url}).",
            )
        return jwt.PyJWK(key, algorithm="RS256").key, "RS256"

    def _refresh_key_set(self):
        try:
            response = self._requests_session.get(self._platform.key_set_url)
            response.raise_for_status()
            key_set = response.json()
        except (requests.RequestException, ValueError) as e:
            raise Refused(
                f"The platform's key set could not be read: {e}",
                f"Check the public keyset URL ({self._platform.key_set_url}).",
            ) from e
        if not isinstance(key_set, dict) or not isinstance(key_set.get("keys"), list):
            raise Refused(
                "The platform's key set is not a JWKS (no keys list).",
                f"Check the public keyset URL ({self._platform.key_set_url}).",
            )
        begin_write(self._db)
        self._platform.key_set = key_set
        self._db.commit()

    def validate_jwt_signature(self):
        public_key, _ = self.get_public_key()
        try:
            jwt.decode(
                self._get_id_token(),
                public_key,
                algorithms=["RS256"],
                audience=self._platform.client_id,
                issuer=self._platform.issuer,
                leeway=LEEWAY,
                options={"require": ["exp", "iat", "iss", "aud", "nonce"]},
            )
        except jwt.InvalidTokenError as e:
            raise Refused(
                f"The id_token does not pass its checks: {e}.",
                "Check that the platform's clock is right and that it signs with the key "
                "its key set publishes.",
            ) from e
        azp = self._jwt["body"].get("azp")
        if azp is not None and azp != self._platform.client_id:
            raise Refused(
                f"The id_token's authorized party (azp) is {azp!r}, not this tool's client id.",
                "The platform must send azp equal to the tool's client id, or leave it out.",
            )
        return self

    def validate_nonce(self):
        """The nonce must be the login's, which validate_state used up: a replay of the same
        id_token, or of its nonce under another login, is refused."""
        nonce = self._jwt["body"].get("nonce")
        if not secrets.compare_digest(str(nonce), self._login.nonce):
            raise Refused(
                "The id_token's nonce is not the one this login sent.",
                "Open the activity from the course again.",
            )
        return self

    def validate_deployment(self):
        deployment = self._jwt["body"].get(DEPLOYMENT)
        if not isinstance(deployment, str) or not deployment:
            raise Refused(
                "The launch has no deployment_id claim.",
                "The platform must send the deployment id of this tool's installation.",
            )
        if not platforms.has_deployment(self._db, self._platform, deployment):
            raise Refused(
                f"The deployment {deployment!r} is not registered for this platform.",
                "Add it with flask lti add-platform --deployment-id (or register again).",
            )
        return self

    def _validate_claims(self):
        body = self._jwt["body"]
        if body.get(MESSAGE_TYPE) not in LAUNCH_TYPES:
            raise Refused(
                f"The message type {body.get(MESSAGE_TYPE)!r} is not one this tool takes.",
                "Use the tool as a resource link or for deep linking (content selection).",
            )
        if body.get(VERSION) != "1.3.0":
            raise Refused(
                f"The LTI version {body.get(VERSION)!r} is not 1.3.0.",
                "The platform must launch with LTI 1.3.",
            )
        if not isinstance(body.get(ROLES), list):
            raise Refused(
                "The launch has no roles claim.", "The platform must send the user's roles."
            )
        if not isinstance(body.get("sub"), str) or not body["sub"]:
            raise Refused(
                "The launch names no user (sub).",
                "Anonymous launches are not taken: the platform must send the user's id.",
            )
        link = body.get(RESOURCE_LINK)
        if body[MESSAGE_TYPE] == "LtiResourceLinkRequest" and not (
            isinstance(link, dict) and link.get("id")
        ):
            raise Refused(
                "The launch has no resource_link id.",
                "The platform must send the resource link the learner opened.",
            )

    def save(self) -> Checked:
        launch_id = secrets.token_urlsafe(32)
        begin_write(self._db)
        self._db.add(Launch(id=launch_id, platform_id=self._platform.id, claims=self._jwt["body"]))
        self._db.commit()
        return Checked(launch_id, self._platform, self._jwt["body"])


def _key_by_kid(key_set: dict | None, kid: str) -> dict | None:
    for key in (key_set or {}).get("keys", []):
        if key.get("kid") == kid and key.get("alg", "RS256") == "RS256":
            return key
    return None


def check_launch(db: Session, state: str) -> Checked:
    """Check the launch in the current request (id_token and state) end to end."""
    launch = StrictLaunch(db, pending_login(db, state))
    launch.validate()
    return launch.save()


class Connector(ServiceConnector):
    """Service calls with the tool's current key; access tokens cached in the database per
    platform row, that is per issuer *and* client id (the library's key left out the client id).
    """

    def __init__(self, registration, requests_session=None, *, db: Session, platform: Platform):
        super().__init__(registration, requests_session or Http())
        self._db = db
        self._platform = platform

    def _get_cached_access_token(self, scope_key):
        found = self._db.get(AccessToken, (self._platform.id, scope_key))
        if found and as_utc(found.expires_at) > utcnow() + timedelta(seconds=30):
            return found.token
        return None

    def _cache_access_token(self, scope_key, access_token, expires_in):
        """An upsert: two workers that fetched a token at once both store theirs."""
        values = {
            "platform_id": self._platform.id,
            "scopes": scope_key,
            "token": access_token,
            "expires_at": utcnow() + timedelta(seconds=float(expires_in or 0)),
        }
        connection = begin_write(self._db)
        statement = insert_for(connection)(AccessToken).values(values)
        connection.execute(
            statement.on_conflict_do_update(
                index_elements=["platform_id", "scopes"],
                set_={
                    "token": statement.excluded.token,
                    "expires_at": statement.excluded.expires_at,
                },
            )
        )
        self._db.commit()

    def _scope_key(self, scopes):
        return " ".join(sorted(scopes))


def connector(db: Session, platform: Platform) -> Connector:
    return Connector(registration(db, platform), db=db, platform=platform)
