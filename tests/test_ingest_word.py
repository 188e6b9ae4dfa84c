"""Word documents: paragraphs in order, tables as HTML, bad archives refused (pipeline spec §4.1)."""

import io
import zipfile

import docx
import pytest

from citeflow.ingest.parsers.archives import ArchiveError
from citeflow.ingest.parsers.word import word_parts
from tests.archives import zip_bomb
from tests.conftest import SHARED

CORPUS_DOCX = SHARED / "corpus" / "docx"


def document() -> bytes:
    doc = docx.Document()
    doc.add_heading("Quarterly report", level=1)
    doc.add_paragraph("First paragraph about quokkas.")
    table = doc.add_table(rows=2, cols=3)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "Merged <head>"
    table.cell(0, 2).text = "C"
    table.cell(1, 0).text = "1"
    table.cell(1, 2).add_table(rows=1, cols=1).cell(0, 0).text = "nested"
    doc.add_paragraph("")
    doc.add_paragraph("After the table.")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def test_paragraphs_in_order_and_tables_as_html():
    parts = word_parts(document())
    assert parts.sections == ["Quarterly report", "First paragraph about quokkas.", "After the table."]
    header = "<tr><td>Merged &lt;head&gt;</td><td>C</td></tr>"
    assert parts.tables == [f"<table>{header}<tr><td>1</td><td></td><td>nested</td></tr></table>"]


def test_a_zip_bomb_or_a_non_document_is_a_clear_error():
    with pytest.raises(ArchiveError, match="zip bomb"):
        word_parts(zip_bomb("word/document.xml"))
    with pytest.raises(ArchiveError, match="not a valid Word file"):
        word_parts(b"%PDF-1.7 not a docx")
    empty_zip = io.BytesIO()
    with zipfile.ZipFile(empty_zip, "w") as archive:
        archive.writestr("hello.txt", b"hi")
    with pytest.raises(ArchiveError, match="not a valid Word document"):
        word_parts(empty_zip.getvalue())


@pytest.mark.skipif(not CORPUS_DOCX.is_dir(), reason="the shared corpus is not here")
def test_corpus_documents():
    expected_tables = {"ragflow-test.docx": 2, "word_sample.docx": 1, "docx_rich_cells.docx": 7}
    for name, tables in expected_tables.items():
        parts = word_parts((CORPUS_DOCX / name).read_bytes())
        assert parts.sections, name
        assert len(parts.tables) == tables, name
    handbook = word_parts((CORPUS_DOCX / "handbook-872p.docx").read_bytes())
    assert len(handbook.sections) > 4000
