"""Term weights as RAGFlow computes them for queries and `term_similarity` (pipeline spec §6.1).

    w(t) = (0.3 · idf(freq(t), 10⁷) + 0.7 · idf(df(t), 10⁹)) · ner(t) · pos(t),
    idf(s, N) = log10(10 + (N - s + 0.5) / (s + 0.5)),

normalised so a query's weights sum to 1. Word frequencies and part-of-speech tags come from
jieba's dictionary (the same `word freq tag` format as RAGFlow's own), with RAGFlow's rounding of
frequencies. RAGFlow ships no document-frequency table, so `df` uses its fall-backs only, as
RAGFlow itself does. Its named-entity list (mostly Chinese company, place and school names) is not
shipped: those names weigh as ordinary words. English weights are unaffected by either.
"""

import math
import re
import threading
from collections.abc import Sequence

from citeflow.search.tokenizer import fine_grained_tokenize

_NUMBER = re.compile(r"[0-9. -]{2,}$")
_NUMERIC = re.compile(r"[0-9,.]{2,}$")
_LETTERS = re.compile(r"[a-z. -]+$")
_SHORT_LETTERS = re.compile(r"[a-z]{1,2}$")
_NUMERIC_TAG = re.compile(r"[0-9-]+")
_WEAK_TAGS = frozenset({"r", "c", "d"})
_PLACE_OR_ORGANISATION_TAGS = frozenset({"ns", "nt"})

_dictionary: dict[str, tuple[int, str]] | None = None
_dictionary_lock = threading.Lock()


def term_weights(tokens: Sequence[str]) -> list[tuple[str, float]]:
    """Each token with its weight, the weights summing to 1 (an empty list for no tokens)."""
    raw = [
        (t, (0.3 * idf(_freq(t), 10_000_000) + 0.7 * idf(_df(t), 1_000_000_000)) * _ner(t) * _pos(t))
        for t in tokens
    ]
    total = sum(w for _, w in raw)
    return [(t, w / total) for t, w in raw] if total else []


def idf(count: float, total: int) -> float:
    return math.log10(10 + (total - count + 0.5) / (count + 0.5))


def _freq(token: str) -> float:
    if _NUMBER.match(token):
        return 3
    count: float = _lookup(token)[0]
    if not count and _LETTERS.match(token):
        return 300
    if not count and len(token) >= 4:
        parts = [p for p in fine_grained_tokenize(token).split() if len(p) > 1]
        count = min(_freq(p) for p in parts) / 6 if len(parts) > 1 else 0
    return max(count, 10)


def _df(token: str) -> float:
    if _NUMBER.match(token):
        return 5
    if _LETTERS.match(token):
        return 300
    if len(token) >= 4:
        parts = [p for p in fine_grained_tokenize(token).split() if len(p) > 1]
        if len(parts) > 1:
            return max(3, min(_df(p) for p in parts) / 6)
    return 3


def _ner(token: str) -> float:
    if _NUMERIC.match(token):
        return 2
    if _SHORT_LETTERS.match(token):
        return 0.01
    return 1


def _pos(token: str) -> float:
    tag = _lookup(token)[1]
    if tag in _WEAK_TAGS:
        return 0.3
    if tag in _PLACE_OR_ORGANISATION_TAGS:
        return 3
    if tag == "n":
        return 2
    if _NUMERIC_TAG.match(tag):
        return 2
    return 1


def _lookup(token: str) -> tuple[int, str]:
    """(frequency, tag) of a dictionary word, frequency rounded as RAGFlow stores it; (0, "") else."""
    return _words().get(token, (0, ""))


def _words() -> dict[str, tuple[int, str]]:
    global _dictionary
    with _dictionary_lock:
        if _dictionary is None:
            import jieba

            words: dict[str, tuple[int, str]] = {}
            with jieba.get_dict_file() as source:
                for line in source:
                    word, count, tag = [*line.decode("utf-8").split(), "", ""][:3]
                    # RAGFlow keeps round(ln(count / 1e6)) and reads back round(e^that · 1e6).
                    rounded = int(math.exp(int(math.log(int(count) / 1_000_000) + 0.5)) * 1_000_000 + 0.5)
                    words[word.lower()] = (rounded, tag)
            _dictionary = words
        return _dictionary
