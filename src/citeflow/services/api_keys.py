"""Tenant API keys: shown in full once, stored as hashes, resolved to a caller on every request."""

from dataclasses import dataclass

from citeflow.core.clock import now_ms
from citeflow.core.errors import AuthenticationFailed, DataError
from citeflow.core.ids import new_id
from citeflow.db import Database
from citeflow.db.accounts import TenantRepo
from citeflow.db.api_tokens import ApiTokenRepo
from citeflow.db.cache import VersionedCache
from citeflow.db.models import ApiToken
from citeflow.services.caller import Caller
from citeflow.services.secrets import display_form, new_api_key, new_token, sha256_hex


@dataclass(frozen=True, slots=True)
class ApiKey:
    """An API key as listed: `token` is the display form unless the key was just created."""

    tenant_id: str
    token: str
    beta: str
    dialog_id: str | None
    source: str | None
    create_time: int
    update_time: int


class ApiKeyService:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._tenants: VersionedCache[str | None] = VersionedCache(db)

    def create(self, caller: Caller) -> ApiKey:
        """A new key for the caller's own tenant; the only time the full key and beta are returned."""
        key, beta = new_api_key(), new_token(32)
        now = now_ms()
        with self._db.transaction() as s:
            tenant = TenantRepo(s).owned_by(caller.user_id)
            if tenant is None:
                raise DataError("Tenant not found!")
            ApiTokenRepo(s).add(
                ApiToken(
                    id=new_id(),
                    tenant_id=tenant.id,
                    token_hash=sha256_hex(key),
                    token_display=display_form(key),
                    beta_hash=sha256_hex(beta),
                    create_time=now,
                    update_time=now,
                )
            )
        return ApiKey(tenant.id, key, beta, None, None, now, now)

    def list(self, caller: Caller) -> list[ApiKey]:
        with self._db.read() as s:
            tenant = TenantRepo(s).owned_by(caller.user_id)
            if tenant is None:
                raise DataError("Tenant not found!")
            rows = ApiTokenRepo(s).list(tenant.id)
        return [
            ApiKey(r.tenant_id, r.token_display, "", r.dialog_id, r.source, r.create_time, r.update_time)
            for r in rows
        ]

    def delete(self, caller: Caller, token: str) -> None:
        """Delete one of the caller's keys, named in full or by its display form; others are untouched."""
        if "\x00" in token:
            return  # no issued key or display form holds a NUL, and PostgreSQL cannot even compare one
        with self._db.transaction() as s:
            ApiTokenRepo(s).delete(caller.user_id, sha256_hex(token), token)

    def authenticate(self, key: str) -> Caller:
        digest = sha256_hex(key)
        tenant_id = self._tenants.get(digest, lambda: self._tenant_of(digest))
        if tenant_id is None:
            raise AuthenticationFailed("Authentication error: API key is invalid!", data=False)
        return Caller(user_id=tenant_id, tenant_id=tenant_id, via="api_key")

    def _tenant_of(self, digest: str) -> str | None:
        with self._db.read() as s:
            row = ApiTokenRepo(s).by_hash(digest)
        return None if row is None else row.tenant_id
