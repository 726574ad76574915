"""Every route, for every kind of visitor: anonymous, password-only (no second
factor yet), officer, captain, administrator and staff administrator.

The routes come from the URL configuration itself, so a route added later is in
this matrix without anyone remembering to add it.
"""

import base64
import json

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver
from django.utils.regex_helper import normalize

from flockgov import middleware
from queries.models import Search
from tests.conftest import PASSWORD

SAMPLE_VALUE = "1"

# A widened public list must be a conscious decision, reviewed here.
EXPECTED_PUBLIC_PREFIXES = {
    "/accounts/login/",
    "/static/",
    "/health/",
    "/transparency/",
    "/favicon.ico",
}


def _walk(patterns, prefix=""):
    for pattern in patterns:
        regex = pattern.pattern.regex.pattern.lstrip("^")
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + regex)
        else:
            yield prefix + regex, pattern


def all_routes() -> list[tuple[str, list[str]]]:
    """One concrete path per URL pattern, with a sample value for each parameter."""
    routes = []
    for regex, _pattern in _walk(get_resolver().url_patterns):
        template, params = normalize(regex)[0]
        path = "/" + template % dict.fromkeys(params, SAMPLE_VALUE)
        routes.append((path, params))
    return routes


ROUTES = all_routes()


def _is_machine(path: str) -> bool:
    return bool(middleware.MACHINE_ROUTE_PREFIXES) and path.startswith(
        middleware.MACHINE_ROUTE_PREFIXES
    )


def _guarded() -> list[str]:
    return [
        path
        for path, _ in ROUTES
        if not middleware.is_public_path(path) and not _is_machine(path)
    ]


def test_it_finds_every_route_including_the_admin():
    paths = {path for path, _ in ROUTES}
    assert {"/search/", "/audit/", "/api/v1/searches/", "/health/"} <= paths
    assert any(path.startswith("/admin/accounts/officer/") for path in paths)
    assert len(paths) > 50


def test_it_keeps_the_public_list_to_the_known_prefixes():
    assert set(middleware.PUBLIC_PATH_PREFIXES) == EXPECTED_PUBLIC_PREFIXES
    public = {
        path
        for path, _ in ROUTES
        if middleware.is_public_path(path) and not _is_machine(path)
    }
    # The transparency page is public by law (it publishes the policy and figures).
    assert public == {"/accounts/login/", "/health/", "/transparency/"}
    # Machine ingest authenticates with its own per-source key instead.
    machine = {path for path, _ in ROUTES if _is_machine(path)}
    assert machine == {"/api/v1/reads/"}


def _assert_refused(response, path: str, sign_in_page: str) -> str | None:
    if path.startswith("/api/"):
        if response.status_code != 403:
            return f"{path}: {response.status_code}, expected 403"
        if response["Content-Type"] != "application/json":
            return f"{path}: answered {response['Content-Type']}, expected JSON"
        return None
    if response.status_code != 302 or not response["Location"].startswith(sign_in_page):
        return f"{path}: {response.status_code} {response.get('Location')}"
    return None


@pytest.mark.parametrize("method", ["get", "post"])
def test_it_sends_anonymous_visitors_to_sign_in_on_every_guarded_route(db, method):
    client = Client()
    problems = []
    for path in _guarded():
        response = getattr(client, method)(path)
        problem = _assert_refused(response, path, "/accounts/login/?next=")
        if problem:
            problems.append(problem)
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("method", ["get", "post"])
def test_it_refuses_a_password_only_session_on_every_guarded_route(alice, method):
    client = Client()
    response = client.post(
        "/accounts/login/",
        {"username": "alice", "password": PASSWORD, "acknowledge": "on"},
    )
    assert response.status_code == 302
    problems = []
    for path in _guarded():
        if path.startswith(middleware.HALF_LOGGED_IN_PREFIXES):
            continue
        response = getattr(client, method)(path)
        problem = _assert_refused(response, path, "/accounts/verify/?next=")
        if problem:
            problems.append(problem)
    assert problems == [], "\n".join(problems)
    assert not Search.objects.exists()


def test_it_answers_public_routes_without_sign_in(db):
    client = Client()
    assert client.get("/accounts/login/").status_code == 200
    assert client.get("/health/?format=json")["Content-Type"] == "application/json"
    assert client.get("/transparency/").status_code == 200
    response = client.get("/static/favicon.svg")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    response.close()


def test_it_takes_no_basic_or_token_credentials_on_the_api(alice):
    basic = base64.b64encode(f"alice:{PASSWORD}".encode()).decode()
    for header in (f"Basic {basic}", "Token abc123", "Bearer abc123"):
        client = Client(HTTP_AUTHORIZATION=header)
        for path in ("/api/v1/searches/", "/api/v1/schema/"):
            response = client.get(path)
            assert response.status_code == 403, (header, path)
            assert "detail" in json.loads(response.content)


