"""HTML files: the main content's text blocks, tables as HTML (pipeline spec §4.1)."""

import pytest

from citeflow.ingest.parsers.html import html_parts, html_text
from tests.conftest import SHARED

CORPUS_HTML = SHARED / "corpus" / "html"
PAGE = b"""<html><head><title>T</title><style>p {color: red}</style></head><body>
<nav><a href="/">Home</a></nav><script>var hidden = 1;</script>
<h1>Head</h1><p>One <b>bold</b> para.</p>
<table><tr><th>a</th><td>1 &amp; 2</td></tr></table>
<div>After<br>break</div></body></html>"""


def test_blocks_are_joined_into_sections_and_tables_kept_as_html():
    parts = html_parts(PAGE)
    assert parts.sections == ["Head\nOne bold para.\nAfter\nbreak"]
    assert parts.tables == ["<table><tr><th>a</th><td>1 &amp; 2</td></tr></table>"]


def test_only_the_main_content_counts_when_the_page_marks_it():
    page = b"<div>Menu</div><main><p>Body text</p><table><tr><td>x</td></tr></table></main><footer>f</footer>"
    parts = html_parts(page)
    assert parts.sections == ["Body text"]
    assert parts.tables == ["<table><tr><td>x</td></tr></table>"]
    assert html_parts(b"<table><tr><td>out</td></tr></table><article>in</article>").tables == []


def test_small_blocks_are_joined_up_to_the_token_target():
    page = b"".join(b"<p>block number %d of some text</p>" % i for i in range(100))
    sections = html_parts(page, chunk_token_num=40).sections
    assert len(sections) > 5
    assert "\n".join(sections).split("\n") == [f"block number {i} of some text" for i in range(100)]


def test_page_text_includes_tables_and_broken_markup_is_read():
    assert html_text(b"<p>a</p><table><tr><td>x</td><td>y</td></tr></table>") == "a\nx\ny"
    assert html_parts(b"<p>unclosed <b>bold <div>text").sections == ["unclosed bold\ntext"]
    assert html_parts(b"").sections == []


@pytest.mark.skipif(not CORPUS_HTML.is_dir(), reason="the shared corpus is not here")
def test_corpus_pages_give_their_text_without_scripts():
    expected_tables = {"example-10k-1p.html": 4, "ragflow-test.html": 0}
    for path in sorted(CORPUS_HTML.glob("*.html")):
        parts = html_parts(path.read_bytes(), chunk_token_num=512)
        assert parts.sections, path.name
        text = "\n".join(parts.sections)
        assert "function(" not in text, path.name
        if path.name in expected_tables:
            assert len(parts.tables) == expected_tables[path.name], path.name
    duck = html_parts((CORPUS_HTML / "wiki_duck.html").read_bytes(), chunk_token_num=512)
    assert "waterfowl" in "\n".join(duck.sections).lower()
