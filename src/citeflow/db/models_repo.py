"""Repository for the models tenants configure. Every query is scoped by tenant."""

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from citeflow.db.models import TenantModel


class TenantModelRepo:
    def __init__(self, session: Session) -> None:
        self._s = session

    def for_tenant(self, tenant_id: str) -> list[TenantModel]:
        return list(
            self._s.scalars(
                select(TenantModel)
                .where(TenantModel.tenant_id == tenant_id)
                .order_by(TenantModel.llm_factory, TenantModel.llm_name, TenantModel.model_type)
            )
        )

    def find(self, tenant_id: str, factory: str, name: str, kind: str | None = None) -> list[TenantModel]:
        query = select(TenantModel).where(
            TenantModel.tenant_id == tenant_id,
            TenantModel.llm_factory == factory,
            TenantModel.llm_name == name,
        )
        if kind is not None:
            query = query.where(TenantModel.model_type == kind)
        return list(self._s.scalars(query))

    def upsert(self, row: TenantModel) -> TenantModel:
        """Insert `row`, or update the tenant's row with the same factory, name and kind."""
        existing = self.find(row.tenant_id, row.llm_factory, row.llm_name, row.model_type)
        if not existing:
            self._s.add(row)
            self._s.flush()
            return row
        current = existing[0]
        current.api_key_encrypted = row.api_key_encrypted
        current.api_base = row.api_base
        current.max_tokens = row.max_tokens
        current.update_time = row.update_time
        return current

    def delete(self, tenant_id: str, factory: str, name: str | None = None) -> None:
        query = delete(TenantModel).where(
            TenantModel.tenant_id == tenant_id, TenantModel.llm_factory == factory
        )
        if name is not None:
            query = query.where(TenantModel.llm_name == name)
        self._s.execute(query)

    def add_usage(self, tenant_id: str, factory: str, name: str, tokens: int) -> None:
        self._s.execute(
            update(TenantModel)
            .where(
                TenantModel.tenant_id == tenant_id,
                TenantModel.llm_factory == factory,
                TenantModel.llm_name == name,
            )
            .values(used_tokens=TenantModel.used_tokens + tokens)
        )
