"""verify_audit_trail against tampering done as the database superuser."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from audits.context import Actor
from audits.events import EventType
from audits.models import AuditEvent
from audits.trail import record


def verify():
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit_trail", stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue().splitlines()[-1], err.getvalue()


@pytest.fixture
def chain(db):
    actor = Actor.system("test")
    return [
        record(EventType.CONFIG_CHANGED, actor=actor, summary=f"change {i}")
        for i in range(6)
    ]


def tamper(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audits_auditevent DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        cursor.execute("ALTER TABLE audits_auditevent ENABLE TRIGGER USER")


def test_it_passes_an_intact_chain(chain):
    code, summary, _ = verify()
    assert (code, summary) == (0, "verified=6 problems=0")


def test_it_finds_an_edited_record(chain):
    tamper(
        "UPDATE audits_auditevent SET summary = 'nothing happened' WHERE seq = %s",
        [3],
    )
    code, summary, err = verify()
    assert code == 1
    assert summary == "verified=6 problems=1"
    assert err.splitlines()[0].startswith("first problem: seq 3: modified")


def test_it_finds_an_edited_and_rehashed_record(chain):
    event = AuditEvent.objects.get(seq=3)
    event.summary = "nothing happened"
    tamper(
        "UPDATE audits_auditevent SET summary = %s, hash = %s WHERE seq = 3",
        [event.summary, event.compute_hash()],
    )
    code, _, err = verify()
    assert code == 1
    assert "seq 4: broken link" in err


def test_it_finds_a_deleted_record(chain):
    tamper("DELETE FROM audits_auditevent WHERE seq = 4")
    code, summary, err = verify()
    assert code == 1
    assert summary.startswith("verified=5 problems=")
    assert "first problem: seq 4: missing: 1 record(s) missing before seq 5" in err


def test_it_finds_reordered_records(chain):
    tamper(
        "UPDATE audits_auditevent SET seq = CASE seq WHEN 2 THEN 3 ELSE 2 END "
        "WHERE seq IN (2, 3)"
    )
    code, _, err = verify()
    assert code == 1
    assert "seq 2: modified" in err.splitlines()[0]
    assert "reordered" in err


def test_it_resumes_after_a_purge_tombstone(chain):
    anchor = AuditEvent.objects.get(seq=3)
    record(
        EventType.AUDIT_PURGED,
        actor=Actor.system("purge"),
        summary="purged",
        data={"purged_through_seq": 3, "anchor_hash": anchor.hash},
    )
    tamper("DELETE FROM audits_auditevent WHERE seq <= 3")
    code, summary, _ = verify()
    assert (code, summary) == (0, "verified=4 problems=0")


def test_it_finds_a_record_removed_just_after_a_tombstone(chain):
    record(
        EventType.AUDIT_PURGED,
        actor=Actor.system("purge"),
        summary="purged",
        data={
            "purged_through_seq": 2,
            "anchor_hash": AuditEvent.objects.get(seq=2).hash,
        },
    )
    tamper("DELETE FROM audits_auditevent WHERE seq <= 3")
    code, _, err = verify()
    assert code == 1
    assert "seq 3: missing" in err
