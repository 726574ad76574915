"""The address an audit record names: the client's, also behind a reverse proxy,
never one the client made up."""

import pytest
from django.test import RequestFactory, override_settings

from audits.context import client_ip

FORWARDED = "203.0.113.9, 198.51.100.4"


@pytest.mark.parametrize(
    ("hops", "forwarded", "expected"),
    [
        (0, FORWARDED, "10.0.0.2"),  # no proxy trusted: the header is ignored
        (1, FORWARDED, "198.51.100.4"),  # the address our proxy saw
        (2, FORWARDED, "203.0.113.9"),
        (3, FORWARDED, "203.0.113.9"),  # fewer entries than hops: the first
        (1, "", "10.0.0.2"),  # proxy sent no header
        (1, "not-an-address", "10.0.0.2"),
        (1, "2001:DB8::1", "2001:db8::1"),
    ],
)
def test_it_takes_the_client_address_from_trusted_hops_only(hops, forwarded, expected):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded
    )
    with override_settings(FLOCKGOV_TRUSTED_PROXY_HOPS=hops):
        assert client_ip(request) == expected


@override_settings(FLOCKGOV_TRUSTED_PROXY_HOPS=1)
def test_it_records_the_forwarded_address_of_a_failed_sign_in(db):
    from django.test import Client

    from audits.events import EventType
    from audits.models import AuditEvent

    Client().post(
        "/accounts/login/",
        {"username": "nobody", "password": "x", "acknowledge": "on"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.4",
    )
    event = AuditEvent.objects.get(event_type=EventType.LOGIN_FAILED)
    assert event.ip == "198.51.100.4"
