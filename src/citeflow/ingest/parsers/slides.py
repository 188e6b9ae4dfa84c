"""Presentations (.pptx, also when named .ppt; pipeline spec §3, `presentation`): each slide's
text in reading order (text boxes, placeholders, grouped shapes, table rows as `a | b`), one
entry per slide. The archive passes the zip-bomb check first. Slide images are not drawn yet."""

import io
from collections.abc import Iterable, Iterator

from pptx import Presentation
from pptx.exc import PackageNotFoundError
from pptx.shapes.base import BaseShape
from pptx.shapes.group import GroupShape

from citeflow.ingest.parsers.archives import ArchiveError, checked_zip


def slide_texts(data: bytes) -> list[str]:
    """The text of each slide, in slide order (an empty string for a slide without text)."""
    checked_zip(data, "PowerPoint")
    try:
        presentation = Presentation(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError) as exc:
        raise ArchiveError(f"The file is not a valid PowerPoint presentation: {exc}") from exc
    return ["\n".join(_shape_lines(_reading_order(slide.shapes))) for slide in presentation.slides]


def _reading_order(shapes: Iterable[BaseShape]) -> list[BaseShape]:
    """Top to bottom, then left to right (shapes without a position last)."""
    return sorted(shapes, key=lambda s: (s.top is None, s.top or 0, s.left or 0))


def _shape_lines(shapes: Iterable[BaseShape]) -> Iterator[str]:
    for shape in shapes:
        if isinstance(shape, GroupShape):
            yield from _shape_lines(_reading_order(shape.shapes))
        elif getattr(shape, "has_table", False):
            for row in shape.table.rows:  # type: ignore[attr-defined]
                cells = [cell.text.strip() for cell in row.cells]
                if any(cells):
                    yield " | ".join(cells)
        elif getattr(shape, "has_text_frame", False):
            for paragraph in shape.text_frame.paragraphs:  # type: ignore[attr-defined]
                text = "".join(run.text for run in paragraph.runs).strip()
                if text:
                    yield text
