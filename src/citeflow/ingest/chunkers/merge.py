"""RAGFlow's `naive_merge` (pipeline spec §4.2): sections glued into chunks of about
`chunk_token_num` cl100k tokens, long sections split at delimiters first."""

import re
from collections.abc import Iterable

from citeflow.llm import count_tokens

#: Newline, `!`, `?`, and the ideographic full stop and full-width semicolon, exclamation and
#: question marks.
DEFAULT_DELIMITER = "\n!?\u3002\uff1b\uff01\uff1f"
#: Pieces shorter than this many tokens add no position tag to their chunk.
TAGGED_PIECE_TOKENS = 8
_QUOTED = re.compile(r"`([^`]+)`")
_TAG = re.compile(r"@@[\t0-9.-]+?##")


def delimiters(spec: str) -> list[str]:
    """The delimiters a `delimiter` setting names: each character, except that text between
    backticks is one delimiter; longest first. The two characters `\\n` (as the SDK stores the
    default) mean a newline, as the spec recommends."""
    spec = spec.replace("\\n", "\n")
    found: list[str] = []
    position = 0
    for match in _QUOTED.finditer(spec):
        found += list(spec[position : match.start()])
        found.append(match.group(1))
        position = match.end()
    found += list(spec[position:])
    return sorted(dict.fromkeys(d for d in found if d), key=len, reverse=True)


def naive_merge(
    sections: Iterable[tuple[str, str] | str],
    chunk_token_num: int = 128,
    delimiter: str = DEFAULT_DELIMITER,
    overlapped_percent: float = 0,
) -> list[str]:
    """Chunks of the (text, position tag) sections, in order; empty chunks left out.

    A section under `chunk_token_num` tokens is one piece; a longer one is split at the
    delimiters, which are dropped. A piece starts a new chunk when the current one is empty or
    already holds more than `chunk_token_num * (100 - overlapped_percent) / 100` tokens (the
    new chunk then begins with that share of the previous one's text); otherwise it is appended
    with no separator. A chunk carries each position tag once; pieces under 8 tokens add none.
    """
    merger = _Merger(chunk_token_num * (100 - overlapped_percent) / 100, overlapped_percent)
    split_at = splitter(delimiter)
    for section in sections:
        text, tag = (section, "") if isinstance(section, str) else section
        if count_tokens(text) < chunk_token_num or split_at is None:
            merger.add(text, tag)
            continue
        for piece in split_at.split(text):
            if piece:
                merger.add(piece, tag)
    return [chunk for chunk in merger.chunks if chunk.strip()]


class _Merger:
    def __init__(self, limit: float, overlapped_percent: float) -> None:
        self._limit = limit
        self._overlap = overlapped_percent
        self.chunks: list[str] = []
        self._tokens: list[int] = []

    def add(self, piece: str, tag: str) -> None:
        tokens = count_tokens(piece)
        if tokens < TAGGED_PIECE_TOKENS:
            tag = ""
        if not self.chunks or not self.chunks[-1] or self._tokens[-1] > self._limit:
            if self.chunks and self._overlap:
                previous = _TAG.sub("", self.chunks[-1])
                piece = previous[int(len(previous) * (100 - self._overlap) / 100) :] + piece
            if tag not in piece:
                piece += tag
            self.chunks.append(piece)
            self._tokens.append(tokens)
            return
        if tag not in self.chunks[-1]:
            piece += tag
        self.chunks[-1] += piece
        self._tokens[-1] += tokens


def splitter(delimiter: str) -> re.Pattern[str] | None:
    """A pattern matching any of the delimiters a `delimiter` setting names; None for none."""
    found = delimiters(delimiter)
    if not found:
        return None
    return re.compile("|".join(map(re.escape, found)), re.DOTALL)
