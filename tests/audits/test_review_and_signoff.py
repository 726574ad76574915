"""Reviewing findings and signing a period off: who may, notes, the freeze."""

import io
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.management import call_command

from accounts.roles import Role
from audits import services
from audits.context import Actor
from audits.events import EventType, Outcome
from audits.models import AuditEvent, AuditPeriod, Finding
from audits.signals import violation_confirmed
from tests.audits.conftest import MID_MARCH, make_search
from tests.conftest import make_account

AFTER_MARCH = datetime(2026, 4, 2, 12, tzinfo=UTC)


@pytest.fixture
def march(alice, settings):
    settings.FLOCKGOV_AUDIT_RULES = {"sample": {"enabled": False}}
    make_search(alice, MID_MARCH, justification="inv")
    with time_machine.travel(AFTER_MARCH, tick=False):
        result = services.run_period(
            actor=Actor.system("test"),
            kind=AuditPeriod.Kind.MONTH,
            start=date(2026, 3, 1),
            end=date(2026, 4, 1),
        )
    return result.period


def test_it_refuses_a_review_of_ones_own_search(march, alice):
    alice.role = Role.CAPTAIN
    alice.save()
    finding = march.findings.get()
    with pytest.raises(services.AuditError, match="own search"):
        services.decide(
            actor=Actor.for_officer(alice),
            finding=finding,
            status="justified",
            note="x",
        )
    refused = AuditEvent.objects.get(event_type=EventType.FINDING_REFUSED)
    assert refused.outcome == Outcome.REFUSED


def test_it_requires_a_note_to_justify(march, carol):
    finding = march.findings.get()
    with pytest.raises(services.AuditError, match="needs a note"):
        services.decide(
            actor=Actor.for_officer(carol),
            finding=finding,
            status="justified",
            note=" ",
        )
    finding.refresh_from_db()
    assert finding.status == Finding.Status.NEEDS_REVIEW


def test_it_has_the_supervisor_review_first_and_the_captain_decide(march, alice, carol):
    sam = make_account("sam", Role.SUPERVISOR)
    alice.supervisor = sam
    alice.save()
    finding = march.findings.get()
    with pytest.raises(services.AuditError, match="first review"):
        services.decide(
            actor=Actor.for_officer(carol),
            finding=finding,
            status="justified",
            note="ok",
        )
    with pytest.raises(services.AuditError, match="Only the Captain"):
        services.decide(
            actor=Actor.for_officer(sam), finding=finding, status="justified", note="ok"
        )
    services.first_review(
        actor=Actor.for_officer(sam),
        finding=finding,
        recommendation="justified",
        note="Case 26-004512 was open; reason too terse",
    )
    services.decide(
        actor=Actor.for_officer(carol),
        finding=finding,
        status="justified",
        note="Agree; reminded the officer",
    )
    finding.refresh_from_db()
    assert finding.status == Finding.Status.JUSTIFIED
    assert finding.decided_by == carol
    assert AuditEvent.objects.filter(event_type=EventType.FINDING_DECIDED).count() == 1


def test_it_sends_violation_confirmed_in_the_same_transaction(march, alice, carol):
    received = []

    def listener(sender, finding, officer, actor, reference, **kwargs):
        from django.db import connection

        received.append((officer, actor.officer, reference, connection.in_atomic_block))

    violation_confirmed.connect(listener)
    try:
        services.decide(
            actor=Actor.for_officer(carol),
            finding=march.findings.get(),
            status="violation",
            note="No case, no reason: searched a neighbour's plate",
        )
    finally:
        violation_confirmed.disconnect(listener)
    assert len(received) == 1
    officer, actor_officer, reference, atomic = received[0]
    assert (officer, actor_officer, atomic) == (alice, carol, True)
    assert "vague_reason" in reference


