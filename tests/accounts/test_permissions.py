"""Who reaches what: a walk over every route for the second factor, and a
permission matrix over the routes that hold account, training and audit data."""

import re
from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from accounts import services
from accounts.models import AccountStatus
from accounts.roles import Role
from flockgov.middleware import (
    HALF_LOGGED_IN_PREFIXES,
    MACHINE_ROUTE_PREFIXES,
    PUBLIC_PATH_PREFIXES,
)
from tests.accounts.conftest import actor_of, password_only, signed_in
from tests.conftest import PASSWORD, make_account

pytestmark = pytest.mark.django_db
NOW = "2026-12-04 15:00Z"

SAMPLES = {"int": "1", "slug": "activate", "path": "1", "str": "x", "uuid": None}


def _concrete(route: str) -> str:
    """A URL that the pattern matches, with sample values in place of arguments."""
    route = re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLES[m.group(1) or "str"], route)
    route = re.sub(r"\(\?P<\w+>([^|)]+)[^)]*\)", r"\1", route)
    route = route.replace("^", "").replace("$", "").replace(".*", "anything/")
    return "/" + route


def all_routes() -> list[str]:
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern)

    return sorted({_concrete(route) for route in walk(get_resolver().url_patterns)})


def _is_public(path: str) -> bool:
    return path.startswith(PUBLIC_PATH_PREFIXES + MACHINE_ROUTE_PREFIXES)


def test_it_walks_a_route_for_every_pattern():
    routes = all_routes()
    assert "/accounts/manage/1/activate/" in routes
    assert "/admin/accounts/officer/" in routes
    assert "/api/v1/searches/" in routes
    assert len(routes) > 60


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("method", ["get", "post"])
def test_it_requires_a_verified_second_factor_on_every_route(alice, method):
    anonymous = Client()
    half = password_only(alice)
    checked = 0
    for path in all_routes():
        if _is_public(path):
            continue
        response = getattr(anonymous, method)(path)
        if path.startswith("/api/"):
            assert response.status_code == 403, path
        else:
            assert response.status_code == 302, path
            assert response["Location"].startswith("/accounts/login/"), path
        if path.startswith(HALF_LOGGED_IN_PREFIXES):
            continue
        response = getattr(half, method)(path)
        if path.startswith("/api/"):
            assert response.status_code == 403, path
        else:
            assert response.status_code == 302, path
            assert response["Location"].startswith("/accounts/verify/"), path
        checked += 1
    assert checked > 60


@time_machine.travel(NOW, tick=False)
def test_it_keeps_the_admin_site_behind_the_second_factor(dave):
    dave.is_staff = dave.is_superuser = True
    dave.save()
    half = password_only(dave)
    for path in ("/admin/", "/admin/login/", "/admin/accounts/officer/"):
        response = half.get(path)
        assert response["Location"].startswith("/accounts/verify/"), path
    full = signed_in(dave)
    assert full.get("/admin/").status_code == 200
    assert full.get("/admin/accounts/officer/").status_code == 200


PDF = b"%PDF-1.4 test"


@pytest.fixture
def world(tmp_path, settings, alice, bob, carol, dave, erin, records_clerk):
    settings.MEDIA_ROOT = tmp_path
    certificate = services.record_certificate(
        actor=actor_of(dave),
        officer=bob,
        course="ALPR",
        completed_on=date(2026, 12, 1),
        issuer_reference="LMS-BOB",
        upload=SimpleUploadedFile("c.pdf", PDF),
    )
    return {"bob": bob, "bob_certificate": certificate}


def _everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(("officer", "captain", "admin", "chief", "records"), status)


# What each signed-in role gets from each page (bob is "another officer").
MATRIX = {
    # Each role lands on a page it may use: search, the audit trail, or (for
    # records, which does neither) the home page itself.
    "/": dict(officer=302, captain=302, admin=302, chief=302, records=200),
    # Each person's own searches; searching itself is refused by the service.
    "/searches/mine/": _everyone(200),
    "/api/v1/searches/": _everyone(200),
    "/accounts/step-up/": _everyone(200),
    # Already verified: back to where they were going.
    "/accounts/verify/": _everyone(302),
    "/accounts/enrol/": _everyone(302),
    "/accounts/logout/": _everyone(405),
    # None of them is staff: the admin site sends them to its own login.
    "/admin/": _everyone(302),
    "/accounts/me/": dict(officer=200, captain=200, admin=200, chief=200, records=200),
    "/accounts/password/": dict(
        officer=200, captain=200, admin=200, chief=200, records=200
    ),
    "/accounts/manage/": dict(
        officer=403, captain=200, admin=200, chief=200, records=403
    ),
    "/accounts/manage/new/": dict(
        officer=403, captain=403, admin=200, chief=403, records=403
    ),
    "/accounts/manage/{bob}/": dict(
        officer=404, captain=200, admin=200, chief=200, records=404
    ),
    "/accounts/certificates/{bob_certificate}/file/": dict(
        officer=404, captain=200, admin=200, chief=200, records=404
    ),
    "/accounts/review/": dict(
        officer=403, captain=200, admin=200, chief=200, records=403
    ),
    "/audit/": dict(officer=403, captain=200, admin=200, chief=200, records=403),
}
PERSONAS = {
    "officer": "alice",
    "captain": "carol",
    "admin": "dave",
    "chief": "erin",
    "records": "rita",
}


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_it_answers_each_role_as_the_matrix_says(world, persona, request):
    officer = request.getfixturevalue(
        PERSONAS[persona] if persona != "records" else "records_clerk"
    )
    client = signed_in(officer)
    for template, expected in MATRIX.items():
        path = template.format(
            bob=world["bob"].pk, bob_certificate=world["bob_certificate"].pk
        )
        response = client.get(path)
        assert response.status_code == expected[persona], (persona, path)


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    "action", ["prepare", "activate", "deactivate", "suspend", "unlock", "disable"]
)
def test_it_hides_other_accounts_from_an_officer_even_for_actions(world, alice, action):
    client = signed_in(alice)
    response = client.post(f"/accounts/manage/{world['bob'].pk}/{action}/", {})
    assert response.status_code == 404


