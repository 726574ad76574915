"""Every CSV flockgov writes keeps spreadsheet formulas inert and numbers numeric."""

import csv
import io

import pytest

from audits.reports import to_csv
from flockgov.spreadsheets import formula_safe
from sharing.files import Watermark, render_csv


@pytest.mark.parametrize(
    "number", ["-79.8741", "-5", "+5", "-0.5", "-.5", "12", "36.69", -79.8741, -5]
)
def test_a_plain_number_is_left_as_it_is(number):
    assert formula_safe(number) == str(number)


@pytest.mark.parametrize(
    "formula",
    [
        "-cmd|' /c calc'!A1",
        '=HYPERLINK("http://example.invalid","x")',
        "+1+cmd|' /c calc'!A1",
        "@SUM(A1:A2)",
        "-2+3",
        "-5\n",
        "-1e5",
        "-",
        "\t=1",
        "\r=1",
    ],
)
def test_anything_else_that_a_spreadsheet_would_run_is_quoted(formula):
    assert formula_safe(formula) == "'" + formula


def test_plain_text_and_empty_cells_are_unchanged():
    assert formula_safe("Missing or vague reason") == "Missing or vague reason"
    assert formula_safe(None) == ""
    assert formula_safe("") == ""


def test_an_export_quotes_formulas_but_not_longitudes():
    watermark = Watermark(export_id="x1", officer="alice", at="2026-12-04T15:00Z")
    content, count = render_csv(
        watermark, ["lon", "note"], [[-79.8741, "=HYPERLINK(1)"], ["-5", "-cmd|x"]]
    )
    rows = list(csv.reader(io.StringIO(content.decode("utf-8"))))
    assert count == 2
    assert rows[-2][:2] == ["-79.8741", "'=HYPERLINK(1)"]
    assert rows[-1][:2] == ["-5", "'-cmd|x"]


def test_the_audit_report_csv_quotes_formulas_in_notes():
    content = to_csv([["violations", "-3"], ["vague_reason", "=HYPERLINK(1)"]])
    rows = list(csv.reader(io.StringIO(content.decode("utf-8"))))
    assert rows == [["violations", "-3"], ["vague_reason", "'=HYPERLINK(1)"]]
