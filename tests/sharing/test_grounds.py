"""Every §9.C ground allowed with its evidence and refused without it; every
blocked kind refused whatever the ground; nothing sold."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from audits.events import EventType, Outcome
from audits.models import AuditEvent
from sharing import rules
from sharing.models import SharingRequest
from sharing.rules import SharingRefused
from sharing.services import request_share
from tests.sharing.conftest import actor, evidence, share_input

NOW = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)

# ground -> (recipient key, basis)
ALLOWED = {
    1: ("henry_so", "purpose"),
    2: ("henry_ca", "discovery"),
    3: ("defence", "discovery"),
    4: ("circuit", "court_order"),
    5: ("flock", "maintenance"),
    6: ("public", "missing_person"),
}


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def refused_codes(exc: pytest.ExceptionInfo) -> list[str]:
    return exc.value.codes


@pytest.mark.parametrize("ground", sorted(ALLOWED))
def test_it_allows_each_ground_with_its_evidence(ground, alice, orgs, search):
    key, basis = ALLOWED[ground]
    made = request_share(
        actor=actor(alice),
        data=share_input(orgs[key], ground, basis, search, **evidence(ground)),
    )
    assert made.status == SharingRequest.Status.PENDING
    assert made.ground == ground
    assert made.read_ids == sorted(search.read_ids)
    assert made.read_copies[0]["plate"] == "ABC1234"
    event = AuditEvent.objects.get(event_type=EventType.SHARE_REQUESTED)
    assert event.object_id == str(made.pk)
    assert event.data["recipient"]["name"] == orgs[key].name
    if ground == 4:
        assert made.document_file.name.endswith(".pdf")


# ground -> (recipient key, basis, overrides, expected rule code)
WITHOUT_EVIDENCE = {
    1: ("henry_so", "purpose", {"purpose": ""}, "purpose_missing"),
    2: ("henry_ca", "discovery", {"proceeding_number": ""}, "proceeding_missing"),
    3: ("defence", "purpose", {}, "basis_not_allowed"),
    4: ("circuit", "court_order", {"document_file": None}, "document_missing"),
    5: ("flock", "other", {}, "vendor_not_maintenance"),
    6: ("public", "missing_person", {"alert_text": ""}, "alert_missing"),
}


@pytest.mark.parametrize("ground", sorted(WITHOUT_EVIDENCE))
def test_it_refuses_each_ground_without_its_evidence(ground, alice, orgs, search):
    key, basis, overrides, code = WITHOUT_EVIDENCE[ground]
    values = {**evidence(ground), **overrides}
    with pytest.raises(SharingRefused) as exc:
        request_share(
            actor=actor(alice),
            data=share_input(orgs[key], ground, basis, search, **values),
        )
    assert code in refused_codes(exc)
    assert not SharingRequest.objects.exists()
    event = AuditEvent.objects.get(event_type=EventType.SHARE_REFUSED)
    assert event.outcome == Outcome.REFUSED
    assert code in event.data["rules"]


def test_it_refuses_a_court_order_ground_without_the_order_at_all(alice, orgs, search):
    with pytest.raises(SharingRefused) as exc:
        request_share(
            actor=actor(alice),
            data=share_input(orgs["circuit"], 4, "court_order", search),
        )
    message = " ".join(exc.value.errors["document"])
    assert "its number" in message and "the issuing court" in message
    assert "a copy of the document" in message


def test_it_refuses_a_subpoena_dated_in_the_future(alice, orgs, search):
    values = {**evidence(4), "document_date": date(2026, 12, 5)}
    with pytest.raises(SharingRefused) as exc:
        request_share(
            actor=actor(alice),
            data=share_input(orgs["circuit"], 4, "subpoena", search, **values),
        )
    assert exc.value.codes == ["document_future"]


def test_it_refuses_ground_one_to_an_agency_without_an_ori(alice, orgs, search):
    agency = orgs["henry_so"]
    agency.ori = ""
    agency.save()
    with pytest.raises(SharingRefused) as exc:
        request_share(
            actor=actor(alice), data=share_input(agency, 1, "purpose", search)
        )
    assert exc.value.codes == ["ground1_no_ori"]


def test_it_refuses_the_wrong_kind_of_recipient_for_a_ground(alice, orgs, search):
    with pytest.raises(SharingRefused) as exc:
        request_share(
            actor=actor(alice),
            data=share_input(orgs["henry_ca"], 1, "purpose", search),
        )
    assert exc.value.codes == ["recipient_wrong_kind"]


BLOCKED = {
    "ice": "blocked_federal",
    "nc_pd": "blocked_other_state",
    "fusion_tx": "blocked_other_state",
    "broker": "blocked_commercial",
    "hoa": "blocked_private",
}


@pytest.mark.parametrize("ground", sorted(ALLOWED))
@pytest.mark.parametrize("key", sorted(BLOCKED))
def test_it_refuses_blocked_recipients_whatever_the_ground(
    key, ground, alice, orgs, search
):
    basis = ALLOWED[ground][1]
    with pytest.raises(SharingRefused) as exc:
        request_share(
            actor=actor(alice),
            data=share_input(orgs[key], ground, basis, search, **evidence(ground)),
        )
    assert BLOCKED[key] in exc.value.codes
    assert "§9.B.2" in " ".join(exc.value.errors["recipient"])
    assert not SharingRequest.objects.exists()
    assert (
        AuditEvent.objects.filter(
            event_type=EventType.SHARE_REFUSED, outcome=Outcome.REFUSED
        ).count()
        == 1
    )


@pytest.mark.parametrize("key", ["ice", "nc_pd"])
def test_it_refuses_federal_and_out_of_state_agencies_under_ground_one(
    key, alice, orgs, search
):
    """Even with a Virginia-looking ORI typed in, the registry's jurisdiction wins."""
    agency = orgs[key]
    agency.ori = "VA0999999"
    agency.save()
    with pytest.raises(SharingRefused) as exc:
        request_share(
            actor=actor(alice), data=share_input(agency, 1, "purpose", search)
        )
    assert BLOCKED[key] in exc.value.codes