def test_it_signs_off_freezes_and_records_the_chain_head(march, carol, alice):
    services.decide(
        actor=Actor.for_officer(carol),
        finding=march.findings.get(),
        status="justified",
        note="Case number confirmed with the officer",
    )
    head = AuditEvent.objects.order_by("-seq").first()
    with time_machine.travel(AFTER_MARCH, tick=False):
        period = services.sign_off(actor=Actor.for_officer(carol), period=march)
    assert period.chain_head_seq == head.seq
    assert period.chain_head_hash == head.hash
    signed = AuditEvent.objects.get(event_type=EventType.PERIOD_SIGNED)
    assert signed.data["chain_head_hash"] == head.hash
    # New searches in March after sign-off change nothing.
    make_search(alice, MID_MARCH, justification="bolo")
    out = io.StringIO()
    with time_machine.travel(AFTER_MARCH, tick=False):
        call_command("monthly_audit", "--month", "2026-03", stdout=out)
    lines = out.getvalue().splitlines()
    assert "figures are frozen" in lines[0]
    assert "rule=vague_reason findings=1" in lines
    assert lines[-1] == "findings=1"
    assert Finding.objects.count() == 1
    with pytest.raises(services.AuditError, match="already signed"):
        services.sign_off(actor=Actor.for_officer(carol), period=march)
    with pytest.raises(services.AuditError, match="signed off"):
        services.decide(
            actor=Actor.for_officer(carol),
            finding=march.findings.get(),
            status="violation",
            note="changed my mind",
        )


def test_it_refuses_sign_off_with_open_findings_or_by_others(march, carol, dave):
    with pytest.raises(services.AuditError, match="still need review"):
        services.sign_off(actor=Actor.for_officer(carol), period=march)
    with pytest.raises(services.AuditError, match="Only the Captain"):
        services.sign_off(actor=Actor.for_officer(dave), period=march)
    assert (
        AuditEvent.objects.filter(event_type=EventType.PERIOD_SIGN_REFUSED).count() == 2
    )
    march.refresh_from_db()
    assert not march.is_signed


@pytest.mark.django_db
def test_it_refuses_a_future_or_malformed_month():
    from django.core.management.base import CommandError

    with time_machine.travel(datetime(2026, 3, 31, 12, tzinfo=UTC), tick=False):
        for month, message in (("2026-04", "in the future"), ("2026-13", "no month")):
            with pytest.raises(CommandError, match=message) as caught:
                call_command("monthly_audit", "--month", month, stdout=io.StringIO())
            assert caught.value.returncode == 2
        # The current month may be run (a partial look), but not signed.
        call_command("monthly_audit", "--month", "2026-03", stdout=io.StringIO())
    assert not AuditPeriod.objects.signed().exists()


def test_it_writes_csv_and_pdf_reports(march, tmp_path):
    for fmt in ("csv", "pdf"):
        out = tmp_path / f"report.{fmt}"
        with time_machine.travel(AFTER_MARCH, tick=False):
            call_command(
                "monthly_audit",
                "--month",
                "2026-03",
                "--format",
                fmt,
                "--out",
                str(out),
                stdout=io.StringIO(),
            )
        data = out.read_bytes()
        if fmt == "pdf":
            assert data.startswith(b"%PDF")
        else:
            assert b"vague_reason,Missing or vague reason" in data


def test_it_runs_the_scheduled_month_and_week(march):
    from audits import tasks

    with time_machine.travel(datetime(2026, 4, 1, 7, 0, tzinfo=UTC), tick=False):
        assert tasks.run_monthly_audit() == 1
    with time_machine.travel(datetime(2026, 3, 16, 7, 30, tzinfo=UTC), tick=False):
        tasks.run_weekly_audit()
    week = AuditPeriod.objects.get(kind=AuditPeriod.Kind.WEEK)
    assert (week.start, week.end) == (date(2026, 3, 9), date(2026, 3, 16))
    assert week.findings.filter(rule="vague_reason").count() == 1
