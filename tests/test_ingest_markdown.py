"""Markdown files: top-level elements as sections, tables as HTML (pipeline spec §4.1)."""

import pytest

from citeflow.ingest.parsers.markdown import markdown_parts
from tests.conftest import SHARED

CORPUS_MD = SHARED / "corpus" / "md"
DOCUMENT = b"""# Title

Para one
line two

- a
- b

| h1 | h2 |
|---|---|
| x | y |

```py
code
```
> quote
"""


def test_each_top_level_element_is_a_section_and_tables_are_html():
    parts = markdown_parts(DOCUMENT)
    assert parts.sections == ["# Title", "Para one\nline two", "- a\n- b", "```py\ncode\n```", "> quote"]
    assert len(parts.tables) == 1
    table = parts.tables[0]
    assert table.startswith("<table>")
    assert "<th>h1</th>" in table
    assert "<td>y</td>" in table


def test_nested_lists_stay_with_their_list_and_empty_files_give_nothing():
    parts = markdown_parts(b"- a\n  - b\n- c\n\ntext\n")
    assert parts.sections == ["- a\n  - b\n- c", "text"]
    assert markdown_parts(b"").sections == []


@pytest.mark.skipif(not CORPUS_MD.is_dir(), reason="the shared corpus is not here")
def test_corpus_markdown_files_keep_their_text():
    for path in sorted(CORPUS_MD.glob("*.md")):
        parts = markdown_parts(path.read_bytes())
        assert parts.sections, path.name
        words = {w for w in path.read_text(encoding="utf-8").split() if w.isalpha() and len(w) > 6}
        kept = " ".join(parts.sections + parts.tables)
        assert sum(w in kept for w in words) >= 0.95 * len(words), path.name
