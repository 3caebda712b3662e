"""The LTI 1.3 certification suite's "known bad payloads", adapted to our test platform.

The payloads under ``data/certification/invalid/<case>/`` are unmodified copies of the ones the
packbackbooks/lti-1-3-php-library keeps for the 1EdTech (IMS) certification suite (origin,
commit and licence in ``data/certification/README.md``). Each case is a directory holding
``payload.json`` (the JWT body the suite sent), and sometimes ``header.json`` (the JWT header
it sent) and ``keep.json`` (body fields that must not be refreshed, because they are the defect).

``bad_payloads()`` turns each into a ``Case`` the tool's tests sign with the platform's key
(RS256) and POST to the launch endpoint with a valid state, expecting a refusal:

``name``
    the case's directory name, as upstream spells it.
``why``
    the certification suite's test name and what is wrong, in one line
    (https://www.imsglobal.org/spec/lti/v1p3/cert/#known-bad-payloads).
``header``
    overrides for the JWT header the tests would otherwise send (``alg`` RS256 and the
    platform's ``kid``): a value replaces, ``None`` removes the field. Built from the case's
    ``header.json`` without its ``alg`` (always RS256, which the tests sign with anyway); the
    "No KID" case adds ``"kid": None``. ``{}`` means: the normal header.
``body``
    a fresh copy of ``payload.json`` adapted field by field:

    =====================  ==================================================================
    ``iss``                the suite's ``https://ltiadvantagevalidator.imsglobal.org`` becomes
                           ``issuer``
    ``aud``                the suite's ``imstester_3dfad6d`` becomes ``client_id``
    deployment_id claim    the suite's ``testdeploy`` becomes ``deployment_id``
    ``nonce``              becomes ``nonce`` (the one the tool issued with the valid state)
    ``iat`` / ``exp``      become ``now`` / ``now + 300`` (the suite's own 300 s lifetime)
                           unless listed in the case's ``keep.json`` (the timestamp case keeps
                           its 1970 values)
    target_link_uri claim  the suite's ``http://localhost:8080/`` becomes ``target_link_uri``
                           when that keyword is given, else stays
    =====================  ==================================================================

    A field is adapted only where the payload has it with the suite's placeholder value, so a
    missing claim stays missing and a deliberately wrong value stays wrong. Everything else
    (``sub``, names, email, roles, context, resource_link, the NRPS and AGS claims whose URLs
    point at the suite) is kept verbatim.

Upstream also files "Launch Instructor With Email No Context" under ``invalid/``, but the
certification guide lists it as a *valid* launch ("Valid Instructor Email Without Context": the
context claim is optional). It is copied too, yet left out of ``bad_payloads()``;
``misfiled_payloads()`` returns it, adapted the same way, for a test that expects it to launch.
"""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).parent / "data" / "certification"
INVALID_DIR = DATA_DIR / "invalid"

SUITE_ISSUER = "https://ltiadvantagevalidator.imsglobal.org"
SUITE_CLIENT_ID = "imstester_3dfad6d"
SUITE_DEPLOYMENT_ID = "testdeploy"
SUITE_TARGET_LINK_URI = "http://localhost:8080/"
LIFETIME = 300  # seconds from iat to exp in every suite payload

DEPLOYMENT_ID_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/deployment_id"
TARGET_LINK_URI_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/target_link_uri"


@dataclass(frozen=True)
class Case:
    name: str
    why: str
    header: dict[str, Any]
    body: dict[str, Any]


# case directory -> (why, whether the header loses its kid)
_BAD: dict[str, tuple[str, bool]] = {
    "Correct KID Required in Header": (
        "No KID Sent in JWT header: the header has no kid, so the signing key cannot be chosen",
        True,
    ),
    "Incorrect KID passed in JWT Header": (
        "Incorrect KID in JWT header: the kid names no key of the platform's, so the signature"
        " cannot be verified",
        False,
    ),
    "LTI version passed is not 1.3": (
        "Wrong LTI Version: the version claim is 11.3, not 1.3.0",
        False,
    ),
    "No LTI Version Passed in JWT": (
        "No LTI Version: the version claim is missing",
        False,
    ),
    "JWT Passed is Not LTI 1.3 JWT": (
        "Invalid LTI message: a signed JWT whose body is not an LTI 1.3 launch at all"
        " (only a name; no iss, aud, nonce, timestamps or LTI claims)",
        False,
    ),
    "One or more JWT fields missing": (
        "Missing LTI Claims: required claims message_type, version and roles are missing",
        False,
    ),
    "Exp and Iat Fields invalid": (
        "Timestamps Incorrect: iat and exp are 1970 values (11111 and 22222), long expired",
        False,
    ),
    "message_type Claim Missing": (
        "message_type Claim Missing: the required message_type claim is not present",
        False,
    ),
    "role Claim Missing": (
        "role Claim Missing: the required roles claim is not present",
        False,
    ),
    "deployment_id Claim Missing": (
        "deployment_id Claim Missing: the required deployment_id claim is not present",
        False,
    ),
    "Launch With Missing resource_link_id": (
        "resource_link_id Claim Missing: the required resource_link claim (and so its id)"
        " is not present",
        False,
    ),
    "user Claim Missing": (
        "user Claim Missing: the required sub claim is absent in effect (an empty string)",
        False,
    ),
}

