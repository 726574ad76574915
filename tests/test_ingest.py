from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from audits.context import Actor
from audits.models import DailyCount
from queries.ingest import NewRead, store_reads, store_stream
from queries.models import Camera, PlateRead
from queries.signals import reads_ingested


def test_it_stores_a_batch_and_announces_it_with_ids(camera):
    now = timezone.now()
    heard = []

    def listener(sender, reads, actor, **kwargs):
        heard.extend(reads)

    reads_ingested.connect(listener)
    try:
        stored = store_reads(
            [
                NewRead(
                    captured_at=now - timedelta(days=1),
                    plate="ABC1234",
                    state="VA",
                    camera_id=camera.pk,
                    make="Ford\tF-150",
                ),
                NewRead(captured_at=now, plate="XYZ9", state="", camera_id=camera.pk),
            ],
            actor=Actor.system("test"),
        )
    finally:
        reads_ingested.disconnect(listener)
    assert [read.plate for read in stored] == ["ABC1234", "XYZ9"]
    assert heard == stored
    saved = PlateRead.objects.get(id=stored[0].id)
    assert saved.make == "Ford\tF-150"
    assert saved.state == "VA"


def test_it_counts_reads_per_camera_per_department_day(camera):
    # 02:30 UTC on 5 Dec is still 4 Dec in Virginia.
    late_evening = datetime(2026, 12, 5, 2, 30, tzinfo=ZoneInfo("UTC"))
    with time_machine.travel(late_evening + timedelta(hours=1), tick=False):
        store_reads(
            [
                NewRead(
                    captured_at=late_evening,
                    plate="AAA111",
                    state="VA",
                    camera_id=camera.pk,
                ),
                NewRead(
                    captured_at=late_evening,
                    plate="BBB222",
                    state="VA",
                    camera_id=camera.pk,
                ),
            ],
            actor=Actor.system("test"),
        )
    counter = DailyCount.objects.get(metric="reads", key=str(camera.pk))
    assert str(counter.day) == "2026-12-04"
    assert counter.count == 2


def test_it_stores_every_column_exactly_with_and_without_escapes(camera):
    now = timezone.now()
    plain = NewRead(
        captured_at=now - timedelta(hours=1),
        plate="ABC1234",
        state="VA",
        camera_id=camera.pk,
        latitude=36.61234,
        longitude=-79.91234,
        make="Ford",
        color="Blue",
        confidence=0.87,
        source="import abc",
    )
    odd = NewRead(
        captured_at=now,
        plate="XYZ9",
        state="",
        camera_id=camera.pk,
        latitude=None,
        longitude=None,
        make="back\\slash",
        color="two\nlines",
        confidence=None,
        image_ref="c:\\images\r\n1.jpg",
        source="api\tmachine",
    )
    stored = store_reads([plain, odd], actor=Actor.system("test"))
    for read, kept in zip([plain, odd], stored, strict=True):
        saved = PlateRead.objects.get(id=kept.id)
        for name in ("plate", "state", "make", "color", "image_ref", "source"):
            assert getattr(saved, name) == getattr(read, name)
        for name in ("latitude", "longitude", "confidence"):
            assert getattr(saved, name) == getattr(read, name)
        assert saved.captured_at == read.captured_at


def test_a_stream_stores_at_most_its_limit_and_leaves_the_rest(camera):
    now = timezone.now()
    reads = iter(
        [
            NewRead(captured_at=now, plate=f"STR{i}", state="VA", camera_id=camera.pk)
            for i in range(5)
        ]
    )
    actor = Actor.system("test")
    first = store_stream(reads, actor=actor, limit=3)
    second = store_stream(reads, actor=actor, limit=3)
    assert [read.plate for read in first] == ["STR0", "STR1", "STR2"]
    assert [read.plate for read in second] == ["STR3", "STR4"]
    assert store_stream(reads, actor=actor, limit=3) == []
    stored = dict(PlateRead.objects.values_list("id", "plate"))
    assert stored == {read.id: read.plate for read in first + second}


def test_a_stream_longer_than_one_copy_chunk_keeps_every_read_and_escape(camera):
    now = timezone.now()
    count = 3 * 500 + 7  # more than the lines COPY takes per read
    reads = (
        NewRead(
            captured_at=now - timedelta(seconds=i),
            plate=f"LNG{i}",
            state="VA",
            camera_id=camera.pk,
            color="Dark\\Blue\nstripe" if i == 1000 else "Blue",
        )
        for i in range(count)
    )
    stored = store_stream(reads, actor=Actor.system("test"), limit=count)
    assert len(stored) == count
    assert PlateRead.objects.count() == count
    assert PlateRead.objects.get(plate="LNG1000").color == "Dark\\Blue\nstripe"


def test_a_camera_is_never_deleted_so_every_read_keeps_its_camera(camera):
    # Reads carry the camera's id without a database foreign key; what keeps the
    # id good is that the database refuses to delete a camera, ORM or not.
    store_reads(
        [
            NewRead(
                captured_at=timezone.now(),
                plate="KEEP1",
                state="VA",
                camera_id=camera.pk,
            )
        ],
        actor=Actor.system("test"),
    )
    with pytest.raises(ProtectedError):
        camera.delete()
    with (
        pytest.raises(IntegrityError, match="never deleted"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM queries_camera WHERE id = %s", [camera.pk])
    assert Camera.objects.filter(pk=camera.pk).exists()
    assert PlateRead.objects.get(plate="KEEP1").camera == camera
