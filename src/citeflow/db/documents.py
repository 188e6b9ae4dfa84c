"""Repository for documents. Callers check dataset access first; reads here are by dataset."""

from collections.abc import Collection

from sqlalchemy import Select, delete, func, or_, select, update
from sqlalchemy.orm import Session

from citeflow.db.models import BlobCleanup, Dataset, Document

DOCUMENT_COLUMNS = frozenset(Document.__table__.columns.keys()) - {"name_key"}


class DocumentRepo:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, document: Document) -> Document:
        self._s.add(document)
        self._s.flush()
        return document

    def get(self, document_id: object) -> Document | None:
        """The document, or None; ids from requests may be of any JSON type."""
        return self._s.get(Document, document_id) if isinstance(document_id, str) else None

    def get_for_update(self, document_id: str) -> Document | None:
        return self._s.scalar(select(Document).where(Document.id == document_id).with_for_update())

    def add_counts(self, document_id: str, *, chunks: int = 0, tokens: int = 0) -> None:
        """Move the document's chunk and token counters by these amounts."""
        self._s.execute(
            update(Document)
            .where(Document.id == document_id)
            .values(chunk_num=Document.chunk_num + chunks, token_num=Document.token_num + tokens)
        )

    def with_ids(self, ids: Collection[str]) -> list[Document]:
        return list(self._s.scalars(select(Document).where(Document.id.in_(ids)))) if ids else []

    def name_taken(self, dataset_id: str, name: str, *, exact: bool = False) -> bool:
        """Whether a document of the dataset has this name (case-insensitively unless `exact`)."""
        column, value = (Document.name, name) if exact else (Document.name_key, name.lower())
        query = select(Document.id).where(Document.dataset_id == dataset_id, column == value)
        return self._s.scalar(query.limit(1)) is not None

    def name_reserved(self, dataset_id: str, name: str) -> bool:
        """Whether an upload in flight holds this name as its reserved blob name (any case)."""
        query = select(BlobCleanup.id).where(
            BlobCleanup.bucket == dataset_id, func.lower(BlobCleanup.name) == name.lower()
        )
        return self._s.scalar(query.limit(1)) is not None

    def location_taken(self, dataset_id: str, location: str) -> bool:
        """Whether a document (file or thumbnail), or an upload or clean-up in flight, uses this blob name."""
        same = Document.location == location
        if location.startswith("thumbnail_"):
            same = or_(same, Document.thumbnail == location)
        in_use = select(Document.id).where(Document.dataset_id == dataset_id, same)
        pending = select(BlobCleanup.id).where(BlobCleanup.bucket == dataset_id, BlobCleanup.name == location)
        return self._s.scalar(in_use.limit(1)) is not None or self._s.scalar(pending.limit(1)) is not None

    def count_for_tenant(self, tenant_id: str) -> int:
        query = select(func.count()).select_from(Document).join(Dataset).where(Dataset.tenant_id == tenant_id)
        return int(self._s.scalar(query) or 0)

    def page(
        self,
        dataset_id: str,
        *,
        document_id: str | None = None,
        name: str | None = None,
        keywords: str = "",
        run_status: Collection[str] = (),
        types: Collection[str] = (),
        suffixes: Collection[str] = (),
        orderby: str = "create_time",
        desc: bool = True,
        offset: int = 0,
        limit: int | None = None,
    ) -> tuple[list[Document], int]:
        """Documents of a dataset, filtered and ordered; one page and the count before paging."""
        query = self._matching(dataset_id, keywords, run_status, types, suffixes)
        if document_id is not None:
            query = query.where(Document.id == document_id)
        if name is not None:
            query = query.where(Document.name == name)
        total = int(self._s.scalar(select(func.count()).select_from(query.subquery())) or 0)
        column = getattr(Document, orderby)
        query = query.order_by(column.desc() if desc else column.asc(), Document.id).offset(offset)
        if limit is not None:
            query = query.limit(limit)
        return list(self._s.scalars(query)), total

    def facets(
        self,
        dataset_id: str,
        keywords: str = "",
        run_status: Collection[str] = (),
        types: Collection[str] = (),
        suffixes: Collection[str] = (),
    ) -> tuple[int, dict[str, int], dict[str, int]]:
        """For `/v1/document/filter`: how many documents match, and their counts by suffix and run."""
        sub = self._matching(dataset_id, keywords, run_status, types, suffixes).subquery()
        by_suffix = dict(self._s.execute(select(sub.c.suffix, func.count()).group_by(sub.c.suffix)).all())
        by_run = dict(self._s.execute(select(sub.c.run, func.count()).group_by(sub.c.run)).all())
        return sum(by_run.values()), by_suffix, by_run

    @staticmethod
    def _matching(
        dataset_id: str,
        keywords: str,
        run_status: Collection[str],
        types: Collection[str],
        suffixes: Collection[str],
    ) -> Select[tuple[Document]]:
        query = select(Document).where(Document.dataset_id == dataset_id)
        if keywords:
            query = query.where(Document.name_key.contains(keywords.lower(), autoescape=True))
        if run_status:
            query = query.where(Document.run.in_(run_status))
        if types:
            query = query.where(Document.type.in_(types))
        if suffixes:
            query = query.where(Document.suffix.in_(suffixes))
        return query

    def remove(self, document_ids: Collection[str]) -> None:
        """Delete documents; the caller takes them out of their datasets' counters."""
        self._s.execute(delete(Document).where(Document.id.in_(document_ids)))
