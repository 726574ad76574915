"""Receivers: auditlog's field history into the trail; read counts into statistics.

Links django-auditlog's field-level history into the one audit trail.

Every LogEntry that auditlog writes for a registered configuration model gets an
``AuditEvent`` pointing at it, in the same transaction. If that record cannot be
written, the exception propagates and the change itself is rolled back.
"""

from auditlog.signals import post_log
from django.dispatch import receiver

from queries.signals import reads_ingested

from . import statistics
from .context import Actor, current_actor
from .events import EventType
from .trail import record


@receiver(post_log)
def link_field_history(sender, instance, action, log_entry=None, error=None, **kwargs):
    if log_entry is None or error is not None:
        return
    actor = current_actor()
    if actor is None and log_entry.actor is not None:
        actor = Actor.for_officer(log_entry.actor)
    record(
        EventType.CONFIG_CHANGED,
        actor=actor,
        target=instance,
        summary=f"{log_entry.get_action_display()} {instance._meta.verbose_name}",
        data={"changes": log_entry.changes_dict, "action": log_entry.action},
        logentry_id=log_entry.pk,
    )


@receiver(reads_ingested)
def count_ingested_reads(sender, reads, **kwargs):
    statistics.count_reads(reads)
