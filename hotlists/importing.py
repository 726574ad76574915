"""Importing hot-list files: the NCIC extract (replaces the NCIC list) and the
documented CSV for custom and AMBER lists (adds entries). Shared by the
``import_hotlist`` command and the beat job that watches the NCIC drop folder."""

from dataclasses import dataclass, field
from pathlib import Path

from audits.context import Actor
from flockgov.csvfiles import UnusableFile, read_records

from . import services
from .models import HotList
from .ncic import NotNcicLayout, read_ncic

# Header names (after ``flockgov.csvfiles.normalise_header``) and the entry field
# each fills. ``plate``, ``category``, ``purpose``, ``case number`` and ``reason``
# are required; see docs/hotlists.md.
CSV_COLUMNS = {
    "plate": "plate",
    "state": "state",
    "category": "category",
    "purpose": "purpose",
    "case number": "case_number",
    "reason": "reason",
    "expires": "expires_at",
    "plate type": "plate_type",
    "vehicle": "vehicle_description",
}
REQUIRED_CSV_COLUMNS = ("plate", "category", "purpose", "case number", "reason")


class Unusable(ValueError):
    """The file cannot be used at all; nothing changed."""


@dataclass
class Report:
    imported: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    excluded: dict[str, int] = field(default_factory=dict)

    @property
    def excluded_total(self) -> int:
        return sum(self.excluded.values())


def import_ncic_file(path: str | Path, *, actor: Actor) -> Report:
    """Replaces the NCIC list from ``path``; ``Unusable`` when refused whole."""
    name = Path(path).name
    try:
        parsed = read_ncic(path)
    except NotNcicLayout as exc:
        services.refuse_import(
            actor=actor, hotlist_name="NCIC", file_name=name, reason=str(exc)
        )
        raise Unusable(str(exc)) from None
    try:
        outcome = services.replace_ncic_list(actor=actor, parsed=parsed, file_name=name)
    except services.ImportRefused as exc:
        raise Unusable(f"{name}: {exc}") from None
    return Report(
        imported=outcome.imported,
        rejected=parsed.rejected,
        excluded=dict(sorted(parsed.excluded.items())),
    )


def import_csv_file(path: str | Path, *, actor: Actor, list_name: str) -> Report:
    name = Path(path).name
    hotlist = HotList.objects.filter(name__iexact=list_name).first()
    problem = ""
    if hotlist is None:
        problem = f"no hot list named {list_name!r}; create it on the hot-list pages"
    elif hotlist.source == HotList.Source.NCIC:
        problem = "the NCIC list is replaced only from the NCIC extract (--format ncic)"
    if problem:
        services.refuse_import(
            actor=actor, hotlist_name=list_name, file_name=name, reason=problem
        )
        raise Unusable(problem)
    try:
        header, records = read_records(path)
    except UnusableFile as exc:
        services.refuse_import(
            actor=actor, hotlist_name=list_name, file_name=name, reason=str(exc)
        )
        raise Unusable(str(exc)) from None
    missing = [column for column in REQUIRED_CSV_COLUMNS if column not in header]
    if missing:
        reason = (
            f"{name}: not the hot-list CSV layout: no {', '.join(missing)} column"
            f"{'s' if len(missing) > 1 else ''} in the header"
        )
        services.refuse_import(
            actor=actor, hotlist_name=list_name, file_name=name, reason=reason
        )
        raise Unusable(reason)
    rows = []
    early_rejects = []
    for rec in records:
        if rec.width < 0:
            early_rejects.append((rec.line, rec.extra[0]))
            continue
        rows.append(
            (
                rec.line,
                {
                    target: rec.values.get(column, "")
                    for column, target in CSV_COLUMNS.items()
                },
            )
        )
    try:
        created, rejected = services.import_custom_entries(
            actor=actor, hotlist=hotlist, rows=rows
        )
    except services.ImportRefused as exc:
        raise Unusable(str(exc)) from None
    return Report(imported=len(created), rejected=sorted(early_rejects + rejected))
