"""Search indexes derived from the chunk table, one directory per dataset, kept in step by
watermark.

Writes commit chunk rows to the database first; `catch_up` then applies every change numbered
above an index's watermark (rows rewritten, tombstones for rows removed) and moves the
watermark. Applying a change twice is harmless, so a crash at any point is repaired by the
next catch-up; at start-up `reconcile` also compares counts with the table and rebuilds an
index that disagrees, and drops the directories of datasets that no longer exist.

The text index commits with every catch-up. The vector index is saved by `flush` (the caller
runs it every few seconds and at shutdown), so its watermark may trail; it catches up from it.
"""

import json
import logging
import os
import shutil
import threading
from collections import OrderedDict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from citeflow.db import Database
from citeflow.db.chunks import ChunkRepo
from citeflow.db.models import Chunk, ChunkTombstone
from citeflow.search.analysis import chunk_key, text_fields
from citeflow.search.text_index import TextDocument, TextIndex, WeightedTerm
from citeflow.search.vector_index import EXACT_SCAN_LIMIT, VectorIndex, exact_nearest

log = logging.getLogger(__name__)

STATE_FILE = "state.json"
#: Text index writers kept open (each holds a thread and up to 32 MB); the least recently used
#: beyond these are released.
OPEN_WRITERS = 8
VECTOR_FILE = "vectors.usearch"


@dataclass
class _State:
    text_seq: int = -1
    vector_seq: int = -1

    @classmethod
    def load(cls, path: Path) -> "_State":
        try:
            raw = json.loads(path.read_text())
            return cls(int(raw["text_seq"]), int(raw["vector_seq"]))
        except (OSError, ValueError, KeyError, TypeError):
            return cls()

    def save(self, path: Path) -> None:
        temporary = path.with_name(f"{path.name}.tmp-{os.getpid()}")
        with open(temporary, "w") as f:
            json.dump({"text_seq": self.text_seq, "vector_seq": self.vector_seq}, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)


