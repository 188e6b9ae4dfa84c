"""Hybrid retrieval: candidates from the full-text and vector indexes, re-scored with RAGFlow's
three scores (pipeline spec §6.3 to §6.7), then windowed, thresholded and paged.

Every candidate gets `vector_similarity` (its cosine with the question stretched onto [0, 1], or
the rerank model's score), `term_similarity` (its weighted BM25 over title, content, keywords and
questions, relative to the dataset's largest IDF, squashed as b / (b + 0.75)) and
`similarity = w * vector_similarity + (1 - w) * term_similarity + pagerank + 10 * tag overlap`.
RAGFlow's own term similarity (the share of the question's keywords a chunk contains) ranks
measurably worse; both scales were chosen on SciFact (see bench/retrieval_quality.py).
"""

import json
import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from citeflow.db import Database
from citeflow.db.chunks import ChunkRepo, ChunkText
from citeflow.search.analysis import chunk_id_of
from citeflow.search.backend import SearchBackend
from citeflow.search.highlight import Highlighter
from citeflow.search.query import ParsedQuestion, parse
from citeflow.search.tags import TagLabeller, tag_score
from citeflow.search.vector_index import unit

#: Full-text candidates fetched per dataset, besides the window RAGFlow would fetch.
TEXT_CANDIDATES = 64
#: Vector candidates per dataset, never more than the request's `top_k`.
VECTOR_CANDIDATES = 64
#: RAGFlow fetches about this many candidates, rounded to a multiple of the page size.
WINDOW = 64
#: `term_similarity = bm25 / (bm25 + BM25_HALF)`: half way at this weighted BM25 (in units of the
#: dataset's largest IDF; 0.75 is a BM25 of 6 in a dataset of 5,000 chunks).
BM25_HALF = 0.75
#: `vector_similarity = min(1, cosine / COSINE_SCALE)`.
COSINE_SCALE = 0.9
#: When some chunks match words of the question, one matching none is a candidate only this close
#: to it (below this, embedders such as MiniLM mostly rate unrelated texts); when none match, the
#: nearest chunks are the candidates.
VECTOR_ONLY_MIN_COSINE = 0.3

Rerank = Callable[[str, Sequence[str]], Sequence[float]]


@dataclass(frozen=True, slots=True)
class Ranking:
    """How results are scored, cut and paged: what a caller sets (RAGFlow's defaults)."""

    page: int = 1
    page_size: int = 30
    similarity_threshold: float = 0.2
    vector_similarity_weight: float = 0.3
    top_k: int = 1024
    highlight: bool = False


@dataclass(frozen=True, slots=True)
class RetrievalRequest:
    question: str
    dataset_ids: Sequence[str]
    query_vector: np.ndarray | None
    ranking: Ranking = field(default_factory=Ranking)
    document_ids: Sequence[str] | None = None
    #: Each dataset's pagerank, added to the similarity of its chunks.
    pagerank: Mapping[str, float] = field(default_factory=dict)
    rerank: Rerank | None = None
    #: Count every chunk of the window that passes the threshold in `doc_aggs`, not just the page.
    aggregate_window: bool = False
    #: Tag datasets to label the question from, and how many of its tags count.
    tag_dataset_ids: Sequence[str] = ()
    top_tags: int = 3


@dataclass(slots=True)
class ScoredChunk:
    chunk: ChunkText
    fields: dict[str, Any]
    similarity: float
    vector_similarity: float
    term_similarity: float
    #: The raw cosine, which breaks ties when scaled ones are capped.
    cosine: float = 0.0
    highlight: str | None = None


@dataclass(frozen=True, slots=True)
class RetrievalResult:
    total: int
    chunks: list[ScoredChunk]
    doc_aggs: list[dict[str, Any]]
    #: The question's tags, when its datasets name tag datasets.
    labels: dict[str, float] | None = None


EMPTY = RetrievalResult(0, [], [])


def window_size(page_size: int) -> int:
    """RAGFlow's re-rank window: 64 rounded half up to a multiple of the page size (at least
    one page)."""
    return max(page_size, math.floor(WINDOW / page_size + 0.5) * page_size)


