"""The test LMS checks what it claims to check: a quick self-test of FakeLMS over real HTTP."""

import json
import time
import uuid
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
import requests

from tests.lti.lms import (
    AGS_CLAIM,
    DL_DATA_CLAIM,
    DL_ITEMS_CLAIM,
    DL_SETTINGS_CLAIM,
    INSTRUCTOR,
    LEARNER,
    LINEITEM_MEDIA,
    LINEITEMS_MEDIA,
    LTI_CLAIM,
    MEMBERSHIPS_MEDIA,
    NRPS_CLAIM,
    SCOPE_LINEITEM,
    SCOPE_NRPS,
    SCOPE_SCORE,
    SCORE_MEDIA,
    TOOL_CONFIGURATION,
    FakeLMS,
    LtiError,
    User,
    make_key,
    sign_jwt,
)

TOOL = "http://tool.test"
ADA = User("7", "Ada Lovelace", "Ada", "Lovelace", "ada@example.edu")


@pytest.fixture(scope="module")
def tool_key():
    return make_key()


@pytest.fixture
def lms(tool_key):
    with FakeLMS(TOOL, tool_jwks=lambda: {"keys": [tool_key.jwk]}) as platform:
        yield platform


def auth_request(lms, params, **changes):
    """What a tool redirects to after the login initiation ``params``."""
    query = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": params["client_id"],
        "redirect_uri": f"{TOOL}/lti/launch",
        "login_hint": params["login_hint"],
        "lti_message_hint": params["lti_message_hint"],
        "state": "state-1",
        "nonce": "nonce-1",
    }
    query.update(changes)
    return f"{lms.auth_url}?{urlencode({k: v for k, v in query.items() if v is not None})}"


def assertion(lms, tool_key, **changes):
    now = int(time.time())
    claims = {
        "iss": lms.client_id,
        "sub": lms.client_id,
        "aud": lms.token_url,
        "iat": now,
        "exp": now + 300,
        "jti": str(uuid.uuid4()),
    }
    claims.update(changes)
    return sign_jwt(claims, tool_key)


def token_request(lms, client_assertion, scope=SCOPE_SCORE):
    form = {
        "grant_type": "client_credentials",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": client_assertion,
        "scope": scope,
    }
    return requests.post(lms.token_url, data=form, timeout=5)


def access_token(lms, tool_key, scope=SCOPE_SCORE):
    response = token_request(lms, assertion(lms, tool_key), scope)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def scores_url(lineitem):
    path, _, query = lineitem.partition("?")
    return f"{path}/scores?{query}"


def test_launch_id_token_is_signed_and_complete(lms):
    params = lms.login_params(user=ADA, roles=[INSTRUCTOR], custom={"quiz": "myths"})
    assert params["iss"] == lms.issuer and params["lti_deployment_id"] == lms.deployment_id

    redirect_uri, form = lms.authorize(auth_request(lms, params))

    assert redirect_uri == f"{TOOL}/lti/launch" and form["state"] == "state-1"
    key = jwt.PyJWKSet.from_dict(requests.get(lms.jwks_url, timeout=5).json())[
        jwt.get_unverified_header(form["id_token"])["kid"]
    ]
    claims = jwt.decode(form["id_token"], key.key, algorithms=["RS256"], audience=lms.client_id)
    assert claims["iss"] == lms.issuer and claims["nonce"] == "nonce-1"
    assert claims["sub"] == "7" and claims["given_name"] == "Ada"
    assert claims[LTI_CLAIM + "message_type"] == "LtiResourceLinkRequest"
    assert claims[LTI_CLAIM + "version"] == "1.3.0"
    assert claims[LTI_CLAIM + "roles"] == [INSTRUCTOR]
    assert claims[LTI_CLAIM + "custom"] == {"quiz": "myths"}
    assert claims[LTI_CLAIM + "launch_presentation"]["document_target"] == "iframe"
    assert claims[AGS_CLAIM]["lineitem"] in lms.lineitems
    assert claims[NRPS_CLAIM]["context_memberships_url"] == lms.memberships_url


