"""Read sources' keys: revoking one (service and command), listing them, and the
per-source rate limit of POST /api/v1/reads/."""

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from audits.context import Actor
from audits.events import EventType, Outcome
from audits.models import AuditEvent
from hotlists.models import IngestSource
from hotlists.services import (
    IngestSourceRefused,
    create_ingest_source,
    revoke_ingest_source,
)
from queries.models import PlateRead

T0 = datetime(2026, 12, 4, 14, 0, tzinfo=UTC)


@pytest.fixture
def issued(db):
    """The vendor feed's source and its key, issued at T0."""
    with time_machine.travel(T0, tick=False):
        return create_ingest_source(actor=Actor.system("test"), name="Vendor feed")


def post(key, rows):
    return Client().post(
        "/api/v1/reads/",
        {"reads": rows},
        content_type="application/json",
        headers={"authorization": f"Key {key}"},
    )


def row(at=T0):
    return {
        "captured_at": (at - timedelta(minutes=3)).isoformat(),
        "plate": "abc-1234",
        "state": "va",
        "camera": "MPD-FIXED-01",
    }


def run(command, *args, **options):
    """Runs a command; returns (exit code, stdout, stderr). Unusable input comes
    back as its exit code, as ``manage.py`` would end with it."""
    out, err = StringIO(), StringIO()
    try:
        call_command(command, *args, stdout=out, stderr=err, **options)
    except CommandError as exc:
        return exc.returncode, out.getvalue(), str(exc)
    except SystemExit as exc:
        return exc.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


# --- Revoking -------------------------------------------------------------------


def test_it_revokes_a_key_so_the_next_post_is_refused_and_audited(issued, camera):
    source, key = issued
    with time_machine.travel(T0, tick=False):
        assert post(key, [row()]).status_code == 201
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        revoked = revoke_ingest_source(
            actor=Actor.system("test"), source=source, reason="key leaked in a ticket"
        )
        response = post(key, [row(T0 + timedelta(hours=1))])
    assert revoked.revoked_at == T0 + timedelta(hours=1)
    assert response.status_code == 401
    assert response.json() == {"detail": "This source key was revoked."}
    assert PlateRead.objects.count() == 1
    event = AuditEvent.objects.get(event_type=EventType.INGEST_SOURCE_REVOKED)
    assert event.outcome == Outcome.SUCCESS
    assert event.object_id == str(source.pk)
    assert event.data == {
        "key_prefix": source.key_prefix,
        "reason": "key leaked in a ticket",
    }
    refused = AuditEvent.objects.get(event_type=EventType.READS_POST_REFUSED)
    assert refused.outcome == Outcome.REFUSED
    assert refused.object_id == str(source.pk)
    assert refused.summary == "reads posted with a revoked source key"
    assert refused.actor_label == "source:Vendor feed"


def test_it_refuses_to_revoke_a_key_twice_and_audits_the_refusal(issued):
    source, _ = issued
    with time_machine.travel(T0, tick=False):
        revoke_ingest_source(
            actor=Actor.system("test"), source=source, reason="retired"
        )
    with (
        time_machine.travel(T0 + timedelta(days=1), tick=False),
        pytest.raises(IngestSourceRefused) as caught,
    ):
        revoke_ingest_source(actor=Actor.system("test"), source=source, reason="again")
    assert str(caught.value) == (
        "the key of Vendor feed was already revoked at 2026-12-04T14:00:00+00:00"
    )
    source.refresh_from_db()
    # The first revocation's time stands.
    assert source.revoked_at == T0
    refused = AuditEvent.objects.get(event_type=EventType.INGEST_SOURCE_REVOKE_REFUSED)
    assert refused.outcome == Outcome.REFUSED
    assert refused.object_id == str(source.pk)
    assert refused.summary == f"revocation refused: {caught.value}"
    assert (
        AuditEvent.objects.filter(event_type=EventType.INGEST_SOURCE_REVOKED).count()
        == 1
    )


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "give a reason for revoking the key of Vendor feed"),
        ("   ", "give a reason for revoking the key of Vendor feed"),
        ("x" * 501, "the reason has 501 characters; at most 500 are kept"),
    ],
)
def test_it_refuses_to_revoke_without_a_usable_reason(issued, camera, reason, message):
    source, key = issued
    with pytest.raises(IngestSourceRefused, match=message):
        revoke_ingest_source(actor=Actor.system("test"), source=source, reason=reason)
    source.refresh_from_db()
    assert source.revoked_at is None
    refused = AuditEvent.objects.get(event_type=EventType.INGEST_SOURCE_REVOKE_REFUSED)
    assert refused.outcome == Outcome.REFUSED
    assert refused.summary == f"revocation refused: {message}"
    with time_machine.travel(T0, tick=False):
        assert post(key, [row()]).status_code == 201


