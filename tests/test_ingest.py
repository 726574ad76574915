from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.utils import timezone

from audits.context import Actor
from audits.models import DailyCount
from queries.ingest import NewRead, store_reads
from queries.models import PlateRead
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
