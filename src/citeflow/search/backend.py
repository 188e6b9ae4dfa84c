"""The interface between chunk records and a search engine.

Chunk rows in the metadata database are the record of truth (`db.chunks`); a search backend
answers full-text and nearest-neighbour queries over them. The embedded backend keeps derived
indexes on local disk (`search.indexes`); a backend inside the database itself would have
nothing to catch up.
"""

from collections.abc import Collection, Sequence
from typing import Protocol

import numpy as np

from citeflow.search.text_index import WeightedTerm


class SearchBackend(Protocol):
    def catch_up(self, dataset_id: str) -> None:
        """Make every committed change to the dataset's chunks searchable; searches call it
        first, since another process (an ingestion worker) may have written chunks."""
        ...

    def text_search(
        self,
        dataset_id: str,
        terms: Sequence[WeightedTerm],
        limit: int,
        document_ids: Sequence[str] | None,
        *,
        include_off: bool = False,
    ) -> list[tuple[int, float]]:
        """(chunk key, relevance) of the best matches: BM25 over RAGFlow's fields and boosts,
        only available chunks unless `include_off`, only those documents when given."""
        ...

    def text_scores(
        self, dataset_id: str, terms: Sequence[WeightedTerm], keys: Collection[int]
    ) -> dict[int, float]:
        """The ranking BM25 of those chunks (content, keywords and questions); absent keys match no
        term."""
        ...

    def vector_search(
        self, dataset_id: str, query: np.ndarray, k: int, document_ids: Sequence[str] | None
    ) -> list[tuple[int, float]]:
        """(chunk key, cosine) of the k available chunks nearest to `query`."""
        ...

    def vectors(self, dataset_id: str, keys: Sequence[int]) -> dict[int, np.ndarray]:
        """The stored vectors of those chunks that have one."""
        ...

    def drop(self, dataset_id: str) -> None:
        """Forget a deleted dataset."""
        ...

    def reconcile(self, existing_datasets: Collection[str]) -> None:
        """Bring the backend in step with the chunk table at start-up."""
        ...

    def close(self) -> None: ...