@time_machine.travel(NOW, tick=False)
def test_it_refuses_an_officer_acting_on_their_own_account(alice):
    client = signed_in(alice)
    response = client.post(
        f"/accounts/manage/{alice.pk}/suspend/", {"reference": "Finding 1"}
    )
    assert response.status_code == 400
    assert "Only the Captain or an administrator" in response.content.decode()
    alice.refresh_from_db()
    assert alice.status == AccountStatus.ACTIVE


def _sign_in_refused(officer, message):
    response = Client().post(
        "/accounts/login/",
        {"username": officer.username, "password": PASSWORD, "acknowledge": "on"},
    )
    assert response.status_code == 200
    assert message in response.content.decode()


@time_machine.travel(NOW, tick=False)
def test_it_keeps_untrained_and_trained_but_inactive_accounts_out(frank, dave):
    _sign_in_refused(frank, "This account is not active yet")
    services.record_certificate(
        actor=actor_of(dave),
        officer=frank,
        course="ALPR",
        completed_on=date(2026, 12, 2),
        issuer_reference="LMS-F",
    )
    _sign_in_refused(frank, "This account is not active yet")


@time_machine.travel(NOW, tick=False)
def test_it_refuses_every_route_to_a_suspended_officers_old_session(alice, carol):
    client = signed_in(alice)
    services.suspend_for_violation(
        actor=actor_of(carol), officer=alice, reference="Finding 3"
    )
    for path in all_routes():
        if _is_public(path):
            continue
        response = client.get(path)
        assert response.status_code in {302, 403}, path
        if response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/"), path
    _sign_in_refused(alice, "suspended for a policy violation")


@time_machine.travel(NOW, tick=False)
def test_it_lets_the_chief_restore_but_only_with_a_decision(alice, carol, erin):
    services.suspend_for_violation(
        actor=actor_of(carol), officer=alice, reference="Finding 3"
    )
    chief = signed_in(erin)
    response = chief.post(f"/accounts/manage/{alice.pk}/restore/", {"decision": ""})
    assert response.status_code == 400
    response = chief.post(
        f"/accounts/manage/{alice.pk}/restore/",
        {"decision": "Reviewed with the Captain; restored."},
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.status == AccountStatus.ACTIVE


def test_it_makes_supervisors_like_officers_for_account_pages(db):
    sam = make_account("sam", Role.SUPERVISOR)
    with time_machine.travel(NOW, tick=False):
        assert signed_in(sam).get("/accounts/manage/").status_code == 403


@time_machine.travel(NOW, tick=False)
def test_it_keeps_account_status_read_only_in_the_admin_site(dave, alice):
    dave.is_staff = dave.is_superuser = True
    dave.save()
    client = signed_in(dave)
    assert client.get("/admin/accounts/officer/add/").status_code == 403
    page = client.get(f"/admin/accounts/officer/{alice.pk}/change/")
    assert page.status_code == 200
    assert b'name="is_active"' not in page.content
    assert b'name="status"' not in page.content
    assert client.get("/admin/otp_static/staticdevice/").status_code == 404


# Who may change another officer's account (302 done, 400 refused with a reason,
# 404 cannot see it at all).
ACTION_MATRIX = [
    (
        "suspend",
        {"reference": "Finding 5"},
        dict(officer=404, captain=302, admin=302, chief=400, records=404),
    ),
    (
        "deactivate",
        {"reason": "left the department"},
        dict(officer=404, captain=302, admin=400, chief=400, records=404),
    ),
    (
        "disable",
        {"reason": "token stolen"},
        dict(officer=404, captain=302, admin=302, chief=400, records=404),
    ),
    (
        "reset-password",
        {},
        dict(officer=404, captain=400, admin=200, chief=400, records=404),
    ),
    (
        "retraining",
        {"incident": "INC-9"},
        dict(officer=404, captain=302, admin=302, chief=400, records=404),
    ),
    (
        "role",
        {"role": "supervisor"},
        dict(officer=404, captain=400, admin=302, chief=400, records=404),
    ),
]


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("persona", sorted(PERSONAS))
@pytest.mark.parametrize(
    ("action", "data", "expected"), ACTION_MATRIX, ids=[a[0] for a in ACTION_MATRIX]
)
def test_it_lets_each_role_change_accounts_as_the_matrix_says(
    world, persona, action, data, expected, request
):
    officer = request.getfixturevalue(
        PERSONAS[persona] if persona != "records" else "records_clerk"
    )
    response = signed_in(officer).post(
        f"/accounts/manage/{world['bob'].pk}/{action}/", data
    )
    assert response.status_code == expected[persona]
