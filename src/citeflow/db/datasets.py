"""Repository for datasets, their documents' counters and blob clean-up entries."""

from collections.abc import Collection

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from citeflow.db.models import BlobCleanup, Dataset, Document, User


class DatasetRepo:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, dataset: Dataset) -> Dataset:
        self._s.add(dataset)
        self._s.flush()
        return dataset

    def get(self, dataset_id: object) -> Dataset | None:
        """The dataset, or None; ids from requests may be of any JSON type."""
        return self._s.get(Dataset, dataset_id) if isinstance(dataset_id, str) else None

    def get_for_update(self, dataset_id: object) -> Dataset | None:
        if not isinstance(dataset_id, str):
            return None
        return self._s.scalar(select(Dataset).where(Dataset.id == dataset_id).with_for_update())

    def by_name_key(self, tenant_id: str, name_key: str) -> Dataset | None:
        return self._s.scalar(
            select(Dataset).where(Dataset.tenant_id == tenant_id, Dataset.name_key == name_key)
        )

    def with_ids(self, ids: Collection[str]) -> list[Dataset]:
        return list(self._s.scalars(select(Dataset).where(Dataset.id.in_(ids)))) if ids else []

    def all_ids(self) -> set[str]:
        return set(self._s.scalars(select(Dataset.id)))

    def of_tenant(self, tenant_id: str) -> list[Dataset]:
        return list(self._s.scalars(select(Dataset).where(Dataset.tenant_id == tenant_id)))

    def exists_in(
        self, tenant_ids: Collection[str], *, dataset_id: str | None = None, name: str | None = None
    ) -> bool:
        query = select(Dataset.id).where(Dataset.tenant_id.in_(tenant_ids), Dataset.status == "1")
        if dataset_id is not None:
            query = query.where(Dataset.id == dataset_id)
        if name is not None:
            query = query.where(Dataset.name == name)
        return self._s.scalar(query.limit(1)) is not None

    def visible(
        self,
        own_tenant: str,
        team_tenants: Collection[str],
        *,
        dataset_id: str | None = None,
        name: str | None = None,
        keywords: str = "",
        parser_id: str | None = None,
        owner_ids: Collection[str] | None = None,
        orderby: str = "create_time",
        desc: bool = True,
        page: int = 0,
        page_size: int = 0,
    ) -> tuple[list[tuple[Dataset, User | None]], int]:
        """Datasets a caller may list: their own, plus `team` datasets of tenants they joined as
        members; returns one page (all when page or page_size is 0) and the total count."""
        visible = or_(
            Dataset.tenant_id == own_tenant,
            (Dataset.tenant_id.in_(team_tenants)) & (Dataset.permission == "team"),
        )
        query = (
            select(Dataset, User)
            .outerjoin(User, User.id == Dataset.tenant_id)
            .where(visible, Dataset.status == "1")
        )
        if dataset_id is not None:
            query = query.where(Dataset.id == dataset_id)
        if name:
            query = query.where(Dataset.name == name)
        if keywords:
            query = query.where(func.lower(Dataset.name).contains(keywords.lower(), autoescape=True))
        if parser_id:
            query = query.where(Dataset.parser_id == parser_id)
        if owner_ids is not None:
            query = query.where(Dataset.tenant_id.in_(owner_ids))
        total = self._s.scalar(select(func.count()).select_from(query.subquery())) or 0
        column = getattr(Dataset, orderby)
        query = query.order_by(column.desc() if desc else column.asc(), Dataset.id)
        if page and page_size:
            query = query.offset((page - 1) * page_size).limit(page_size)
        return [(d, u) for d, u in self._s.execute(query)], total

    def total_size(self, dataset_id: str) -> int:
        return int(
            self._s.scalar(
                select(func.coalesce(func.sum(Document.size), 0)).where(Document.dataset_id == dataset_id)
            )
            or 0
        )

    def add_counts(self, dataset_id: str, *, documents: int = 0, chunks: int = 0, tokens: int = 0) -> None:
        """Move the dataset's counters by these amounts (negative to take away)."""
        self._s.execute(
            update(Dataset)
            .where(Dataset.id == dataset_id)
            .values(
                doc_num=Dataset.doc_num + documents,
                chunk_num=Dataset.chunk_num + chunks,
                token_num=Dataset.token_num + tokens,
            )
        )

    def document_meta(self, dataset_ids: Collection[str]) -> list[tuple[str, str]]:
        """(document id, meta_fields JSON) of every document of the datasets that has meta fields."""
        query = select(Document.id, Document.meta_fields).where(
            Document.dataset_id.in_(dataset_ids), Document.meta_fields != "{}"
        )
        return [(doc_id, meta) for doc_id, meta in self._s.execute(query.order_by(Document.create_time))]

    def remove(self, dataset_ids: Collection[str]) -> None:
        """Delete datasets and their documents; the caller queues their blobs for removal."""
        self._s.execute(delete(Document).where(Document.dataset_id.in_(dataset_ids)))
        self._s.execute(delete(Dataset).where(Dataset.id.in_(dataset_ids)))


class CleanupRepo:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, entry: BlobCleanup) -> None:
        self._s.add(entry)

    def pending(self, limit: int = 1000) -> list[BlobCleanup]:
        return list(self._s.scalars(select(BlobCleanup).order_by(BlobCleanup.create_time).limit(limit)))

    def done(self, entry_id: str) -> None:
        self._s.execute(delete(BlobCleanup).where(BlobCleanup.id == entry_id))
