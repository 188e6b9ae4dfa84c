"""HTML files (pipeline spec §4.1): the text of the page's blocks, small blocks joined up to about
`chunk_token_num` tokens; tables kept as HTML of their own. Only the main content counts: what is
inside `<main>` or `<article>` when the page has them, never scripts, styles or navigation.
Python's own HTML parser reads it, so broken markup is read as far as it goes."""

import re
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser

from citeflow.ingest.parsers.text import decode_text
from citeflow.llm import count_tokens

#: Elements whose text is never content.
SKIPPED = frozenset({"script", "style", "noscript", "template", "svg", "head", "iframe", "object", "nav"})
#: Elements that hold a page's main content.
MAIN = frozenset({"main", "article"})
_HAS_MAIN = re.compile(r"<(main|article)[\s>]", re.IGNORECASE)
#: Elements that end a block of text.
BLOCKS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "fieldset",
        "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
        "hr", "li", "main", "nav", "ol", "p", "pre", "section", "td", "th", "tr", "ul",
    }
)  # fmt: skip
TABLE_PARTS = frozenset({"table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption"})
#: Void elements: no end tag follows them.
VOID = frozenset(
    {"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "embed", "source", "wbr"}
)


@dataclass
class HtmlParts:
    sections: list[str] = field(default_factory=list)
    #: Each table as simplified HTML (rows and cells, no attributes): a chunk of its own.
    tables: list[str] = field(default_factory=list)


def html_parts(data: bytes, chunk_token_num: int = 128) -> HtmlParts:
    text = decode_text(data)
    reader = _Reader(main_only=bool(_HAS_MAIN.search(text)))
    reader.feed(text)
    reader.close()
    reader.end_block()
    return HtmlParts(_joined(reader.blocks, chunk_token_num), reader.tables)


def html_text(data: bytes) -> str:
    """The page's text, a line per block (tables included, as text)."""
    text = decode_text(data)
    reader = _Reader(tables_as_text=True, main_only=bool(_HAS_MAIN.search(text)))
    reader.feed(text)
    reader.close()
    reader.end_block()
    return "\n".join(reader.blocks)


class _Reader(HTMLParser):
    def __init__(self, *, tables_as_text: bool = False, main_only: bool = False) -> None:
        super().__init__(convert_charrefs=True)
        self._tables_as_text = tables_as_text
        #: Outside the main content, text is skipped: 1 while outside, 0 inside.
        self._outside_main = int(main_only)
        self._main_depth = 0
        self._skipping = 0
        self._tables = 0
        self._table: list[str] = []
        self._text: list[str] = []
        self.blocks: list[str] = []
        self.tables: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in MAIN:
            self._main_depth += 1
        if tag in SKIPPED:
            self._skipping += tag not in VOID
            return
        if self._skipping or self._outside_main_content():
            return
        if tag == "table" and not self._tables_as_text:
            self.end_block()
            self._tables += 1
        if self._tables and tag in TABLE_PARTS:
            self._table.append(f"<{tag}>")
        elif tag in BLOCKS:
            self.end_block()

    def handle_endtag(self, tag: str) -> None:
        if tag in MAIN:
            self._main_depth = max(0, self._main_depth - 1)
        if tag in SKIPPED:
            self._skipping = max(0, self._skipping - 1)
            return
        if self._skipping or self._outside_main_content():
            return
        if self._tables and tag in TABLE_PARTS:
            self._table.append(f"</{tag}>")
            if tag == "table":
                self._tables -= 1
                if not self._tables:
                    self.tables.append("".join(self._table))
                    self._table = []
        elif tag in BLOCKS:
            self.end_block()

    def handle_data(self, data: str) -> None:
        if self._skipping or self._outside_main_content():
            return
        if self._tables:
            text = " ".join(data.split())
            if text:
                self._table.append(escape(text))
        else:
            self._text.append(data)

    def _outside_main_content(self) -> bool:
        return bool(self._outside_main) and not self._main_depth

    def end_block(self) -> None:
        text = " ".join("".join(self._text).split())
        self._text = []
        if text:
            self.blocks.append(text)


def _joined(blocks: list[str], chunk_token_num: int) -> list[str]:
    """Consecutive blocks joined by newlines while the section stays under `chunk_token_num`."""
    sections: list[str] = []
    tokens = 0
    for block in blocks:
        count = count_tokens(block)
        if sections and tokens + count <= chunk_token_num:
            sections[-1] += "\n" + block
            tokens += count
        else:
            sections.append(block)
            tokens = count
    return sections