def test_the_revoke_command_revokes_and_prints_a_summary(issued, dave):
    source, _ = issued
    with time_machine.travel(T0 + timedelta(hours=2), tick=False):
        code, out, err = run(
            "revoke_ingest_source",
            "Vendor feed",
            reason="camera retired",
            actor="dave",
        )
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == (
        f"revoked=1 source={source.pk} key_prefix={source.key_prefix} "
        "revoked_at=2026-12-04T16:00:00+00:00"
    )
    source.refresh_from_db()
    assert source.revoked_at == T0 + timedelta(hours=2)
    event = AuditEvent.objects.get(event_type=EventType.INGEST_SOURCE_REVOKED)
    assert event.actor_id == dave.pk
    assert event.data["reason"] == "camera retired"


def test_the_revoke_command_exits_2_for_an_unknown_name(issued):
    code, out, err = run("revoke_ingest_source", "Vendor fed", reason="retired")
    assert code == 2
    assert err == "no source named 'Vendor fed' (list_ingest_sources shows the names)"
    assert out == ""
    assert IngestSource.objects.get().revoked_at is None
    assert not AuditEvent.objects.filter(
        event_type__in=[
            EventType.INGEST_SOURCE_REVOKED,
            EventType.INGEST_SOURCE_REVOKE_REFUSED,
        ]
    ).exists()


def test_the_revoke_command_exits_2_when_already_revoked_or_reason_blank(issued):
    source, _ = issued
    code, _, err = run("revoke_ingest_source", "Vendor feed", reason=" ")
    assert code == 2
    assert err == "give a reason for revoking the key of Vendor feed"
    with time_machine.travel(T0, tick=False):
        assert run("revoke_ingest_source", "Vendor feed", reason="retired")[0] == 0
    code, out, err = run("revoke_ingest_source", "Vendor feed", reason="retired")
    assert code == 2
    assert err == (
        "the key of Vendor feed was already revoked at 2026-12-04T14:00:00+00:00"
    )
    assert out == ""
    refusals = AuditEvent.objects.filter(
        event_type=EventType.INGEST_SOURCE_REVOKE_REFUSED, outcome=Outcome.REFUSED
    )
    assert refusals.count() == 2
    assert {event.actor_label for event in refusals} == {
        Actor.for_command("revoke_ingest_source", None).label
    }


def test_the_revoke_command_requires_a_reason(issued):
    with pytest.raises(CommandError, match="--reason"):
        call_command("revoke_ingest_source", "Vendor feed", stdout=StringIO())
    assert IngestSource.objects.get().revoked_at is None


def test_the_create_command_points_to_rotation_for_a_taken_name(issued):
    code, _, err = run("create_ingest_source", "Vendor feed")
    assert code == 2
    assert "create a source under a new name and revoke the old one" in err
    assert IngestSource.objects.count() == 1


# --- Listing --------------------------------------------------------------------


def test_the_list_command_shows_sources_but_never_a_key_or_its_digest(issued, camera):
    source, key = issued
    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        other, other_key = create_ingest_source(
            actor=Actor.system("test"), name="Car 12 (vehicle-mounted)"
        )
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        assert post(key, [row()]).status_code == 201
    with time_machine.travel(T0 + timedelta(hours=6), tick=False):
        revoke_ingest_source(actor=Actor.system("test"), source=source, reason="leak")
    code, out, err = run("list_ingest_sources")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "name                      key_prefix  created               "
        "last_used             revoked",
        f"Car 12 (vehicle-mounted)  {other.key_prefix}    2026-12-05T14:00:00Z  "
        "-                     -",
        f"Vendor feed               {source.key_prefix}    2026-12-04T14:00:00Z  "
        "2026-12-04T14:05:00Z  2026-12-04T20:00:00Z",
        "sources=2 active=1 revoked=1",
    ]
    for secret in (key, other_key, source.key_hash, other.key_hash):
        assert secret not in out
    # The prefix is all of the key that shows.
    assert key[8:16] not in out and other_key[8:16] not in out


def test_the_list_command_with_no_sources_prints_only_the_summary(db):
    assert run("list_ingest_sources") == (0, "sources=0 active=0 revoked=0\n", "")


# --- Rate limit -----------------------------------------------------------------


@pytest.fixture
def throttle_key(issued):
    """The source's counter in Redis, cleared before and after the test so no
    earlier run's requests count against it."""
    key = f"throttle_ingest_source_{issued[0].pk}"
    recorded = [
        f"ingest_throttled:{issued[0].pk}",
        f"ingest_throttled_unrecorded:{issued[0].pk}",
    ]
    cache.delete_many([key, *recorded])
    yield key
    cache.delete_many([key, *recorded])


