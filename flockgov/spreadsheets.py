"""Keeping spreadsheet formulas out of the CSV files flockgov writes.

A spreadsheet runs a cell that begins with ``=``, ``+``, ``-`` or ``@`` (or a tab
or carriage return before one) as a formula, so an exported note such as
``=HYPERLINK(...)`` or ``-cmd|' /c calc'!A1`` must reach it as text: it gets a
leading apostrophe. A plain number is left alone. ``-79.8741`` is a longitude a
spreadsheet reads as a number, and with an apostrophe it would be text that no
map or sum accepts.
"""

import re

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# A signed decimal and nothing else: what a spreadsheet reads as a number, never
# as a formula. ``\Z``, not ``$``: a trailing newline makes it something else.
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)\Z")


def formula_safe(value: object) -> str:
    """The cell as text, with an apostrophe before anything that would run."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES) and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text
