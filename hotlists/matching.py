"""Matching each stored batch of reads against the active hot-list entries.

Listens to ``queries.signals.reads_ingested`` (sent inside the transaction that
stored the batch), so a batch and its alerts stand or fall together. One query
finds every candidate for the whole batch: exact plate, or equal look-alike key;
look-alike candidates beyond the configured number of substitutions are dropped.
Hashed plates are never matched: a digest cannot be compared with a listed plate
without the vendor's hashing key, and a look-alike of a digest means nothing.
"""

import logging
from collections import Counter
from datetime import date, timedelta

from django.conf import settings
from django.db import connection
from django.dispatch import receiver
from django.utils import timezone

from audits import statistics
from audits.events import EventType
from audits.models import DailyCount
from audits.trail import record
from queries.models import Camera
from queries.signals import reads_ingested

from .lookalike import lookalike_key, substitutions
from .models import Alert, HotList, MatchKind

logger = logging.getLogger(__name__)

# One probe of the look-alike key index per read finds exact matches too (a plate
# and its key fold the same way). ``OFFSET 0`` keeps the lateral subquery from
# being flattened, so the planner cannot trade the probes for a hash join that
# reads every entry once per batch. States agree when both are known.
CANDIDATES = """
WITH r (id, plate, state, lkey) AS (
    -- A batch whose one read has no state sends '', which string_to_array turns
    -- into an empty array: unnest pads it with NULL, read here as "no state".
    SELECT u.id, u.plate, coalesce(u.state, ''), u.lkey FROM unnest(
        string_to_array(%(ids)s, ',')::bigint[],
        string_to_array(%(plates)s, ','),
        string_to_array(%(states)s, ','),
        string_to_array(%(keys)s, ',')
    ) AS u (id, plate, state, lkey)
)
SELECT r.id, e.id, e.hotlist_id, e.plate, e.state, e.category,
       CASE WHEN e.plate = r.plate THEN 'exact' ELSE 'lookalike' END
FROM r CROSS JOIN LATERAL (
    SELECT e.id, e.hotlist_id, e.plate, e.state, e.category
    FROM hotlists_hotlistentry e
    WHERE e.lookalike_key = r.lkey
      AND e.removed_at IS NULL
      AND (e.expires_at IS NULL OR e.expires_at > %(now)s)
      AND (e.state = '' OR r.state = '' OR e.state = r.state)
    OFFSET 0
) e
"""


@receiver(reads_ingested, dispatch_uid="hotlists.match_reads")
def match_reads(sender, reads, actor, **kwargs) -> list[Alert]:
    # Listed plates are letters and digits only, so only such reads can match;
    # that also lets the batch travel as four comma-joined strings (adapting four
    # 10,000-element arrays value by value costs more than the query itself).
    plain = [
        read
        for read in reads
        if not read.plate_hashed and read.plate.isascii() and read.plate.isalnum()
    ]
    if not plain:
        return []
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            CANDIDATES,
            {
                "ids": ",".join(str(read.id) for read in plain),
                "plates": ",".join(read.plate for read in plain),
                "states": ",".join(
                    read.state if read.state.isalpha() else "" for read in plain
                ),
                "keys": ",".join(lookalike_key(read.plate) for read in plain),
                "now": now,
            },
        )
        rows = cursor.fetchall()
    if not rows:
        return []
    limit = settings.FLOCKGOV_LOOKALIKE_MAX_SUBSTITUTIONS
    by_id = {read.id: read for read in plain}
    found = []
    for read_id, entry_id, hotlist_id, plate, state, category, kind in rows:
        read = by_id[read_id]
        changed = 0
        if kind == MatchKind.LOOKALIKE:
            changed = substitutions(read.plate, plate)
            if changed > limit:
                continue
        found.append(
            (read, entry_id, hotlist_id, plate, state, category, kind, changed)
        )
    if not found:
        return []
    live_window = timedelta(minutes=settings.FLOCKGOV_ALERT_LIVE_WINDOW_MINUTES)
    lists = HotList.objects.in_bulk({row[2] for row in found})
    cameras = Camera.objects.in_bulk({row[0].camera_id for row in found})
    alerts = []
    for read, entry_id, hotlist_id, plate, state, category, kind, changed in found:
        camera = cameras[read.camera_id]
        alerts.append(
            Alert(
                entry_id=entry_id,
                hotlist_id=hotlist_id,
                created_at=now,
                read_id=read.id,
                read_plate=read.plate,
                read_state=read.state,
                read_captured_at=read.captured_at,
                camera_id=read.camera_id,
                camera_name=camera.name,
                camera_location=camera.location,
                entry_plate=plate,
                entry_state=state,
                category=category,
                match_kind=kind,
                substitutions=changed,
                list_stale=lists[hotlist_id].is_stale(now),
                historical=now - read.captured_at > live_window,
            )
        )
    created = Alert.objects.bulk_create(alerts)
    hits: Counter[tuple[date, str]] = Counter()
    for alert in created:
        day = timezone.localdate(alert.read_captured_at)
        hits[(day, lists[alert.hotlist_id].key)] += 1
    statistics.add(
        (day, DailyCount.Metric.HITS, key, n) for (day, key), n in hits.items()
    )
    record(
        EventType.ALERTS_RAISED,
        actor=actor,
        object_type="hotlists.alert",
        summary=f"{len(created)} hot-list alerts raised from {len(reads)} reads",
        data={
            "alerts": [alert.pk for alert in created][:1000],
            "count": len(created),
            "per_list": Counter(lists[a.hotlist_id].key for a in created),
            "lookalike": sum(1 for a in created if a.match_kind == MatchKind.LOOKALIKE),
            "stale": sum(1 for a in created if a.list_stale),
            "historical": sum(1 for a in created if a.historical),
        },
    )
    logger.info("raised %s alerts from a batch of %s reads", len(created), len(reads))
    return created
