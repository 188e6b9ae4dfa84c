"""Repositories for users, tenants, memberships and web sessions."""

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from citeflow.db.models import Tenant, User, UserSession, UserTenant


class UserRepo:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, user: User) -> User:
        self._s.add(user)
        self._s.flush()
        return user

    def get(self, user_id: str) -> User | None:
        return self._s.get(User, user_id)

    def by_email(self, email: str) -> User | None:
        return self._s.scalar(select(User).where(User.email_key == email.lower()))


class TenantRepo:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, tenant: Tenant, owner: UserTenant) -> Tenant:
        self._s.add(tenant)
        self._s.flush()
        self._s.add(owner)
        self._s.flush()
        return tenant

    def owned_by(self, user_id: str) -> Tenant | None:
        """The tenant `user_id` owns (RAGFlow: exactly one, with the same id as the user)."""
        return self._s.scalar(
            select(Tenant)
            .join(UserTenant, UserTenant.tenant_id == Tenant.id)
            .where(UserTenant.user_id == user_id, UserTenant.role == "owner", Tenant.status == "1")
        )

    def get(self, tenant_id: str) -> Tenant | None:
        return self._s.get(Tenant, tenant_id)

    def memberships(self, user_id: str) -> dict[str, str]:
        """Every tenant `user_id` belongs to, with the role there (their own tenant included)."""
        rows = self._s.execute(
            select(UserTenant.tenant_id, UserTenant.role).where(UserTenant.user_id == user_id)
        )
        return {tenant_id: role for tenant_id, role in rows}


class SessionRepo:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, login: UserSession) -> UserSession:
        self._s.add(login)
        self._s.flush()
        return login

    def live_by_hash(self, token_hash: str, now_ms: int) -> tuple[UserSession, User] | None:
        """The unrevoked, unexpired session with this token hash, and its active user."""
        row = self._s.execute(
            select(UserSession, User)
            .join(User, User.id == UserSession.user_id)
            .where(
                UserSession.token_hash == token_hash,
                UserSession.revoked_at.is_(None),
                UserSession.expires_at > now_ms,
                User.status == "1",
            )
        ).first()
        return None if row is None else (row[0], row[1])

    def revoke(self, session_id: str, now_ms: int) -> None:
        self._s.execute(
            update(UserSession)
            .where(UserSession.id == session_id, UserSession.revoked_at.is_(None))
            .values(revoked_at=now_ms, update_time=now_ms)
        )

    def purge_dead(self, user_id: str, now_ms: int) -> None:
        """Forget the user's expired and revoked sessions, so the table does not grow without end."""
        self._s.execute(
            delete(UserSession).where(
                UserSession.user_id == user_id,
                or_(UserSession.expires_at <= now_ms, UserSession.revoked_at.is_not(None)),
            )
        )
