"""Accounts: registration, login sessions, profile and tenant settings."""

import re
from dataclasses import dataclass, fields
from typing import Any

from citeflow.core.clock import now_ms
from citeflow.core.errors import (
    AuthenticationFailed,
    DataError,
    InvalidArgument,
    OperatingError,
    Unauthenticated,
)
from citeflow.core.ids import new_id
from citeflow.db import Database
from citeflow.db.accounts import SessionRepo, TenantRepo, UserRepo
from citeflow.db.models import Tenant, User, UserSession, UserTenant
from citeflow.services.caller import Caller
from citeflow.services.password_transport import PasswordTransport
from citeflow.services.secrets import hash_password, new_token, sha256_hex, verify_password
from citeflow.services.validation import clean_text, is_storable, is_unicode

EMAIL_PATTERN = re.compile(r"^[\w\._-]+@([\w_-]+\.)+[\w-]{2,}$")
DEFAULT_PARSER_IDS = (
    "naive:General,qa:Q&A,resume:Resume,manual:Manual,table:Table,paper:Paper,book:Book,"
    "laws:Laws,presentation:Presentation,picture:Picture,one:One,audio:Audio,email:Email,tag:Tag"
)
MAX_PASSWORD_CHARS = 512
#: The longest stored email and tenant name (the column widths).
MAX_EMAIL_CHARS = 255
MAX_TENANT_NAME_CHARS = 100
TENANT_NAME_SUFFIX = "\u2018s Kingdom"
#: User fields a client may change through `/v1/user/setting`, with their length limits.
EDITABLE_PROFILE = {"nickname": 100, "avatar": 2_000_000, "language": 32, "color_schema": 32, "timezone": 64}
#: Fields of the user record that `/v1/user/setting` silently ignores, as RAGFlow does.
READ_ONLY_PROFILE = frozenset(
    {
        "id",
        "email",
        "status",
        "is_superuser",
        "login_channel",
        "is_anonymous",
        "is_active",
        "is_authenticated",
        "last_login_time",
        "access_token",
        "create_time",
        "create_date",
        "update_time",
        "update_date",
    }
)
MODEL_FIELDS = ("llm_id", "embd_id", "asr_id", "img2txt_id", "rerank_id", "tts_id")
#: The tenant field holding the default model of each model kind.
DEFAULT_MODEL_FIELD = {
    "chat": "llm_id",
    "embedding": "embd_id",
    "rerank": "rerank_id",
    "image2text": "img2txt_id",
    "speech2text": "asr_id",
    "tts": "tts_id",
}


@dataclass(frozen=True, slots=True)
class DefaultModels:
    """The model ids a new tenant starts with (`name@factory`, empty when none is configured)."""

    llm_id: str = ""
    embd_id: str = ""
    asr_id: str = ""
    img2txt_id: str = ""
    rerank_id: str = ""
    tts_id: str = ""


@dataclass(frozen=True, slots=True)
class Account:
    id: str
    email: str
    nickname: str
    avatar: str | None
    language: str
    color_schema: str
    timezone: str
    last_login_time: int | None
    login_channel: str
    status: str
    is_superuser: bool
    create_time: int
    update_time: int

    @classmethod
    def of(cls, row: User) -> "Account":
        return cls(**{f.name: getattr(row, f.name) for f in fields(cls)})


@dataclass(frozen=True, slots=True)
class TenantInfo:
    tenant_id: str
    name: str
    llm_id: str | None
    embd_id: str | None
    rerank_id: str | None
    asr_id: str | None
    img2txt_id: str | None
    tts_id: str | None
    parser_ids: str
    role: str = "owner"

    @classmethod
    def of(cls, row: Tenant) -> "TenantInfo":
        return cls(
            tenant_id=row.id,
            name=row.name,
            llm_id=row.llm_id,
            embd_id=row.embd_id,
            rerank_id=row.rerank_id,
            asr_id=row.asr_id,
            img2txt_id=row.img2txt_id,
            tts_id=row.tts_id,
            parser_ids=row.parser_ids,
        )


@dataclass(frozen=True, slots=True)
class Login:
    """A fresh web session: `token` goes to the client once and is never stored."""

    account: Account
    token: str
    session_id: str


