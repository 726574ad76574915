"""Reading the CSV files agencies and vendors really produce.

Real exports carry a byte-order mark, CRLF line ends, header names with spaces
around them, and quoted cells that span several physical lines. ``read_records``
deals with all of that and reports, for each record, the physical line on which it
starts (the header is line 1), which is what error messages must name.
"""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


class UnusableFile(ValueError):
    """The file cannot be read as CSV at all (missing, empty, binary, no header)."""


@dataclass(frozen=True)
class Record:
    line: int  # physical line where the record starts; the header is line 1
    values: dict[str, str]
    extra: list[str]  # cells beyond the header's width
    width: int  # how many cells the record had


def normalise_header(name: str) -> str:
    """``" Case #"`` -> ``"case #"``; ``"Time_Frame"`` -> ``"time frame"``."""
    return " ".join(name.replace("\ufeff", "").replace("_", " ").split()).lower()


def open_text(path: str | Path, *, content: bytes | None = None) -> io.StringIO:
    """The file's text, decoded as UTF-8 (with or without BOM) or else Latin-1.

    ``content``, when given, is the file's bytes already read (a caller that hashes
    the file, or reads it twice, parses exactly the bytes it hashed).
    """
    try:
        raw = Path(path).read_bytes() if content is None else content
    except FileNotFoundError:
        raise UnusableFile(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UnusableFile(f"{path}: is a directory") from None
    if not raw.strip():
        raise UnusableFile(f"{path}: the file is empty")
    if b"\x00" in raw[:4096]:
        raise UnusableFile(f"{path}: not a text file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return io.StringIO(text, newline="")


def read_records(
    path: str | Path, *, delimiter: str = ",", content: bytes | None = None
) -> tuple[list[str], Iterator[Record]]:
    """Returns the normalised header and an iterator of records."""
    stream = open_text(path, content=content)
    reader = csv.reader(stream, delimiter=delimiter, strict=False)
    try:
        header_cells = next(reader)
    except StopIteration:
        raise UnusableFile(f"{path}: the file is empty") from None
    except csv.Error as exc:
        raise UnusableFile(f"{path}: not CSV ({exc})") from None
    header = [normalise_header(cell) for cell in header_cells]
    if not any(header):
        raise UnusableFile(f"{path}: the first line is not a header")

    def records() -> Iterator[Record]:
        start = reader.line_num + 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield Record(start, {}, [f"unreadable CSV: {exc}"], -1)
                start = reader.line_num + 1
                continue
            if cells and any(cell.strip() for cell in cells):
                values = dict(zip(header, cells, strict=False))
                yield Record(start, values, cells[len(header) :], len(cells))
            start = reader.line_num + 1

    return header, records()
