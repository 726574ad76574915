"""The purge: whole partitions dropped and unreadable afterwards, boundary rows in
batches, receipts without data, tombstones that keep the chain verifiable, a
second run doing nothing, "busy" when one runs, and the statute's ceiling."""

import json
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core import checks
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings

from audits.events import EventType, Outcome
from audits.models import AuditEvent
from flockgov.db import partitions
from queries.models import PlateRead
from retention.models import PurgeRun
from retention.purge import PURGE_LOCK_KEY, PurgeRefused, run_purge

from .conftest import count, put_audit, put_read, table_exists

pytestmark = pytest.mark.django_db(transaction=True)

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
OLD_DAY = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)  # wholly expired at NOW


def purge_command(*args: str) -> tuple[str, str, int]:
    out, err = StringIO(), StringIO()
    code = 0
    with time_machine.travel(NOW, tick=False):
        try:
            call_command("purge_expired", *args, stdout=out, stderr=err)
        except SystemExit as exit_:
            code = exit_.code
    return out.getvalue(), err.getvalue(), code


def test_it_drops_an_expired_partition_so_no_query_can_read_it_back(camera, system):
    doomed = put_read(camera, OLD_DAY, plate="GONE123")
    kept = put_read(camera, NOW - timedelta(days=1), plate="KEPT123")
    name = partitions.READS.name_for(OLD_DAY)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {name}")  # noqa: S608
        assert cursor.fetchone()[0] == 1

    report = run_purge(actor=system, now=NOW)

    assert name in report.read_partitions
    assert report.reads_purged == 1
    # Not through the parent, not by the partition's name, not as any table
    # still in the catalog, not by a plate scan of every table that holds reads.
    assert not PlateRead.objects.filter(id=doomed.id).exists()
    assert not table_exists(name)
    assert count("SELECT count(*) FROM pg_class WHERE relname = %s", [name]) == 0
    assert count("SELECT count(*) FROM queries_plateread WHERE plate = 'GONE123'") == 0
    assert count("SELECT count(*) FROM retention_heldread") == 0
    assert PlateRead.objects.filter(id=kept.id).exists()
    assert name not in partitions.existing(partitions.READS)


def test_it_deletes_the_boundary_days_expired_rows_in_batches(camera, system):
    cutoff = NOW - timedelta(days=21)
    for minutes in range(1, 8):
        put_read(camera, cutoff - timedelta(minutes=minutes))
    survivor = put_read(camera, cutoff + timedelta(minutes=1))
    with override_settings(FLOCKGOV_PURGE_BATCH_SIZE=3):
        report = run_purge(actor=system, now=NOW)
    assert report.boundary_reads == 7 and report.reads_purged == 7
    assert list(PlateRead.objects.values_list("id", flat=True)) == [survivor.id]
    assert partitions.READS.name_for(cutoff) in partitions.existing(partitions.READS)


def test_it_writes_a_receipt_with_counts_and_ranges_never_the_data(camera, system):
    put_read(camera, OLD_DAY, plate="SECRET1")
    report = run_purge(actor=system, now=NOW)
    receipt = AuditEvent.objects.get(event_type=EventType.READS_PURGED)
    assert receipt.data["reads_purged"] == 1
    assert receipt.data["read_partitions"] == [partitions.READS.name_for(OLD_DAY)]
    assert receipt.data["reads_from"] == OLD_DAY.isoformat()
    assert "SECRET1" not in json.dumps(receipt.data) + receipt.summary
    assert receipt.actor_label == "system:purge_expired"
    run = PurgeRun.objects.get()
    assert run.status == PurgeRun.Status.SUCCEEDED and run.reads_purged == 1
    assert report.receipt() == receipt.data


def test_it_does_nothing_the_second_time(camera, system):
    put_read(camera, OLD_DAY)
    put_read(camera, NOW - timedelta(days=21, seconds=1))
    first = run_purge(actor=system, now=NOW)
    second = run_purge(actor=system, now=NOW)
    assert (first.reads_purged, second.reads_purged) == (2, 0)
    assert second.read_partitions == [] and not second.problems
    assert PurgeRun.objects.succeeded().count() == 2