# What each signed-in role gets on the routes of this product (GET). Routes not
# named here must still answer without a server error.
EXPECTED = {
    "/": {"officer": 302, "captain": 302, "admin": 302, "staff": 302},
    "/search/": {"officer": 200, "captain": 200, "admin": 403, "staff": 403},
    "/searches/mine/": {"officer": 200, "captain": 200, "admin": 200, "staff": 200},
    "/audit/": {"officer": 403, "captain": 200, "admin": 200, "staff": 200},
    "/api/v1/searches/": {"officer": 200, "captain": 200, "admin": 200, "staff": 200},
    "/api/v1/schema/": {"officer": 200, "captain": 200, "admin": 200, "staff": 200},
    "/admin/": {"officer": 302, "captain": 302, "admin": 302, "staff": 200},
    "/admin/login/": {"officer": 403, "captain": 403, "admin": 403, "staff": 302},
    "/admin/accounts/officer/": {
        "officer": 302,
        "captain": 302,
        "admin": 302,
        "staff": 200,
    },
}


def test_it_gives_each_verified_role_what_it_may_have(
    alice_client, carol_client, dave_client, frank_client
):
    clients = {
        "officer": alice_client,
        "captain": carol_client,
        "admin": dave_client,
        "staff": frank_client,
    }
    problems = []
    for role, client in clients.items():
        # A server error is a finding to list, not an exception ending the walk.
        client.raise_request_exception = False
        for path, _ in ROUTES:
            if path.startswith("/accounts/logout/"):
                continue  # would end the session the rest of the walk uses
            response = client.get(path)
            expected = EXPECTED.get(path, {}).get(role)
            if expected is not None and response.status_code != expected:
                problems.append(f"{role} {path}: {response.status_code} != {expected}")
            # The health page answers 503 while no worker heartbeat is recorded.
            if response.status_code >= 500 and path != "/health/":
                problems.append(f"{role} {path}: server error")
            if (
                path.startswith("/api/")
                and response.status_code == 403
                and response["Content-Type"] != "application/json"
            ):
                problems.append(f"{role} {path}: 403 without JSON")
            if response.get("Cache-Control") != "no-store":
                problems.append(f"{role} {path}: cacheable")
    assert problems == [], "\n".join(problems)


def test_it_sends_non_staff_from_the_admin_to_a_plain_refusal(alice_client):
    response = alice_client.get("/admin/accounts/officer/", follow=True)
    assert response.status_code == 403
    assert b'name="password"' not in response.content


def test_it_keeps_plates_out_of_urls(alice_client, reads, valid_search):
    for path, params in ROUTES:
        assert not any("plate" in name for name in params), path
    form = alice_client.get("/search/").content.decode()
    assert 'method="post" action="/search/" id="search-form"' in form
    # A plate in a query string is ignored, never searched.
    response = alice_client.get("/search/", valid_search)
    assert response.status_code == 200
    assert b"reads found" not in response.content
    response = alice_client.get("/api/v1/searches/", valid_search)
    assert response.status_code == 200
    assert json.loads(response.content) == []
    assert not Search.objects.exists()


def test_it_records_an_officers_attempt_to_read_the_trail(alice, alice_client):
    from audits.events import EventType, Outcome
    from audits.models import AuditEvent

    assert alice_client.get("/audit/").status_code == 403
    attempt = AuditEvent.objects.get(event_type=EventType.AUDIT_VIEWED)
    assert (attempt.outcome, attempt.actor) == (Outcome.REFUSED, alice)


def test_it_refuses_an_api_search_without_the_csrf_token(
    alice_client, reads, valid_search
):
    """A signed-in session is not enough: another site's page could post with it."""
    alice_client.handler.enforce_csrf_checks = True
    alice_client.get("/search/")  # sets the CSRF cookie, as the browser's page does
    body = json.dumps(valid_search)
    response = alice_client.post(
        "/api/v1/searches/", body, content_type="application/json"
    )
    assert response.status_code == 403
    assert "CSRF" in json.loads(response.content)["detail"]
    assert not Search.objects.exists()
    token = alice_client.cookies["csrftoken"].value
    response = alice_client.post(
        "/api/v1/searches/",
        body,
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 201
    assert Search.objects.count() == 1


def test_it_lands_each_role_on_a_page_it_may_use(alice_client, dave_client, db):
    from accounts.roles import Role
    from tests.conftest import make_account, verified_client

    assert alice_client.get("/")["Location"] == "/search/"
    assert dave_client.get("/")["Location"] == "/audit/"
    records = verified_client(make_account("rita", Role.RECORDS))
    response = records.get("/")
    assert response.status_code == 200
    assert b"neither searches plates" in response.content
    assert records.get("/search/").status_code == 403
