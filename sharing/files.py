"""Building the files that leave the department: CSV and PDF, each watermarked.

The watermark names the officer, the time and the export (or share) id, on every
page of a PDF and at the head of a CSV and in every CSV row, so a copy found
later can be traced back to its record, whose checksum then proves it unaltered.
"""

import csv
import hashlib
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from fpdf import FPDF

from flockgov.spreadsheets import formula_safe


@dataclass(frozen=True)
class Watermark:
    export_id: str
    officer: str
    at: str
    lines: tuple[tuple[str, str], ...] = ()

    @property
    def text(self) -> str:
        return f"flockgov export {self.export_id} by {self.officer} at {self.at}"

    def preamble(self) -> list[tuple[str, str]]:
        return [
            ("export_id", self.export_id),
            ("exported_by", self.officer),
            ("exported_at", self.at),
            *self.lines,
            (
                "notice",
                "Law-enforcement sensitive. Sharing is restricted by policy §9 and "
                "Code of Virginia § 2.2-5517; not subject to FOIA (§9.A).",
            ),
        ]


def checksum(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def render_csv(
    watermark: Watermark, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> tuple[bytes, int]:
    """The CSV: watermark rows, a blank row, then the table with a ``watermark``
    column on every row. Returns the bytes and the number of data rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for key, value in watermark.preamble():
        writer.writerow(["#", key, formula_safe(value)])
    writer.writerow([])
    writer.writerow([*header, "watermark"])
    count = 0
    for row in rows:
        writer.writerow([*(formula_safe(cell) for cell in row), watermark.text])
        count += 1
    return buffer.getvalue().encode("utf-8"), count


def _latin1(text: object) -> str:
    # The PDF core fonts cover Latin-1 only; anything else is replaced, never
    # dropped silently.
    return (
        str("" if text is None else text).encode("latin-1", "replace").decode("latin-1")
    )


class _WatermarkedPDF(FPDF):
    def __init__(self, watermark: Watermark, title: str) -> None:
        super().__init__(orientation="L", unit="mm", format="Letter")
        self.watermark = watermark
        self.doc_title = title
        self.set_auto_page_break(auto=True, margin=15)
        self.set_creator("flockgov")
        self.set_title(_latin1(title))

    def header(self) -> None:
        self.set_font("Helvetica", "B", 11)
        self.cell(0, 6, _latin1(self.doc_title), new_x="LMARGIN", new_y="NEXT")
        self.set_font("Helvetica", "", 8)
        self.cell(0, 5, _latin1(self.watermark.text), new_x="LMARGIN", new_y="NEXT")
        # A large faint diagonal mark that survives cropping of header/footer.
        with self.local_context(text_color=(215, 215, 215)):
            self.set_font("Helvetica", "B", 28)
            with self.rotation(25, x=self.w / 2, y=self.h / 2):
                self.text(
                    self.w / 2 - 110,
                    self.h / 2,
                    _latin1(
                        f"EXPORT {self.watermark.export_id[:8]} "
                        f"{self.watermark.officer}"
                    ),
                )
        self.ln(2)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", "", 7)
        self.cell(
            0,
            5,
            _latin1(
                f"{self.watermark.text} - page {self.page_no()} - restricted by "
                "policy §9; not subject to FOIA (§9.A)"
            ),
            align="C",
        )


def render_pdf(
    watermark: Watermark,
    title: str,
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
) -> tuple[bytes, int]:
    pdf = _WatermarkedPDF(watermark, title)
    pdf.add_page()
    pdf.set_font("Helvetica", "", 9)
    for key, value in watermark.lines:
        pdf.cell(0, 5, _latin1(f"{key}: {value}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    count = 0
    with pdf.table(line_height=5) as table:
        table.row([_latin1(name) for name in header])
        for row in rows:
            table.row([_latin1(cell) for cell in row])
            count += 1
    return bytes(pdf.output()), count
