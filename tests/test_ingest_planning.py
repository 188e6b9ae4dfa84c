"""Parse task planning and progress messages (pipeline spec §2.2 and §2.5)."""

import re

from citeflow.ingest.planning import (
    WHOLE_DOCUMENT,
    PageRange,
    chunking_digest,
    pdf_ranges,
    row_ranges,
    whole_document,
)
from citeflow.ingest.progress import advanced, appended, progress_line


def test_a_pdf_is_parsed_in_batches_of_twelve_pages():
    assert pdf_ranges(30, "naive", {}) == [PageRange(0, 12), PageRange(12, 24), PageRange(24, 30)]


def test_papers_take_22_pages_a_task_and_task_page_size_overrides():
    assert pdf_ranges(30, "paper", {}) == [PageRange(0, 22), PageRange(22, 30)]
    assert pdf_ranges(30, "naive", {"task_page_size": 10}) == [
        PageRange(0, 10),
        PageRange(10, 20),
        PageRange(20, 30),
    ]


def test_whole_pdf_methods_and_plain_text_layout_are_one_task():
    assert pdf_ranges(619, "one", {}) == [PageRange(0, 619)]
    assert pdf_ranges(619, "naive", {"layout_recognize": "Plain Text"}) == [PageRange(0, 619)]


def test_page_ranges_are_one_based_and_leave_out_the_last_page_named():
    """QUIRK kept: `[[3, 8]]` covers pages 3 to 7 (0-based 2 to 6)."""
    assert pdf_ranges(30, "naive", {"pages": [[3, 8]]}) == [PageRange(2, 7)]
    assert pdf_ranges(30, "naive", {"pages": [[1, 5], [20, 40]]}) == [PageRange(0, 4), PageRange(19, 30)]


def test_unusable_page_settings_fall_back_to_the_defaults():
    expected = [PageRange(0, 12), PageRange(12, 20)]
    for config in ({"pages": "all"}, {"pages": [["a", 3]]}, {"pages": [[5, 2]]}, {"task_page_size": 0}):
        assert pdf_ranges(20, "naive", config) == expected, config
    assert pdf_ranges(20, "naive", {"task_page_size": True}) == expected


def test_tables_take_3000_rows_a_task_and_other_documents_one():
    assert row_ranges(6500) == [PageRange(0, 3000), PageRange(3000, 6000), PageRange(6000, 9000)]
    assert row_ranges(0) == [PageRange(0, 3000)]
    assert whole_document() == [PageRange(0, WHOLE_DOCUMENT)]


def test_the_digest_follows_the_chunking_configuration_but_not_follow_up_options():
    base = {"kb_id": "kb", "parser_id": "naive", "parser_config": {"chunk_token_num": 512}}
    pages = PageRange(0, 12)
    digest = chunking_digest(base, "doc", pages)
    assert re.fullmatch(r"[0-9a-f]{16}", digest)
    assert chunking_digest(dict(reversed(list(base.items()))), "doc", pages) == digest
    with_raptor = {**base, "parser_config": {"chunk_token_num": 512, "raptor": {"use_raptor": True}}}
    assert chunking_digest(with_raptor, "doc", pages) == digest
    assert chunking_digest({**base, "parser_config": {"chunk_token_num": 256}}, "doc", pages) != digest
    assert chunking_digest(base, "other", pages) != digest
    assert chunking_digest(base, "doc", PageRange(12, 24)) != digest


def test_progress_lines_carry_time_pages_errors_and_cancellation():
    line = progress_line("Task has been received.", progress=0.05, from_page=0, to_page=12)
    assert re.fullmatch(r"\d\d:\d\d:\d\d Page\(1~13\): Task has been received\.", line)
    whole = progress_line("Generate 3 chunks", progress=0.5, from_page=0, to_page=WHOLE_DOCUMENT)
    assert "Page(1~100000001): " in whole
    failed = progress_line("boom", progress=-1, from_page=0, to_page=0)
    assert re.fullmatch(r"\d\d:\d\d:\d\d \[ERROR\]boom", failed)
    cancelled = progress_line("Task has been canceled.", progress=-1, from_page=0, to_page=0, cancelled=True)
    assert cancelled.endswith("[ERROR]Task has been canceled. [Canceled]")


def test_the_message_log_keeps_its_newest_whole_lines():
    log = ""
    for i in range(500):
        log = appended(log, f"line {i:03d} " + "x" * 20)
    assert len(log) <= 3000
    assert log.split("\n")[-1].startswith("line 499")
    assert all(line.startswith("line ") for line in log.split("\n"))
    assert appended("", "only") == "only"
    assert appended("a", "b" * 5000) == "b" * 5000


def test_progress_only_moves_forward_and_a_failure_is_final():
    assert advanced(0.5, 0.3) == 0.5
    assert advanced(0.5, 0.8) == 0.8
    assert advanced(0.5, -1) == -1
    assert advanced(-1, 1.0) == -1
