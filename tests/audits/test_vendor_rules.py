"""Imported vendor searches go through the same rules, on the real portal file too."""

import csv
import io
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.management import call_command

from audits import services
from audits.context import Actor
from audits.models import AuditPeriod, Finding, VendorSearch
from sharing.models import Organisation
from tests.audits.conftest import FIXTURES


def audit(start: date, end: date):
    with time_machine.travel(datetime(2026, 2, 1, 12, tzinfo=UTC), tick=False):
        return services.run_period(
            actor=Actor.system("test"),
            kind=AuditPeriod.Kind.MONTH,
            start=start,
            end=end,
        )


def rules_for(vendor_id: str) -> set[str]:
    row = VendorSearch.objects.get(vendor_id=vendor_id)
    return set(
        Finding.objects.filter(
            subject_type="audits.vendorsearch", subject_id=row.pk
        ).values_list("rule", flat=True)
    )


@pytest.mark.django_db
def test_it_flags_outside_agencies_and_wide_scope_in_a_network_audit():
    Organisation.objects.create(
        name="Henry County Sheriff's Office",
        jurisdiction=Organisation.Jurisdiction.VIRGINIA,
        kind=Organisation.Kind.LAW_ENFORCEMENT,
    )
    call_command(
        "import_vendor_audit",
        str(FIXTURES / "network-joined.csv"),
        stdout=io.StringIO(),
    )
    Organisation.objects.filter(name="Homeland Security Investigations").update(
        jurisdiction=Organisation.Jurisdiction.FEDERAL,
        kind=Organisation.Kind.LAW_ENFORCEMENT,
        needs_classification=False,
    )
    audit(date(2025, 11, 1), date(2025, 12, 1))
    assert "outside_agency" not in rules_for("c1")
    assert {"outside_agency", "scope_beyond_virginia", "vague_reason"} <= rules_for(
        "c2"
    )
    unclassified = Finding.objects.get(
        rule="outside_agency",
        subject_id=VendorSearch.objects.get(vendor_id="c3").pk,
    )
    assert unclassified.detail == "searching organisation not yet classified"


@pytest.mark.django_db
def test_it_runs_the_text_rules_over_org_and_portal_rows(alice):
    alice.first_name, alice.last_name = "Alice", "Example"
    alice.save()
    call_command(
        "import_vendor_audit", str(FIXTURES / "org-two-line.csv"), stdout=io.StringIO()
    )
    call_command(
        "import_vendor_audit", str(FIXTURES / "portal-2026.csv"), stdout=io.StringIO()
    )
    audit(date(2025, 11, 1), date(2025, 12, 1))
    audit(date(2026, 1, 1), date(2026, 2, 1))
    assert VendorSearch.objects.get(vendor_id="a1").officer == alice
    assert "vague_reason" in rules_for("a1")
    masked_a2 = VendorSearch.objects.get(vendor_id="a2", user_label="")
    masked_rules = set(
        Finding.objects.filter(subject_id=masked_a2.pk).values_list("rule", flat=True)
    )
    assert {"prohibited_purpose", "scope_beyond_virginia"} <= masked_rules
    assert "personal_data" in rules_for("d3")
    assert "vague_reason" in rules_for("d2")
    assert not {"vague_reason", "case_number", "personal_data"} & rules_for("d1")


@pytest.mark.django_db
def test_it_audits_the_real_eugene_portal_file():
    path = FIXTURES / "eugene-or-portal-search-audit-part.csv"
    call_command("import_vendor_audit", str(path), stdout=io.StringIO())
    with path.open(newline="") as handle:
        reasons = {row["id"]: row["reason"] for row in csv.DictReader(handle)}
    audit(date(2025, 6, 1), date(2025, 7, 1))
    june = AuditPeriod.objects.get(start=date(2025, 6, 1))
    vague = {
        VendorSearch.objects.get(pk=int(pk)).vendor_id
        for pk in june.findings.filter(rule="vague_reason").values_list(
            "subject_id", flat=True
        )
    }
    june_ids = set(
        VendorSearch.objects.filter(
            searched_at__lt=datetime(2025, 7, 1, 4, tzinfo=UTC)
        ).values_list("vendor_id", flat=True)
    )
    bare = {"uuv", "inv", "investigation", "property crime", "person crime"}
    for vendor_id in june_ids:
        reason = reasons[vendor_id].replace("+", " ").strip().lower()
        if reason in bare:
            assert vendor_id in vague, reasons[vendor_id]
        if reason.startswith("other image search from alerts page"):
            assert vendor_id not in vague, reasons[vendor_id]
    # "police" must not trip the acronym terms, nor anything else in the file.
    assert not june.findings.filter(rule="prohibited_purpose").exists()
    assert june.findings.filter(rule="sample").exists()
    # Portal users are pseudonymous ids, not accounts: nobody is off shift.
    assert not june.findings.filter(rule="off_shift").exists()