def test_it_answers_429_beyond_the_rate_and_audits_it(
    issued, camera, settings, throttle_key
):
    source, key = issued
    settings.FLOCKGOV_INGEST_RATE = "2/min"
    with time_machine.travel(T0, tick=False):
        assert post(key, [row()]).status_code == 201
        # A refused batch still counts: the limit is on requests, not on reads.
        assert post(key, []).status_code == 400
        response = post(key, [row()])
    assert response.status_code == 429
    assert response.json() == {
        "detail": "Too many requests from this source: the limit is 2/min. "
        "Expected available in 60 seconds."
    }
    assert response.headers["Retry-After"] == "60"
    assert len(cache.get(throttle_key)) == 2
    assert PlateRead.objects.count() == 1
    refused = AuditEvent.objects.filter(
        event_type=EventType.READS_POST_REFUSED
    ).order_by("seq")
    assert [(e.summary, e.outcome, e.object_id) for e in refused] == [
        ('Send {"reads": [...]} with at least one read.', "refused", str(source.pk)),
        ("reads posted more often than 2/min", "refused", str(source.pk)),
    ]
    assert refused.last().actor_label == "source:Vendor feed"
    # The window slides: a minute after the first request, one more is allowed.
    with time_machine.travel(T0 + timedelta(seconds=60), tick=False):
        assert post(key, [row(T0 + timedelta(seconds=60))]).status_code == 201


def test_a_source_that_keeps_posting_gets_one_record_per_window_with_a_count(
    issued, camera, settings, throttle_key
):
    source, key = issued
    settings.FLOCKGOV_INGEST_RATE = "1/min"
    with time_machine.travel(T0, tick=False):
        assert post(key, [row()]).status_code == 201
        for _ in range(3):
            assert post(key, [row()]).status_code == 429
    throttled = AuditEvent.objects.filter(
        event_type=EventType.READS_POST_REFUSED, summary__contains="more often"
    ).order_by("seq")
    assert throttled.count() == 1
    assert throttled[0].data == {"refusals_unrecorded_since_last_record": 0}
    # A minute on, the window has passed (Redis expires its key; done by hand
    # here, as the test's clock is not Redis's) and the next refusal is recorded
    # with the two the last record left out.
    cache.delete(f"ingest_throttled:{source.pk}")
    later = T0 + timedelta(seconds=61)
    with time_machine.travel(later, tick=False):
        assert post(key, [row(later)]).status_code == 201
        assert post(key, [row(later)]).status_code == 429
    assert throttled.count() == 2
    assert throttled.last().data == {"refusals_unrecorded_since_last_record": 2}


def test_each_source_has_its_own_budget(issued, camera, settings, throttle_key):
    _, key = issued
    settings.FLOCKGOV_INGEST_RATE = "1/min"
    other, other_key = create_ingest_source(actor=Actor.system("test"), name="Car 12")
    cache.delete(f"throttle_ingest_source_{other.pk}")
    with time_machine.travel(T0, tick=False):
        assert post(key, [row()]).status_code == 201
        assert post(key, [row()]).status_code == 429
        assert post(other_key, [row()]).status_code == 201
    assert PlateRead.objects.count() == 2


def test_unknown_keys_are_refused_before_any_budget_is_spent(
    issued, camera, settings, throttle_key
):
    _, key = issued
    settings.FLOCKGOV_INGEST_RATE = "1/min"
    with time_machine.travel(T0, tick=False):
        assert post("fgk_wrong", [row()]).status_code == 401
        assert post(key, [row()]).status_code == 201
    assert cache.get(throttle_key) is not None


def test_the_rate_setting_is_checked_when_the_settings_load():
    """The settings loaded in a fresh interpreter, as a web worker loads them."""
    program = "import flockgov.settings as s; print(s.FLOCKGOV_INGEST_RATE)"
    base = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("FLOCKGOV_", "DJANGO_"))
    }
    base.update(FLOCKGOV_DEBUG="1")

    def load(**extra):
        return subprocess.run(  # noqa: S603
            [sys.executable, "-c", program],
            env={**base, **extra},
            capture_output=True,
            text=True,
        )

    default = load()
    assert (default.returncode, default.stdout) == (0, "600/min\n")
    assert load(FLOCKGOV_INGEST_RATE="20/s").stdout == "20/s\n"
    for bad in ("600 per minute", "0/min", "600/week", "600"):
        refused = load(FLOCKGOV_INGEST_RATE=bad)
        assert refused.returncode != 0
        assert f"FLOCKGOV_INGEST_RATE {bad!r} is not a rate" in refused.stderr