# filed under invalid/ upstream, but a valid launch for the certification suite
_MISFILED: dict[str, str] = {
    "Launch Instructor With Email No Context": (
        "Valid Instructor Email Without Context: an instructor launch with email and no"
        " context claim (optional in LTI 1.3); the suite expects it to succeed"
    ),
}


def _read(case_dir: Path, file_name: str) -> Any:
    path = case_dir / file_name
    if not path.exists():
        return None
    with path.open(encoding="utf-8") as f:
        return json.load(f)


def _header(case_dir: Path, drop_kid: bool) -> dict[str, Any]:
    header = dict(_read(case_dir, "header.json") or {})
    alg = header.pop("alg", "RS256")
    if alg != "RS256":
        raise ValueError(f"{case_dir.name}: header alg {alg!r}, expected RS256")
    if drop_kid:
        header["kid"] = None
    return header


def _body(
    case_dir: Path,
    issuer: str,
    client_id: str,
    deployment_id: str,
    nonce: str,
    now: int,
    target_link_uri: str | None,
) -> dict[str, Any]:
    body = _read(case_dir, "payload.json")
    keep = set(_read(case_dir, "keep.json") or ())
    if body.get("iss") == SUITE_ISSUER:
        body["iss"] = issuer
    if body.get("aud") == SUITE_CLIENT_ID:
        body["aud"] = client_id
    if body.get(DEPLOYMENT_ID_CLAIM) == SUITE_DEPLOYMENT_ID:
        body[DEPLOYMENT_ID_CLAIM] = deployment_id
    if "nonce" in body:
        body["nonce"] = nonce
    if "iat" in body and "iat" not in keep:
        body["iat"] = now
    if "exp" in body and "exp" not in keep:
        body["exp"] = now + LIFETIME
    if target_link_uri is not None and body.get(TARGET_LINK_URI_CLAIM) == SUITE_TARGET_LINK_URI:
        body[TARGET_LINK_URI_CLAIM] = target_link_uri
    return body


def _case_dirs() -> list[Path]:
    dirs = sorted(p for p in INVALID_DIR.iterdir() if p.is_dir())
    names = {p.name for p in dirs}
    known = set(_BAD) | set(_MISFILED)
    if names != known:
        raise ValueError(
            f"certification cases changed: new {sorted(names - known)}, gone {sorted(known - names)}"
        )
    return dirs


def bad_payloads(
    issuer: str,
    client_id: str,
    deployment_id: str,
    nonce: str,
    now: int,
    *,
    target_link_uri: str | None = None,
) -> list[Case]:
    """Every known bad payload the tool must refuse, sorted by name (see the module docstring)."""
    return _cases(_BAD, issuer, client_id, deployment_id, nonce, now, target_link_uri)


def misfiled_payloads(
    issuer: str,
    client_id: str,
    deployment_id: str,
    nonce: str,
    now: int,
    *,
    target_link_uri: str | None = None,
) -> list[Case]:
    """The payloads upstream files as invalid that the certification suite expects to launch."""
    cases = {name: (why, False) for name, why in _MISFILED.items()}
    return _cases(cases, issuer, client_id, deployment_id, nonce, now, target_link_uri)


def _cases(cases: dict, issuer, client_id, deployment_id, nonce, now, target_link_uri):
    """The named cases, adapted: {name: (why, drop the kid)}."""
    return [
        Case(
            name=d.name,
            why=cases[d.name][0],
            header=_header(d, cases[d.name][1]),
            body=_body(d, issuer, client_id, deployment_id, nonce, int(now), target_link_uri),
        )
        for d in _case_dirs()
        if d.name in cases
    ]
