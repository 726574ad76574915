"""``POST /api/v1/reads/``: camera and vendor integrations post batches of reads.

Authenticated by a per-source key (``Authorization: Key <key>``), stored hashed;
the key is write-only: this is the one view that accepts it, and it only stores
reads. It is the one kind of route that needs no officer's second factor
(``flockgov.middleware.MACHINE_ROUTE_PREFIXES``). Rows are validated as the
importer validates them; bad rows are answered one by one with reasons and the
good rows of the batch are stored. Each source may make
``FLOCKGOV_INGEST_RATE`` requests (counted per source in Redis); beyond that it is
answered 429, audited as refused.
"""

import hmac
import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from rest_framework import authentication, exceptions, permissions, status, throttling
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audits.context import Actor
from audits.events import EventType, Outcome
from audits.trail import record
from queries.ingest import NewRead, store_reads
from queries.models import Camera, read_cutoff
from queries.plates import PlateError, clean_plate, is_hashed_plate, normalise_state

from .models import IngestSource, hash_key

logger = logging.getLogger(__name__)

# Cameras' clocks drift; a read a little in the future is accepted.
CLOCK_SKEW = timedelta(minutes=5)


def source_actor(source: IngestSource | None, request) -> Actor:
    return Actor(
        officer=None,
        label=f"source:{source.name}" if source else "source:unknown",
        role="source",
        ip=request.META.get("REMOTE_ADDR") or None,
        request_id=getattr(request, "request_id", ""),
        os_user="",
    )


def _refuse(
    request, message: str, source: IngestSource | None = None, data=None
) -> None:
    record(
        EventType.READS_POST_REFUSED,
        actor=source_actor(source, request),
        outcome=Outcome.REFUSED,
        object_type="hotlists.ingestsource",
        object_id=str(source.pk) if source else "",
        summary=message[:300],
        data=data or {},
    )


def _throttle_recorded(source: IngestSource, window_seconds: int) -> tuple[bool, int]:
    """Whether this throttled request is the source's first in the window (and so
    gets an audit record), and how many refusals went unrecorded since its last
    record. One record per window, not one per request: a camera that ignores
    ``Retry-After`` must not flood the audit trail; the count keeps the rest."""
    window = f"ingest_throttled:{source.pk}"
    unrecorded = f"ingest_throttled_unrecorded:{source.pk}"
    if cache.add(window, 1, timeout=window_seconds):
        left_out = int(cache.get(unrecorded) or 0)
        cache.delete(unrecorded)
        return True, left_out
    if not cache.add(unrecorded, 1, timeout=None):
        cache.incr(unrecorded)
    return False, 0


class SourceKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Key"

    def authenticate(self, request: Request):
        header = authentication.get_authorization_header(request).decode(
            "latin-1", "replace"
        )
        scheme, _, raw = header.partition(" ")
        if scheme != self.keyword or not raw.strip():
            _refuse(request, "reads posted without a source key")
            raise exceptions.AuthenticationFailed("Send the source key: Key <key>.")
        digest = hash_key(raw.strip())
        source = IngestSource.objects.filter(key_hash=digest).first()
        # Compare in constant time even though the lookup is by digest.
        if source is None or not hmac.compare_digest(source.key_hash, digest):
            _refuse(request, "reads posted with an unknown source key")
            raise exceptions.AuthenticationFailed("Unknown source key.")
        if not source.is_active:
            _refuse(request, "reads posted with a revoked source key", source)
            raise exceptions.AuthenticationFailed("This source key was revoked.")
        return AnonymousUser(), source

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class IsIngestSource(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return isinstance(request.auth, IngestSource)


class SourceRateThrottle(throttling.SimpleRateThrottle):
    """``FLOCKGOV_INGEST_RATE`` requests per source, counted in the default cache
    (Redis, shared by every web worker).

    Keyed by the source, not the address: cameras behind one NAT each have their
    own key and budget, and a stolen key is held to its source's rate wherever it
    is used from.
    """

    scope = "ingest_source"

    def get_rate(self) -> str:
        # Read per request rather than from DEFAULT_THROTTLE_RATES, which DRF
        # copies once at import: the setting is the one place the rate lives.
        return settings.FLOCKGOV_INGEST_RATE

    def get_cache_key(self, request, view) -> str | None:
        if not isinstance(request.auth, IngestSource):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


def _float(
    value: Any, name: str, low: float, high: float, errors: dict
) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        errors[name] = f"{value!r} is not a number"
        return None
    if not low <= number <= high:
        errors[name] = f"{number} is outside {low}..{high}"
        return None
    return number


def validate_row(
    row: Any, cameras: dict[str, int], *, now: datetime, source: str
) -> tuple[NewRead | None, dict[str, str]]:
    errors: dict[str, str] = {}
    if not isinstance(row, dict):
        return None, {"row": "each read is a JSON object"}
    raw_time = row.get("captured_at")
    captured_at = None
    if not isinstance(raw_time, str) or not raw_time.strip():
        errors["captured_at"] = "required (ISO 8601 with a UTC offset)"
    else:
        try:
            captured_at = datetime.fromisoformat(raw_time.strip())
        except ValueError:
            errors["captured_at"] = f"{raw_time!r} is not an ISO 8601 time"
        else:
            if timezone.is_naive(captured_at):
                errors["captured_at"] = "needs a UTC offset (e.g. Z or -05:00)"
            elif captured_at > now + CLOCK_SKEW:
                errors["captured_at"] = "is in the future"
            elif captured_at <= read_cutoff(now):
                errors["captured_at"] = (
                    "is past the retention period; the read may not be stored"
                )
    raw_plate = row.get("plate")
    plate, hashed = "", False
    if not isinstance(raw_plate, str):
        errors["plate"] = "required"
    elif is_hashed_plate(raw_plate):
        plate, hashed = raw_plate.strip().lower(), True
    else:
        try:
            plate = clean_plate(raw_plate)
        except PlateError as exc:
            errors["plate"] = str(exc)
    state = ""
    try:
        state = normalise_state(str(row.get("state") or ""))
    except PlateError as exc:
        errors["state"] = str(exc)
    camera_id = cameras.get(str(row.get("camera") or ""))
    if camera_id is None:
        errors["camera"] = f"unknown camera {row.get('camera')!r}"
    latitude = _float(row.get("latitude"), "latitude", -90, 90, errors)
    longitude = _float(row.get("longitude"), "longitude", -180, 180, errors)
    confidence = _float(row.get("confidence"), "confidence", 0, 100, errors)
    if errors:
        return None, errors
    return (
        NewRead(
            captured_at=captured_at,
            plate=plate,
            state=state,
            camera_id=camera_id,
            latitude=latitude,
            longitude=longitude,
            plate_hashed=hashed,
            make=str(row.get("make") or "")[:32],
            color=str(row.get("color") or "")[:32],
            confidence=confidence,
            image_ref=str(row.get("image_ref") or "")[:255],
            source=source[:100],
        ),
        {},
    )


class ReadIngest(APIView):
    authentication_classes = [SourceKeyAuthentication]
    permission_classes = [IsIngestSource]
    throttle_classes = [SourceRateThrottle]

    def throttled(self, request: Request, wait: float | None) -> None:
        source = request.auth if isinstance(request.auth, IngestSource) else None
        rate = settings.FLOCKGOV_INGEST_RATE
        message = f"reads posted more often than {rate}"
        if source is None:
            _refuse(request, message)
        else:
            _, window_seconds = SourceRateThrottle().parse_rate(rate)
            recorded, left_out = _throttle_recorded(source, window_seconds)
            if recorded:
                _refuse(
                    request,
                    message,
                    source,
                    data={"refusals_unrecorded_since_last_record": left_out},
                )
            else:
                logger.warning("%s: %s (counted, not recorded)", source.name, message)
        raise exceptions.Throttled(
            wait, detail=f"Too many requests from this source: the limit is {rate}."
        )

    def post(self, request: Request) -> Response:
        source: IngestSource = request.auth
        actor = source_actor(source, request)
        body = request.data
        rows = body.get("reads") if isinstance(body, dict) else None
        limit = settings.FLOCKGOV_INGEST_MAX_BATCH
        problem = ""
        if not isinstance(rows, list) or not rows:
            problem = 'Send {"reads": [...]} with at least one read.'
        elif len(rows) > limit:
            problem = f"At most {limit} reads per request; this one has {len(rows)}."
        if problem:
            _refuse(request, problem, source)
            return Response({"detail": problem}, status=status.HTTP_400_BAD_REQUEST)
        now = timezone.now()
        devices = {str(row.get("camera")) for row in rows if isinstance(row, dict)}
        cameras = dict(
            Camera.objects.filter(device_id__in=devices).values_list("device_id", "pk")
        )
        good: list[NewRead] = []
        rejected = []
        for index, row in enumerate(rows):
            read, errors = validate_row(
                row, cameras, now=now, source=f"api:{source.name}"
            )
            if read is None:
                rejected.append({"index": index, "errors": errors})
            else:
                good.append(read)
        with transaction.atomic():
            stored = store_reads(good, actor=actor)
            record(
                EventType.READS_POSTED if stored else EventType.READS_POST_REFUSED,
                actor=actor,
                outcome=Outcome.SUCCESS if stored else Outcome.REFUSED,
                target=source,
                summary=f"{source.name}: stored={len(stored)} rejected={len(rejected)}",
                data={
                    "stored": len(stored),
                    "rejected": len(rejected),
                    "rejections": rejected[:50],
                },
            )
            IngestSource.objects.filter(pk=source.pk).update(last_used_at=now)
        logger.info(
            "source %s posted %s reads, %s rejected",
            source.pk,
            len(stored),
            len(rejected),
        )
        return Response(
            {"stored": len(stored), "rejected": rejected},
            status=status.HTTP_201_CREATED if stored else status.HTTP_400_BAD_REQUEST,
        )