def test_auth_endpoint_over_http_posts_a_form(lms):
    params = lms.login_params(user=ADA)
    page = requests.get(auth_request(lms, params), timeout=5)
    assert page.status_code == 200
    assert f'action="{TOOL}/lti/launch"' in page.text and 'name="id_token"' in page.text
    assert '<button type="submit">' in page.text
    assert requests.get(f"{lms.issuer}/mod/lti/autosubmit.js", timeout=5).status_code == 200
    start = requests.get(lms.launch_page_url(user=ADA), timeout=5).text
    assert f'action="{TOOL}/lti/login"' in start and 'name="lti_message_hint"' in start


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"redirect_uri": "http://evil.test/launch"}, "invalid_request"),
        ({"prompt": None}, "invalid_request"),
        ({"response_mode": "query"}, "invalid_request"),
        ({"response_type": "code"}, "unsupported_response_type"),
        ({"scope": "profile"}, "invalid_scope"),
        ({"nonce": None}, "invalid_request"),
        ({"client_id": "someone-else"}, "unauthorized_client"),
        ({"lti_message_hint": "forged"}, "invalid_request"),
        ({"login_hint": "8"}, "login_required"),
    ],
)
def test_authorize_refuses_a_bad_auth_request(lms, changes, error):
    params = lms.login_params(user=ADA)
    with pytest.raises(LtiError) as refused:
        lms.authorize(auth_request(lms, params, **changes))
    assert refused.value.error == error


def test_crafted_id_tokens(lms):
    lms.login_params(user=ADA)
    body = jwt.decode(
        lms.id_token("n", overrides={"sub": "8"}, remove=[LTI_CLAIM + "roles"]),
        options={"verify_signature": False},
    )
    assert body["sub"] == "8" and LTI_CLAIM + "roles" not in body and body["nonce"] == "n"
    assert lms.id_token("n", header={"alg": "none"}).endswith(".")
    assert "kid" not in jwt.get_unverified_header(lms.id_token("n", header={"kid": None}))
    rogue = jwt.get_unverified_header(lms.id_token("n", key=lms.rogue_key))["kid"]
    old = lms.signing_key.kid
    new = lms.rotate_key().kid
    published = {k["kid"] for k in requests.get(lms.jwks_url, timeout=5).json()["keys"]}
    assert published == {old, new} and rogue not in published


def test_token_endpoint_grants_and_records(lms, tool_key):
    response = token_request(lms, assertion(lms, tool_key), f"{SCOPE_SCORE} {SCOPE_NRPS}")
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert set(body["scope"].split()) == {SCOPE_SCORE, SCOPE_NRPS}
    assert [r["status"] for r in lms.token_requests] == [200]


@pytest.mark.parametrize(
    "changes",
    [
        {"aud": "http://127.0.0.1:1/mod/lti/token.php"},
        {"sub": "someone-else"},
        {"iss": "someone-else"},
        {"exp": int(time.time()) - 10},
        {"jti": None},
    ],
    ids=["aud", "sub", "iss", "expired", "no-jti"],
)
def test_token_endpoint_refuses_a_bad_assertion(lms, tool_key, changes):
    bad = assertion(lms, tool_key, **changes)
    if changes == {"jti": None}:
        claims = jwt.decode(bad, options={"verify_signature": False})
        bad = sign_jwt({k: v for k, v in claims.items() if k != "jti"}, tool_key)
    response = token_request(lms, bad)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_client"


def test_token_endpoint_refuses_a_key_not_the_tools(lms, tool_key):
    impostor = make_key()
    forged = sign_jwt(
        jwt.decode(assertion(lms, tool_key), options={"verify_signature": False}),
        impostor,
        header={"kid": tool_key.kid},
    )
    assert token_request(lms, forged).json()["error"] == "invalid_client"


def test_token_endpoint_refuses_a_reused_jti(lms, tool_key):
    once = assertion(lms, tool_key)
    assert token_request(lms, once).status_code == 200
    again = token_request(lms, once)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


GOOD_SCORE = {
    "userId": "7",
    "scoreGiven": 3,
    "scoreMaximum": 4,
    "activityProgress": "Completed",
    "gradingProgress": "FullyGraded",
    "timestamp": "2024-05-01T10:00:00.123+02:00",
    "https://example.edu/extension": {"unknown": "fields are fine"},
}


def post_score(lms, token, score, content_type=SCORE_MEDIA, url=None):
    lms.login_params(user=ADA)
    lineitem = next(iter(lms.lineitems))
    return requests.post(
        url or scores_url(lineitem),
        data=json.dumps(score),
        headers={"Authorization": f"Bearer {token}", "Content-Type": content_type},
        timeout=5,
    )


def test_score_accepted_and_recorded(lms, tool_key):
    response = post_score(lms, access_token(lms, tool_key), GOOD_SCORE)
    assert response.status_code == 200, response.text
    assert lms.scores == [{"lineitem": next(iter(lms.lineitems)), "payload": GOOD_SCORE}]