class DatasetIndex:
    """The text and vector indexes of one dataset and their watermarks."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.lock = threading.RLock()
        self.state = _State.load(directory / STATE_FILE)
        try:
            self.text = TextIndex(directory / "text")
            self.text.count()
        except (OSError, ValueError, RuntimeError) as exc:
            log.warning("the text index in %s cannot be read (%s); rebuilding it", directory, exc)
            shutil.rmtree(directory / "text", ignore_errors=True)
            self.text = TextIndex(directory / "text")
            self.state.text_seq = -1
        try:
            self.vectors = VectorIndex(directory / VECTOR_FILE)
        except (OSError, ValueError, RuntimeError) as exc:
            log.warning("the vector index in %s cannot be read (%s); rebuilding it", directory, exc)
            (directory / VECTOR_FILE).unlink(missing_ok=True)
            self.vectors = VectorIndex(directory / VECTOR_FILE)
            self.state.vector_seq = -1
        #: The vector watermark in memory; `state.vector_seq` is the one on disk.
        self.vector_seq = self.state.vector_seq
        self.switched_off: set[int] = set(self.text.keys_switched_off())

    def save_state(self) -> None:
        self.state.save(self.directory / STATE_FILE)

    def close(self) -> None:
        self.text.release()


class SearchIndexes:
    """Every dataset's indexes under one directory."""

    def __init__(self, db: Database, directory: Path) -> None:
        self._db = db
        self._directory = directory
        self._lock = threading.Lock()
        self._open: dict[str, DatasetIndex] = {}
        self._writing: OrderedDict[str, None] = OrderedDict()
        self._stop = threading.Event()
        self._flusher: threading.Thread | None = None
        self._pending: set[str] = set()
        self._pending_changed = threading.Condition()
        self._follower = threading.Thread(target=self._follow_loop, name="citeflow-index-follow", daemon=True)
        self._follower.start()
        directory.mkdir(parents=True, exist_ok=True)

    def _get(self, dataset_id: str) -> DatasetIndex:
        with self._lock:
            index = self._open.get(dataset_id)
            if index is None:
                index = self._open[dataset_id] = DatasetIndex(self._directory / dataset_id)
            return index

    def follow(self, dataset_ids: Collection[str]) -> None:
        """Note datasets whose chunks a transaction just changed; a background thread catches
        them up, many writes in one go when they come quickly. Searches catch up first anyway,
        so what was written is found at once either way."""
        with self._pending_changed:
            self._pending.update(dataset_ids)
            self._pending_changed.notify()

    def _follow_loop(self) -> None:
        while True:
            with self._pending_changed:
                while not self._pending and not self._stop.is_set():
                    self._pending_changed.wait()
                if self._stop.is_set():
                    return
                pending, self._pending = self._pending, set()
            for dataset_id in pending:
                try:
                    self.catch_up(dataset_id)
                except Exception:
                    log.exception(
                        "search indexes of dataset %s could not catch up; retrying on next use", dataset_id
                    )

    def catch_up(self, dataset_id: str) -> None:
        """Apply the dataset's changes above the indexes' watermarks."""
        index = self._get(dataset_id)
        with index.lock:
            self._apply(dataset_id, index)
        self._release_idle_writers()

    def _apply(self, dataset_id: str, index: DatasetIndex) -> None:
        text_after, vector_after = index.state.text_seq, index.vector_seq
        after = min(text_after, vector_after)
        changed = False
        with self._db.read() as s:
            repo = ChunkRepo(s)
            upto = repo.last_seq()
            if upto <= after:
                return
            tombstones = [t for t in repo.tombstones_since(dataset_id, after) if t.seq <= upto]
            self._remove(index, [t for t in tombstones if t.seq > text_after], text=True)
            self._remove(index, [t for t in tombstones if t.seq > vector_after], text=False)
            changed = bool(tombstones)
            for rows in repo.changed_since(dataset_id, after):
                rows = [r for r in rows if r.seq <= upto]
                self._write(index, [r for r in rows if r.seq > text_after], text=True)
                self._write(index, [r for r in rows if r.seq > vector_after], text=False)
                changed = changed or bool(rows)
        index.vector_seq = upto
        if not changed:
            # Nothing of this dataset changed: the watermark moves in memory only.
            index.state.text_seq = upto
            return
        index.text.commit()
        index.state.text_seq = upto
        index.save_state()
        with self._lock:
            self._writing[dataset_id] = None
            self._writing.move_to_end(dataset_id)
        if tombstones and index.state.vector_seq >= tombstones[-1].seq:
            with self._db.transaction() as s:
                ChunkRepo(s).prune_tombstones(dataset_id, upto=index.state.vector_seq)

    def _remove(self, index: DatasetIndex, tombstones: Sequence[ChunkTombstone], *, text: bool) -> None:
        keys = [chunk_key(t.chunk_id) for t in tombstones]
        if text:
            index.text.delete_keys(keys)
            index.switched_off.difference_update(keys)
        else:
            index.vectors.remove(keys)

    def _write(self, index: DatasetIndex, rows: Sequence[Chunk], *, text: bool) -> None:
        if not rows:
            return
        if text:
            keys = [chunk_key(r.id) for r in rows]
            index.text.delete_keys(keys)
            index.text.add(
                TextDocument(key, r.document_id, r.available, text_fields(json.loads(r.fields)))
                for key, r in zip(keys, rows, strict=True)
            )
            for key, r in zip(keys, rows, strict=True):
                if r.available:
                    index.switched_off.discard(key)
                else:
                    index.switched_off.add(key)
            return
        embedded = [r for r in rows if r.vector]
        index.vectors.remove([chunk_key(r.id) for r in rows if not r.vector])
        if embedded:
            matrix = np.stack([np.frombuffer(r.vector or b"", dtype="<f4") for r in embedded])
            index.vectors.add([chunk_key(r.id) for r in embedded], matrix)

    def _release_idle_writers(self) -> None:
        """Release the writers of the least recently written datasets beyond `OPEN_WRITERS`;
        one in use right now is left for next time."""
        with self._lock:
            idle = list(self._writing)[: max(0, len(self._writing) - OPEN_WRITERS)]
        for dataset_id in idle:
            index = self._open.get(dataset_id)
            if index is None or not index.lock.acquire(blocking=False):
                continue
            try:
                index.text.release()
            finally:
                index.lock.release()
            with self._lock:
                self._writing.pop(dataset_id, None)

    def flush(self) -> None:
        """Save vector indexes that changed, then record their watermarks."""
        with self._lock:
            indexes = list(self._open.values())
        for index in indexes:
            with index.lock:
                if index.vectors.dirty:
                    index.vectors.save()
                if index.state.vector_seq != index.vector_seq:
                    index.state.vector_seq = index.vector_seq
                    index.save_state()

    def drop(self, dataset_id: str) -> None:
        """Forget a deleted dataset's indexes and tombstones."""
        with self._lock:
            index = self._open.pop(dataset_id, None)
            self._writing.pop(dataset_id, None)
        if index is not None:
            with index.lock:
                index.close()
        shutil.rmtree(self._directory / dataset_id, ignore_errors=True)
        with self._db.transaction() as s:
            ChunkRepo(s).prune_tombstones(dataset_id, upto=ChunkRepo(s).last_seq())

    def start_flushing(self, interval_seconds: float) -> None:
        """Save changed vector indexes every `interval_seconds` in a background thread."""

        def loop() -> None:
            while not self._stop.wait(interval_seconds):
                try:
                    self.flush()
                except Exception:
                    log.exception("saving vector indexes failed; retrying in %s s", interval_seconds)

        self._flusher = threading.Thread(target=loop, name="citeflow-vector-flush", daemon=True)
        self._flusher.start()

    def reconcile(self, existing_datasets: Collection[str]) -> None:
        """Bring every index in step with the database after a start, clean or not."""
        for entry in self._directory.iterdir():
            if entry.is_dir() and entry.name not in existing_datasets:
                shutil.rmtree(entry, ignore_errors=True)
        with self._db.read() as s:
            with_chunks = ChunkRepo(s).datasets_with_chunks()
        for dataset_id in with_chunks:
            index = self._get(dataset_id)
            with index.lock:
                self._apply(dataset_id, index)
                with self._db.read() as s:
                    rows = ChunkRepo(s).count(dataset_id)
                    embedded = ChunkRepo(s).count(dataset_id, with_vector=True)
                if index.text.count() != rows:
                    log.warning(
                        "rebuilding the text index of dataset %s (%d rows, %d indexed)",
                        dataset_id,
                        rows,
                        index.text.count(),
                    )
                    index.text.clear()
                    index.text.commit()
                    index.state.text_seq = -1
                if index.vectors.count() != embedded:
                    log.warning("rebuilding the vector index of dataset %s", dataset_id)
                    index.vectors.clear()
                    index.vector_seq = -1
                self._apply(dataset_id, index)
        self.flush()

    def close(self) -> None:
        with self._pending_changed:
            self._stop.set()
            self._pending_changed.notify()
        self._follower.join()
        if self._flusher is not None:
            self._flusher.join()
        self.flush()
        with self._lock:
            for index in self._open.values():
                index.close()
            self._open.clear()

    # Searching

    def text_search(
        self,
        dataset_id: str,
        terms: Sequence[WeightedTerm],
        limit: int,
        document_ids: Sequence[str] | None,
        *,
        include_off: bool = False,
    ) -> list[tuple[int, float]]:
        index = self._get(dataset_id)
        return index.text.search(terms, limit, document_ids=document_ids, include_off=include_off)

    def text_scores(
        self, dataset_id: str, terms: Sequence[WeightedTerm], keys: Collection[int]
    ) -> dict[int, float]:
        return self._get(dataset_id).text.scores(terms, keys)

    def vectors(self, dataset_id: str, keys: Sequence[int]) -> dict[int, np.ndarray]:
        return self._get(dataset_id).vectors.vectors(keys)

    def vector_search(
        self, dataset_id: str, query: np.ndarray, k: int, document_ids: Sequence[str] | None
    ) -> list[tuple[int, float]]:
        """The k nearest available chunks; restricted to some documents, an exact scan of their
        vectors when they are few enough."""
        index = self._get(dataset_id)
        if document_ids is None:
            return index.vectors.nearest(query, k, index.switched_off)
        with self._db.read() as s:
            keys = [chunk_key(c) for c in ChunkRepo(s).ids_of_documents(document_ids)]
        allowed = [key for key in keys if key not in index.switched_off]
        if len(allowed) <= EXACT_SCAN_LIMIT:
            found = {
                key: v for key, v in index.vectors.vectors(allowed).items() if v.shape[-1] == query.shape[-1]
            }
            if not found:
                return []
            return exact_nearest(query, list(found), np.stack(list(found.values())), k)
        wanted = set(allowed)
        hits = index.vectors.nearest(query, k * 4, index.switched_off)
        return [(key, score) for key, score in hits if key in wanted][:k]
