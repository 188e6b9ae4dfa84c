"""From a question to a full-text query and the weighted keywords scoring uses (pipeline spec
§6.2): normalise, drop question words, tokenize, weigh."""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from citeflow.search.text_index import WeightedTerm
from citeflow.search.tokenizer import fine_grained_tokenize, half_width, identifiers, tokenize
from citeflow.search.weights import term_weights

MAX_TERMS = 256
_PUNCTUATION = re.compile("[:|\r\n\t,\uff0c\u3002\uff1f?/`!\uff01&^%()\\[\\]{}<>]+")
_LATIN_CJK = re.compile(r"([A-Za-z0-9])([\u4e00-\u9fa5])|([\u4e00-\u9fa5])([A-Za-z0-9])")
_QUESTION_WORDS = (
    re.compile(
        "是*(怎么办|什么样的|哪家|一下|那家|请问|啥样|咋样了|什么时候|何时|何地|何人|是否|是不是|多少|哪里|怎么|"
        "哪儿|怎么样|如何|哪些|是啥|啥是|啊|吗|呢|吧|咋|什么|有没有|呀|谁|哪位|哪个)是*"
    ),
    re.compile(r"(^| )(what|who|how|which|where|why)('re|'s)? "),
    re.compile(
        r"(^| )('s|'re|is|are|were|was|do|does|did|don't|doesn't|didn't|has|have|be|there|you|me|your|my|"
        r"mine|just|please|may|i|should|would|wouldn't|will|won't|done|go|for|with|so|the|a|an|by|i'm|"
        r"it's|he's|she's|they|they're|you're|as|on|in|at|up|out|down|of|to|or|and|if) "
    ),
)
_SINGLE_CHARACTER = re.compile(r"[a-z0-9]$")


@dataclass(frozen=True, slots=True)
class ParsedQuestion:
    """A question ready for search: its tokens, their fine-grained parts and whole identifiers,
    weighted (the tokens' weights sum to 1)."""

    terms: tuple[WeightedTerm, ...]

    @property
    def empty(self) -> bool:
        return not self.terms


def normalise(question: str) -> str:
    text = _LATIN_CJK.sub(lambda m: " ".join(g for g in m.groups() if g), question)
    return _PUNCTUATION.sub(" ", half_width(text).lower()).strip()


def without_question_words(text: str) -> str:
    """RAGFlow's `rmWWW`; the text is kept when nothing would remain."""
    stripped = text
    for pattern in _QUESTION_WORDS:
        stripped = pattern.sub(" ", f"{stripped} ").strip()
        stripped = pattern.sub(" ", f" {stripped} ").strip()
    return stripped if stripped else text


def parse(question: str) -> ParsedQuestion:
    text = without_question_words(normalise(question))
    tokens = [t for t in tokenize(text).split() if not _SINGLE_CHARACTER.match(t)] or tokenize(text).split()
    if not tokens:
        return ParsedQuestion(())
    weighted = _merge(term_weights(tokens[:MAX_TERMS]))
    fine = [t for t in fine_grained_tokenize(" ".join(weighted)).split() if t not in weighted]
    extra = {t: min(weighted.values()) / 2 for t in fine}
    for whole in identifiers(question):
        extra[whole] = max(weighted.values())
    terms = [WeightedTerm(t, w) for t, w in weighted.items()]
    terms += [WeightedTerm(t, w) for t, w in extra.items() if t not in weighted]
    return ParsedQuestion(tuple(terms))


def _merge(pairs: Iterable[tuple[str, float]]) -> dict[str, float]:
    merged: dict[str, float] = {}
    for token, weight in pairs:
        merged[token] = merged.get(token, 0.0) + weight
    return merged
