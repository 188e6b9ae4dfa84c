"""The chunk store: an engine-neutral interface, and its backend over the metadata database.

Chunk rows in SQL are the record of truth; search indexes are derived from them. Deleting a
document or dataset deletes its chunk rows in the same transaction (foreign keys), so a crash can
never leave chunks of a document that no longer exists.
"""

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import xxhash

from citeflow.core.clock import now_ms
from citeflow.db import Database
from citeflow.db.chunks import ChunkRepo
from citeflow.db.models import Chunk


def chunk_id(content: str, document_id: str) -> str:
    """RAGFlow's chunk id: xxHash64 of the content followed by the document id, 16 hex digits."""
    return xxhash.xxh64((content + document_id).encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True, slots=True)
class ChunkRecord:
    id: str
    dataset_id: str
    document_id: str
    content: str
    available: bool = True
    image_id: str = ""
    fields: dict[str, Any] = field(default_factory=dict)
    create_time: int = 0


class ChunkStore(Protocol):
    def upsert(self, chunks: Sequence[ChunkRecord]) -> None:
        """Write chunks; an existing id is overwritten."""
        ...

    def get(self, dataset_id: str, chunk_id: str) -> ChunkRecord | None: ...

    def list_for_document(
        self, document_id: str, *, keywords: str = "", offset: int = 0, limit: int | None = None
    ) -> tuple[list[ChunkRecord], int]:
        """A page of a document's chunks in creation order, and how many match."""
        ...

    def delete(self, dataset_id: str, chunk_ids: Collection[str]) -> int: ...

    def set_available(self, document_id: str, available: bool) -> int:
        """Switch every chunk of a document on or off for retrieval; returns how many."""
        ...


class SqlChunkStore:
    """Chunks as rows of the metadata database (SQLite or PostgreSQL)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def upsert(self, chunks: Sequence[ChunkRecord]) -> None:
        now = now_ms()
        rows = [
            {
                "id": c.id,
                "dataset_id": c.dataset_id,
                "document_id": c.document_id,
                "content": c.content,
                "available": c.available,
                "image_id": c.image_id,
                "fields": json.dumps(c.fields),
                "create_time": c.create_time or now,
                "update_time": now,
            }
            for c in chunks
        ]
        with self._db.transaction() as s:
            ChunkRepo(s).upsert(rows)

    def get(self, dataset_id: str, chunk_id: str) -> ChunkRecord | None:
        with self._db.read() as s:
            row = ChunkRepo(s).get(dataset_id, chunk_id)
        return None if row is None else _record(row)

    def list_for_document(
        self, document_id: str, *, keywords: str = "", offset: int = 0, limit: int | None = None
    ) -> tuple[list[ChunkRecord], int]:
        with self._db.read() as s:
            rows, total = ChunkRepo(s).of_document(document_id, keywords=keywords, offset=offset, limit=limit)
        return [_record(r) for r in rows], total

    def delete(self, dataset_id: str, chunk_ids: Collection[str]) -> int:
        with self._db.transaction() as s:
            return ChunkRepo(s).delete(dataset_id, chunk_ids)

    def set_available(self, document_id: str, available: bool) -> int:
        with self._db.transaction() as s:
            return ChunkRepo(s).set_available(document_id, available)


def _record(row: Chunk) -> ChunkRecord:
    return ChunkRecord(
        id=row.id,
        dataset_id=row.dataset_id,
        document_id=row.document_id,
        content=row.content,
        available=row.available,
        image_id=row.image_id,
        fields=json.loads(row.fields),
        create_time=row.create_time,
    )
