"""Values read from the database, kept while nothing is committed: hot read paths (API keys,
datasets searched) skip their queries between writes, in every process alike."""

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from citeflow.db.engine import Database

V = TypeVar("V")

MAX_ENTRIES = 4096


class VersionedCache(Generic[V]):
    """Caches what `load` returns per key until `Database.version` moves, that is until any
    connection commits. With a database that has no cheap version (PostgreSQL), it caches
    nothing. Cached values are shared between requests: they must not be changed."""

    def __init__(self, db: Database, max_entries: int = MAX_ENTRIES) -> None:
        self._db = db
        self._max_entries = max_entries
        self._lock = threading.Lock()
        self._version: int | None = None
        self._entries: dict[Hashable, V] = {}

    def get(self, key: Hashable, load: Callable[[], V]) -> V:
        version = self._db.version()
        if version is None:
            return load()
        with self._lock:
            if version != self._version:
                self._entries.clear()
                self._version = version
            elif key in self._entries:
                return self._entries[key]
        # Read after the version was taken: at least as new as that version.
        value = load()
        with self._lock:
            if self._version == version and len(self._entries) < self._max_entries:
                self._entries[key] = value
        return value
