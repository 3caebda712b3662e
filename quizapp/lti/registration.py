"""How an LMS learns about the tool: LTI Dynamic Registration (paste one URL into Moodle or
Canvas), and the developer-key JSON that Canvas can read from a URL.

The registration URL carries a key derived from the app's secret key, so only an admin who
was given the URL (`flask lti registration-url`) can register a platform.
"""

import hashlib
import hmac
from urllib.parse import urlsplit

import requests
from flask import current_app
from pylti1p3.dynamic_registration import DynamicRegistration
from pylti1p3.exception import LtiException
from sqlalchemy.orm import Session

from ..templating import public_url
from . import platforms
from .models import Platform
from .tool import Http, Refused

TITLE = "Myth or fact quizzes"
DESCRIPTION = (
    "Myth-versus-fact quizzes whose explanations link to the exact section of their sources; "
    "scores go to the course gradebook."
)
SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
]
TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
_AGAIN = "Start the registration again from the LMS, or register by hand (flask lti add-platform)."


def registration_key() -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, b"lti dynamic registration", hashlib.sha256).hexdigest()[:32]


def key_matches(key: str | None) -> bool:
    return bool(key) and hmac.compare_digest(key, registration_key())


def urls() -> dict[str, str]:
    return {
        "login": public_url("lti.login"),
        "launch": public_url("lti.launch"),
        "jwks": public_url("lti.jwks"),
        "icon": public_url("static", filename="icon.svg"),
    }


class _Registration(DynamicRegistration):
    client_name = TITLE
    description = DESCRIPTION

    def __init__(self, openid_configuration: str, token: str | None):
        self._configuration_url = openid_configuration
        self._token = token
        self._urls = urls()

    def get_request_session(self):
        return Http()

    def get_initiate_login_uri(self):
        return self._urls["login"]

    def get_jwks_uri(self):
        return self._urls["jwks"]

    def get_redirect_uris(self):
        return [self._urls["launch"]]

    def get_scopes(self):
        return SCOPES

    def get_domain(self):
        return urlsplit(self._urls["launch"]).netloc

    def get_target_link_uri(self):
        return self._urls["launch"]

    def get_claims(self):
        return ["iss", "sub", "name", "given_name", "family_name", "email"]

    def get_messages(self):
        return [
            {
                "type": "LtiDeepLinkingRequest",
                "target_link_uri": self._urls["launch"],
                "label": "Add a myth-or-fact quiz",
                "placements": ["ContentArea", "assignment_selection", "link_selection"],
                "supported_types": ["ltiResourceLink"],
            },
            {"type": "LtiResourceLinkRequest", "target_link_uri": self._urls["launch"]},
        ]

    def get_logo_uri(self):
        return self._urls["icon"]

    def get_openid_configuration_endpoint(self):
        return self._configuration_url

    def get_registration_token(self):
        return self._token

    def get_openid_configuration(self):
        configuration = super().get_openid_configuration()
        issuer = configuration.get("issuer") if isinstance(configuration, dict) else None
        # the spec: the configuration's URL must begin with its issuer, so that a platform
        # cannot register under another's name
        url = self._configuration_url
        owned = isinstance(issuer, str) and (
            url == issuer or url.startswith(issuer.rstrip("/") + "/")
        )
        if not owned:
            raise Refused(
                "The platform's OpenID configuration names an issuer that its address does "
                "not start with.",
                "Use the registration URL your own LMS shows, unchanged.",
            )
        return configuration

    def complete_registration(self, openid_configuration, openid_registration):
        return openid_configuration, openid_registration


def register(db: Session, openid_configuration: str, token: str | None) -> Platform:
    """Run Dynamic Registration against the platform; store what it answers."""
    flow = _Registration(openid_configuration, token)
    try:
        configuration, answer = flow.register()
    except (requests.RequestException, ValueError, AssertionError, LtiException) as e:
        raise Refused(f"The platform did not complete the registration: {e}", _AGAIN) from e
    tool_answer = answer.get(TOOL_CONFIGURATION) or {}
    deployment = tool_answer.get("deployment_id")
    platform_name = (configuration.get(PLATFORM_CONFIGURATION) or {}).get("product_family_code")
    try:
        return platforms.add(
            db,
            issuer=configuration["issuer"],
            client_id=str(answer["client_id"]),
            deployment_ids=[str(deployment)] if deployment else [],
            auth_login_url=configuration["authorization_endpoint"],
            auth_token_url=configuration["token_endpoint"],
            key_set_url=configuration["jwks_uri"],
            auth_audience=configuration.get("authorization_server"),
            name=platform_name,
        )
    except KeyError as e:
        raise Refused(f"The platform's answer has no {e.args[0]}.", _AGAIN) from e
    except platforms.RegistrationError as e:
        raise Refused(str(e), _AGAIN) from e


def canvas_configuration() -> dict:
    """The developer key's JSON, for Canvas's "Enter URL" option."""
    found = urls()
    return {
        "title": TITLE,
        "description": DESCRIPTION,
        "oidc_initiation_url": found["login"],
        "target_link_uri": found["launch"],
        "public_jwk_url": found["jwks"],
        "scopes": SCOPES,
        "privacy_level": "name_only",
        "extensions": [
            {
                "domain": urlsplit(found["launch"]).netloc,
                "platform": "canvas.instructure.com",
                "privacy_level": "name_only",
                "settings": {
                    "icon_url": found["icon"],
                    "placements": [
                        {
                            "placement": placement,
                            "message_type": "LtiDeepLinkingRequest",
                            "target_link_uri": found["launch"],
                            "text": "Myth or fact quiz",
                            "icon_url": found["icon"],
                        }
                        for placement in ("assignment_selection", "link_selection")
                    ],
                },
            }
        ],
        "custom_fields": {},
    }