@dataclass(slots=True)
class _Candidate:
    """A candidate while it is scored: only what scoring needs, the chunk itself comes later."""

    chunk_id: str
    dataset_id: str
    cosine: float
    vector_similarity: float
    term_similarity: float
    similarity: float = 0.0


class Retriever:
    def __init__(self, db: Database, indexes: SearchBackend) -> None:
        self._db = db
        self._indexes = indexes
        self._tags = TagLabeller(db, indexes)

    def retrieve(self, request: RetrievalRequest) -> RetrievalResult:
        parsed = parse(request.question)
        if parsed.empty and request.query_vector is None:
            return EMPTY
        ranking = request.ranking
        window = window_size(ranking.page_size)
        pool = math.ceil(ranking.page * ranking.page_size / window) * window
        labels = self._tags.label(parsed, request.tag_dataset_ids, request.top_tags) or None
        candidates, text_hits = self._candidates(request, parsed, pool)
        if not candidates:
            return RetrievalResult(0, [], [], labels)
        scored, loaded = self._score(request, parsed, candidates, text_hits, labels or {})
        scored.sort(key=lambda c: (-c.similarity, -c.cosine, c.chunk_id))
        passing = [c for c in scored[:pool] if c.similarity >= ranking.similarity_threshold]
        start = (ranking.page - 1) * ranking.page_size
        page = passing[start : start + ranking.page_size]
        counted = passing if request.aggregate_window else page
        loaded.update(self._load([c.chunk_id for c in counted if c.chunk_id not in loaded]))
        # A chunk deleted or switched off since the indexes were read is left out.
        page = [c for c in page if c.chunk_id in loaded]
        counted = [c for c in counted if c.chunk_id in loaded]
        chunks = [_scored_chunk(c, loaded[c.chunk_id]) for c in page]
        if ranking.highlight:
            _highlight(chunks, parsed)
        names = [
            (loaded[c.chunk_id][1].get("docnm_kwd", ""), loaded[c.chunk_id][0].document_id) for c in counted
        ]
        return RetrievalResult(len(passing), chunks, _doc_aggs(names), labels)

    def _candidates(
        self, request: RetrievalRequest, parsed: ParsedQuestion, pool: int
    ) -> tuple[dict[int, tuple[str, float | None]], set[int]]:
        """Candidate keys with their dataset and, for those the vector index found, their cosine;
        and the keys the full-text index found. Both indexes leave out switched-off chunks."""
        found: dict[int, tuple[str, float | None]] = {}
        text_hits: set[int] = set()
        vector_k = min(request.ranking.top_k, max(pool, VECTOR_CANDIDATES))
        for dataset_id in request.dataset_ids:
            self._indexes.catch_up(dataset_id)
            if not parsed.empty:
                for key, _ in self._indexes.text_search(
                    dataset_id, parsed.terms, max(pool, TEXT_CANDIDATES), request.document_ids
                ):
                    found.setdefault(key, (dataset_id, None))
                    text_hits.add(key)
            if request.query_vector is not None and vector_k > 0:
                for key, cosine in self._indexes.vector_search(
                    dataset_id, request.query_vector, vector_k, request.document_ids
                ):
                    found[key] = (dataset_id, cosine)
        return found, text_hits

    def _score(
        self,
        request: RetrievalRequest,
        parsed: ParsedQuestion,
        candidates: Mapping[int, tuple[str, float | None]],
        text_hits: set[int],
        labels: Mapping[str, float],
    ) -> tuple[list[_Candidate], dict[str, tuple[ChunkText, dict[str, Any]]]]:
        """The candidates' scores, from the indexes alone; and the chunks that had to be loaded to
        compute them (for a rerank model or tags)."""
        by_dataset: dict[str, list[int]] = {}
        for key, (dataset_id, _) in candidates.items():
            by_dataset.setdefault(dataset_id, []).append(key)
        relevance: dict[int, float] = {}
        cosines: dict[int, float] = {}
        for dataset_id, keys in by_dataset.items():
            if not parsed.empty:
                relevance.update(self._indexes.text_scores(dataset_id, parsed.terms, keys))
            missing = [k for k in keys if candidates[k][1] is None]
            if missing and request.query_vector is not None:
                cosines.update(_cosines(request.query_vector, self._indexes.vectors(dataset_id, missing)))
        scored = []
        for key, (dataset_id, found_cosine) in candidates.items():
            cosine = found_cosine if found_cosine is not None else cosines.get(key, 0.0)
            bm25 = relevance.get(key, 0.0)
            if text_hits and key not in text_hits and not bm25 and cosine < VECTOR_ONLY_MIN_COSINE:
                continue
            scored.append(
                _Candidate(chunk_id_of(key), dataset_id, cosine, _scaled(cosine), bm25 / (bm25 + BM25_HALF))
            )
        loaded = {}
        if request.rerank is not None or labels:
            loaded = self._load([c.chunk_id for c in scored])
            scored = [c for c in scored if c.chunk_id in loaded]
        weight = request.ranking.vector_similarity_weight
        if request.rerank is not None and scored:
            texts = [_rerank_text(loaded[c.chunk_id][1]) for c in scored]
            for c, score in zip(scored, request.rerank(request.question, texts), strict=True):
                c.vector_similarity = float(score)
        elif all(c.vector_similarity == 0 for c in scored):
            weight = 0.0
        for c in scored:
            bonus = request.pagerank.get(c.dataset_id, 0.0)
            if labels:
                bonus += 10 * tag_score(labels, _tag_features(loaded[c.chunk_id][1].get("tag_feas")))
            c.similarity = weight * c.vector_similarity + (1 - weight) * c.term_similarity + bonus
        return scored, loaded

    def _load(self, chunk_ids: Sequence[str]) -> dict[str, tuple[ChunkText, dict[str, Any]]]:
        """Those chunks that still exist and are switched on, with their fields."""
        if not chunk_ids:
            return {}
        with self._db.read() as s:
            rows = ChunkRepo(s).available_texts(chunk_ids)
        return {r.id: (r, json.loads(r.fields)) for r in rows}


