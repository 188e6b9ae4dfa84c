"""Search indexes derived from the chunk table, one directory per dataset, kept in step by
watermark.

Writes commit chunk rows to the database first; `catch_up` then applies every change numbered
above an index's watermark (rows rewritten, tombstones for rows removed) and moves the
watermark. Applying a change twice is harmless, so a crash at any point is repaired by the
next catch-up; at start-up `reconcile` also compares counts with the table and rebuilds an
index that disagrees, and drops the directories of datasets that no longer exist.

The text index commits with every catch-up. The vector index is saved by `flush` (the caller
runs it every few seconds and at shutdown), so its watermark may trail; it catches up from it.

Several server processes may share one data directory. The one holding `writer.lock` writes
the indexes: it applies its own commits at once and looks for other processes' commits every
`POLL_SECONDS`. The others read: each keeps its own copy of the vector indexes in memory and
applies changes to it itself, and before searching a dataset it waits until the writer's text
index holds the dataset's last change. When the writer stops, another process takes over.
"""

import fcntl
import json
import logging
import os
import shutil
import threading
import time
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
WRITER_LOCK = "writer.lock"
#: How often the writing process looks for chunks committed by other processes: a cheap look on
#: SQLite (`Database.version`), two queries on other databases.
POLL_SECONDS = 0.02
POLL_SECONDS_BY_QUERY = 0.25
#: How often a reading process tries to become the writer (it does when the writer has stopped).
TAKEOVER_SECONDS = 0.1
#: How long a search in a reading process waits for the writer to index a dataset's last change
#: before it searches the text index as it is: about what Elasticsearch's refresh interval lets
#: RAGFlow's searches lag behind writes, so a dataset being parsed stays searchable.
TEXT_WAIT_SECONDS = 1.0


@dataclass
class _State:
    text_seq: int = -1
    vector_seq: int = -1
    #: Tombstones up to this change were pruned: a copy of the vector index older than that
    #: cannot catch up from the table and reloads the saved one.
    pruned_seq: int = -1

    @classmethod
    def load(cls, path: Path) -> "_State":
        try:
            raw = json.loads(path.read_text())
            return cls(int(raw["text_seq"]), int(raw["vector_seq"]), int(raw.get("pruned_seq", -1)))
        except (OSError, ValueError, KeyError, TypeError):
            return cls()

    def save(self, path: Path) -> None:
        temporary = path.with_name(f"{path.name}.tmp-{os.getpid()}")
        with open(temporary, "w") as f:
            json.dump(
                {"text_seq": self.text_seq, "vector_seq": self.vector_seq, "pruned_seq": self.pruned_seq}, f
            )
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)


class DatasetIndex:
    """The text and vector indexes of one dataset and their watermarks. Only a writing process
    repairs indexes it cannot read; a reading one fails and tries again on next use."""

    def __init__(self, directory: Path, *, writes: bool) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.lock = threading.RLock()
        # The state first: the vector file on disk is at least as new as the state says.
        self.state = _State.load(directory / STATE_FILE)
        try:
            self.text = TextIndex(directory / "text")
            self.text.count()
        except (OSError, ValueError, RuntimeError) as exc:
            if not writes:
                raise
            log.warning("the text index in %s cannot be read (%s); rebuilding it", directory, exc)
            shutil.rmtree(directory / "text", ignore_errors=True)
            self.text = TextIndex(directory / "text")
            self.state.text_seq = -1
        try:
            self.vectors = VectorIndex(directory / VECTOR_FILE)
        except (OSError, ValueError, RuntimeError) as exc:
            if not writes:
                raise
            log.warning("the vector index in %s cannot be read (%s); rebuilding it", directory, exc)
            (directory / VECTOR_FILE).unlink(missing_ok=True)
            self.vectors = VectorIndex(directory / VECTOR_FILE)
            self.state.vector_seq = -1
        #: The vector watermark in memory; `state.vector_seq` is the one on disk.
        self.vector_seq = self.state.vector_seq
        self.switched_off: set[int] = set(self.text.keys_switched_off())
        #: The database version (`Database.version`) the indexes last caught up at.
        self.db_version: int | None = None

    def save_state(self) -> None:
        self.state.save(self.directory / STATE_FILE)

    def saved_state(self) -> _State:
        return _State.load(self.directory / STATE_FILE)

    def reload_vectors(self, saved: _State) -> None:
        """Replace the vectors in memory with the saved ones (a reading process whose copy fell
        behind pruned tombstones). `saved` was read before: the file is at least that new."""
        self.vectors = VectorIndex(self.directory / VECTOR_FILE)
        self.vector_seq = saved.vector_seq

    def close(self) -> None:
        self.text.release()


