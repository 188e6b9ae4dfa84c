"""Repository for tenant API keys. Every read is scoped by tenant, except the key lookup itself."""

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from citeflow.db.models import ApiToken


class ApiTokenRepo:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, token: ApiToken) -> ApiToken:
        self._s.add(token)
        self._s.flush()
        return token

    def list(self, tenant_id: str) -> list[ApiToken]:
        return list(
            self._s.scalars(
                select(ApiToken).where(ApiToken.tenant_id == tenant_id).order_by(ApiToken.create_time)
            )
        )

    def by_hash(self, token_hash: str) -> ApiToken | None:
        """Resolve a presented key; the tenant is what the key tells."""
        return self._s.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash))

    def delete(self, tenant_id: str, token_hash: str, token_display: str) -> int:
        """Delete the tenant's key given in full or in its displayed form; returns rows deleted."""
        result = self._s.execute(
            delete(ApiToken).where(
                ApiToken.tenant_id == tenant_id,
                or_(ApiToken.token_hash == token_hash, ApiToken.token_display == token_display),
            )
        )
        return int(getattr(result, "rowcount", 0) or 0)