def test_it_finishes_a_partition_an_earlier_run_detached_but_did_not_drop(
    camera, system
):
    put_read(camera, OLD_DAY)
    name = partitions.READS.name_for(OLD_DAY)
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE queries_plateread DETACH PARTITION {name}")
    report = run_purge(actor=system, now=NOW)
    assert name in report.read_partitions and report.reads_purged == 1
    assert not table_exists(name)


def test_it_removes_the_image_files_of_purged_reads(camera, system, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    image = tmp_path / "reads" / "a.jpg"
    image.parent.mkdir()
    image.write_bytes(b"\xff\xd8 not a real jpeg")
    young = tmp_path / "reads" / "b.jpg"
    young.write_bytes(b"young")
    put_read(camera, OLD_DAY, image_ref="reads/a.jpg")
    put_read(camera, NOW - timedelta(days=2), image_ref="reads/b.jpg")
    put_read(camera, OLD_DAY, plate="ESCAPE1", image_ref="../../etc/hostname")
    report = run_purge(actor=system, now=NOW)
    assert report.images_removed == 1
    assert not image.exists() and young.exists()


def test_it_previews_without_destroying(camera, system):
    put_read(camera, OLD_DAY)
    out, _, code = purge_command("--dry-run")
    assert code == 0
    assert out.splitlines()[-1] == "reads_purged=1 audit_purged=0 held=0 dry_run=1"
    assert PlateRead.objects.count() == 1
    assert table_exists(partitions.READS.name_for(OLD_DAY))
    assert AuditEvent.objects.filter(event_type=EventType.PURGE_PREVIEWED).exists()
    assert not PurgeRun.objects.succeeded().exists()


def test_it_ends_the_command_with_the_summary_line(camera):
    put_read(camera, OLD_DAY)
    out, _, code = purge_command()
    assert code == 0
    assert out.splitlines()[-1] == "reads_purged=1 audit_purged=0 held=0"
    assert f"dropped partition {partitions.READS.name_for(OLD_DAY)}" in out


def test_it_answers_busy_while_another_purge_holds_the_lock(camera, system):
    put_read(camera, OLD_DAY)
    from django.db import connections

    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [PURGE_LOCK_KEY])
        out, _, code = purge_command()
        assert code == 0
        assert "busy" in out
        assert out.splitlines()[-1] == "reads_purged=0 audit_purged=0 held=0 busy=1"
        assert run_purge(actor=system, now=NOW).busy
    finally:
        other.close()
    assert PlateRead.objects.count() == 1
    busy = AuditEvent.objects.filter(event_type=EventType.PURGE_BUSY)
    assert busy.count() == 2 and busy.first().outcome == Outcome.REFUSED
    assert run_purge(actor=system, now=NOW).reads_purged == 1


@pytest.mark.parametrize("days", [22, 30, 0])
def test_it_refuses_a_read_period_outside_the_statute(camera, system, days):
    put_read(camera, OLD_DAY)
    with override_settings(FLOCKGOV_READ_RETENTION_DAYS=days):
        with pytest.raises(PurgeRefused, match="between 1 and 21 days"):
            run_purge(actor=system, now=NOW)
        _, err, code = purge_command()
        errors = checks.run_checks()
    assert code == 2 and "refused" in err
    assert any(error.id == "retention.E001" for error in errors)
    assert PlateRead.objects.count() == 1
    refused = AuditEvent.objects.filter(event_type=EventType.PURGE_REFUSED)
    assert refused.count() == 2


def test_it_refuses_an_audit_period_other_than_two_years(system):
    with (
        override_settings(FLOCKGOV_AUDIT_RETENTION_YEARS=3),
        pytest.raises(PurgeRefused, match="exactly 2 years"),
    ):
        run_purge(actor=system, now=NOW)


def test_it_honours_a_shorter_local_period(camera, system):
    put_read(camera, NOW - timedelta(days=8))
    put_read(camera, NOW - timedelta(days=6))
    with override_settings(FLOCKGOV_READ_RETENTION_DAYS=7):
        assert run_purge(actor=system, now=NOW).reads_purged == 1
    assert PlateRead.objects.count() == 1


