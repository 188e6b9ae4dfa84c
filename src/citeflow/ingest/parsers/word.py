"""Word documents (.docx; pipeline spec §4.1): the body's paragraphs in reading order, headings
included, and each table as HTML of its own (nested tables inside their cell's text). The
archive passes the zip-bomb check first. Images in the text are not read yet."""

import io
from dataclasses import dataclass, field
from html import escape

import docx
from docx.table import Table, _Cell

from citeflow.ingest.parsers.archives import ArchiveError, checked_zip


@dataclass
class WordParts:
    sections: list[str] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)


def word_parts(data: bytes) -> WordParts:
    checked_zip(data, "Word")
    try:
        document = docx.Document(io.BytesIO(data))
    except (KeyError, ValueError) as exc:
        raise ArchiveError(f"The file is not a valid Word document: {exc}") from exc
    parts = WordParts()
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            parts.tables.append(_table_html(block))
        elif text := block.text.strip():
            parts.sections.append(text)
    return parts


def _table_html(table: Table) -> str:
    rows = []
    for row in table.rows:
        # A merged cell appears once per grid column it spans; it is one cell.
        cells = [cell for i, cell in enumerate(row.cells) if i == 0 or cell._tc is not row.cells[i - 1]._tc]
        rows.append("<tr>" + "".join(f"<td>{escape(_cell_text(cell))}</td>" for cell in cells) + "</tr>")
    return f"<table>{''.join(rows)}</table>"


def _cell_text(cell: _Cell) -> str:
    parts = []
    for block in cell.iter_inner_content():
        if isinstance(block, Table):
            parts += [_cell_text(inner) for row in block.rows for inner in row.cells]
        elif block.text.strip():
            parts.append(block.text.strip())
    return " ".join(parts)
