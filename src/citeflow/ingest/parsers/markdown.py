"""Markdown files (pipeline spec §4.1): tables become HTML tables of their own; the rest is cut
into its top-level elements (headings, paragraphs, lists, code blocks, quotes), each section the
element's source text."""

from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token

from citeflow.ingest.parsers.text import decode_text


@dataclass
class MarkdownParts:
    sections: list[str] = field(default_factory=list)
    #: Each table as HTML: a chunk of its own.
    tables: list[str] = field(default_factory=list)


def markdown_parts(data: bytes) -> MarkdownParts:
    text = decode_text(data)
    parser = MarkdownIt("commonmark").enable("table")
    tokens = parser.parse(text)
    lines = text.splitlines(keepends=True)
    parts = MarkdownParts()
    for start, end in _top_level_blocks(tokens):
        opening = tokens[start]
        if opening.type == "table_open":
            parts.tables.append(parser.renderer.render(tokens[start:end], parser.options, {}).strip())
        elif opening.map is not None:
            first, last = opening.map
            source = "".join(lines[first:last]).strip()
            if source:
                parts.sections.append(source)
    return parts


def _top_level_blocks(tokens: list[Token]) -> list[tuple[int, int]]:
    """[start, end) token spans of the document's top-level blocks."""
    blocks = []
    depth = 0
    start = 0
    for i, token in enumerate(tokens):
        if depth == 0:
            start = i
        depth += token.nesting
        if depth == 0 and token.block:
            blocks.append((start, i + 1))
    return blocks
