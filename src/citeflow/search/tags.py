"""Tag rank features (pipeline spec §11, §6.4): a question is labelled with the tags of the tag
datasets' chunks it matches, and chunks whose `tag_feas` share those tags score higher."""

import json
import math
import threading
from collections import Counter
from collections.abc import Mapping, Sequence

from citeflow.db import Database
from citeflow.db.chunks import ChunkRepo
from citeflow.search.analysis import chunk_id_of
from citeflow.search.backend import SearchBackend
from citeflow.search.query import ParsedQuestion

#: RAGFlow's smoothing of tag frequencies.
SMOOTHING = 1000
#: How many tag-dataset chunks a question is matched against.
TAG_HITS = 1000


class TagLabeller:
    def __init__(self, db: Database, backend: SearchBackend) -> None:
        self._db = db
        self._backend = backend
        self._priors: dict[tuple[tuple[str, ...], int], dict[str, float]] = {}
        self._lock = threading.Lock()

    def label(self, parsed: ParsedQuestion, tag_dataset_ids: Sequence[str], top_n: int) -> dict[str, float]:
        """`{tag: score ≥ 1}` for the question's `top_n` most telling tags."""
        if parsed.empty or not tag_dataset_ids:
            return {}
        keys = [
            k for d in tag_dataset_ids for k, _ in self._backend.text_search(d, parsed.terms, TAG_HITS, None)
        ]
        if not keys:
            return {}
        with self._db.read() as s:
            rows = ChunkRepo(s).with_ids([chunk_id_of(k) for k in keys])
        counts = Counter(tag for row in rows for tag in _tags(row.fields))
        if not counts:
            return {}
        total = sum(counts.values())
        prior = self._prior(tag_dataset_ids)
        scored = sorted(
            (
                (tag, round(0.1 * (c + 1) / (total + SMOOTHING) / max(1e-6, prior.get(tag, 0.0001))))
                for tag, c in counts.items()
            ),
            key=lambda item: -item[1],
        )[:top_n]
        return {tag.replace(".", "_"): float(max(1, score)) for tag, score in scored}

    def _prior(self, tag_dataset_ids: Sequence[str]) -> dict[str, float]:
        """How common each tag is across the tag datasets, smoothed; recomputed after writes."""
        with self._db.read() as s:
            repo = ChunkRepo(s)
            key = (tuple(sorted(tag_dataset_ids)), repo.last_seq())
            with self._lock:
                cached = self._priors.get(key)
            if cached is not None:
                return cached
            counts = Counter(
                tag for fields in repo.fields_of_datasets(tag_dataset_ids) for tag in _tags(fields)
            )
        total = sum(counts.values())
        prior = {tag: (c + 1) / (total + SMOOTHING) for tag, c in counts.items()}
        with self._lock:
            self._priors = {key: prior}
        return prior


def tag_score(query_tags: Mapping[str, float], chunk_tags: Mapping[str, float]) -> float:
    """Cosine-like overlap between the question's tags and the chunk's `tag_feas`."""
    if not query_tags or not chunk_tags:
        return 0.0
    chunk_norm = math.sqrt(sum(s * s for s in chunk_tags.values()))
    query_norm = math.sqrt(sum(s * s for s in query_tags.values()))
    if not chunk_norm or not query_norm:
        return 0.0
    overlap = sum(query_tags[t] * s for t, s in chunk_tags.items() if t in query_tags)
    return overlap / chunk_norm / query_norm


def _tags(fields: str) -> list[str]:
    value = json.loads(fields).get("tag_kwd") or []
    return [str(t) for t in value] if isinstance(value, list) else [str(value)]
