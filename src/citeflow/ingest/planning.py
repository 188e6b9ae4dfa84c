"""How a parse request becomes tasks (pipeline spec §2.2): PDF documents in page batches, table
documents in row batches, everything else whole; each task with a digest of the configuration
that produced its chunks, so an unchanged re-parse can reuse them (§2.3)."""

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import xxhash

#: PDF pages per task unless `parser_config.task_page_size` says otherwise.
PAGES_PER_TASK = 12
#: ...and for the `paper` method.
PAPER_PAGES_PER_TASK = 22
#: Rows per task of the `table` method.
ROWS_PER_TASK = 3000
#: The page range of a task that covers its whole document.
WHOLE_DOCUMENT = 100_000_000
#: Page ranges when `parser_config.pages` names none (1-based, inclusive as the UI shows them).
DEFAULT_PAGES = ((1, 100_000),)
#: Methods that read a whole PDF in one task.
WHOLE_PDF_METHODS = frozenset({"one", "knowledge_graph"})
#: `parser_config` keys that do not change a document's chunks (follow-up tasks use them).
FOLLOW_UP_KEYS = ("raptor", "graphrag")


@dataclass(frozen=True, slots=True)
class PageRange:
    """Pages (PDF, 0-based) or rows (table method) `[start, end)` of one task."""

    start: int
    end: int


def pdf_ranges(page_count: int, parser_id: str, parser_config: Mapping[str, Any]) -> list[PageRange]:
    """A PDF's tasks: page batches of `task_page_size` (12, or 22 for `paper`) within the
    configured page ranges; one batch for the whole document when the method reads it whole or
    layout recognition is not DeepDOC. As in RAGFlow, the last page a range names is left out
    (`end - 1`), which the default range makes harmless."""
    size = _positive_int(parser_config.get("task_page_size")) or (
        PAPER_PAGES_PER_TASK if parser_id == "paper" else PAGES_PER_TASK
    )
    if parser_id in WHOLE_PDF_METHODS or parser_config.get("layout_recognize", "DeepDOC") != "DeepDOC":
        size = 10**9
    ranges = []
    for first, last in _page_ranges(parser_config.get("pages")):
        start, end = max(0, first - 1), min(last - 1, page_count)
        ranges += [PageRange(p, min(p + size, end)) for p in range(start, end, size)]
    return ranges


def row_ranges(row_count: int) -> list[PageRange]:
    """The `table` method's tasks: batches of 3000 rows (one task for an empty table)."""
    if row_count <= 0:
        return [PageRange(0, ROWS_PER_TASK)]
    return [PageRange(p, p + ROWS_PER_TASK) for p in range(0, row_count, ROWS_PER_TASK)]


def whole_document() -> list[PageRange]:
    return [PageRange(0, WHOLE_DOCUMENT)]


def chunking_digest(configuration: Mapping[str, Any], document_id: str, pages: PageRange) -> str:
    """xxhash64 of what decides a task's chunks: the chunking configuration (document, dataset,
    method, `parser_config` without the follow-up keys, language, models…; keys sorted), then
    the document id and the page range."""
    settings = dict(configuration)
    config = settings.get("parser_config")
    if isinstance(config, Mapping):
        settings["parser_config"] = {k: v for k, v in config.items() if k not in FOLLOW_UP_KEYS}
    digest = xxhash.xxh64()
    for key in sorted(settings):
        digest.update(json.dumps(settings[key], sort_keys=True, default=str).encode())
    digest.update(f"{document_id}{pages.start}{pages.end}".encode())
    return digest.hexdigest()


def _page_ranges(value: Any) -> Sequence[tuple[int, int]]:
    """`parser_config.pages` as (first, last) pairs; the default when it holds none usable."""
    if not isinstance(value, list):
        return DEFAULT_PAGES
    pairs = []
    for item in value:
        if isinstance(item, list | tuple) and len(item) == 2:
            first, last = _positive_int(item[0]), _positive_int(item[1])
            if first and last and first <= last:
                pairs.append((first, last))
    return pairs or DEFAULT_PAGES


def _positive_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and value >= 1:
        return int(value)
    return None