class AccountService:
    def __init__(
        self,
        db: Database,
        transport: PasswordTransport,
        *,
        register_enabled: bool,
        session_ttl_ms: int,
        default_models: DefaultModels = DefaultModels(),
    ) -> None:
        self._db = db
        self._transport = transport
        self._register_enabled = register_enabled
        self._session_ttl_ms = session_ttl_ms
        self._default_models = default_models

    @property
    def register_enabled(self) -> bool:
        return self._register_enabled

    @property
    def public_key_pem(self) -> str:
        return self._transport.public_key_pem

    def register(self, *, email: object, nickname: object, password: object) -> Login:
        """Sign up through the web API: refused when registration is switched off."""
        if not self._register_enabled:
            raise OperatingError("User registration is disabled!", data=False)
        return self.create_user(email=email, nickname=nickname, password=password, log_in=True)

    def create_user(self, *, email: object, nickname: object, password: object, log_in: bool) -> Login:
        """A user, their own tenant and its owner membership, all in one transaction."""
        if not isinstance(email, str) or not EMAIL_PATTERN.match(email) or len(email) > MAX_EMAIL_CHARS:
            raise OperatingError(f"Invalid email address: {email}!", data=False)
        name = clean_text(nickname, "nickname", min_len=1, max_len=100)
        with self._db.read() as s:
            self._ensure_email_free(UserRepo(s), email)
        password_hash = hash_password(self._password(password))
        try:
            return self._insert_user(email, name, password_hash, log_in=log_in)
        except OperatingError:
            # A concurrent registration of the same email won the unique index: say so precisely.
            with self._db.read() as s:
                self._ensure_email_free(UserRepo(s), email)
            raise

    def _insert_user(self, email: str, name: str, password_hash: str, *, log_in: bool) -> Login:
        now = now_ms()
        with self._db.transaction() as s:
            users = UserRepo(s)
            self._ensure_email_free(users, email)
            user = users.add(
                User(
                    id=new_id(),
                    email=email,
                    email_key=email.lower(),
                    nickname=name,
                    password_hash=password_hash,
                    last_login_time=now if log_in else None,
                    language="English",
                    color_schema="Bright",
                    timezone="UTC+8\tAsia/Shanghai",
                    login_channel="password",
                    status="1",
                    is_superuser=False,
                    create_time=now,
                    update_time=now,
                )
            )
            tenant = Tenant(
                id=user.id,
                name=tenant_name(name),
                parser_ids=DEFAULT_PARSER_IDS,
                credit=512,
                status="1",
                create_time=now,
                update_time=now,
                **{f: getattr(self._default_models, f) for f in MODEL_FIELDS},
            )
            owner = UserTenant(
                id=new_id(),
                user_id=user.id,
                tenant_id=tenant.id,
                role="owner",
                invited_by=user.id,
                status="1",
                create_time=now,
                update_time=now,
            )
            TenantRepo(s).add(tenant, owner)
            token, session_id = self._open_session(s, user.id, now) if log_in else ("", "")
            return Login(Account.of(user), token, session_id)

    def login(self, *, email: object, password: object) -> Login:
        known = None
        if isinstance(email, str) and is_storable(email) and len(email) <= MAX_EMAIL_CHARS:
            with self._db.read() as s:
                known = UserRepo(s).by_email(email)
        if known is None:
            raise AuthenticationFailed(f"Email: {email} is not registered!", data=False)
        plain = self._transport.decode(password)
        if known.status != "1" or not verify_password(known.password_hash, plain):
            raise AuthenticationFailed("Email and password do not match!", data=False)
        now = now_ms()
        with self._db.transaction() as s:
            user = UserRepo(s).get(known.id)
            if user is None:
                raise AuthenticationFailed("Email and password do not match!", data=False)
            user.last_login_time = now
            user.update_time = now
            token, session_id = self._open_session(s, user.id, now)
            return Login(Account.of(user), token, session_id)

    def caller_for_email(self, email: str) -> Caller:
        """Act as the user with this email (for administrative commands run on the server)."""
        with self._db.read() as s:
            user = UserRepo(s).by_email(email)
        if user is None:
            raise DataError(f"Email: {email} is not registered!")
        return Caller(user_id=user.id, tenant_id=user.id, via="admin")

    def logout(self, caller: Caller) -> None:
        if caller.session_id is None:
            return
        with self._db.transaction() as s:
            SessionRepo(s).revoke(caller.session_id, now_ms())

    def authenticate(self, token: str) -> Caller:
        """The caller behind a session token; Unauthenticated if it is unknown, revoked or expired."""
        if not token:
            raise Unauthenticated("No valid session: log in again.")
        with self._db.read() as s:
            found = SessionRepo(s).live_by_hash(sha256_hex(token), now_ms())
        if found is None:
            raise Unauthenticated("No valid session: log in again.")
        login, user = found
        return Caller(user_id=user.id, tenant_id=user.id, via="session", session_id=login.id)

    def account(self, caller: Caller) -> Account:
        with self._db.read() as s:
            return Account.of(self._user(UserRepo(s), caller))

    def update_profile(self, caller: Caller, changes: dict[str, Any]) -> None:
        """`/v1/user/setting`: profile fields, and a password change when the old one is given."""
        updates: dict[str, Any] = {}
        for key, value in changes.items():
            if key in ("password", "new_password") or key in READ_ONLY_PROFILE:
                continue
            if key not in EDITABLE_PROFILE:
                raise InvalidArgument(f"Parameter {key} isn't allowed", data=None)
            updates[key] = clean_text(
                value, key, max_len=EDITABLE_PROFILE[key], min_len=int(key == "nickname")
            )
        new_hash = None
        if changes.get("password"):
            with self._db.read() as s:
                current = self._user(UserRepo(s), caller)
            if not verify_password(current.password_hash, self._transport.decode(changes["password"])):
                raise AuthenticationFailed("Password error!", data=False)
            if changes.get("new_password"):
                new_hash = hash_password(self._password(changes["new_password"]))
        with self._db.transaction() as s:
            user = self._user(UserRepo(s), caller)
            for key, value in updates.items():
                setattr(user, key, value)
            if new_hash is not None:
                user.password_hash = new_hash
            user.update_time = now_ms()

    def tenant_info(self, caller: Caller) -> TenantInfo:
        with self._db.read() as s:
            tenant = TenantRepo(s).owned_by(caller.user_id)
            if tenant is None:
                raise DataError("Tenant not found!")
            return TenantInfo.of(tenant)

    def set_tenant_info(self, caller: Caller, tenant_id: object, changes: dict[str, Any]) -> None:
        """Set the tenant's default models. Only the tenant's owner may (RAGFlow checks nobody)."""
        updates: dict[str, Any] = {}
        for key, value in changes.items():
            if key == "name":
                updates[key] = clean_text(value, key, min_len=1, max_len=100)
            elif key in MODEL_FIELDS:
                updates[key] = None if value is None else clean_text(value, key, max_len=128)
            elif key not in ("tenant_id", "role"):
                raise InvalidArgument(f"Parameter {key} isn't allowed", data=None)
        with self._db.transaction() as s:
            tenant = TenantRepo(s).owned_by(caller.user_id)
            if tenant is None or tenant.id != tenant_id:
                raise AuthenticationFailed("No authorization.", data=False)
            for key, value in updates.items():
                setattr(tenant, key, value)
            tenant.update_time = now_ms()

    def set_default_model(self, caller: Caller, kind: str, model_id: str) -> None:
        """Make `model_id` the tenant's default model of `kind` (chat, embedding, …)."""
        self.set_tenant_info(caller, caller.tenant_id, {DEFAULT_MODEL_FIELD[kind]: model_id})

    def _open_session(self, s: Any, user_id: str, now: int) -> tuple[str, str]:
        token = new_token(43)
        sessions = SessionRepo(s)
        sessions.purge_dead(user_id, now)
        session = sessions.add(
            UserSession(
                id=new_id(),
                token_hash=sha256_hex(token),
                user_id=user_id,
                expires_at=now + self._session_ttl_ms,
                create_time=now,
                update_time=now,
            )
        )
        return token, session.id

    def _password(self, field: object) -> str:
        plain = self._transport.decode(field)
        if not plain:
            raise InvalidArgument("`password` can't be empty.", data=None)
        if len(plain) > MAX_PASSWORD_CHARS:
            raise InvalidArgument(f"`password` is longer than {MAX_PASSWORD_CHARS} characters.", data=None)
        if not is_unicode(plain):
            raise InvalidArgument("`password` is not valid Unicode text.", data=None)
        return plain

    @staticmethod
    def _ensure_email_free(users: UserRepo, email: str) -> None:
        if users.by_email(email) is not None:
            raise OperatingError(f"Email: {email} has already registered!", data=False)

    @staticmethod
    def _user(users: UserRepo, caller: Caller) -> User:
        user = users.get(caller.user_id)
        if user is None:
            raise Unauthenticated("No valid session: log in again.")
        return user


def tenant_name(nickname: str) -> str:
    """RAGFlow's tenant name: the nickname, then `TENANT_NAME_SUFFIX`; cut to fit the column."""
    return nickname[: MAX_TENANT_NAME_CHARS - len(TENANT_NAME_SUFFIX)] + TENANT_NAME_SUFFIX
