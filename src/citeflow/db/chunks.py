"""Repository for chunk rows, the record of truth that search indexes are built from.

Every write stamps what it touches with the next number of the change sequence (rows it writes,
tombstones for rows it removes), inside the caller's transaction, so indexes can follow the
table by watermark and catch up after a crash.
"""

import json
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, delete, func, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from citeflow.db.engine import CHUNK_DATASETS, CHUNK_SEQ
from citeflow.db.models import Chunk, ChunkTombstone, DatasetChange, SearchSequence

UPSERTED = (
    "content",
    "available",
    "image_id",
    "fields",
    "vector",
    "token_count",
    "page_num",
    "top",
    "seq",
    "update_time",
)


@dataclass(frozen=True, slots=True)
class ChunkText:
    """What a search result shows of a chunk: its row without the vector, which is most of the
    row's bytes and is not needed there."""

    id: str
    dataset_id: str
    document_id: str
    content: str
    image_id: str
    #: RAGFlow's other chunk fields, as JSON text.
    fields: str


@dataclass(frozen=True, slots=True)
class Removed:
    """What a delete took away, for the counters and for blob clean-up."""

    chunks: int
    tokens: int
    images: list[tuple[str, str]]


class ChunkRepo:
    def __init__(self, session: Session) -> None:
        self._s = session

    def _insert(self, table: type[Chunk] | type[DatasetChange]) -> Any:
        """An INSERT of the session's dialect, which can update on conflict."""
        return (pg_insert if self._s.get_bind().dialect.name == "postgresql" else sqlite_insert)(table)

    def _next_seq(self, *dataset_ids: str) -> int:
        """This transaction's change number, taken once under the sequence row's lock; the
        datasets are noted so their indexes catch up once the transaction commits."""
        noted: set[str] = self._s.info.setdefault(CHUNK_DATASETS, set())
        seq: int | None = self._s.info.get(CHUNK_SEQ)
        if seq is None:
            self._s.execute(
                update(SearchSequence).where(SearchSequence.id == 1).values(value=SearchSequence.value + 1)
            )
            seq = self._s.info[CHUNK_SEQ] = int(
                self._s.scalar(select(SearchSequence.value).where(SearchSequence.id == 1)) or 0
            )
        new = [d for d in dataset_ids if d not in noted]
        if new:
            statement = self._insert(DatasetChange).values([{"dataset_id": d, "seq": seq} for d in new])
            self._s.execute(
                statement.on_conflict_do_update(
                    index_elements=[DatasetChange.dataset_id], set_={"seq": statement.excluded.seq}
                )
            )
            noted.update(new)
        return seq

    def upsert(self, rows: Sequence[dict[str, object]]) -> None:
        """Insert chunks, overwriting those whose id exists (same content in the same document)."""
        if not rows:
            return
        seq = self._next_seq(*{str(row["dataset_id"]) for row in rows})
        statement = self._insert(Chunk).values([{**row, "seq": seq} for row in rows])
        statement = statement.on_conflict_do_update(
            index_elements=[Chunk.id], set_={c: statement.excluded[c] for c in UPSERTED}
        )
        self._s.execute(statement)

    def get(self, dataset_id: str, chunk_id: str) -> Chunk | None:
        return self._s.scalar(select(Chunk).where(Chunk.dataset_id == dataset_id, Chunk.id == chunk_id))

    def token_count(self, dataset_id: str, chunk_id: str) -> int | None:
        """The tokens the chunk cost, or None when there is no such chunk."""
        return self._s.scalar(
            select(Chunk.token_count).where(Chunk.dataset_id == dataset_id, Chunk.id == chunk_id)
        )

    def get_any(self, dataset_ids: Collection[str], chunk_id: str) -> Chunk | None:
        """The chunk with that id in any of the datasets."""
        return self._s.scalar(select(Chunk).where(Chunk.dataset_id.in_(dataset_ids), Chunk.id == chunk_id))

    def with_ids(self, chunk_ids: Collection[str]) -> list[Chunk]:
        return list(self._s.scalars(select(Chunk).where(Chunk.id.in_(chunk_ids))))

    def available_texts(self, chunk_ids: Collection[str]) -> list[ChunkText]:
        """Those of the chunks that exist and are switched on."""
        query = select(
            Chunk.id, Chunk.dataset_id, Chunk.document_id, Chunk.content, Chunk.image_id, Chunk.fields
        ).where(Chunk.id.in_(chunk_ids), Chunk.available.is_(True))
        return [ChunkText(*row) for row in self._s.execute(query)]

    def of_document(
        self,
        document_id: str,
        *,
        available: bool | None = None,
        chunk_ids: Collection[str] | None = None,
        offset: int = 0,
        limit: int | None = None,
    ) -> tuple[list[Chunk], int]:
        """A page of the document's chunks in RAGFlow's list order: page, then top (chunks without
        positions last), then newest first; and how many there are."""
        query = select(Chunk).where(Chunk.document_id == document_id)
        if available is not None:
            query = query.where(Chunk.available == available)
        if chunk_ids is not None:
            query = query.where(Chunk.id.in_(chunk_ids))
        total = int(self._s.scalar(select(func.count()).select_from(query.subquery())) or 0)
        query = query.order_by(
            Chunk.page_num.is_(None),
            Chunk.page_num,
            Chunk.top.is_(None),
            Chunk.top,
            Chunk.create_time.desc(),
            Chunk.id,
        ).offset(offset)
        if limit is not None:
            query = query.limit(limit)
        return list(self._s.scalars(query)), total

    def ids_of_documents(self, document_ids: Collection[str]) -> list[str]:
        return list(self._s.scalars(select(Chunk.id).where(Chunk.document_id.in_(document_ids))))

    def delete(self, document_id: str, chunk_ids: Collection[str] | None = None) -> Removed:
        """Delete the document's chunks with those ids (all of them when None)."""
        where = [Chunk.document_id == document_id]
        if chunk_ids is not None:
            where.append(Chunk.id.in_(chunk_ids))
        found = self._s.execute(
            select(Chunk.id, Chunk.dataset_id, Chunk.token_count, Chunk.image_id).where(*where)
        ).all()
        if not found:
            return Removed(0, 0, [])
        seq = self._next_seq(*{row.dataset_id for row in found})
        ids = [row.id for row in found]
        self._s.execute(delete(Chunk).where(*where, Chunk.id.in_(ids)))
        self._s.add_all(
            ChunkTombstone(dataset_id=row.dataset_id, document_id=document_id, chunk_id=row.id, seq=seq)
            for row in found
        )
        images = [(row.dataset_id, row.id) for row in found if row.image_id]
        return Removed(len(found), sum(row.token_count for row in found), images)

    def image_names(self, document_ids: Collection[str]) -> list[tuple[str, str]]:
        """(bucket, object) of the images of the documents' chunks, to remove with them."""
        query = select(Chunk.dataset_id, Chunk.id).where(
            Chunk.document_id.in_(document_ids), Chunk.image_id != ""
        )
        return [(dataset_id, chunk_id) for dataset_id, chunk_id in self._s.execute(query)]

    def delete_documents(self, document_ids: Collection[str]) -> None:
        """Delete every chunk of the documents, leaving a tombstone for each."""
        found = self._s.execute(
            select(Chunk.id, Chunk.dataset_id, Chunk.document_id).where(Chunk.document_id.in_(document_ids))
        ).all()
        if not found:
            return
        seq = self._next_seq(*{row.dataset_id for row in found})
        self._s.execute(delete(Chunk).where(Chunk.document_id.in_(document_ids)))
        self._s.add_all(
            ChunkTombstone(dataset_id=row.dataset_id, document_id=row.document_id, chunk_id=row.id, seq=seq)
            for row in found
        )

    def set_available(
        self, document_id: str, available: bool, chunk_ids: Collection[str] | None = None
    ) -> int:
        """Switch the document's chunks (those ids, or all) on or off for retrieval."""
        where = [Chunk.document_id == document_id]
        if chunk_ids is not None:
            where.append(Chunk.id.in_(chunk_ids))
        dataset_id = self._s.scalar(select(Chunk.dataset_id).where(*where).limit(1))
        if dataset_id is None:
            return 0
        seq = self._next_seq(dataset_id)
        result = self._s.execute(update(Chunk).where(*where).values(available=available, seq=seq))
        return int(getattr(result, "rowcount", 0) or 0)

    def merge_fields(self, document_id: str, changes: dict[str, object]) -> None:
        """Set some open-ended fields on every chunk of the document (a rename retitles them)."""
        rows = self._s.execute(
            select(Chunk.id, Chunk.dataset_id, Chunk.fields).where(Chunk.document_id == document_id)
        ).all()
        if not rows:
            return
        seq = self._next_seq(rows[0].dataset_id)
        for row in rows:
            fields = {**json.loads(row.fields), **changes}
            self._s.execute(
                update(Chunk).where(Chunk.id == row.id).values(fields=json.dumps(fields), seq=seq)
            )

    def texts_after(self, dataset_id: str, after_id: str, limit: int) -> list[tuple[str, str, str]]:
        """(id, content, fields) of the dataset's chunks whose id sorts after `after_id`, by id."""
        query = (
            select(Chunk.id, Chunk.content, Chunk.fields)
            .where(Chunk.dataset_id == dataset_id, Chunk.id > after_id)
            .order_by(Chunk.id)
            .limit(limit)
        )
        return [(row.id, row.content, row.fields) for row in self._s.execute(query)]

    def set_fields(self, dataset_id: str, fields: Mapping[str, str]) -> None:
        """Replace the open-ended fields (JSON text) of those chunks of the dataset."""
        if not fields:
            return
        seq = self._next_seq(dataset_id)
        statement = (
            update(Chunk)
            .where(Chunk.dataset_id == dataset_id, Chunk.id == bindparam("chunk_id"))
            .values(fields=bindparam("new_fields"), seq=seq)
        )
        self._s.connection().execute(
            statement, [{"chunk_id": chunk_id, "new_fields": value} for chunk_id, value in fields.items()]
        )

    def fields_of_datasets(self, dataset_ids: Collection[str]) -> Iterator[str]:
        """The open-ended fields of the datasets' chunks that carry tags."""
        query = select(Chunk.fields).where(
            Chunk.dataset_id.in_(dataset_ids), Chunk.fields.contains('"tag_kwd"')
        )
        yield from self._s.scalars(query.execution_options(yield_per=2000))

    def count(self, dataset_id: str, *, with_vector: bool = False) -> int:
        query = select(func.count()).select_from(Chunk).where(Chunk.dataset_id == dataset_id)
        if with_vector:
            query = query.where(Chunk.vector.is_not(None))
        return int(self._s.scalar(query) or 0)

    def datasets_changed_since(self, after: int) -> dict[str, int]:
        """`{dataset id: its last change number}` of the datasets changed after change `after`."""
        query = select(DatasetChange.dataset_id, DatasetChange.seq).where(DatasetChange.seq > after)
        return {row.dataset_id: int(row.seq) for row in self._s.execute(query)}

    def dataset_seq(self, dataset_id: str) -> int:
        """The last change number of the dataset's chunks (-1: never changed)."""
        seq = self._s.scalar(select(DatasetChange.seq).where(DatasetChange.dataset_id == dataset_id))
        return -1 if seq is None else int(seq)

    def last_seq(self) -> int:
        return int(self._s.scalar(select(SearchSequence.value).where(SearchSequence.id == 1)) or 0)

    def changed_since(self, dataset_id: str, after: int, batch: int = 2000) -> Iterator[list[Chunk]]:
        """The dataset's rows written after change `after`, in batches of at most `batch`, in
        (seq, id) order: the index on (dataset_id, seq, id) serves each batch without sorting."""
        position = (after, "")
        while True:
            rows = list(
                self._s.scalars(
                    select(Chunk)
                    .where(
                        Chunk.dataset_id == dataset_id,
                        Chunk.seq > after,
                        tuple_(Chunk.seq, Chunk.id) > position,
                    )
                    .order_by(Chunk.seq, Chunk.id)
                    .limit(batch)
                )
            )
            if not rows:
                return
            yield rows
            position = (rows[-1].seq, rows[-1].id)

    def tombstones_since(self, dataset_id: str, after: int) -> list[ChunkTombstone]:
        return list(
            self._s.scalars(
                select(ChunkTombstone)
                .where(ChunkTombstone.dataset_id == dataset_id, ChunkTombstone.seq > after)
                .order_by(ChunkTombstone.seq)
            )
        )

    def prune_tombstones(self, dataset_id: str, upto: int) -> None:
        self._s.execute(
            delete(ChunkTombstone).where(ChunkTombstone.dataset_id == dataset_id, ChunkTombstone.seq <= upto)
        )

    def datasets_with_chunks(self) -> list[str]:
        return list(self._s.scalars(select(Chunk.dataset_id).distinct()))
