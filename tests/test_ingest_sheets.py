"""Spreadsheet rows as text for the naive method (pipeline spec §4.1)."""

import io

import openpyxl
import pytest

from citeflow.ingest.parsers.archives import ArchiveError
from citeflow.ingest.parsers.sheets import FULL_WIDTH_COLON as COLON
from citeflow.ingest.parsers.sheets import csv_sheet, html_tables, row_sections, xlsx_sheets
from tests.archives import zip_bomb
from tests.conftest import SHARED

CORPUS_CSV = SHARED / "corpus" / "csv"


def test_each_row_is_its_header_and_values_with_empty_cells_left_out():
    rows = [["name", "age", "city"], ["Ann", "", "Oslo"], ["Bo", "41", None]]
    assert row_sections([("Sheet1", rows)]) == [
        f"name{COLON}Ann; city{COLON}Oslo",
        f"name{COLON}Bo; age{COLON}41",
    ]


def test_a_sheet_not_named_sheet_is_named_after_each_row_and_zero_cells_are_left_out():
    rows = [["item", "count"], ["apples", 0], ["pears", 3]]
    assert row_sections([("Fruit", rows), ("MySheet", [["a"], ["b"]])]) == [
        f"item{COLON}apples ——Fruit",
        f"item{COLON}pears; count{COLON}3 ——Fruit",
        f"a{COLON}b",
    ]


def test_cells_beyond_the_header_keep_their_value_alone_and_empty_sheets_give_nothing():
    assert row_sections([("Sheet", [["a"], ["x", "y"]]), ("Sheet2", [])]) == [f"a{COLON}x; y"]


def test_csv_quoted_commas_and_newlines_stay_in_their_cell():
    name, rows = csv_sheet(b'h1,h2\n"a, b","line\nbreak"\n')
    assert name == "Sheet1"
    assert row_sections([(name, rows)]) == [f"h1{COLON}a, b; h2{COLON}line\nbreak"]


@pytest.mark.skipif(not CORPUS_CSV.is_dir(), reason="the shared corpus is not here")
def test_corpus_csv_files_become_one_section_per_row():
    counts = {
        "titanic.csv": 891,
        "csv-comma-quoted.csv": 5,
        "cp932-kanji.csv": 3,
        "csv-with-long-lines.csv": 10,
    }
    for file, rows in counts.items():
        sections = row_sections([csv_sheet((CORPUS_CSV / file).read_bytes())])
        assert len(sections) == rows, file
        assert all(COLON in s for s in sections), file
    kanji = row_sections([csv_sheet((CORPUS_CSV / "cp932-kanji.csv").read_bytes())])
    assert any("\u3040" <= ch <= "\u9fff" for s in kanji for ch in s), "the Japanese text was not decoded"


CORPUS_XLSX = SHARED / "corpus" / "xlsx"


def workbook(sheets: dict[str, list[list[object]]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_sheets_give_their_rows_and_empty_rows_are_left_out():
    data = workbook({"Prices": [["fruit", "price"], ["apple", 1.5], [None, None], ["pear", 0]]})
    assert row_sections(xlsx_sheets(data)) == [
        f"fruit{COLON}apple; price{COLON}1.5 ——Prices",
        f"fruit{COLON}pear ——Prices",
    ]


def test_html4excel_makes_tables_of_twelve_rows_with_the_header_and_caption():
    rows = [["n", "note"], *[[i, f"<row {i}>"] for i in range(30)]]
    tables = html_tables([("Data", rows)])
    assert len(tables) == 3
    assert all(t.startswith("<table><caption>Data</caption><tr><th>n</th><th>note</th></tr>") for t in tables)
    assert tables[0].count("<td>") == 24
    assert "<td>&lt;row 0&gt;</td>" in tables[0]
    assert tables[2].count("<tr>") == 1 + 6
    assert html_tables([("Empty", [["only header"]])]) == [
        "<table><caption>Empty</caption><tr><th>only header</th></tr></table>"
    ]


def test_a_zip_bomb_dressed_as_xlsx_and_a_non_zip_are_clear_errors():
    with pytest.raises(ArchiveError, match="zip bomb"):
        xlsx_sheets(zip_bomb("xl/worksheets/sheet1.xml"))
    with pytest.raises(ArchiveError, match="not a valid Excel file"):
        xlsx_sheets(b"<html>not a workbook</html>")


@pytest.mark.skipif(not CORPUS_XLSX.is_dir(), reason="the shared corpus is not here")
def test_corpus_workbooks():
    names = {"ragflow-test.xlsx": ["Sheet1"], "xlsx_01.xlsx": ["Sheet1", "Sheet2", "Sheet3", "Sheet4"]}
    for file, sheets in names.items():
        read = xlsx_sheets((CORPUS_XLSX / file).read_bytes())
        assert [name for name, _ in read] == sheets, file
        assert row_sections(read), file
    ((_, rows),) = xlsx_sheets((CORPUS_XLSX / "ragflow-test.xlsx").read_bytes())
    assert len(row_sections([("Sheet1", rows)])) == sum(1 for row in rows[1:] if any(row)) == 15
