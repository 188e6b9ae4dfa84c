"""Tokenization of chunk text and questions the way RAGFlow v0.20.5 does it (pipeline spec §6.1).

Text becomes space-separated tokens: non-word characters become spaces, full-width characters
half-width, traditional Chinese characters simplified, everything lower case. Latin runs are split
on spaces and Porter-stemmed; Chinese runs are segmented with jieba's dictionary (shipped in the
package; RAGFlow uses its own dictionary of the same format). Fine-grained tokens split long
Chinese words into their dictionary parts.

One difference from RAGFlow, by design: no WordNet lemmatization before stemming (its data cannot
be downloaded at run time; about 1% of English tokens differ, e.g. `children` stays `children`).
Identifiers such as `PPR-9087` are split as RAGFlow splits them (`ppr 9087`); `identifiers` gives
their whole forms for an index to add.
"""

import re
import threading
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jieba import Tokenizer
    from nltk.stem.porter import PorterStemmer

_NON_WORD = re.compile(r"\W+")
#: RAGFlow's `is_chinese`: the CJK Unified Ideographs block as far as U+9FA5.
_CHINESE_RUN = re.compile(r"([\u4e00-\u9fa5]+)")
_NUMBER_LIKE = re.compile(r"[0-9,.\-]+$")
_IDENTIFIER = re.compile(r"[A-Za-z0-9]+(?:[-_./:#+][A-Za-z0-9]+)+")
_FINE_MIN_CHINESE = 0.2
_STEM_CACHE = 65536

_segmenter: "Tokenizer | None" = None
_segmenter_lock = threading.Lock()


def tokenize(text: str) -> str:
    """RAGFlow's `content_ltks`: the text as space-separated, normalised tokens."""
    line = _simplified(half_width(_NON_WORD.sub(" ", text)).lower())
    tokens: list[str] = []
    for run in _CHINESE_RUN.split(line):
        if not run.strip():
            continue
        if _is_chinese(run[0]):
            tokens.extend(w for w in _jieba().cut(run, HMM=False) if w.strip())
        else:
            tokens.extend(stem(word) for word in run.split())
    return " ".join(tokens)


def fine_grained_tokenize(tokens: str) -> str:
    """RAGFlow's `content_sm_ltks`: long Chinese words split into dictionary sub-words. Text that is
    mostly not Chinese only has `/` split, so for English it equals the input."""
    words = tokens.split()
    if sum(1 for w in words if _is_chinese(w[0])) < len(words) * _FINE_MIN_CHINESE:
        return " ".join(part for w in words for part in w.split("/") if part)
    return " ".join(_sub_words(w) for w in words)


def identifiers(text: str) -> list[str]:
    """Whole identifiers (`ppr-9087`, `v2.1.0`, `node_3`), lower-cased, that tokenization splits
    apart; only those with a digit or an underscore, so ordinary hyphenated words are left out."""
    found = (m.group(0).lower() for m in _IDENTIFIER.finditer(half_width(text)))
    return list(dict.fromkeys(w for w in found if any(c.isdigit() or c == "_" for c in w)))


def half_width(text: str) -> str:
    """Full-width ASCII variants (U+FF01 to U+FF5E) and the ideographic space as plain ASCII."""
    return text.translate(_HALF_WIDTH)


_HALF_WIDTH = {0x3000: 0x20, **{code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}}


def _simplified(text: str) -> str:
    """Traditional Chinese characters as simplified ones (HanziConv, as RAGFlow converts them)."""
    if not any("\u3400" <= c <= "\u9fff" for c in text):
        return text
    from hanziconv import HanziConv

    converted: str = HanziConv.toSimplified(text)
    return converted


def _is_chinese(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fa5"


def _sub_words(word: str) -> str:
    """The best dictionary split of a Chinese word of 3+ characters other than the word itself."""
    if len(word) < 3 or not _is_chinese(word[0]) or _NUMBER_LIKE.match(word):
        return word
    segmenter = _jieba()
    graph = segmenter.get_DAG(word)
    graph[0] = [end for end in graph[0] if end != len(word) - 1] or [0]
    route: dict[int, tuple[float, int]] = {}
    segmenter.calc(word, graph, route)
    parts, start = [], 0
    while start < len(word):
        end = route[start][1] + 1
        parts.append(word[start:end])
        start = end
    return " ".join(parts) if len(parts) > 1 else word


@lru_cache(maxsize=_STEM_CACHE)
def stem(word: str) -> str:
    """The Porter stem of a lower-case Latin word."""
    return _porter().stem(word)


@lru_cache(maxsize=1)
def _porter() -> "PorterStemmer":
    from nltk.stem.porter import PorterStemmer

    return PorterStemmer()


def _jieba() -> "Tokenizer":
    """jieba's dictionary segmenter, loaded on first use (about a second) and shared."""
    global _segmenter
    with _segmenter_lock:
        if _segmenter is None:
            import jieba

            jieba.setLogLevel(60)
            segmenter = jieba.Tokenizer()
            segmenter.initialize()
            _segmenter = segmenter
        return _segmenter