@pytest.mark.parametrize(
    ("changes", "content_type", "status"),
    [
        ({}, "application/json", 415),
        ({"gradingProgress": "Graded"}, SCORE_MEDIA, 400),
        ({"activityProgress": "Done"}, SCORE_MEDIA, 400),
        ({"timestamp": "2024-05-01T10:00:00"}, SCORE_MEDIA, 400),
        ({"timestamp": "2024-05-01 10:00:00Z"}, SCORE_MEDIA, 400),
        ({"scoreGiven": -1}, SCORE_MEDIA, 400),
        ({"scoreMaximum": 0}, SCORE_MEDIA, 400),
        ({"scoreMaximum": None}, SCORE_MEDIA, 400),
        ({"userId": None}, SCORE_MEDIA, 400),
    ],
)
def test_score_refused(lms, tool_key, changes, content_type, status):
    score = {k: v for k, v in {**GOOD_SCORE, **changes}.items() if v is not None}
    response = post_score(lms, access_token(lms, tool_key), score, content_type)
    assert response.status_code == status, response.text
    assert lms.scores == []


def test_score_needs_the_right_token_and_the_query_string(lms, tool_key):
    nrps_only = access_token(lms, tool_key, SCOPE_NRPS)
    assert post_score(lms, nrps_only, GOOD_SCORE).status_code == 403
    assert post_score(lms, "made-up", GOOD_SCORE).status_code == 401
    token = access_token(lms, tool_key)
    lineitem = next(iter(lms.lineitems))
    dropped_query = lineitem.partition("?")[0] + "/scores"
    assert post_score(lms, token, GOOD_SCORE, url=dropped_query).status_code == 400
    lms.expire_tokens()
    assert post_score(lms, token, GOOD_SCORE).status_code == 401


def test_switches_down_and_unprocessable_user(lms, tool_key):
    token = access_token(lms, tool_key)
    lms.reject_scores_for.add("7")
    response = post_score(lms, token, GOOD_SCORE)
    assert response.status_code == 422
    assert response.json()["errors"]["type"] == "unprocessable_entity"
    lms.down = True
    assert token_request(lms, assertion(lms, tool_key)).status_code == 503
    assert post_score(lms, token, GOOD_SCORE).status_code == 503
    assert lms.scores == []


def test_lineitems_create_and_list(lms, tool_key):
    token = access_token(lms, tool_key, SCOPE_LINEITEM)
    auth = {"Authorization": f"Bearer {token}"}
    item = {"label": "Quiz 2", "scoreMaximum": 10, "resourceLinkId": "9", "tag": "quiz"}
    created = requests.post(
        lms.lineitems_url,
        json=item,
        headers={**auth, "Content-Type": LINEITEM_MEDIA},
        timeout=5,
    )
    assert created.status_code == 201 and created.headers["Content-Type"] == LINEITEM_MEDIA
    assert created.json()["id"] in lms.lineitems
    listed = requests.get(
        lms.lineitems_url + "&resource_link_id=9",
        headers={**auth, "Accept": LINEITEMS_MEDIA},
        timeout=5,
    )
    assert [i["label"] for i in listed.json()] == ["Quiz 2"]
    no_label = requests.post(
        lms.lineitems_url,
        json={"scoreMaximum": 10},
        headers={**auth, "Content-Type": LINEITEM_MEDIA},
        timeout=5,
    )
    assert no_label.status_code == 400


def test_nrps_pages_with_a_link_header(lms, tool_key):
    for n in range(3):
        lms.enrol(User(f"u{n}", given_name=f"U{n}"), [LEARNER])
    lms.enrol(User("t"), [INSTRUCTOR])
    headers = {
        "Authorization": f"Bearer {access_token(lms, tool_key, SCOPE_NRPS)}",
        "Accept": MEMBERSHIPS_MEDIA,
    }
    first = requests.get(lms.memberships_url, params={"limit": 3}, headers=headers, timeout=5)
    assert first.headers["Content-Type"] == MEMBERSHIPS_MEDIA
    assert [m["user_id"] for m in first.json()["members"]] == ["u0", "u1", "u2"]
    assert first.json()["members"][0]["status"] == "Active"
    second = requests.get(first.links["next"]["url"], headers=headers, timeout=5)
    assert [m["user_id"] for m in second.json()["members"]] == ["t"]
    assert "next" not in second.links
    wrong_accept = requests.get(
        lms.memberships_url, headers={**headers, "Accept": "text/html"}, timeout=5
    )
    assert wrong_accept.status_code == 406


