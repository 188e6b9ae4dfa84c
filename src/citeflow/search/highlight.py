"""`<em>` marks around the words of a question in a chunk's text (pipeline spec §6.7)."""

import re
from collections.abc import Collection

from citeflow.search.tokenizer import half_width, stem

_SENTENCE_END = re.compile(r"([.?!;\n]+)")
_CJK_CHAR = re.compile(r"[\u4e00-\u9fff]")
_PART = re.compile(r"[^\W_]+")


class Highlighter:
    """Marks the words of a text whose search token is one of the question's keywords: Latin
    words by their stem (so `chunks` is marked for `chunk`), Chinese keywords wherever they
    occur, since Chinese has no word boundaries."""

    def __init__(self, keywords: Collection[str]) -> None:
        self._latin = {k for k in keywords if not _CJK_CHAR.search(k)}
        chinese = sorted((k for k in keywords if _CJK_CHAR.search(k)), key=len, reverse=True)
        self._chinese = re.compile("|".join(map(re.escape, chinese))) if chinese else None
        # Candidate words start like a keyword's stem (a final `i` may be a `y`: energi ← energy);
        # only those are stemmed and checked, which keeps long texts fast.
        starts = sorted(
            {re.escape(k[:-1] if len(k) > 2 and k.endswith("i") else k) for k in self._latin}, key=len
        )
        self._candidates = (
            re.compile(rf"(?<![^\W_])(?:{'|'.join(reversed(starts))})[^\W_]*(?:[-_.][^\W_]+)*", re.IGNORECASE)
            if starts
            else None
        )

    def _mark(self, sentence: str) -> str:
        def latin(match: re.Match[str]) -> str:
            word = match.group(0)
            if self._wanted(word):
                return f"<em>{word}</em>"
            return _PART.sub(
                lambda p: f"<em>{p.group(0)}</em>" if self._wanted(p.group(0)) else p.group(0), word
            )

        marked = self._candidates.sub(latin, sentence) if self._candidates is not None else sentence
        if self._chinese is not None:
            marked = self._chinese.sub(lambda m: f"<em>{m.group(0)}</em>", marked).replace("</em><em>", "")
        return marked

    def _wanted(self, word: str) -> bool:
        key = half_width(word).lower()
        return key in self._latin or stem(key) in self._latin

    def __call__(self, text: str) -> str | None:
        """The sentences of `text` that contain a keyword, marked and joined by `...`; None when
        none does."""
        pieces = _SENTENCE_END.split(text)
        sentences = ["".join(pieces[i : i + 2]) for i in range(0, len(pieces), 2)]
        kept = [m.strip() for m in map(self._mark, sentences) if "<em>" in m]
        return "...".join(kept) if kept else None
