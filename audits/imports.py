"""Storing vendor audit rows: the one write path for ``VendorSearch``."""

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from .context import Actor
from .events import EventType
from .models import VendorSearch
from .trail import record
from .vendor import ParsedRow, to_model

logger = logging.getLogger(__name__)


@dataclass
class ImportResult:
    kind: str
    imported: int = 0
    skipped: int = 0
    new_organisations: list[str] = field(default_factory=list)


def own_names() -> set[str]:
    """Names by which vendor exports call the department itself."""
    names = {settings.FLOCKGOV_DEPARTMENT_NAME, *settings.FLOCKGOV_AUDIT_OWN_ORG_NAMES}
    return {name.strip().lower() for name in names if name.strip()}


def decide_kind(rows: list[ParsedRow]) -> str:
    """Organization Audit when every row is the department's own, else Network."""
    mine = own_names()
    if all(not row.org or row.org.lower() in mine for row in rows):
        return VendorSearch.Kind.ORG
    return VendorSearch.Kind.NETWORK


class _Registry:
    """The organisation registry, looked up by name or alias, case-insensitive."""

    def __init__(self) -> None:
        from sharing.models import Organisation

        self.model = Organisation
        self.by_name: dict[str, int] = {}
        for org in Organisation.objects.all():
            self.by_name[org.name.lower()] = org.pk
            for alias in org.aliases or []:
                self.by_name.setdefault(str(alias).strip().lower(), org.pk)
        self.created: list[str] = []

    def match(self, name: str) -> int:
        key = name.strip().lower()
        if key not in self.by_name:
            # Unknown: queued for the Captain, who confirms jurisdiction and kind.
            org = self.model.objects.create(
                name=name.strip()[:200],
                jurisdiction="",
                kind="",
                needs_classification=True,
                notes="Seen in a vendor network audit; classify before relying on it.",
            )
            self.by_name[key] = org.pk
            self.created.append(org.name)
        return self.by_name[key]


def _officers() -> dict[str, int]:
    from accounts.models import Officer

    found: dict[str, int] = {}
    for pk, username, first, last in Officer.objects.values_list(
        "pk", Lower("username"), "first_name", "last_name"
    ):
        found[username] = pk
        full = f"{first} {last}".strip().lower()
        if full:
            found.setdefault(full, pk)
    return found


def import_rows(
    *,
    actor: Actor,
    rows: list[ParsedRow],
    kind: str,
    source: str,
    rejected: int,
    now: datetime | None = None,
) -> ImportResult:
    """Stores parsed rows not already imported; one audit record for the file."""
    now = now or timezone.now()
    result = ImportResult(kind=kind)
    with transaction.atomic():
        registry = _Registry()
        officers = _officers() if kind != VendorSearch.Kind.NETWORK else {}
        mine = own_names()
        models: dict[str, VendorSearch] = {}
        for row in rows:
            model = to_model(row, kind=kind, source=source, now=now)
            if model.row_hash in models:
                result.skipped += 1
                continue
            if row.org and row.org.lower() not in mine:
                model.organisation_id = registry.match(row.org)
            if row.user:
                model.officer_id = officers.get(row.user.lower())
            models[model.row_hash] = model
        existing = set()
        hashes = list(models)
        for i in range(0, len(hashes), 5000):
            existing |= set(
                VendorSearch.objects.filter(
                    row_hash__in=hashes[i : i + 5000]
                ).values_list("row_hash", flat=True)
            )
        fresh = [m for h, m in models.items() if h not in existing]
        result.skipped += len(models) - len(fresh)
        VendorSearch.objects.bulk_create(fresh, batch_size=2000)
        result.imported = len(fresh)
        result.new_organisations = registry.created
        record(
            EventType.VENDOR_AUDIT_IMPORTED,
            actor=actor,
            object_type="audits.vendorsearch",
            summary=f"imported {result.imported} {kind} audit rows from {source}"[:300],
            data={
                "file": source,
                "kind": kind,
                "imported": result.imported,
                "skipped": result.skipped,
                "rejected": rejected,
                "organisations_queued": registry.created,
            },
        )
    logger.info(
        "vendor audit import: kind=%s imported=%s skipped=%s rejected=%s",
        kind,
        result.imported,
        result.skipped,
        rejected,
    )
    return result
