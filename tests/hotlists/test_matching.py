from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audits.context import Actor
from audits.events import EventType
from audits.models import AuditEvent, DailyCount
from hotlists import services
from hotlists.lookalike import lookalike_key, substitutions
from hotlists.models import Alert, MatchKind
from tests.hotlists.conftest import entry_data, ingest

T0 = datetime(2026, 12, 4, 14, 0, tzinfo=UTC)


def test_it_folds_each_lookalike_group_to_one_key():
    assert lookalike_key("ODQ0") == "0000"
    assert lookalike_key("I1Z2S5B8G6") == "1122558866"
    assert substitutions("ABC1234", "A8C1234") == 1


def test_it_alerts_on_an_exact_plate_and_copies_the_read(imported_ncic, camera):
    with time_machine.travel(T0, tick=False):
        stored = ingest(camera, ("ABC1234", "VA"), ("NOTLISTED", "VA"))
    alert = Alert.objects.get()
    assert alert.match_kind == MatchKind.EXACT
    assert (alert.read_id, alert.read_plate, alert.read_state) == (
        stored[0].id,
        "ABC1234",
        "VA",
    )
    assert alert.read_captured_at == T0
    assert alert.camera_name == camera.name
    assert alert.category == "stolen_vehicle"
    assert alert.list_stale is False
    event = AuditEvent.objects.get(event_type=EventType.ALERTS_RAISED)
    assert event.data["alerts"] == [alert.pk]
    hits = DailyCount.objects.get(metric=DailyCount.Metric.HITS)
    assert (hits.key, hits.count, str(hits.day)) == (
        imported_ncic.key,
        1,
        "2026-12-04",
    )


def test_it_requires_the_state_to_agree_when_both_are_known(imported_ncic, camera):
    ingest(camera, ("ABC1234", "NC"))  # listed as VA
    assert not Alert.objects.exists()
    ingest(camera, ("ABC1234", ""))  # state unread: still an alert
    ingest(camera, ("QRS5080", "TN"))  # listed without a state
    assert sorted(Alert.objects.values_list("read_plate", flat=True)) == [
        "ABC1234",
        "QRS5080",
    ]


@pytest.mark.parametrize(
    ("read", "expected"),
    [
        ("A8C1234", 1),  # B read as 8
        ("A8C12E4", None),  # E is no look-alike of 3
        ("A8C1Z34", 2),  # two substitutions: the default maximum
        ("48C1Z34", None),  # A is no look-alike of 4
        ("ABCI2S4", None),  # S is no look-alike of 3
        ("08C1Z34", None),
    ],
)
def test_it_alerts_on_lookalikes_within_the_maximum(
    imported_ncic, camera, read, expected
):
    ingest(camera, (read, "VA"))
    alerts = list(Alert.objects.all())
    if expected is None:
        assert alerts == []
    else:
        assert [(a.match_kind, a.substitutions) for a in alerts] == [
            (MatchKind.LOOKALIKE, expected)
        ]


def test_it_drops_lookalikes_beyond_the_configured_maximum(
    imported_ncic, camera, settings
):
    settings.FLOCKGOV_LOOKALIKE_MAX_SUBSTITUTIONS = 1
    ingest(camera, ("A8C1Z34", "VA"))
    assert not Alert.objects.exists()
    ingest(camera, ("A8C1234", "VA"))
    assert Alert.objects.get().substitutions == 1


def test_it_raises_no_alert_for_an_expired_or_removed_entry(frank, custom_list, camera):
    with time_machine.travel(T0, tick=False):
        entry = services.add_entry(
            actor=Actor.for_officer(frank), hotlist=custom_list, data=entry_data()
        )
        gone = services.add_entry(
            actor=Actor.for_officer(frank),
            hotlist=custom_list,
            data=entry_data(plate="GONE123"),
        )
        services.remove_entry(actor=Actor.for_officer(frank), entry=gone)
    with time_machine.travel(T0 + timedelta(hours=24), tick=False):
        ingest(camera, ("KLM4821", "VA"), ("GONE123", "VA"))
    assert not Alert.objects.exists()
    with time_machine.travel(
        T0 + timedelta(hours=24) - timedelta(seconds=1), tick=False
    ):
        ingest(camera, ("KLM4821", "VA"), ("GONE123", "VA"))
    assert list(Alert.objects.values_list("entry_id", flat=True)) == [entry.pk]


def test_it_never_matches_hashed_plates(imported_ncic, camera):
    ingest(camera, ("a" * 64, ""), hashed=True)
    assert not Alert.objects.exists()


def test_it_flags_alerts_from_a_stale_ncic_list(imported_ncic, camera):
    later = imported_ncic.last_import_at + timedelta(hours=24, seconds=1)
    with time_machine.travel(later, tick=False):
        ingest(camera, ("ABC1234", "VA"))
    assert Alert.objects.get().list_stale is True


def test_it_matches_a_batch_with_a_fixed_number_of_queries(imported_ncic, camera):
    with CaptureQueriesContext(connection) as small:
        ingest(camera, ("ABC1234", "VA"))
    rows = [("ABC1234", "VA"), ("XYZ9876", "NC")] * 50 + [("A8C1234", "VA")] * 50
    with CaptureQueriesContext(connection) as large:
        ingest(camera, *rows)
    assert Alert.objects.count() == 151
    assert len(large.captured_queries) == len(small.captured_queries)


def test_it_matches_a_single_read_without_a_state(imported_ncic, camera):
    ingest(camera, ("ABC1234", ""))
    assert Alert.objects.get().read_state == ""