def deep_link_response(lms, tool_key, request_claims, **changes):
    now = int(time.time())
    claims = {
        "iss": lms.client_id,
        "aud": lms.issuer,
        "iat": now,
        "exp": now + 300,
        "nonce": "n-1",
        LTI_CLAIM + "message_type": "LtiDeepLinkingResponse",
        LTI_CLAIM + "version": "1.3.0",
        LTI_CLAIM + "deployment_id": lms.deployment_id,
        DL_DATA_CLAIM: request_claims[DL_SETTINGS_CLAIM]["data"],
        DL_ITEMS_CLAIM: [{"type": "ltiResourceLink", "title": "Quiz", "url": f"{TOOL}/lti/launch"}],
    }
    claims.update(changes)
    return requests.post(
        request_claims[DL_SETTINGS_CLAIM]["deep_link_return_url"],
        data={"JWT": sign_jwt(claims, tool_key)},
        timeout=5,
    )


def test_deep_link_return(lms, tool_key):
    lms.login_params(user=ADA, roles=[INSTRUCTOR], message_type="LtiDeepLinkingRequest")
    request_claims = lms.claims("n")
    assert request_claims[DL_SETTINGS_CLAIM]["accept_types"] == ["ltiResourceLink"]
    assert deep_link_response(lms, tool_key, request_claims, aud="elsewhere").status_code == 400
    assert (
        deep_link_response(lms, tool_key, request_claims, **{DL_DATA_CLAIM: "x"}).status_code == 400
    )
    assert deep_link_response(lms, tool_key, request_claims, nonce="").status_code == 400
    assert lms.deep_link_items == []
    accepted = deep_link_response(lms, tool_key, request_claims, aud=[lms.issuer])
    assert accepted.status_code == 200
    assert [i["title"] for i in lms.deep_link_items] == ["Quiz"]


def tool_configuration(**changes):
    config = {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": f"{TOOL}/lti/login",
        "redirect_uris": [f"{TOOL}/lti/launch"],
        "client_name": "Quiz",
        "jwks_uri": f"{TOOL}/lti/jwks.json",
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": f"{SCOPE_SCORE} {SCOPE_NRPS} https://example.edu/unknown",
        TOOL_CONFIGURATION: {
            "domain": "tool.test",
            "target_link_uri": f"{TOOL}/lti/launch",
            "messages": [{"type": "LtiDeepLinkingRequest"}],
        },
    }
    config.update(changes)
    return config


def register(lms, config, token=None):
    token = token or parse_qs(urlsplit(lms.registration_url()).query)["registration_token"][0]
    response = requests.post(
        lms.registration_endpoint,
        json=config,
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )
    return response, token


def test_dynamic_registration(lms):
    url = lms.registration_url(TOOL)
    assert url.startswith(f"{TOOL}/lti/register?openid_configuration=")
    config = requests.get(lms.openid_configuration_url, timeout=5).json()
    assert config["registration_endpoint"] == lms.registration_endpoint
    assert (
        config["https://purl.imsglobal.org/spec/lti-platform-configuration"]["product_family_code"]
        == "moodle"
    )

    response, token = register(lms, tool_configuration())
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["client_id"] in lms.clients and body["client_id"] != lms.client_id
    assert body[TOOL_CONFIGURATION]["deployment_id"]
    assert body["scope"].split() == [SCOPE_SCORE, SCOPE_NRPS]
    assert register(lms, tool_configuration(), token)[0].status_code == 401  # one-time

    params = lms.login_params(user=ADA, client_id=body["client_id"])
    redirect_uri, _form = lms.authorize(auth_request(lms, params))
    assert redirect_uri == f"{TOOL}/lti/launch"


@pytest.mark.parametrize(
    "changes",
    [
        {"grant_types": ["client_credentials"]},
        {"response_types": ["code"]},
        {"token_endpoint_auth_method": "client_secret_basic"},
        {"application_type": "native"},
        {"redirect_uris": []},
        {"initiate_login_uri": "/lti/login"},
        {TOOL_CONFIGURATION: {"target_link_uri": f"{TOOL}/lti/launch"}},
        {TOOL_CONFIGURATION: {"domain": "other.test", "target_link_uri": f"{TOOL}/lti/launch"}},
    ],
    ids=[
        "grant",
        "response",
        "auth-method",
        "app-type",
        "redirects",
        "login",
        "domain",
        "off-domain",
    ],
)
def test_dynamic_registration_refuses_a_bad_configuration(lms, changes):
    response, _token = register(lms, tool_configuration(**changes))
    assert response.status_code == 400
    assert response.json()["error"] in {"invalid_client_metadata", "invalid_redirect_uri"}
