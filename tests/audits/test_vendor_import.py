"""import_vendor_audit: every export variant, idempotence, bad input."""

import io
from datetime import UTC, datetime

import pytest
from django.core.management import call_command

from audits.events import EventType
from audits.models import AuditEvent, VendorSearch
from sharing.models import Organisation
from tests.audits.conftest import FIXTURES


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_vendor_audit", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_it_reads_an_org_audit_with_two_line_time_frames_and_masks():
    code, out, err = run(str(FIXTURES / "org-two-line.csv"))
    assert code == 0, err
    assert out.splitlines()[-1] == "imported=3 rejected=0 skipped=1 kind=org"
    first, second, third = VendorSearch.objects.order_by("source_line")
    assert first.kind == VendorSearch.Kind.ORG
    assert first.window_start == datetime(2025, 11, 14, 9, 0, tzinfo=UTC)
    assert first.window_end == datetime(2025, 11, 14, 9, 53, 36, tzinfo=UTC)
    assert first.source_line == 2
    assert second.devices_searched is None  # "——"
    assert second.searched_at == datetime(2025, 11, 14, 14, 5, tzinfo=UTC)
    assert second.offense_type == "Burglary/Breaking & Entering"
    assert third.vendor_id == "a2"  # a repeated id is a different search
    assert third.user_label == ""
    assert set(third.masked) == {"user", "case number"}
    assert third.offense_type == "Robbery, Stolen Property Offenses"
    assert AuditEvent.objects.filter(event_type=EventType.VENDOR_AUDIT_IMPORTED).count()


@pytest.mark.django_db
def test_it_reads_split_time_frame_columns_and_underscored_headers():
    code, out, _ = run(str(FIXTURES / "org-split-frame.csv"))
    assert code == 0
    assert out.splitlines()[-1].startswith("imported=2 rejected=0 skipped=0 kind=org")
    row = VendorSearch.objects.get(vendor_id="b1")
    assert row.window_start == datetime(2025, 11, 10, 13, 0, tzinfo=UTC)
    assert row.window_end == datetime(2025, 11, 14, 13, 0, tzinfo=UTC)
    assert "case number" in row.masked  # no Case # column in this release


@pytest.mark.django_db
def test_it_reads_a_network_audit_and_queues_unknown_organisations():
    known = Organisation.objects.create(
        name="Henry County Sheriff's Office",
        jurisdiction=Organisation.Jurisdiction.VIRGINIA,
        kind=Organisation.Kind.LAW_ENFORCEMENT,
    )
    code, out, _ = run(str(FIXTURES / "network-joined.csv"))
    assert code == 0
    assert "kind=network" in out.splitlines()[-1]
    henry = VendorSearch.objects.get(vendor_id="c1")
    assert henry.organisation == known
    assert henry.window_start == datetime(2025, 11, 13, 9, 0, tzinfo=UTC)
    queued = Organisation.objects.awaiting_classification()
    assert set(queued.values_list("name", flat=True)) == {
        "Homeland Security Investigations",
        "Rockingham County NC Sheriff",
    }
    assert "2 organisation(s) queued for classification" in out


@pytest.mark.django_db
def test_it_matches_organisations_by_alias():
    hsi = Organisation.objects.create(
        name="U.S. Homeland Security Investigations",
        jurisdiction=Organisation.Jurisdiction.FEDERAL,
        kind=Organisation.Kind.LAW_ENFORCEMENT,
        aliases=["Homeland Security Investigations"],
    )
    run(str(FIXTURES / "network-joined.csv"))
    assert VendorSearch.objects.get(vendor_id="c2").organisation == hsi


@pytest.mark.django_db
def test_it_reads_both_portal_vintages():
    code, out, _ = run(str(FIXTURES / "portal-2026.csv"))
    assert code == 0
    assert out.splitlines()[-1] == "imported=3 rejected=0 skipped=0 kind=portal"
    row = VendorSearch.objects.get(vendor_id="d1")
    assert row.searched_at == datetime(2026, 1, 5, 14, 0, tzinfo=UTC)
    assert row.case_number == "26-000123"
    assert row.networks_searched == 1
    assert "user" in row.masked
    code, out, _ = run(str(FIXTURES / "eugene-or-portal-search-audit-part.csv"))
    assert code == 0
    assert out.splitlines()[-1] == "imported=1000 rejected=0 skipped=0 kind=portal"
    first = VendorSearch.objects.get(vendor_id="e589a215-06ea-c358-fcbb-34d9060a45fd")
    assert first.searched_at == datetime(2025, 6, 18, 0, 2, 4, 789000, tzinfo=UTC)
    assert first.devices_searched == 2510


@pytest.mark.django_db
def test_it_skips_everything_on_a_second_import():
    path = str(FIXTURES / "eugene-or-portal-search-audit-part.csv")
    run(path)
    code, out, _ = run(path)
    assert code == 0
    assert out.splitlines()[-1] == "imported=0 rejected=0 skipped=1000 kind=portal"
    assert VendorSearch.objects.count() == 1000


@pytest.mark.django_db
def test_it_rejects_truncated_rows_and_bad_times_and_keeps_the_rest():
    code, out, err = run(str(FIXTURES / "portal-bad-rows.csv"))
    assert code == 1
    assert out.splitlines()[-1] == "imported=2 rejected=2 skipped=0 kind=portal"
    assert err.splitlines() == [
        "line 3: truncated row: 3 of 5 columns",
        "line 4: unparseable time 'yesterday at noon'",
    ]
    assert VendorSearch.objects.get(vendor_id="e4").devices_searched is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("unknown-layout.csv", "unknown layout"),
        ("does-not-exist.csv", "no such file"),
    ],
)
def test_it_refuses_files_it_cannot_use_and_changes_nothing(name, message):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=message) as caught:
        call_command("import_vendor_audit", str(FIXTURES / name), stdout=io.StringIO())
    assert caught.value.returncode == 2
    assert not VendorSearch.objects.exists()
    assert not AuditEvent.objects.filter(
        event_type=EventType.VENDOR_AUDIT_IMPORTED
    ).exists()


@pytest.mark.django_db
def test_it_refuses_a_forced_kind_the_header_does_not_fit():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not a portal search audit"):
        call_command(
            "import_vendor_audit",
            str(FIXTURES / "org-split-frame.csv"),
            "--kind",
            "portal",
            stdout=io.StringIO(),
        )


@pytest.mark.django_db
def test_it_forces_network_for_a_file_of_our_own_name():
    code, out, _ = run(str(FIXTURES / "org-split-frame.csv"), "--kind", "network")
    assert code == 0
    assert "kind=network" in out.splitlines()[-1]