def _scored_chunk(candidate: _Candidate, loaded: tuple[ChunkText, dict[str, Any]]) -> ScoredChunk:
    chunk, fields = loaded
    return ScoredChunk(
        chunk,
        fields,
        candidate.similarity,
        candidate.vector_similarity,
        candidate.term_similarity,
        candidate.cosine,
    )


def _tag_features(value: Any) -> dict[str, float]:
    """A chunk's `tag_feas`, stored as an object or as its JSON text."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    if not isinstance(value, dict):
        return {}
    return {str(k): float(v) for k, v in value.items() if isinstance(v, int | float)}


def _scaled(cosine: float) -> float:
    """Cosine stretched onto [0, 1]: MiniLM-like embedders rarely exceed 0.9 even for a near copy."""
    return min(1.0, max(cosine, 0.0) / COSINE_SCALE)


def _cosines(query: np.ndarray, vectors: Mapping[int, np.ndarray]) -> dict[int, float]:
    """Cosines of stored vectors with the question; vectors of another dimension are left out."""
    usable = {k: v for k, v in vectors.items() if v.shape[-1] == query.shape[-1]}
    if not usable:
        return {}
    found = unit(np.stack(list(usable.values()))) @ unit(query)
    return dict(zip(usable, (float(c) for c in found.tolist()), strict=True))


def _rerank_text(fields: Mapping[str, Any]) -> str:
    """What the rerank model reads of a chunk: its content, title and keyword tokens."""
    parts = [str(fields.get("content_ltks", "")), str(fields.get("title_tks", ""))]
    parts.extend(fields.get("important_kwd") or [])
    return " ".join(p for p in parts if p)


def _highlight(chunks: list[ScoredChunk], parsed: ParsedQuestion) -> None:
    mark = Highlighter([t.token for t in parsed.terms])
    marked = [mark(c.chunk.content) for c in chunks]
    if any(m is not None for m in marked):
        for c, m in zip(chunks, marked, strict=True):
            c.highlight = m if m is not None else c.chunk.content


def _doc_aggs(documents: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
    """`{"doc_name", "doc_id", "count"}` per document of (name, id) pairs, most chunks first."""
    counts = Counter(documents)
    return [
        {"doc_name": name, "doc_id": doc_id, "count": n}
        for (name, doc_id), n in sorted(counts.items(), key=lambda item: -item[1])
    ]
