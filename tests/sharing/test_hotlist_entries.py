"""Hot-list entries named in a share: resolved and checked (they exist, the
requester may see their list) at request and again at sending; what leaves
(plate, state, category, list, NCIC number) is copied into the package."""

import csv
import io
from datetime import UTC, date, datetime

import pytest
import time_machine

from audits.events import EventType
from audits.models import AuditEvent
from hotlists.models import HotList, HotListEntry
from sharing.models import Dissemination
from sharing.rules import SharingRefused
from sharing.services import (
    approve_share,
    disseminate,
    record_acknowledgment,
    request_share,
)
from tests.sharing.conftest import actor, share_input

NOW = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def make_list(name, owner, audience) -> HotList:
    return HotList.objects.create(
        name=name,
        key=name.lower().replace(" ", "-"),
        source=HotList.Source.CUSTOM,
        owner=owner,
        audience=audience,
        created_at=NOW,
    )


def make_entry(hotlist, plate, **extra) -> HotListEntry:
    return HotListEntry.objects.create(
        hotlist=hotlist,
        plate=plate,
        state="VA",
        category="stolen_vehicle",
        purpose="C",
        case_number="26-004512",
        reason="Internal note that must not leave",
        entered_by=hotlist.owner,
        entered_at=NOW,
        **extra,
    )


@pytest.fixture
def shared_list(alice):
    return make_list("Church St robbery", alice, HotList.Audience.DEPARTMENT)


def test_it_copies_what_leaves_of_each_entry_into_the_package(
    alice, carol, orgs, shared_list
):
    entry = make_entry(shared_list, "KLM4821", ncic_number="V123456789")
    pending = request_share(
        actor=actor(alice),
        data=share_input(orgs["henry_so"], 1, "purpose", hotlist_entry_ids=(entry.pk,)),
    )
    approve_share(actor=actor(carol), sharing_request=pending, note="ok")
    pending.refresh_from_db()
    record_acknowledgment(
        actor=actor(alice),
        sharing_request=pending,
        signed_by="Lt. Dana Moore, Henry County SO",
        signed_on=date(2026, 12, 3),
        statement="We will follow policy §9 and Code of Virginia § 2.2-5517.",
    )
    pending.refresh_from_db()
    dissemination, package = disseminate(
        actor=actor(alice),
        sharing_request=pending,
        method=Dissemination.Method.ELECTRONIC,
        received_by="Lt. Dana Moore",
    )
    rows = [
        row
        for row in csv.reader(io.StringIO(package.content.decode("utf-8")))
        if row and row[0] == "hotlist_entry"
    ]
    assert len(rows) == 1
    assert rows[0][1:5] == [str(entry.pk), "", "KLM4821", "VA"]
    assert "list: Church St robbery" in rows[0][8]
    assert "NCIC V123456789" in rows[0][8]
    assert "Internal note" not in package.content.decode("utf-8")
    assert dissemination.contents["hotlist_entries"] == [
        {
            "id": entry.pk,
            "plate": "KLM4821",
            "state": "VA",
            "category": entry.get_category_display(),
            "list": "Church St robbery",
            "ncic_number": "V123456789",
        }
    ]


def test_it_refuses_unknown_entries_and_lists_the_requester_may_not_see(
    alice, frank, orgs
):
    private = make_list("Frank's own", frank, HotList.Audience.OWNER)
    hidden = make_entry(private, "PRV1234")
    with pytest.raises(SharingRefused) as exc:
        request_share(
            actor=actor(alice),
            data=share_input(
                orgs["henry_so"], 1, "purpose", hotlist_entry_ids=(hidden.pk, 999999)
            ),
        )
    assert exc.value.codes == ["entries_unknown"]
    message = exc.value.errors["hotlist_entry_ids"][0]
    assert str(hidden.pk) in message and "999999" in message
    refused = AuditEvent.objects.get(event_type=EventType.SHARE_REFUSED)
    assert refused.data["rules"] == ["entries_unknown"]


def test_it_refuses_to_send_an_entry_destroyed_since_the_request(
    alice, carol, orgs, shared_list
):
    entry = make_entry(shared_list, "KLM4821")
    pending = request_share(
        actor=actor(alice),
        data=share_input(orgs["henry_so"], 1, "purpose", hotlist_entry_ids=(entry.pk,)),
    )
    HotListEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(SharingRefused) as exc:
        approve_share(actor=actor(carol), sharing_request=pending, note="ok")
    assert "entries_unknown" in exc.value.codes
