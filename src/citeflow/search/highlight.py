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
        prefixes = {k[:-1] if len(k) > 2 and k.endswith("i") else k for k in self._latin}
        self._prefixes = tuple(prefixes)
        starts = sorted(map(re.escape, prefixes), key=len)
        pattern = rf"(?<![^\W_])(?:{'|'.join(reversed(starts))})[^\W_]*(?:[-_.][^\W_]+)*"
        # Matching lower-cased text is five times faster than matching with IGNORECASE; the
        # latter serves the rare texts whose lower case is not as long as they are.
        self._candidates = re.compile(pattern) if starts else None
        self._candidates_any_case = re.compile(pattern, re.IGNORECASE) if starts else None

    def _mark(self, sentence: str) -> str:
        marked = self._mark_latin(sentence)
        if self._chinese is not None:
            marked = self._chinese.sub(lambda m: f"<em>{m.group(0)}</em>", marked).replace("</em><em>", "")
        return marked

    def _mark_latin(self, sentence: str) -> str:
        if self._candidates is None or self._candidates_any_case is None:
            return sentence
        lowered = sentence.lower()
        if len(lowered) != len(sentence):
            return self._candidates_any_case.sub(lambda m: self._marked_word(m.group(0)), sentence)
        pieces = []
        end = 0
        for match in self._candidates.finditer(lowered):
            start = match.start()
            pieces.append(sentence[end:start])
            end = match.end()
            pieces.append(self._marked_word(sentence[start:end]))
        pieces.append(sentence[end:])
        return "".join(pieces)

    def _marked_word(self, word: str) -> str:
        """The word marked whole when it is a keyword, else its keyword parts (`9087` of `PPR-9087`)."""
        if self._wanted(word):
            return f"<em>{word}</em>"
        return _PART.sub(lambda p: f"<em>{p.group(0)}</em>" if self._wanted(p.group(0)) else p.group(0), word)

    def _wanted(self, word: str) -> bool:
        key = half_width(word).lower()
        return key in self._latin or stem(key) in self._latin

    def _may_mark(self, text: str) -> bool:
        """Whether any word of `text` may be marked: a quick test of the whole text before it is
        cut into sentences."""
        if self._chinese is not None and self._chinese.search(text):
            return True
        if self._candidates_any_case is None:
            return False
        lowered = text.lower()
        if len(lowered) != len(text):
            return self._candidates_any_case.search(text) is not None
        return any(prefix in lowered for prefix in self._prefixes)

    def __call__(self, text: str) -> str | None:
        """The sentences of `text` that contain a keyword, marked and joined by `...`; None when
        none does."""
        if not self._may_mark(text):
            return None
        pieces = _SENTENCE_END.split(text)
        sentences = ["".join(pieces[i : i + 2]) for i in range(0, len(pieces), 2)]
        kept = [m.strip() for m in map(self._mark, sentences) if "<em>" in m]
        return "...".join(kept) if kept else None
