"""Chunk search: tokenization, the search backend and its embedded indexes, hybrid retrieval."""

from citeflow.search.analysis import chunk_id
from citeflow.search.backend import SearchBackend
from citeflow.search.indexes import SearchIndexes
from citeflow.search.retrieval import Ranking, RetrievalRequest, RetrievalResult, Retriever, ScoredChunk

__all__ = [
    "Ranking",
    "RetrievalRequest",
    "RetrievalResult",
    "Retriever",
    "ScoredChunk",
    "SearchBackend",
    "SearchIndexes",
    "chunk_id",
]
