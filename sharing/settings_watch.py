"""Watching the department's sharing settings (§9.B, §9.C.1).

The settings are who may query the department's data (the active network access
grants) and how the registry classifies each of those agencies. The Captain's
grants and revocations approve a new set; a daily job takes a snapshot and
compares it with what the approved set says should hold now (grants past their
expiry drop out of both). Any other difference (a grant widened, added or
reclassified behind the application's back, a grantee turned federal in the
registry) raises an alarm, notifies the administrators and is audited.
"""

import hashlib
import json
import logging
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import Notice
from accounts.notices import administrators, notify
from audits.context import Actor
from audits.events import EventType, Outcome
from audits.trail import record
from flockgov import alarms

from .models import NetworkAccessGrant, SharingSettings

logger = logging.getLogger(__name__)


def _digest(values: dict[str, Any]) -> str:
    payload = json.dumps(values, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def current_settings(now: datetime) -> dict[str, Any]:
    """The sharing settings in force at ``now``, in a stable form."""
    grants = (
        NetworkAccessGrant.objects.active(now)
        .select_related("organisation")
        .order_by("organisation__name", "pk")
    )
    return {
        "network_grants": [
            {
                "grant": grant.pk,
                "organisation": grant.organisation.name,
                "ori": grant.organisation.ori,
                "jurisdiction": grant.organisation.jurisdiction,
                "kind": grant.organisation.kind,
                "expires_at": grant.expires_at.isoformat(),
            }
            for grant in grants
        ]
    }


def expected_settings(approved: dict[str, Any], now: datetime) -> dict[str, Any]:
    """What the approved set says should be in force at ``now``."""
    return {
        "network_grants": [
            grant
            for grant in approved.get("network_grants", [])
            if datetime.fromisoformat(grant["expires_at"]) > now
        ]
    }


def differences(expected: dict[str, Any], current: dict[str, Any]) -> list[str]:
    want = {g["grant"]: g for g in expected.get("network_grants", [])}
    have = {g["grant"]: g for g in current.get("network_grants", [])}
    found = []
    for key in sorted(set(have) - set(want)):
        found.append(
            f"grant {key} to {have[key]['organisation']} is not in the approved set"
        )
    for key in sorted(set(want) - set(have)):
        found.append(
            f"grant {key} to {want[key]['organisation']} was approved but is gone"
        )
    for key in sorted(set(want) & set(have)):
        for name in ("organisation", "ori", "jurisdiction", "kind", "expires_at"):
            if want[key][name] != have[key][name]:
                found.append(
                    f"grant {key} {name} changed from {want[key][name]!r} to "
                    f"{have[key][name]!r}"
                )
    return found


def latest_approved() -> SharingSettings | None:
    return (
        SharingSettings.objects.filter(kind=SharingSettings.Kind.APPROVED)
        .order_by("-taken_at", "-pk")
        .first()
    )


def approve_current_settings(*, actor: Actor, reason: str = "") -> SharingSettings:
    """Records the settings in force now as the approved set (the Captain)."""
    from .permissions import may_approve_share
    from .rules import SharingRefused

    if not may_approve_share(actor.officer):
        error = SharingRefused(
            {"__all__": ["Only the Captain approves the sharing settings."]},
            ["not_captain"],
        )
        record(
            EventType.SHARING_SETTINGS_APPROVED,
            actor=actor,
            outcome=Outcome.REFUSED,
            object_type="sharing.sharingsettings",
            summary=str(error),
            data={"rules": error.codes},
        )
        raise error
    now = timezone.now()
    values = current_settings(now)
    with transaction.atomic():
        approved = SharingSettings.objects.create(
            kind=SharingSettings.Kind.APPROVED,
            taken_at=now,
            values=values,
            digest=_digest(values),
            taken_by=actor.officer,
        )
        record(
            EventType.SHARING_SETTINGS_APPROVED,
            actor=actor,
            target=approved,
            summary=f"approved sharing settings ({reason or 'reviewed'})",
            data={"digest": approved.digest, "reason": reason, "values": values},
        )
        transaction.on_commit(
            lambda: alarms.clear_alarm(alarms.SHARING_SETTINGS_CHANGED)
        )
    return approved


def snapshot(*, actor: Actor, now: datetime | None = None) -> SharingSettings:
    """Takes the daily snapshot and raises the alarm on any unapproved change."""
    now = now or timezone.now()
    values = current_settings(now)
    approved = latest_approved()
    expected = expected_settings(approved.values if approved else {}, now)
    found = differences(expected, values)
    with transaction.atomic():
        taken = SharingSettings.objects.create(
            kind=SharingSettings.Kind.SNAPSHOT,
            taken_at=now,
            values=values,
            digest=_digest(values),
            matches_approved=not found,
            differences=found,
        )
        record(
            EventType.SHARING_SETTINGS_CHANGED
            if found
            else (EventType.SHARING_SETTINGS_SNAPSHOT),
            actor=actor,
            outcome=Outcome.FAILED if found else Outcome.SUCCESS,
            target=taken,
            summary=(
                f"sharing settings differ from the approved set: {len(found)} "
                "differences"
                if found
                else "sharing settings match the approved set"
            ),
            data={
                "digest": taken.digest,
                "approved": approved.pk if approved else None,
                "differences": found,
            },
        )
        if found:
            notify(
                administrators(),
                subject="Sharing settings changed without approval",
                body="\n".join(found),
                level=Notice.Level.ALARM,
            )
    if found:
        alarms.raise_alarm(
            alarms.SHARING_SETTINGS_CHANGED,
            f"The department's sharing settings differ from the approved set "
            f"({len(found)} differences); see the sharing settings page.",
        )
        logger.warning("sharing settings differ from the approved set: %s", len(found))
    return taken
