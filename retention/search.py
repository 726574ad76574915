"""How searches reach reads kept under legal hold (policy §8.C).

A read past the retention period exists only as a vault copy. A search reaches
those copies only when it is made under the case number of an active hold, and
then it says so. ``queries.criteria`` asks ``case_is_held`` before refusing an old
window; ``queries.services`` adds ``held_reads`` to the live results.
"""

from queries.models import Camera, PlateRead

from .models import HeldRead, LegalHold


def case_is_held(case_number: str) -> bool:
    return (
        bool(case_number) and LegalHold.objects.active().for_case(case_number).exists()
    )


def held_reads(criteria) -> list[PlateRead]:
    """Vault copies matching ``criteria`` under its case number's active hold,
    as (unsaved) reads so the result lists and serializers treat them alike."""
    if not case_is_held(criteria.case_number):
        return []
    copies = HeldRead.objects.for_case(criteria.case_number).filter(
        captured_at__gte=criteria.window_start, captured_at__lt=criteria.window_end
    )
    if criteria.plate.kind == "pattern":
        copies = copies.filter(
            plate__like=criteria.plate.like_pattern, plate_hashed=False
        )
    else:
        copies = copies.filter(plate=criteria.plate.value)
    if criteria.camera_ids:
        copies = copies.filter(camera_id__in=criteria.camera_ids)
    cameras = {camera.pk: camera for camera in Camera.objects.all()}
    reads = []
    for copy in copies.order_by("-captured_at", "-read_id"):
        read = PlateRead(
            id=copy.read_id,
            captured_at=copy.captured_at,
            plate=copy.plate,
            plate_hashed=copy.plate_hashed,
            state=copy.state,
            camera=cameras[copy.camera_id],
            latitude=copy.latitude,
            longitude=copy.longitude,
            make=copy.make,
            color=copy.color,
            confidence=copy.confidence,
            image_ref=copy.image_ref,
            source=copy.source,
        )
        read.under_legal_hold = True
        reads.append(read)
    return reads


def merge(
    live: list[PlateRead], total: int, held: list[PlateRead], limit: int
) -> tuple[list[PlateRead], int, int]:
    """Live results plus vault copies not already among them, newest first; also
    how many came from the vault only (the reads past retention)."""
    seen = {read.id for read in live}
    extra = [read for read in held if read.id not in seen]
    combined = sorted(
        live + extra, key=lambda read: (read.captured_at, read.id), reverse=True
    )
    return combined[:limit], total + len(extra), len(extra)