class TestAuditTrail:
    def test_it_drops_whole_months_and_leaves_a_tombstone(self, system):
        old = [put_audit(datetime(2024, 4, day, tzinfo=UTC)) for day in (2, 9, 20)]
        survivor = put_audit(datetime(2024, 7, 10, tzinfo=UTC), "survivor")
        report = run_purge(actor=system, now=NOW)
        name = partitions.AUDIT.name_for(old[0].occurred_at)
        assert name in report.audit_partitions
        assert not table_exists(name)
        assert not AuditEvent.objects.filter(seq__lte=old[-1].seq).exists()
        tombstone = AuditEvent.objects.get(
            event_type=EventType.AUDIT_PURGED, data__partition=name
        )
        assert tombstone.data["purged_through_seq"] == old[-1].seq
        assert tombstone.data["anchor_hash"] == old[-1].hash
        assert tombstone.data["records"] == 3
        assert AuditEvent.objects.filter(seq=survivor.seq).exists()

    def test_it_removes_the_boundary_months_records_through_the_purge_function(
        self, system
    ):
        cutoff = datetime(2024, 6, 30, 12, 0, tzinfo=UTC)
        made = [put_audit(cutoff - timedelta(days=d)) for d in (3, 2, 1)]
        survivor = put_audit(cutoff + timedelta(seconds=1), "survivor")
        with override_settings(FLOCKGOV_PURGE_BATCH_SIZE=2):
            report = run_purge(actor=system, now=NOW)
        assert report.audit_purged >= 3
        first = AuditEvent.objects.in_chain_order().first()
        assert first.seq == survivor.seq
        tombstones = AuditEvent.objects.filter(
            event_type=EventType.AUDIT_PURGED
        ).order_by("seq")
        last = tombstones.last()
        # Verification resumes at the first survivor: its prev_hash is the anchor.
        assert last.data["purged_through_seq"] == made[-1].seq == survivor.seq - 1
        assert last.data["anchor_hash"] == survivor.prev_hash == made[-1].hash
        assert [t.data["records"] for t in tombstones] == [2, 1]

    def test_it_purges_old_searches_and_configuration_history(self, system, alice):
        from queries.models import Search

        with time_machine.travel(datetime(2024, 5, 1, tzinfo=UTC), tick=False):
            Search.objects.create(
                officer=alice,
                created_at=datetime(2024, 5, 1, tzinfo=UTC),
                purpose="A",
                offense_type="Robbery",
                justification="old search",
                plate_query="ABC1234",
                kind="exact",
                window_start=datetime(2024, 4, 20, tzinfo=UTC),
                window_end=datetime(2024, 5, 1, tzinfo=UTC),
                result_count=0,
            )
        report = run_purge(actor=system, now=NOW)
        assert report.searches_purged == 1
        assert not Search.objects.exists()

    def test_it_refuses_the_application_role_any_delete_of_audit_records(self):
        put_audit(datetime(2024, 4, 2, tzinfo=UTC))
        with (
            pytest.raises(Exception, match="permission denied|append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute("SET LOCAL ROLE flockgov_app")
            cursor.execute("DELETE FROM audits_auditevent")
        # The purge function refuses a cutoff less than two years ago (by the
        # database's clock), even to the application role.
        with (
            pytest.raises(Exception, match="less than two years ago"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute("SET LOCAL ROLE flockgov_app")
            cursor.execute(
                "SELECT * FROM flockgov_purge_audit_batch(now(), 1000000, 10)"
            )
        assert AuditEvent.objects.count() == 1

    def test_it_refuses_the_application_role_detaching_or_dropping_partitions(
        self,
    ):
        made = put_audit(datetime(2024, 4, 2, tzinfo=UTC))
        name = partitions.AUDIT.name_for(made.occurred_at)
        for statement in (
            f"ALTER TABLE audits_auditevent DETACH PARTITION {name}",
            f"DROP TABLE {name}",
            f"TRUNCATE {name}",
        ):
            with (
                pytest.raises(Exception, match="must be owner|permission denied"),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute("SET LOCAL ROLE flockgov_app")
                cursor.execute(statement)
        assert table_exists(name) and AuditEvent.objects.count() == 1

    def test_it_refuses_to_cut_the_chain_past_a_younger_record(self):
        put_audit(datetime(2024, 4, 2, tzinfo=UTC))
        young = put_audit(datetime(2026, 1, 2, tzinfo=UTC))
        with (
            pytest.raises(Exception, match="not all expired"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(
                "SELECT * FROM flockgov_purge_audit_batch(%s, %s, 10)",
                [datetime(2024, 5, 1, tzinfo=UTC), young.seq],
            )
        assert AuditEvent.objects.count() == 2
