"""A dataset's vector index: usearch HNSW over unit vectors stored as bfloat16, cosine distance.

bfloat16 keeps 2 bytes a dimension as float16 does, and its distances cost half as much on CPUs
with bfloat16 instructions; its rounding moves a cosine of 384-dimensional unit vectors by about
1e-4. Indexes saved with another type keep it when loaded.

Small indexes are scanned exhaustively (exact, and still about a millisecond at 20k vectors);
larger ones use the graph. usearch cannot filter inside the graph, so callers that exclude
chunks ask for more than they need; a selective filter is better served by an exact scan of
the allowed vectors (see `exact_nearest`).
"""

import os
import threading
from collections.abc import Collection, Sequence
from pathlib import Path

import numpy as np
from usearch.index import Index

EXACT_SCAN_LIMIT = 20_000
CONNECTIVITY = 16
EXPANSION_ADD = 128
EXPANSION_SEARCH = 96


def unit(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1 (zero rows stay zero), as float32."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)


def exact_nearest(
    query: np.ndarray, keys: Sequence[int], vectors: np.ndarray, k: int
) -> list[tuple[int, float]]:
    """(key, cosine) of the k vectors nearest to `query`, by brute force."""
    if not len(keys) or k <= 0:
        return []
    scores = unit(vectors) @ unit(query)
    top = np.argsort(-scores, kind="stable")[:k]
    return [(int(keys[i]), float(scores[i])) for i in top]


class VectorIndex:
    """One dataset's vectors, saved to one file. Thread-safe."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._index: Index | None = Index.restore(str(path), view=False) if path.exists() else None
        self._dirty = False

    @property
    def dirty(self) -> bool:
        return self._dirty

    def count(self) -> int:
        with self._lock:
            return 0 if self._index is None else len(self._index)

    def clear(self) -> None:
        with self._lock:
            self._index = None
            self._dirty = True

    def remove(self, keys: Collection[int]) -> None:
        if not keys:
            return
        with self._lock:
            if self._index is not None:
                self._index.remove(np.fromiter(keys, dtype=np.uint64, count=len(keys)))
                self._dirty = True

    def add(self, keys: Sequence[int], vectors: np.ndarray, threads: int = 0) -> None:
        """Add or replace the vectors of those keys. A first vector of another dimension than an
        empty index's starts the index afresh (the dataset's embedding model changed)."""
        if not len(keys):
            return
        matrix = unit(vectors)
        ids = np.asarray(keys, dtype=np.uint64)
        with self._lock:
            if self._index is None or (len(self._index) == 0 and self._index.ndim != matrix.shape[1]):
                self._index = Index(
                    ndim=matrix.shape[1],
                    metric="cos",
                    dtype="bf16",
                    connectivity=CONNECTIVITY,
                    expansion_add=EXPANSION_ADD,
                    expansion_search=EXPANSION_SEARCH,
                )
            if self._index.ndim != matrix.shape[1]:
                raise ValueError(
                    f"vectors of dimension {matrix.shape[1]} cannot join an index of {self._index.ndim}"
                )
            present = np.array([key in self._index for key in ids.tolist()], dtype=bool)
            if present.any():
                self._index.remove(ids[present])
            self._index.add(ids, matrix, threads=threads)
            self._dirty = True

    def nearest(self, query: np.ndarray, k: int, excluded: Collection[int] = ()) -> list[tuple[int, float]]:
        """(key, cosine) of up to k nearest vectors whose keys are not excluded. The graph cannot
        skip excluded keys, so it is asked for enough more to make up for their share, and again
        for twice as many while too few remain."""
        with self._lock:
            index = self._index
            if index is None or len(index) == 0 or k <= 0 or index.ndim != query.shape[-1]:
                return []
            size = len(index)
            exact = size <= EXACT_SCAN_LIMIT
            kept_share = max(1.0 - len(excluded) / size, 0.01)
            wanted = min(size, int(k / kept_share * 1.2) + 8)
            target = unit(query)
            while True:
                matches = index.search(target, wanted, exact=exact, threads=1)
                found = [
                    (int(key), 1.0 - float(d))
                    for key, d in zip(matches.keys.tolist(), matches.distances.tolist(), strict=True)
                    if int(key) not in excluded
                ]
                if len(found) >= k or wanted >= size:
                    return found[:k]
                wanted = min(size, wanted * 2)

    def vectors(self, keys: Sequence[int]) -> dict[int, np.ndarray]:
        """The stored vectors of those keys that have one (unit length, float32)."""
        with self._lock:
            if self._index is None or not keys:
                return {}
            wanted = np.asarray(keys, dtype=np.uint64)
            present = wanted[np.asarray(self._index.contains(wanted), dtype=bool).reshape(-1)]
            if not len(present):
                return {}
            # usearch fills rows of absent keys with garbage, hence the `contains` first.
            matrix = np.asarray(self._index.get(present, dtype=np.float32), dtype=np.float32)
        return dict(zip(present.tolist(), matrix.reshape(len(present), -1), strict=True))

    def save(self) -> None:
        """Write the index to its file atomically: a crash leaves the old file or the new one."""
        with self._lock:
            if not self._dirty:
                return
            temporary = self._path.with_name(f"{self._path.name}.tmp-{os.getpid()}")
            if self._index is None or len(self._index) == 0:
                self._path.unlink(missing_ok=True)
            else:
                self._index.save(str(temporary))
                with open(temporary, "rb") as f:
                    os.fsync(f.fileno())
                os.replace(temporary, self._path)
            self._dirty = False