@pytest.mark.parametrize("ground", sorted(ALLOWED))
def test_it_refuses_a_sale_whatever_the_ground(ground, alice, orgs, search):
    key, basis = ALLOWED[ground]
    with pytest.raises(SharingRefused) as exc:
        request_share(
            actor=actor(alice),
            data=share_input(
                orgs[key], ground, basis, search, sale=True, **evidence(ground)
            ),
        )
    assert exc.value.codes == ["sale"]
    assert "never sold" in exc.value.errors["sale"][0]


def test_it_refuses_an_unclassified_recipient(alice, orgs, search):
    agency = orgs["henry_so"]
    agency.needs_classification = True
    agency.save()
    with pytest.raises(SharingRefused) as exc:
        request_share(
            actor=actor(alice), data=share_input(agency, 1, "purpose", search)
        )
    assert "recipient_unclassified" in exc.value.codes


def test_it_refuses_purged_reads_with_the_reason(alice, orgs, search, reads):
    from queries.models import PlateRead

    PlateRead.objects.filter(id=reads[1].id).delete()
    with pytest.raises(SharingRefused) as exc:
        request_share(
            actor=actor(alice),
            data=share_input(orgs["henry_so"], 1, "purpose", search),
        )
    assert exc.value.codes == ["data_purged"]
    assert "destroyed at the end of the retention period" in " ".join(
        exc.value.errors["read_ids"]
    )


def test_it_refuses_reads_that_were_not_in_the_search(alice, orgs, search, reads):
    with pytest.raises(SharingRefused) as exc:
        request_share(
            actor=actor(alice),
            data=share_input(
                orgs["henry_so"], 1, "purpose", search, read_ids=(reads[3].id,)
            ),
        )
    assert exc.value.codes == ["reads_not_in_search"]


def test_it_refuses_reads_from_another_officers_search(bob, orgs, search):
    with pytest.raises(SharingRefused) as exc:
        request_share(
            actor=actor(bob), data=share_input(orgs["henry_so"], 1, "purpose", search)
        )
    assert exc.value.codes == ["reads_without_search"]


def test_it_lets_only_auditors_share_audit_records(alice, carol, orgs):
    from audits.trail import record

    event = record(EventType.CONFIG_CHANGED, actor=actor(carol), summary="x")
    data = share_input(
        orgs["circuit"], 4, "subpoena", audit_seqs=(event.seq,), **evidence(4)
    )
    with pytest.raises(SharingRefused) as exc:
        request_share(actor=actor(alice), data=data)
    assert exc.value.codes == ["audit_records_not_allowed"]
    data = share_input(
        orgs["circuit"], 4, "subpoena", audit_seqs=(event.seq,), **evidence(4)
    )
    made = request_share(actor=actor(carol), data=data)
    assert made.audit_seqs == [event.seq]


def test_it_refuses_audit_records_that_do_not_exist(carol, orgs):
    with pytest.raises(SharingRefused) as exc:
        request_share(
            actor=actor(carol),
            data=share_input(
                orgs["circuit"], 4, "subpoena", audit_seqs=(999999,), **evidence(4)
            ),
        )
    assert exc.value.codes == ["data_purged"]


def test_it_lists_every_broken_rule_at_once(alice, orgs):
    with pytest.raises(SharingRefused) as exc:
        rules.check_share(rules.ShareDraft(recipient=None, ground=None))
    assert {"recipient_missing", "ground_missing", "data_missing"} <= set(
        exc.value.codes
    )


def test_it_refuses_a_court_order_copy_that_is_not_a_document(alice, orgs, search):
    from django.core.files.uploadedfile import SimpleUploadedFile

    values = {
        **evidence(4),
        "document_file": SimpleUploadedFile("order.exe", b"MZ", "application/x"),
    }
    with pytest.raises(SharingRefused) as exc:
        request_share(
            actor=actor(alice),
            data=share_input(orgs["circuit"], 4, "court_order", search, **values),
        )
    assert exc.value.codes == ["document_type"]
