"""Spreadsheet rows as text (pipeline spec §4.1, naive method): each row after the header row
becomes `header<colon>value; header<colon>value` with a full-width colon (U+FF1A), empty cells
left out, followed by ` ——<sheet name>` when the sheet's name does not say "sheet". CSV files
are one sheet."""

import csv
import io
from collections.abc import Iterable, Sequence
from html import escape

import openpyxl

from citeflow.ingest.parsers.archives import checked_zip
from citeflow.ingest.parsers.text import decode_text

#: The name a CSV file's one sheet gets, as when RAGFlow loads it into a workbook.
CSV_SHEET = "Sheet1"
FULL_WIDTH_COLON = "\uff1a"
#: Data rows per HTML table when `html4excel` is on.
ROWS_PER_TABLE = 12

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
            if not fields:
                # RAGFlow keeps a row of empty cells as the sheet's name alone; it says nothing.
                continue
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


def html_tables(sheets: Iterable[Sheet], rows_per_table: int = ROWS_PER_TABLE) -> list[str]:
    """`html4excel`: each sheet as HTML tables of `rows_per_table` data rows, the header row
    repeated in each and the sheet's name as the caption."""
    tables = []
    for name, rows in sheets:
        if not rows:
            continue
        header = "<tr>" + "".join(f"<th>{escape(str(cell))}</th>" for cell in rows[0]) + "</tr>"
        data = rows[1:]
        for first in range(0, max(len(data), 1), rows_per_table):
            body = "".join(
                "<tr>"
                + "".join(f"<td>{'' if cell is None else escape(str(cell))}</td>" for cell in row)
                + "</tr>"
                for row in data[first : first + rows_per_table]
            )
            tables.append(f"<table><caption>{escape(name)}</caption>{header}{body}</table>")
    return tables


def xlsx_sheets(data: bytes) -> list[Sheet]:
    """The sheets of an .xlsx workbook (cell values; formulas as last computed), once the archive
    passed the zip-bomb check."""
    checked_zip(data, "Excel")
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        return [
            (sheet.title, [list(row) for row in sheet.iter_rows(values_only=True)])
            for sheet in workbook.worksheets
        ]
    finally:
        workbook.close()
