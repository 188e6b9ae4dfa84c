"""Spreadsheet rows as text for the naive method (pipeline spec §4.1)."""

import pytest

from citeflow.ingest.parsers.sheets import FULL_WIDTH_COLON as COLON
from citeflow.ingest.parsers.sheets import csv_sheet, row_sections
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