class SearchIndexes:
    """Every dataset's indexes under one directory."""

    def __init__(self, db: Database, directory: Path) -> None:
        self._db = db
        self._directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._open: dict[str, DatasetIndex] = {}
        #: Datasets deleted while this process ran: a late catch-up must not bring them back.
        self._dropped: set[str] = set()
        self._writing: OrderedDict[str, None] = OrderedDict()
        self._stop = threading.Event()
        self._flusher: threading.Thread | None = None
        self._pending: set[str] = set()
        self._pending_changed = threading.Condition()
        self._writer_lock = open(directory / WRITER_LOCK, "a+")  # noqa: SIM115 - held until close
        self._writes = self._take_writer_lock()
        self._last_takeover_attempt = time.monotonic()
        #: The writer has applied other processes' commits up to this change number.
        self._polled_seq = -1
        self._polled_version: int | None = None
        self._follower = threading.Thread(target=self._follow_loop, name="citeflow-index-follow", daemon=True)
        self._follower.start()

    def _take_writer_lock(self) -> bool:
        try:
            fcntl.flock(self._writer_lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _get(self, dataset_id: str) -> DatasetIndex:
        with self._lock:
            index = self._open.get(dataset_id)
            if index is None:
                index = self._open[dataset_id] = DatasetIndex(
                    self._directory / dataset_id, writes=self._writes
                )
            return index

    def follow(self, dataset_ids: Collection[str]) -> None:
        """Note datasets whose chunks a transaction just changed; a background thread catches
        them up, many writes in one go when they come quickly. Searches catch up first anyway,
        so what was written is found at once either way."""
        with self._pending_changed:
            self._pending.update(dataset_ids)
            self._pending_changed.notify()

    def _follow_loop(self) -> None:
        poll_seconds = POLL_SECONDS if self._db.version() is not None else POLL_SECONDS_BY_QUERY
        while True:
            with self._pending_changed:
                if not self._pending and not self._stop.is_set():
                    self._pending_changed.wait(poll_seconds)
                if self._stop.is_set():
                    return
                pending, self._pending = self._pending, set()
            try:
                if not self._writes:
                    self._try_takeover()
                    continue
                pending |= self._changed_elsewhere()
            except Exception:
                log.exception("looking for chunk changes failed; trying again")
                continue
            for dataset_id in pending - self._dropped:
                try:
                    self.catch_up(dataset_id)
                except Exception:
                    log.exception(
                        "search indexes of dataset %s could not catch up; retrying on next use", dataset_id
                    )

    def _try_takeover(self) -> None:
        """A reading process becomes the writer once the writer has stopped."""
        if time.monotonic() - self._last_takeover_attempt < TAKEOVER_SECONDS:
            return
        self._last_takeover_attempt = time.monotonic()
        if self._take_writer_lock():
            log.info("this process now writes the search indexes")
            self._writes = True

    def _changed_elsewhere(self) -> set[str]:
        """Datasets whose chunks were committed since the last look, by any process; nothing
        without a query while the database version stays the same."""
        version = self._db.version()
        if version is not None and version == self._polled_version:
            return set()
        with self._db.read() as s:
            repo = ChunkRepo(s)
            upto = repo.last_seq()
            changed = repo.datasets_changed_since(self._polled_seq)
        self._polled_seq, self._polled_version = upto, version
        return set(changed)

    def catch_up(self, dataset_id: str) -> None:
        """Apply the dataset's changes above the indexes' watermarks; nothing to do, without a
        query, while nothing was committed since the last catch-up."""
        index = self._get(dataset_id)
        version = self._db.version()
        if version is not None and version == index.db_version:
            return
        with index.lock:
            if not self._writes and not self._apply_read(dataset_id, index):
                return
            if self._writes:
                # Also when this process took over from a stopped writer while it waited.
                self._apply(dataset_id, index)
            index.db_version = version
        self._release_idle_writers()

    def _apply_read(self, dataset_id: str, index: DatasetIndex) -> bool:
        """A reading process's catch-up: changes applied to its own vectors, then the writer's
        text index awaited. False when the writer did not index the dataset's last change in
        time (the search goes on with what is indexed); True also when this process became
        the writer meanwhile."""
        saved = index.saved_state()
        with self._db.read() as s:
            repo = ChunkRepo(s)
            upto = repo.last_seq()
            target = repo.dataset_seq(dataset_id)
            if saved.pruned_seq > index.vector_seq:
                index.reload_vectors(saved)
            after = index.vector_seq
            if upto > after:
                tombstones = [t for t in repo.tombstones_since(dataset_id, after) if t.seq <= upto]
                self._remove(index, tombstones, text=False)
                for rows in repo.changed_since(dataset_id, after):
                    self._write(index, [r for r in rows if r.seq <= upto], text=False)
        index.vector_seq = max(upto, after)
        deadline = time.monotonic() + TEXT_WAIT_SECONDS
        while saved.text_seq < target and time.monotonic() < deadline and not self._writes:
            time.sleep(0.002)
            self._try_takeover()
            saved = index.saved_state()
        if saved.text_seq != index.state.text_seq:
            index.text.reload()
            index.state.text_seq = saved.text_seq
        if saved.text_seq < target and not self._writes:
            log.debug("the search index writer has not indexed dataset %s's last changes yet", dataset_id)
            return False
        return True

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
            index.state.pruned_seq = index.state.vector_seq
            index.save_state()

    def _remove(self, index: DatasetIndex, tombstones: Sequence[ChunkTombstone], *, text: bool) -> None:
        keys = [chunk_key(t.chunk_id) for t in tombstones]
        index.switched_off.difference_update(keys)
        if text:
            index.text.delete_keys(keys)
        else:
            index.vectors.remove(keys)

    def _write(self, index: DatasetIndex, rows: Sequence[Chunk], *, text: bool) -> None:
        if not rows:
            return
        keys = [chunk_key(r.id) for r in rows]
        for key, r in zip(keys, rows, strict=True):
            if r.available:
                index.switched_off.discard(key)
            else:
                index.switched_off.add(key)
        if text:
            index.text.delete_keys(keys)
            index.text.add(
                TextDocument(key, r.document_id, r.available, text_fields(json.loads(r.fields)))
                for key, r in zip(keys, rows, strict=True)
            )
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
        """Save vector indexes that changed, then record their watermarks (the writing process
        only; the directory of a dataset deleted meanwhile is left alone)."""
        if not self._writes:
            return
        with self._lock:
            indexes = list(self._open.values())
        for index in indexes:
            with index.lock:
                if not index.directory.is_dir():
                    continue
                if index.vectors.dirty:
                    index.vectors.save()
                if index.state.vector_seq != index.vector_seq:
                    index.state.vector_seq = index.vector_seq
                    index.save_state()

    def drop(self, dataset_id: str) -> None:
        """Forget a deleted dataset's indexes and tombstones."""
        with self._lock:
            self._dropped.add(dataset_id)
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
        """Bring every index in step with the database after a start, clean or not (the writing
        process only)."""
        if not self._writes:
            return
        with self._db.read() as s:
            polled = ChunkRepo(s).last_seq()
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
        self._polled_seq = max(self._polled_seq, polled)

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
        self._writer_lock.close()

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
