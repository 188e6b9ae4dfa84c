"""Spreadsheet rows as text (pipeline spec §4.1, naive method): each row after the header row
becomes `header<colon>value; header<colon>value` with a full-width colon (U+FF1A), empty cells
left out, followed by ` ——<sheet name>` when the sheet's name does not say "sheet". CSV files
are one sheet."""

import csv
import io
from collections.abc import Iterable, Sequence

from citeflow.ingest.parsers.text import decode_text

#: The name a CSV file's one sheet gets, as when RAGFlow loads it into a workbook.
CSV_SHEET = "Sheet1"
FULL_WIDTH_COLON = "\uff1a"

Sheet = tuple[str, Sequence[Sequence[object]]]


def row_sections(sheets: Iterable[Sheet]) -> list[str]:
    """One section per data row of every sheet, in order."""
    sections = []
    for name, rows in sheets:
        if not rows:
            continue
        header = [_text(cell) for cell in rows[0]]
        for row in rows[1:]:
            fields = []
            for i, cell in enumerate(row):
                # Cells RAGFlow leaves out: empty, and (in workbooks) zero or false.
                if not cell:
                    continue
                title = header[i] if i < len(header) else ""
                fields.append(f"{title}{FULL_WIDTH_COLON}{cell}" if title else str(cell))
            line = "; ".join(fields)
            if "sheet" not in name.lower():
                line += f" ——{name}"
            sections.append(line)
    return sections


def csv_sheet(data: bytes) -> Sheet:
    """A CSV file as one sheet of rows, whatever its encoding."""
    return CSV_SHEET, list(csv.reader(io.StringIO(decode_text(data), newline="")))


def _text(cell: object) -> str:
    return "" if cell is None else str(cell)
