"""FakeLMS: a test LTI 1.3 platform that plays Moodle for the tool's tests.

The id_tokens, the claims and the platform keys come from ``lti1p3platform``'s core classes
(``Registration``, ``LTIAdvantageMessageLaunchAbstract``, ``OIDCLoginAbstract``, ``LtiAgs``,
``LtiNrps``, ``LtiDeepLinking``, ``LTI1P3PlatformConfAbstract.tool_validate_and_decode``); its
``framework`` package is never imported. What the library lacks (the token endpoint's checks,
the AGS and NRPS endpoints, the deep-link return, dynamic registration) is written here from
the IMS specs: LTI 1.3 core, IMS Security Framework 1.0, AGS 2.0, NRPS 2.0, Deep Linking 2.0
and LTI Dynamic Registration 1.0 (plus RFC 6749, 6750, 7523 and 7591 where those point).

URLs are Moodle's (``/mod/lti/auth.php``, ``/mod/lti/token.php``, ``/mod/lti/certs.php``,
``/mod/lti/services.php/...``), including the ``?type_id=N`` query Moodle puts on its line item
URLs: a tool must append ``/scores`` to the *path* and keep the query (AGS 2.0 §3.4), and the
score endpoint refuses a request without the right ``type_id``.

A tool in a Flask test client (the platform cannot reach it over HTTP)::

    with FakeLMS("http://localhost", tool_jwks=lambda: tool_jwks_dict) as lms:
        r = client.get("/lti/login", query_string=lms.login_params(user=User("7")))
        redirect_uri, form = lms.authorize(r.headers["Location"])
        r = client.post(urlsplit(redirect_uri).path, data=form)

A tool under a real server: ``FakeLMS("http://127.0.0.1:5000")`` fetches the tool's keys from
``{tool}/lti/jwks.json`` (or ``tool_jwks_url=``), and a browser can start at
``lms.launch_page_url(...)``, which posts the login initiation form to the tool.

Switches: ``lms.down = True`` makes the token, AGS and NRPS endpoints answer 503;
``lms.reject_scores_for.add(user_id)`` makes score POSTs for that user answer 422 with a
Canvas-like body; ``lms.expire_tokens()`` ends every access token issued so far.

Records: ``token_requests`` (every token request, with its status), ``scores`` (accepted
scores: ``{"lineitem": url, "payload": dict}``), ``lineitems`` (by URL), ``deep_link_items``,
``deep_link_responses``, ``registrations`` and ``requests`` (every request: method, path,
query, status).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, Response, jsonify, request
from lti1p3platform.constants import LTI_1P3_ACCESS_TOKEN_SCOPES
from lti1p3platform.deep_linking import LtiDeepLinking
from lti1p3platform.exceptions import LtiException
from lti1p3platform.jwt_helper import jwt_encode
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request
from markupsafe import escape
from werkzeug.serving import WSGIRequestHandler, make_server

# -- vocabulary -------------------------------------------------------------------------------

LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
TEACHING_ASSISTANT = (
    "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"
)
COURSE_OFFERING = "http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"

LTI_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"  # + message_type, roles, context, ...
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
DL_SETTINGS_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
DL_ITEMS_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"
DL_DATA_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/data"
DL_MSG_CLAIMS = tuple(
    f"https://purl.imsglobal.org/spec/lti-dl/claim/{name}"
    for name in ("msg", "log", "errormsg", "errorlog")
)
TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"

SCOPE_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPE_LINEITEM_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
SCOPE_RESULT_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCOPE_NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
ALL_SCOPES = tuple(LTI_1P3_ACCESS_TOKEN_SCOPES)  # the five above

LINEITEM_MEDIA = "application/vnd.ims.lis.v2.lineitem+json"
LINEITEMS_MEDIA = "application/vnd.ims.lis.v2.lineitemcontainer+json"
SCORE_MEDIA = "application/vnd.ims.lis.v1.score+json"
RESULTS_MEDIA = "application/vnd.ims.lis.v2.resultcontainer+json"
MEMBERSHIPS_MEDIA = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

ACTIVITY_PROGRESS = frozenset({"Initialized", "Started", "InProgress", "Submitted", "Completed"})
GRADING_PROGRESS = frozenset({"FullyGraded", "Pending", "PendingManual", "Failed", "NotReady"})
MESSAGE_TYPES = ("LtiResourceLinkRequest", "LtiDeepLinkingRequest")
MOODLE_VERSION = "2024100700"
UNPROCESSABLE = {
    "errors": {
        "type": "unprocessable_entity",
        "message": "User not found in course or is not a student",
    }
}


@dataclass(frozen=True)
class User:
    """A platform user; ``sub`` is the LTI user id (``sub`` claim, NRPS ``user_id``)."""

    sub: str
    name: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    email: str | None = None

    def claims(self) -> dict[str, str]:
        fields = ("name", "given_name", "family_name", "email")
        return {k: getattr(self, k) for k in fields if getattr(self, k) is not None}


DEFAULT_USER = User("3", "Ada Lovelace", "Ada", "Lovelace", "ada@example.edu")
DEFAULT_CONTEXT = {
    "id": "2",
    "label": "QZ101",
    "title": "Myths and facts",
    "type": [COURSE_OFFERING],
}


class LtiError(Exception):
    """A refusal: ``error`` is the OAuth/OIDC-style code, ``status`` the HTTP status."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error, self.description, self.status = error, description, status


# -- keys -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SigningKey:
    """An RSA key pair; ``kid`` is its RFC 7638 thumbprint (as lti1p3platform computes it)."""

    private_pem: str
    public_pem: str

    @cached_property
    def _public_jwk(self) -> dict[str, Any]:
        return Registration.get_jwk(self.public_pem)  # kty, n, e, kid, alg RS256, use sig

    @property
    def jwk(self) -> dict[str, Any]:
        return dict(self._public_jwk)

    @property
    def kid(self) -> str:
        return self._public_jwk["kid"]

    @cached_property
    def private_key(self) -> rsa.RSAPrivateKey:
        """The parsed private key (parsing a PEM costs ~25 ms, so it is done once)."""
        return serialization.load_pem_private_key(self.private_pem.encode(), None)


