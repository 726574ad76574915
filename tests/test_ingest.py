from datetime import timedelta

from django.utils import timezone

from audits.context import Actor
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
