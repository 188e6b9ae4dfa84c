"""Repository for chunk rows, the record of truth that search indexes are built from."""

from collections.abc import Collection, Sequence

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from citeflow.db.models import Chunk

UPSERTED = ("content", "available", "image_id", "fields", "update_time")


class ChunkRepo:
    def __init__(self, session: Session) -> None:
        self._s = session

    def upsert(self, rows: Sequence[dict[str, object]]) -> None:
        """Insert chunks, overwriting those whose id exists (same content in the same document)."""
        if not rows:
            return
        insert = pg_insert if self._s.get_bind().dialect.name == "postgresql" else sqlite_insert
        statement = insert(Chunk).values(list(rows))
        statement = statement.on_conflict_do_update(
            index_elements=[Chunk.id], set_={c: statement.excluded[c] for c in UPSERTED}
        )
        self._s.execute(statement)

    def get(self, dataset_id: str, chunk_id: str) -> Chunk | None:
        return self._s.scalar(select(Chunk).where(Chunk.dataset_id == dataset_id, Chunk.id == chunk_id))

    def of_document(
        self, document_id: str, *, keywords: str = "", offset: int = 0, limit: int | None = None
    ) -> tuple[list[Chunk], int]:
        query = select(Chunk).where(Chunk.document_id == document_id)
        if keywords:
            query = query.where(func.lower(Chunk.content).contains(keywords.lower(), autoescape=True))
        total = int(self._s.scalar(select(func.count()).select_from(query.subquery())) or 0)
        query = query.order_by(Chunk.create_time, Chunk.id).offset(offset)
        if limit is not None:
            query = query.limit(limit)
        return list(self._s.scalars(query)), total

    def delete(self, dataset_id: str, chunk_ids: Collection[str]) -> int:
        result = self._s.execute(delete(Chunk).where(Chunk.dataset_id == dataset_id, Chunk.id.in_(chunk_ids)))
        return int(getattr(result, "rowcount", 0) or 0)

    def image_names(self, document_ids: Collection[str]) -> list[tuple[str, str]]:
        """(bucket, object) of the images of the documents' chunks, to remove with them."""
        query = select(Chunk.dataset_id, Chunk.id).where(
            Chunk.document_id.in_(document_ids), Chunk.image_id != ""
        )
        return [(dataset_id, chunk_id) for dataset_id, chunk_id in self._s.execute(query)]

    def delete_documents(self, document_ids: Collection[str]) -> None:
        self._s.execute(delete(Chunk).where(Chunk.document_id.in_(document_ids)))

    def set_available(self, document_id: str, available: bool) -> int:
        result = self._s.execute(
            update(Chunk).where(Chunk.document_id == document_id).values(available=available)
        )
        return int(getattr(result, "rowcount", 0) or 0)