def make_key() -> SigningKey:
    """A fresh RSA-2048 key pair (for a test's own "tool" key, say)."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return SigningKey(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode(),
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode(),
    )


_FREE_KEYS: list[SigningKey] = []  # keys of stopped instances, handed out again
_FREE_KEYS_LOCK = threading.Lock()


def _take_key() -> SigningKey:
    """A key no running FakeLMS holds (key generation costs ~50 ms, so keys are recycled)."""
    with _FREE_KEYS_LOCK:
        if _FREE_KEYS:
            return _FREE_KEYS.pop()
    return make_key()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign_jwt(claims: dict[str, Any], key: SigningKey, header: dict[str, Any] | None = None) -> str:
    """Sign ``claims``; ``header`` entries replace the default ``{alg RS256, typ, kid}``, and a
    ``None`` value removes the field. ``alg`` "none" gives an unsigned token and "HS256" one
    keyed with the public key's PEM (the algorithm-confusion attack)."""
    hdr: dict[str, Any] = {"alg": "RS256", "typ": "JWT", "kid": key.kid}
    for name, value in (header or {}).items():
        if value is None:
            hdr.pop(name, None)
        else:
            hdr[name] = value
    plain = hdr.get("typ") == "JWT" and isinstance(hdr.get("kid", ""), str)
    if hdr.get("alg") == "RS256" and plain:
        return jwt_encode(claims, key.private_key, algorithm="RS256", headers=hdr)
    signing_input = (
        _b64(json.dumps(hdr, separators=(",", ":")).encode())
        + "."
        + _b64(json.dumps(claims, separators=(",", ":")).encode())
    )
    alg = hdr.get("alg")
    if alg == "HS256":
        digest = hmac.new(key.public_pem.encode(), signing_input.encode(), hashlib.sha256)
        return f"{signing_input}.{_b64(digest.digest())}"
    if alg == "RS256":
        signature = jwt.get_algorithm_by_name("RS256").sign(
            signing_input.encode(),
            key.private_key,
        )
        return f"{signing_input}.{_b64(signature)}"
    return f"{signing_input}."  # "none", a missing alg or anything else: no signature


# -- lti1p3platform glue ----------------------------------------------------------------------


class _Registration(Registration):
    """The library's registration, signing with a parsed key under its known ``kid``."""

    def __init__(self, key: SigningKey) -> None:
        self._key = key
        self.set_platform_private_key(key.private_key)  # type: ignore[arg-type] # PyJWT takes it

    def get_kid(self) -> str:
        return self._key.kid


class _PlatformConf(LTI1P3PlatformConfAbstract):
    def init_platform_config(self, **kwargs: Any) -> None:
        self._registration = kwargs["registration"]
        # exp and iat are required (Security Framework §5.1.3); aud is checked by the caller.
        self._jwt_verify_options = {"verify_aud": False, "require": ["exp", "iat"]}

    def get_registration_by_params(self, **kwargs: Any) -> Registration:
        return self._registration


class _DictRequest(Request):
    def build_metadata(self, request: Any) -> dict[str, Any]:
        return {"method": "POST", "form_data": dict(request), "get_data": {}, "headers": {}}


