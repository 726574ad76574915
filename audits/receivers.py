"""Receivers: auditlog's field history into the trail; read counts into statistics.

Links django-auditlog's field-level history into the one audit trail.

Every LogEntry that auditlog writes for a registered configuration model gets an
``AuditEvent`` pointing at it, in the same transaction. If that record cannot be
written, the exception propagates and the change itself is rolled back.
"""

from auditlog.signals import post_log
from django.contrib.auth import get_user_model
from django.dispatch import receiver

from queries.signals import reads_ingested

from . import statistics
from .context import Actor, current_actor, pending_field_history
from .events import EventType
from .trail import record


@receiver(post_log)
def link_field_history(sender, instance, action, log_entry=None, error=None, **kwargs):
    if log_entry is None or error is not None:
        return
    pending = pending_field_history()
    if pending is not None:
        # An act with its own event links this entry to that event.
        pending.append((instance, log_entry))
        return
    record_field_history(instance, log_entry)


def record_field_history(instance, log_entry) -> None:
    """A change with no act of its own: ``account.changed`` for an account (the
    Django admin's edits), ``config.changed`` for anything else."""
    actor = current_actor()
    if actor is None and log_entry.actor is not None:
        actor = Actor.for_officer(log_entry.actor)
    account = isinstance(instance, get_user_model())
    record(
        EventType.ACCOUNT_CHANGED if account else EventType.CONFIG_CHANGED,
        actor=actor,
        target=instance,
        summary=f"{log_entry.get_action_display()} {instance._meta.verbose_name}",
        data={"changes": log_entry.changes_dict, "action": log_entry.action},
        logentry_id=log_entry.pk,
    )


@receiver(reads_ingested)
def count_ingested_reads(sender, reads, **kwargs):
    statistics.count_reads(reads)
