"""Presentations: each slide's text in reading order (pipeline spec §3, `presentation`)."""

import io

import pytest
from pptx import Presentation
from pptx.util import Inches

from citeflow.ingest.parsers.archives import ArchiveError
from citeflow.ingest.parsers.slides import slide_texts
from tests.archives import zip_bomb
from tests.conftest import SHARED

CORPUS_PPTX = SHARED / "corpus" / "pptx"


def deck() -> bytes:
    presentation = Presentation()
    blank = presentation.slide_layouts[6]
    first = presentation.slides.add_slide(blank)
    lower = first.shapes.add_textbox(Inches(1), Inches(4), Inches(4), Inches(1))
    lower.text_frame.text = "Lower box"
    upper = first.shapes.add_textbox(Inches(1), Inches(1), Inches(4), Inches(1))
    upper.text_frame.text = "Upper box"
    table = first.shapes.add_table(2, 2, Inches(1), Inches(5), Inches(4), Inches(1)).table
    for (row, column), text in {(0, 0): "h1", (0, 1): "h2", (1, 0): "a", (1, 1): "b"}.items():
        table.cell(row, column).text = text
    presentation.slides.add_slide(blank)
    out = io.BytesIO()
    presentation.save(out)
    return out.getvalue()


def test_slides_read_top_to_bottom_with_tables_as_rows():
    assert slide_texts(deck()) == ["Upper box\nLower box\nh1 | h2\na | b", ""]


def test_bad_presentations_are_clear_errors():
    with pytest.raises(ArchiveError, match="zip bomb"):
        slide_texts(zip_bomb("ppt/slides/slide1.xml"))
    with pytest.raises(ArchiveError, match="not a valid PowerPoint file"):
        slide_texts(b"\xd0\xcf\x11\xe0 an old binary .ppt")


@pytest.mark.skipif(not CORPUS_PPTX.is_dir(), reason="the shared corpus is not here")
def test_corpus_presentations_including_a_pptx_named_ppt():
    slides = {"powerpoint_sample.pptx": 3, "sample-presentation.pptx": 4, "ragflow-test.ppt": 1}
    for name, count in slides.items():
        texts = slide_texts((CORPUS_PPTX / name).read_bytes())
        assert len(texts) == count, name
        assert all(texts), name
    assert slide_texts((CORPUS_PPTX / "sample-presentation.pptx").read_bytes())[3].startswith(
        "Table | A | B | C"
    )