class _MessageLaunch(LTIAdvantageMessageLaunchAbstract):
    """The library's launch; ``patch`` entries replace claims, ``None`` removes one."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.patch: dict[str, Any] = {}

    def get_launch_message(self, include_extra_claims: bool = True) -> dict[str, Any]:
        message = super().get_launch_message(include_extra_claims)
        for name, value in self.patch.items():
            if value is None:
                message.pop(name, None)
            else:
                message[name] = value
        return message

    def render_launch_form(self, launch_data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return launch_data


class _OIDCLogin(OIDCLoginAbstract):
    def set_lti_message_hint(self, **kwargs: Any) -> None:
        self._lti_message_hint = kwargs["hint"]

    def get_redirect(self, url: str) -> str:
        return url


# -- state ------------------------------------------------------------------------------------


@dataclass
class Client:
    """A registered tool: what the platform knows of it."""

    client_id: str
    deployment_id: str
    type_id: int
    initiate_login_uri: str
    redirect_uris: list[str]
    target_link_uri: str
    jwks_uri: str
    scopes: frozenset[str] = frozenset(ALL_SCOPES)
    configuration: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Launch:
    hint: str
    client_id: str
    user: User
    roles: list[str]
    message_type: str
    resource_link_id: str
    resource_link_title: str
    context: dict[str, Any]
    custom: dict[str, str] | None
    target_link_uri: str
    lineitem_url: str | None
    dl_data: str | None
    extra_claims: dict[str, Any]


@dataclass
class _Token:
    client_id: str
    scopes: frozenset[str]
    expires_at: float


class _QuietHandler(WSGIRequestHandler):
    def log(self, type: str, message: str, *args: Any) -> None:
        pass


_ISO_8601 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})")


def parse_timestamp(value: Any) -> datetime:
    """ISO 8601 date-time with a time zone (``Z`` or ``±hh:mm``), else ValueError."""
    if not isinstance(value, str) or not _ISO_8601.fullmatch(value):
        raise ValueError(f"not an ISO 8601 date-time with a time zone: {value!r}")
    value = re.sub(r"(\.\d{6})\d+", r"\1", value.replace("Z", "+00:00"))
    return datetime.fromisoformat(value)  # also refuses 2024-13-01 and the like


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _is_url(value: Any) -> bool:
    parts = urlsplit(value) if isinstance(value, str) else None
    return bool(parts and parts.scheme in ("http", "https") and parts.netloc)


# -- the platform -----------------------------------------------------------------------------


class FakeLMS:
    """A Moodle-like LTI 1.3 platform on 127.0.0.1 (port chosen at construction)."""

    def __init__(
        self,
        tool_base_url: str,
        *,
        tool_jwks_url: str | None = None,
        tool_jwks: Callable[[], dict[str, Any]] | None = None,
    ) -> None:
        self.tool = tool_base_url.rstrip("/")
        self._tool_jwks = tool_jwks
        self._tool_jwks_url = tool_jwks_url or f"{self.tool}/lti/jwks.json"
        self._lock = threading.RLock()
        self._server = make_server(
            "127.0.0.1", 0, self._build_app(), threaded=True, request_handler=_QuietHandler
        )
        self._thread: threading.Thread | None = None
        self.issuer = f"http://127.0.0.1:{self._server.server_port}"
        self.auth_url = f"{self.issuer}/mod/lti/auth.php"
        self.token_url = f"{self.issuer}/mod/lti/token.php"
        self.jwks_url = f"{self.issuer}/mod/lti/certs.php"
        self.openid_configuration_url = f"{self.issuer}/mod/lti/openid-configuration.php"
        self.registration_endpoint = f"{self.issuer}/mod/lti/openid-registration.php"
        self.deep_link_return_url = f"{self.issuer}/mod/lti/contentitem_return.php"
        self.return_url = f"{self.issuer}/mod/lti/return.php"

        self.keys: list[SigningKey] = [_take_key()]  # published at jwks_url
        self.signing_key = self.keys[0]  # signs id_tokens
        self.rogue_key = _take_key()  # never published
        self._held_keys = [*self.keys, self.rogue_key]

        self.clients: dict[str, Client] = {}
        default = self.add_client()
        self.client_id = default.client_id
        self.deployment_id = default.deployment_id
        self.lineitems_url = self._lineitems_url(DEFAULT_CONTEXT["id"], default.type_id)
        self.memberships_url = self._memberships_url(DEFAULT_CONTEXT["id"], default.type_id)

        self.down = False
        self.reject_scores_for: set[str] = set()
        self.roster: dict[str, dict[str, tuple[User, list[str]]]] = {}
        self.lineitems: dict[str, dict[str, Any]] = {}  # by line item URL
        self.scores: list[dict[str, Any]] = []
        self.token_requests: list[dict[str, Any]] = []
        self.deep_link_items: list[dict[str, Any]] = []
        self.deep_link_responses: list[dict[str, Any]] = []
        self.registrations: list[dict[str, Any]] = []
        self.requests: list[dict[str, Any]] = []
        self._launches: dict[str, _Launch] = {}
        self._last_hint: str | None = None
        self._tokens: dict[str, _Token] = {}
        self._jtis: dict[tuple[str, str], float] = {}
        self._registration_tokens: set[str] = set()
        self._tool_keysets: dict[str, dict[str, Any]] = {}
        self._lineitem_meta: dict[str, tuple[str, int]] = {}  # URL -> (context id, type id)
        self._link_lineitems: dict[tuple[int, str, str], str] = {}
        self._lineitem_count = 0

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> FakeLMS:
        """Serve in a background thread."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._server.serve_forever, args=(0.02,), daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()
        with _FREE_KEYS_LOCK:
            _FREE_KEYS.extend(self._held_keys)
        self._held_keys = []

    def __enter__(self) -> FakeLMS:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- keys ---------------------------------------------------------------------------------

    def jwks(self) -> dict[str, Any]:
        """The platform's public keys, as served at ``jwks_url``."""
        with self._lock:
            return {"keys": [key.jwk for key in self.keys]}

    def rotate_key(self, *, retire_old: bool = False) -> SigningKey:
        """Publish a new key and sign with it from now on (the old one stays published unless
        ``retire_old``)."""
        with self._lock:
            key = _take_key()
            self._held_keys.append(key)
            if retire_old:
                self.keys.remove(self.signing_key)
            self.keys.append(key)
            self.signing_key = key
            return key

    def sign(
        self,
        claims: dict[str, Any],
        *,
        header: dict[str, Any] | None = None,
        key: SigningKey | None = None,
    ) -> str:
        """Sign any body with the platform's key (or ``key``, e.g. ``rogue_key``); ``header``
        overrides as in ``sign_jwt`` (``None`` removes a field; alg "none"/"HS256" allowed)."""
        return sign_jwt(claims, key or self.signing_key, header)

    # -- clients ------------------------------------------------------------------------------

    def add_client(self, **fields: Any) -> Client:
        """Register the tool once more under a new client_id and deployment (manual
        registration); ``fields`` override ``Client``'s, default the tool's standard URLs."""
        defaults: dict[str, Any] = {
            "initiate_login_uri": f"{self.tool}/lti/login",
            "redirect_uris": [f"{self.tool}/lti/launch"],
            "target_link_uri": f"{self.tool}/lti/launch",
            "jwks_uri": self._tool_jwks_url,
        }
        with self._lock:
            type_id = len(self.clients) + 1
            client = Client(
                client_id=secrets.token_urlsafe(12),
                deployment_id=str(type_id),
                type_id=type_id,
                **{**defaults, **fields},
            )
            self.clients[client.client_id] = client
            return client

    def _client(self, client_id: str | None) -> Client:
        return self.clients[client_id or self.client_id]

    def _registration(self, client: Client, launch_url: str | None = None) -> Registration:
        registration = (
            _Registration(self.signing_key)
            .set_iss(self.issuer)
            .set_client_id(client.client_id)
            .set_deployment_id(client.deployment_id)
            .set_oidc_login_url(client.initiate_login_uri)
            .set_launch_url(launch_url or client.target_link_uri)
            .set_platform_public_key(self.signing_key.public_pem)
        )
        if self._tool_jwks is None:
            registration.set_tool_key_set_url(client.jwks_uri)
        return registration

    def tool_keyset(self, client_id: str | None = None, kid: str | None = None) -> dict[str, Any]:
        """The tool's JWKS (cached; fetched again when ``kid`` is not in the cached set)."""
        client = self._client(client_id)
        cached = self._tool_keysets.get(client.client_id)
        if cached is None or (kid and kid not in {k.get("kid") for k in cached.get("keys", [])}):
            if self._tool_jwks is not None:
                cached = self._tool_jwks()
            else:
                conf = _PlatformConf(registration=self._registration(client))
                try:
                    cached = conf.fetch_public_key(client.jwks_uri)
                except LtiException as exc:
                    raise LtiError("invalid_client", f"tool JWKS unavailable: {exc}") from exc
            self._tool_keysets[client.client_id] = cached
        return cached

    def _verify_tool_jwt(self, token: str, error: str) -> tuple[Client, dict[str, Any]]:
        """Signature check: RS256 with the key of the tool (named by ``iss``) whose ``kid`` is in
        the header; ``exp`` and ``iat`` required and ``exp`` in the future."""
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as exc:
            raise LtiError(error, f"not a JWT: {exc}") from exc
        client = self.clients.get(unverified.get("iss"))
        if client is None:
            raise LtiError(error, f"iss {unverified.get('iss')!r} is no registered client_id")
        if header.get("alg") != "RS256":
            raise LtiError(error, f"alg must be RS256, not {header.get('alg')!r}")
        if not header.get("kid"):
            raise LtiError(error, "the JWT header has no kid")
        registration = self._registration(client)
        registration.set_tool_key_set(self.tool_keyset(client.client_id, header["kid"]))
        try:
            claims = _PlatformConf(registration=registration).tool_validate_and_decode(token)
        except (LtiException, jwt.PyJWTError) as exc:
            raise LtiError(error, f"JWT refused: {exc}") from exc
        return client, claims

    # -- launches -----------------------------------------------------------------------------

    def enrol(self, user: User, roles: Iterable[str] = (LEARNER,), context_id: str = "2") -> None:
        """Put ``user`` on the course roster that NRPS serves."""
        with self._lock:
            self.roster.setdefault(context_id, {})[user.sub] = (user, list(roles))

    def login_params(
        self,
        user: User = DEFAULT_USER,
        roles: Iterable[str] = (LEARNER,),
        message_type: str = "LtiResourceLinkRequest",
        resource_link_id: str = "1",
        context: dict[str, Any] | None = None,
        custom: dict[str, str] | None = None,
        *,
        resource_link_title: str = "Quiz",
        client_id: str | None = None,
        target_link_uri: str | None = None,
        lineitem: bool = True,
        extra_claims: dict[str, Any] | None = None,
    ) -> dict[str, str]:
        """Third-party login initiation parameters for the tool's login URL; the launch is
        remembered under the ``lti_message_hint``. The user is enrolled in the context. A
        resource link launch gets a line item for its link (``lineitem=False``: none).
        ``extra_claims`` go into the id_token last (``None`` removes a claim)."""
        if message_type not in MESSAGE_TYPES:
            raise ValueError(f"message_type must be one of {MESSAGE_TYPES}")
        client = self._client(client_id)
        context = dict(context or DEFAULT_CONTEXT)
        roles = list(roles)
        self.enrol(user, roles, context["id"])
        hint = secrets.token_urlsafe(16)
        deep = message_type == "LtiDeepLinkingRequest"
        launch = _Launch(
            hint=hint,
            client_id=client.client_id,
            user=user,
            roles=roles,
            message_type=message_type,
            resource_link_id=resource_link_id,
            resource_link_title=resource_link_title,
            context=context,
            custom=custom,
            target_link_uri=target_link_uri or client.target_link_uri,
            lineitem_url=(
                self._link_lineitem(client, context["id"], resource_link_id, resource_link_title)
                if lineitem and not deep
                else None
            ),
            dl_data=f"dl-{secrets.token_urlsafe(12)}" if deep else None,
            extra_claims=dict(extra_claims or {}),
        )
        with self._lock:
            self._launches[hint] = launch
            self._last_hint = hint
        login = _OIDCLogin(None, _PlatformConf(registration=self._registration(client)))
        login.set_launch_url(launch.target_link_uri)
        login.set_lti_message_hint(hint=hint)
        return dict(parse_qsl(urlsplit(login.initiate_login(user.sub)).query))

    def launch_page_url(self, **login_kwargs: Any) -> str:
        """A platform page that auto-posts ``login_params(**login_kwargs)`` to the tool's
        login URL, for browser tests."""
        params = self.login_params(**login_kwargs)
        return f"{self.issuer}/mod/lti/launch.php?{urlencode({'hint': params['lti_message_hint']})}"

    def authorize(self, location_or_params: str | dict[str, Any]) -> tuple[str, dict[str, str]]:
        """The auth endpoint, callable directly: check the tool's OIDC authentication request
        (a redirect ``Location`` or the parameters) and answer ``(redirect_uri, {"id_token",
        "state"})``, the form the platform posts to the tool. Raises ``LtiError``."""
        if isinstance(location_or_params, str):
            parts = urlsplit(location_or_params)
            if f"{parts.scheme}://{parts.netloc}{parts.path}" != self.auth_url:
                raise LtiError("invalid_request", f"not the auth URL: {location_or_params}")
            params = dict(parse_qsl(parts.query, keep_blank_values=True))
        else:
            params = dict(location_or_params)
        client, launch = self._check_auth_request(params)
        message = self._message_launch(client, launch, params)
        data = message.lti_launch()
        return data.pop("launch_url"), {"id_token": data["id_token"], "state": data["state"]}

    def _check_auth_request(self, params: dict[str, Any]) -> tuple[Client, _Launch]:
        # IMS Security Framework §5.1.1.2 (OIDC Core §3.1.2.1/§3.2.2.1 for the implicit flow)
        required = (
            "scope", "response_type", "client_id", "redirect_uri", "login_hint", "state",
            "response_mode", "nonce", "prompt", "lti_message_hint",
        )  # fmt: skip
        missing = [name for name in required if not params.get(name)]
        if missing:
            raise LtiError("invalid_request", f"missing: {', '.join(missing)}")
        if "openid" not in params["scope"].split():
            raise LtiError("invalid_scope", "scope must include openid")
        if params["response_type"] != "id_token":
            raise LtiError("unsupported_response_type", "response_type must be id_token")
        if params["response_mode"] != "form_post":
            raise LtiError("invalid_request", "response_mode must be form_post")
        if params["prompt"] != "none":
            raise LtiError("invalid_request", "prompt must be none")
        client = self.clients.get(params["client_id"])
        if client is None:
            raise LtiError("unauthorized_client", f"unknown client_id {params['client_id']!r}")
        if params["redirect_uri"] not in client.redirect_uris:
            raise LtiError(
                "invalid_request", f"redirect_uri not registered: {params['redirect_uri']}"
            )
        launch = self._launches.get(params["lti_message_hint"])
        if launch is None or launch.client_id != client.client_id:
            raise LtiError("invalid_request", "lti_message_hint unknown for this client")
        if params["login_hint"] != launch.user.sub:
            raise LtiError("login_required", "login_hint is not the launching user")
        return client, launch

    def _message_launch(
        self, client: Client, launch: _Launch, params: dict[str, Any]
    ) -> _MessageLaunch:
        registration = self._registration(client, launch.target_link_uri)
        message = _MessageLaunch(_DictRequest(params), _PlatformConf(registration=registration))
        message._registration = registration
        message.set_user_data(launch.user.sub, launch.roles, launch.user.name, launch.user.email)
        context = launch.context
        message.set_launch_context_claim(
            context["id"], context.get("type"), context.get("title"), context.get("label")
        )
        return_url = f"{self.return_url}?{urlencode({'course': context['id']})}"
        message.set_launch_presentation_claim("iframe", return_url)
        message.lti_claim_launch_presentation[LTI_CLAIM + "launch_presentation"]["locale"] = "en"
        if launch.custom:
            message.set_custom_parameters_claim(launch.custom)
        message.set_ags(self._lineitems_url(context["id"], client.type_id), launch.lineitem_url)
        message.set_nrps(self._memberships_url(context["id"], client.type_id))
        extra: dict[str, Any] = {
            LTI_CLAIM + "tool_platform": {
                "guid": urlsplit(self.issuer).netloc,
                "name": "Fake Moodle",
                "product_family_code": "moodle",
                "version": MOODLE_VERSION,
            },
            **launch.user.claims(),
        }
        if launch.message_type == "LtiDeepLinkingRequest":
            settings = LtiDeepLinking(self.deep_link_return_url).get_lti_deep_linking_launch_claim(
                title=context.get("title", ""),
                accept_types={"ltiResourceLink"},
                extra_data=launch.dl_data,  # type: ignore[arg-type] # DL 2.0: an opaque string
            )
            settings[DL_SETTINGS_CLAIM]["accept_presentation_document_targets"] = [
                "iframe",
                "window",
            ]
            settings[DL_SETTINGS_CLAIM]["auto_create"] = False
            extra.update(settings)
            extra[LTI_CLAIM + "message_type"] = "LtiDeepLinkingRequest"
        else:
            message.set_resource_link_claim(
                launch.resource_link_id, title=launch.resource_link_title
            )
        message.set_extra_claims(extra)
        message.patch = dict(launch.extra_claims)
        return message

    def claims(self, nonce: str, hint: str | None = None) -> dict[str, Any]:
        """The id_token body for a remembered launch (default: the last ``login_params``)."""
        launch = self._launches[hint or self._last_hint or ""]
        client = self._client(launch.client_id)
        message = self._message_launch(client, launch, {"nonce": nonce, "state": "-"})
        body, _state = message.get_launch_data()
        now = int(time.time())
        return {**body, "iat": now, "exp": now + message.id_token_expiration}

    def id_token(
        self,
        nonce: str,
        overrides: dict[str, Any] | None = None,
        remove: Iterable[str] = (),
        header: dict[str, Any] | None = None,
        key: SigningKey | None = None,
        *,
        hint: str | None = None,
    ) -> str:
        """A crafted id_token for ``nonce`` (take it from the tool's auth redirect): the claims
        of the remembered launch, ``overrides`` applied, ``remove`` claims dropped, signed with
        ``key`` (default the platform's) under ``header`` overrides (see ``sign``)."""
        body = {**self.claims(nonce, hint), **(overrides or {})}
        for name in remove:
            body.pop(name, None)
        return self.sign(body, header=header, key=key)

    # -- AGS state ----------------------------------------------------------------------------

    def _lineitems_url(self, context_id: str, type_id: int) -> str:
        return f"{self.issuer}/mod/lti/services.php/{quote(context_id)}/lineitems?type_id={type_id}"

    def _memberships_url(self, context_id: str, type_id: int) -> str:
        return (
            f"{self.issuer}/mod/lti/services.php/CourseSection/{quote(context_id)}"
            f"/bindings/{type_id}/memberships"
        )

    def _create_lineitem(self, context_id: str, type_id: int, item: dict[str, Any]) -> dict:
        with self._lock:
            self._lineitem_count += 1
            number = self._lineitem_count
            url = (
                f"{self.issuer}/mod/lti/services.php/{quote(context_id)}/lineitems/{number}"
                f"/lineitem?type_id={type_id}"
            )
            stored = {"id": url, **{k: v for k, v in item.items() if k != "id"}}
            self.lineitems[url] = stored
            self._lineitem_meta[url] = (context_id, type_id)
            return stored

    def _link_lineitem(self, client: Client, context_id: str, link_id: str, label: str) -> str:
        with self._lock:
            key = (client.type_id, context_id, link_id)
            if key not in self._link_lineitems:
                item = {"label": label, "scoreMaximum": 100, "resourceLinkId": link_id}
                created = self._create_lineitem(context_id, client.type_id, item)
                self._link_lineitems[key] = created["id"]
            return self._link_lineitems[key]

    def expire_tokens(self) -> None:
        """End every access token issued so far (a service call with one answers 401)."""
        with self._lock:
            for token in self._tokens.values():
                token.expires_at = 0

    # -- dynamic registration -----------------------------------------------------------------

    def registration_url(self, tool_base: str | None = None) -> str:
        """What an admin pastes: the tool's registration URL with a fresh one-time token."""
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._registration_tokens.add(token)
        query = urlencode(
            {"openid_configuration": self.openid_configuration_url, "registration_token": token}
        )
        return f"{(tool_base or self.tool).rstrip('/')}/lti/register?{query}"

    def openid_configuration(self) -> dict[str, Any]:
        """The platform's OpenID configuration (LTI Dynamic Registration §3.4)."""
        return {
            "issuer": self.issuer,
            "authorization_endpoint": self.auth_url,
            "token_endpoint": self.token_url,
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
            "jwks_uri": self.jwks_url,
            "registration_endpoint": self.registration_endpoint,
            "scopes_supported": ["openid", *ALL_SCOPES],
            "response_types_supported": ["id_token"],
            "response_modes_supported": ["form_post"],
            "subject_types_supported": ["public", "pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "claims_supported": ["sub", "iss", "name", "given_name", "family_name", "email"],
            PLATFORM_CONFIGURATION: {
                "product_family_code": "moodle",
                "version": MOODLE_VERSION,
                "messages_supported": [{"type": t} for t in MESSAGE_TYPES],
                "variables": ["ResourceLink.id", "Context.id", "User.id"],
            },
        }

    def _register(self, config: Any) -> dict[str, Any]:
        """Validate a tool configuration (DR §3.5, RFC 7591 §2) and register it (DR §3.6)."""

        def refuse(message: str, error: str = "invalid_client_metadata") -> LtiError:
            return LtiError(error, message)

        if not isinstance(config, dict):
            raise refuse("the body must be a JSON object")
        if config.get("application_type") != "web":
            raise refuse("application_type must be web")
        for name, needed in (
            ("response_types", {"id_token"}),
            ("grant_types", {"implicit", "client_credentials"}),
        ):
            value = config.get(name)
            if not isinstance(value, list) or not needed <= set(value):
                raise refuse(f"{name} must include {sorted(needed)}")
        if config.get("token_endpoint_auth_method") != "private_key_jwt":
            raise refuse("token_endpoint_auth_method must be private_key_jwt")
        for name in ("initiate_login_uri", "jwks_uri"):
            if not _is_url(config.get(name)):
                raise refuse(f"{name} must be an absolute http(s) URL")
        redirect_uris = config.get("redirect_uris")
        if not (
            isinstance(redirect_uris, list) and redirect_uris and all(map(_is_url, redirect_uris))
        ):
            raise refuse("redirect_uris must be a list of absolute URLs", "invalid_redirect_uri")
        if "scope" in config and not isinstance(config["scope"], str):
            raise refuse("scope must be a space-separated string")
        lti = config.get(TOOL_CONFIGURATION)
        if not isinstance(lti, dict):
            raise refuse(f"{TOOL_CONFIGURATION} must be an object")
        domain = lti.get("domain")
        if not isinstance(domain, str) or not domain:
            raise refuse("the LTI tool configuration needs a domain")
        if not _is_url(lti.get("target_link_uri")):
            raise refuse("the LTI tool configuration needs an absolute target_link_uri")
        secondary = lti.get("secondary_domains", [])
        if not isinstance(secondary, list) or not all(isinstance(d, str) for d in secondary):
            raise refuse("secondary_domains must be a list of domains")
        domains = {domain, *secondary}
        hosts = {urlsplit(f"//{d}").hostname for d in domains}
        for uri in [lti["target_link_uri"], config["initiate_login_uri"], *redirect_uris]:
            if urlsplit(uri).hostname not in hosts:
                raise refuse(f"{uri} is not on the tool's domain {domain}")
        messages = lti.get("messages", [])
        if not isinstance(messages, list):
            raise refuse("messages must be a list")
        for message in messages:
            # a type this platform lacks is not offered, not refused
            if not isinstance(message, dict) or not isinstance(message.get("type"), str):
                raise refuse(f"a message needs a type: {message!r}")
            if "target_link_uri" in message and not _is_url(message["target_link_uri"]):
                raise refuse(f"message target_link_uri must be a URL: {message!r}")
        custom = lti.get("custom_parameters", {})
        if not isinstance(custom, dict) or not all(isinstance(v, str) for v in custom.values()):
            raise refuse("custom_parameters must map names to strings")

        granted = [s for s in config.get("scope", "").split() if s in ALL_SCOPES]
        client = self.add_client(
            initiate_login_uri=config["initiate_login_uri"],
            redirect_uris=list(redirect_uris),
            target_link_uri=lti["target_link_uri"],
            jwks_uri=config["jwks_uri"],
            scopes=frozenset(granted),
            configuration=config,
        )
        response = {
            **config,
            "client_id": client.client_id,
            "scope": " ".join(granted),
            TOOL_CONFIGURATION: {**lti, "deployment_id": client.deployment_id},
        }
        client.configuration = response
        with self._lock:
            self.registrations.append(response)
        return response

    # -- HTTP ---------------------------------------------------------------------------------

    def _snapshot(self, collection: Any) -> Any:
        """A copy to iterate over while the test's thread may be adding to the original."""
        with self._lock:
            return collection.copy()

    def _bearer(self, scopes: Iterable[str], type_id: int | None = None) -> Client:
        """RFC 6750: a valid, unexpired access token holding one of ``scopes`` and issued to
        the tool that owns the resource (``type_id``)."""
        parts = request.headers.get("Authorization", "").split()
        if len(parts) != 2 or parts[0].lower() != "bearer":
            raise LtiError("invalid_request", "a Bearer access token is required", 401)
        token = self._tokens.get(parts[1])
        if token is None or token.expires_at < time.time():
            raise LtiError("invalid_token", "unknown or expired access token", 401)
        if not token.scopes & set(scopes):
            raise LtiError("insufficient_scope", f"needs one of {sorted(scopes)}", 403)
        client = self.clients[token.client_id]
        if type_id is not None and client.type_id != type_id:
            raise LtiError("insufficient_scope", "this resource belongs to another tool", 403)
        return client

    def _type_id(self) -> int:
        value = request.args.get("type_id", "")
        if not value.isdigit():
            raise LtiError(
                "invalid_request",
                "type_id query parameter missing: keep the line item URL's query string",
            )
        return int(value)

    def _grant(self, form: dict[str, str]) -> tuple[Client, str]:
        """The client-credentials grant with a JWT client assertion (Security Framework §4.1,
        RFC 6749 §4.4, RFC 7523 §3)."""
        for name in ("grant_type", "client_assertion_type", "client_assertion", "scope"):
            if not form.get(name):
                raise LtiError("invalid_request", f"{name} is missing")
        if form["grant_type"] != "client_credentials":
            raise LtiError("unsupported_grant_type", "grant_type must be client_credentials")
        if form["client_assertion_type"] != JWT_BEARER:
            raise LtiError("invalid_request", f"client_assertion_type must be {JWT_BEARER}")
        client, claims = self._verify_tool_jwt(form["client_assertion"], "invalid_client")
        if claims.get("sub") != client.client_id:
            raise LtiError("invalid_client", "iss and sub must both be the client_id")
        aud = claims.get("aud")
        if self.token_url not in (aud if isinstance(aud, list) else [aud]):
            raise LtiError("invalid_client", f"aud must be the token URL, got {aud!r}")
        jti = claims.get("jti")
        if not isinstance(jti, str) or not jti:
            raise LtiError("invalid_client", "jti is required")
        with self._lock:
            now = time.time()
            self._jtis = {k: exp for k, exp in self._jtis.items() if exp > now}
            if (client.client_id, jti) in self._jtis:
                raise LtiError("invalid_grant", "jti already used")
            self._jtis[(client.client_id, jti)] = float(claims["exp"])
        granted = [s for s in form["scope"].split() if s in client.scopes]
        if not granted:
            raise LtiError("invalid_scope", "none of the requested scopes is allowed")
        return client, " ".join(dict.fromkeys(granted))

    def _build_app(self) -> Flask:
        app = Flask(__name__, static_folder=None)

        @app.errorhandler(LtiError)
        def refused(exc: LtiError) -> Response:
            response = jsonify(error=exc.error, error_description=exc.description)
            response.status_code = exc.status
            if exc.status == 401:  # RFC 6750 §3.1: no error code when no token was sent
                plain = exc.error == "invalid_request"
                response.headers["WWW-Authenticate"] = (
                    "Bearer" if plain else f'Bearer error="{exc.error}"'
                )
            return response

        @app.after_request
        def record(response: Response) -> Response:
            with self._lock:
                self.requests.append(
                    {
                        "method": request.method,
                        "path": request.path,
                        "query": request.args.to_dict(),
                        "status": response.status_code,
                    }
                )
            return response

        def service_down() -> Response | None:
            if self.down:
                response = jsonify(error="temporarily_unavailable")
                response.status_code = 503
                return response
            return None

        def media(body: Any, mimetype: str, status: int = 200) -> Response:
            return Response(json.dumps(body), status=status, mimetype=mimetype)

        def accepts(mimetype: str) -> None:
            if request.accept_mimetypes and not request.accept_mimetypes.best_match([mimetype]):
                raise LtiError("not_acceptable", f"Accept must allow {mimetype}", 406)

        def json_body(mimetype: str) -> dict[str, Any]:
            if request.mimetype != mimetype:
                raise LtiError("invalid_request", f"Content-Type must be {mimetype}", 415)
            body = request.get_json(force=True, silent=True)
            if not isinstance(body, dict):
                raise LtiError("invalid_request", "the body must be a JSON object")
            return body

        def form_page(title: str, action: str, fields: dict[str, str]) -> str:
            inputs = "".join(
                f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">'
                for k, v in fields.items()
            )
            return (
                f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{escape(title)}"
                '</title><script src="/mod/lti/autosubmit.js" defer></script></head><body>'
                f'<form id="lti-autosubmit" method="post" action="{escape(action)}">{inputs}'
                '<button type="submit">Continue</button></form></body></html>'
            )

        def page(text: str, status: int = 200) -> Response:
            html = f"<!doctype html><html lang=en><title>Fake Moodle</title><p>{escape(text)}</p>"
            return Response(html, status=status, mimetype="text/html")

        @app.get("/mod/lti/autosubmit.js")
        def autosubmit() -> Response:
            script = "document.getElementById('lti-autosubmit').submit();\n"
            return Response(script, mimetype="text/javascript")

        @app.get("/mod/lti/certs.php")
        def certs() -> Response:
            return jsonify(self.jwks())

        @app.get("/mod/lti/openid-configuration.php")
        def openid_configuration() -> Response:
            return jsonify(self.openid_configuration())

        @app.get("/mod/lti/launch.php")
        def launch_page() -> Response | str:
            launch = self._launches.get(request.args.get("hint", ""))
            if launch is None:
                return page("No such launch.", 404)
            client = self._client(launch.client_id)
            login = _OIDCLogin(None, _PlatformConf(registration=self._registration(client)))
            login.set_launch_url(launch.target_link_uri)
            login.set_lti_message_hint(hint=launch.hint)
            params = dict(parse_qsl(urlsplit(login.initiate_login(launch.user.sub)).query))
            return form_page("Launching the tool", client.initiate_login_uri, params)

        @app.route("/mod/lti/auth.php", methods=["GET", "POST"])
        def auth() -> Response | str:
            params = request.args.to_dict() if request.method == "GET" else request.form.to_dict()
            try:
                redirect_uri, form = self.authorize(params)
            except LtiError as exc:
                return page(f"{exc.error}: {exc.description}", 400)
            return form_page("Launching the tool", redirect_uri, form)

        @app.post("/mod/lti/token.php")
        def token() -> Response:
            entry: dict[str, Any] = {"form": request.form.to_dict(), "status": 503}
            with self._lock:
                self.token_requests.append(entry)
            if (down := service_down()) is not None:
                return down
            try:
                client, scope = self._grant(entry["form"])
            except LtiError as exc:
                entry.update(status=exc.status, error=exc.error, description=exc.description)
                raise
            access_token = secrets.token_urlsafe(32)
            with self._lock:
                self._tokens[access_token] = _Token(
                    client.client_id, frozenset(scope.split()), time.time() + 3600
                )
            entry.update(status=200, scope=scope, client_id=client.client_id)
            response = jsonify(
                access_token=access_token, token_type="Bearer", expires_in=3600, scope=scope
            )
            response.headers["Cache-Control"] = "no-store"
            return response

        lineitems_path = "/mod/lti/services.php/<context_id>/lineitems"
        lineitem_path = lineitems_path + "/<int:number>/lineitem"

        def find_lineitem(context_id: str, number: int, type_id: int) -> str:
            url = (
                f"{self.issuer}/mod/lti/services.php/{quote(context_id)}/lineitems/{number}"
                f"/lineitem?type_id={type_id}"
            )
            if url not in self.lineitems:
                raise LtiError("not_found", "no such line item", 404)
            return url

        def check_lineitem(body: dict[str, Any]) -> dict[str, Any]:
            # AGS 2.0 §3.2: label and a positive scoreMaximum are required
            if not isinstance(body.get("label"), str) or not body["label"].strip():
                raise LtiError("invalid_request", "label is required")
            if not _is_number(body.get("scoreMaximum")) or body["scoreMaximum"] <= 0:
                raise LtiError("invalid_request", "scoreMaximum must be a number above 0")
            for name in ("resourceLinkId", "resourceId", "tag"):
                if name in body and not isinstance(body[name], str):
                    raise LtiError("invalid_request", f"{name} must be a string")
            for name in ("startDateTime", "endDateTime"):
                if name in body:
                    try:
                        parse_timestamp(body[name])
                    except ValueError as exc:
                        raise LtiError("invalid_request", f"{name}: {exc}") from exc
            return body

        def paged(items: list, mimetype: str, wrap: Callable[[list], Any]) -> Response:
            """``limit`` and ``page`` paging with an RFC 8288 ``Link: <...>; rel="next"``."""
            limit = request.args.get("limit", type=int)
            page_no = request.args.get("page", 1, type=int)
            if limit is None or limit < 1:
                return media(wrap(items), mimetype)
            start = (page_no - 1) * limit
            response = media(wrap(items[start : start + limit]), mimetype)
            if start + limit < len(items):
                query = {**request.args.to_dict(), "page": str(page_no + 1)}
                response.headers["Link"] = f'<{request.base_url}?{urlencode(query)}>; rel="next"'
            return response

        @app.route(lineitems_path, methods=["GET", "POST"])
        def lineitems(context_id: str) -> Response:
            if (down := service_down()) is not None:
                return down
            type_id = self._type_id()
            if request.method == "POST":
                self._bearer([SCOPE_LINEITEM], type_id)
                body = check_lineitem(json_body(LINEITEM_MEDIA))
                item = self._create_lineitem(context_id, type_id, body)
                return media(item, LINEITEM_MEDIA, 201)
            self._bearer([SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY], type_id)
            accepts(LINEITEMS_MEDIA)
            filters = {
                k: request.args[k]
                for k in ("resource_link_id", "resource_id", "tag")
                if k in request.args
            }
            names = {
                "resource_link_id": "resourceLinkId",
                "resource_id": "resourceId",
                "tag": "tag",
            }
            items = [
                item
                for url, item in self._snapshot(self.lineitems).items()
                if self._lineitem_meta[url] == (context_id, type_id)
                and all(item.get(names[k]) == v for k, v in filters.items())
            ]
            return paged(items, LINEITEMS_MEDIA, lambda page_items: page_items)

        @app.route(lineitem_path, methods=["GET", "PUT", "DELETE"])
        def lineitem(context_id: str, number: int) -> Response:
            if (down := service_down()) is not None:
                return down
            type_id = self._type_id()
            if request.method == "GET":
                self._bearer([SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY], type_id)
                accepts(LINEITEM_MEDIA)
                return media(
                    self.lineitems[find_lineitem(context_id, number, type_id)], LINEITEM_MEDIA
                )
            self._bearer([SCOPE_LINEITEM], type_id)
            url = find_lineitem(context_id, number, type_id)
            if request.method == "DELETE":
                with self._lock:
                    del self.lineitems[url]
                return Response(status=204)
            body = check_lineitem(json_body(LINEITEM_MEDIA))
            with self._lock:
                self.lineitems[url] = {**body, "id": url}
            return media(self.lineitems[url], LINEITEM_MEDIA)

        @app.post(lineitem_path + "/scores")
        def scores(context_id: str, number: int) -> Response:
            if (down := service_down()) is not None:
                return down
            type_id = self._type_id()
            self._bearer([SCOPE_SCORE], type_id)
            url = find_lineitem(context_id, number, type_id)
            score = json_body(SCORE_MEDIA)
            check_score(score)
            if score["userId"] in self.reject_scores_for:
                return media(UNPROCESSABLE, "application/json", 422)
            with self._lock:
                self.scores.append({"lineitem": url, "payload": score})
            return Response(status=200)

        def check_score(score: dict[str, Any]) -> None:
            # AGS 2.0 §3.4 (score publish service) and its JSON binding
            def bad(message: str) -> LtiError:
                return LtiError("invalid_request", message)

            if not isinstance(score.get("userId"), str) or not score["userId"]:
                raise bad("userId is required (the user's LTI id, a string)")
            if "scoreGiven" in score:
                if not _is_number(score["scoreGiven"]) or score["scoreGiven"] < 0:
                    raise bad("scoreGiven must be a number, 0 or more")
                if "scoreMaximum" not in score:
                    raise bad("scoreMaximum is required with scoreGiven")
            if "scoreMaximum" in score and (
                not _is_number(score["scoreMaximum"]) or score["scoreMaximum"] <= 0
            ):
                raise bad("scoreMaximum must be a number above 0")
            if score.get("activityProgress") not in ACTIVITY_PROGRESS:
                raise bad(f"activityProgress must be one of {sorted(ACTIVITY_PROGRESS)}")
            if score.get("gradingProgress") not in GRADING_PROGRESS:
                raise bad(f"gradingProgress must be one of {sorted(GRADING_PROGRESS)}")
            if "comment" in score and not isinstance(score["comment"], str | None):
                raise bad("comment must be a string")
            try:
                parse_timestamp(score.get("timestamp"))
                submission = score.get("submission", {})
                for name in ("startedAt", "submittedAt"):
                    if isinstance(submission, dict) and name in submission:
                        parse_timestamp(submission[name])
            except ValueError as exc:
                raise bad(f"timestamp: {exc}") from exc

        @app.get(lineitem_path + "/results")
        def results(context_id: str, number: int) -> Response:
            if (down := service_down()) is not None:
                return down
            type_id = self._type_id()
            self._bearer([SCOPE_RESULT_READONLY], type_id)
            accepts(RESULTS_MEDIA)
            url = find_lineitem(context_id, number, type_id)
            latest = {
                s["payload"]["userId"]: s["payload"]
                for s in self._snapshot(self.scores)
                if s["lineitem"] == url
            }
            wanted = request.args.get("user_id")
            base, _, query = url.partition("?")
            items = [
                {
                    "id": f"{base}/results/{quote(user_id)}?{query}",
                    "scoreOf": url,
                    "userId": user_id,
                    "resultScore": score.get("scoreGiven"),
                    "resultMaximum": score.get("scoreMaximum", 1),
                    **({"comment": score["comment"]} if score.get("comment") else {}),
                }
                for user_id, score in latest.items()
                if wanted in (None, user_id)
            ]
            return paged(items, RESULTS_MEDIA, lambda page_items: page_items)

        @app.get(
            "/mod/lti/services.php/CourseSection/<context_id>/bindings/<int:type_id>/memberships"
        )
        def memberships(context_id: str, type_id: int) -> Response:
            # NRPS 2.0 §2-§3: roster of the context, role filter, limit paging via Link
            if (down := service_down()) is not None:
                return down
            self._bearer([SCOPE_NRPS], type_id)
            accepts(MEMBERSHIPS_MEDIA)
            context = dict(DEFAULT_CONTEXT)
            for launch in self._snapshot(self._launches).values():
                if launch.context["id"] == context_id:
                    context = launch.context
            role = request.args.get("role")
            members = [
                {"status": "Active", "user_id": user.sub, "roles": roles, **user.claims()}
                for user, roles in self._snapshot(self.roster.get(context_id, {})).values()
                if role is None or any(r == role or r.endswith(f"#{role}") for r in roles)
            ]
            container = {
                "id": request.base_url,
                "context": {k: context[k] for k in ("id", "label", "title") if k in context},
            }
            return paged(members, MEMBERSHIPS_MEDIA, lambda page: {**container, "members": page})

        @app.post("/mod/lti/contentitem_return.php")
        def deep_link_return() -> Response:
            try:
                items = self._deep_link_response(request.form.get("JWT", ""))
            except LtiError as exc:
                return page(f"{exc.error}: {exc.description}", 400)
            return page(f"Added {len(items)} item(s) to the course.")

        @app.get("/mod/lti/return.php")
        def returned() -> Response:
            return page(request.args.get("lti_errormsg") or request.args.get("lti_msg") or "Back.")

        @app.post("/mod/lti/openid-registration.php")
        def register() -> Response:
            parts = request.headers.get("Authorization", "").split()
            token = parts[1] if len(parts) == 2 and parts[0].lower() == "bearer" else None
            with self._lock:
                if token not in self._registration_tokens:
                    raise LtiError("invalid_token", "registration token missing or used", 401)
                self._registration_tokens.discard(token)  # one-time
            if request.mimetype != "application/json":
                raise LtiError("invalid_client_metadata", "Content-Type must be application/json")
            return jsonify(self._register(request.get_json(silent=True)))

        return app

    def _deep_link_response(self, token: str) -> list[dict[str, Any]]:
        """Deep Linking 2.0 §4: the tool's LtiDeepLinkingResponse, checked and stored."""
        client, claims = self._verify_tool_jwt(token, "invalid_request")

        def bad(message: str) -> LtiError:
            return LtiError("invalid_request", message)

        aud = claims.get("aud")
        if self.issuer not in (aud if isinstance(aud, list) else [aud]):
            raise bad(f"aud must be the platform issuer, got {aud!r}")
        if not claims.get("nonce"):
            raise bad("nonce is required")
        if claims.get(LTI_CLAIM + "message_type") != "LtiDeepLinkingResponse":
            raise bad("message_type must be LtiDeepLinkingResponse")
        if claims.get(LTI_CLAIM + "version") != "1.3.0":
            raise bad("version must be 1.3.0")
        if claims.get(LTI_CLAIM + "deployment_id") != client.deployment_id:
            raise bad("deployment_id is not the one of the request")
        launch = next(
            (
                launch
                for launch in self._snapshot(self._launches).values()
                if launch.dl_data is not None and launch.dl_data == claims.get(DL_DATA_CLAIM)
            ),
            None,
        )
        if launch is None or launch.client_id != client.client_id:
            raise bad("data does not echo the deep linking request's data")
        items = claims.get(DL_ITEMS_CLAIM, [])
        if not isinstance(items, list):
            raise bad("content_items must be a list")
        for item in items:
            if not isinstance(item, dict) or item.get("type") != "ltiResourceLink":
                raise bad(f"only ltiResourceLink items are accepted: {item!r}")
            if "url" in item and not _is_url(item["url"]):
                raise bad(f"url must be an absolute URL: {item['url']!r}")
            custom = item.get("custom", {})
            if not isinstance(custom, dict) or not all(isinstance(v, str) for v in custom.values()):
                raise bad("custom must map names to strings")
            line_item = item.get("lineItem")
            if line_item is not None and (
                not isinstance(line_item, dict)
                or not _is_number(line_item.get("scoreMaximum"))
                or line_item["scoreMaximum"] <= 0
            ):
                raise bad("lineItem needs a scoreMaximum above 0")
        with self._lock:
            self.deep_link_responses.append(claims)
            for item in items:
                if item.get("lineItem"):
                    link_id = f"dl-{len(self.deep_link_items) + 1}"
                    label = item["lineItem"].get("label") or item.get("title") or "Untitled"
                    self._create_lineitem(
                        launch.context["id"],
                        client.type_id,
                        {"label": label, **item["lineItem"], "resourceLinkId": link_id},
                    )
                self.deep_link_items.append(item)
        return items
