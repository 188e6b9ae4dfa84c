"""The one settings object. Built once by the CLI (or a test) and passed down; never read globally.

Sources, highest first: explicit values (CLI flags), `CITEFLOW_*` environment variables (nested
fields with `__`, e.g. `CITEFLOW_AUTH__REGISTER_ENABLED=false`), the TOML file named by
`CITEFLOW_CONFIG_FILE`, then the defaults below.
"""

import json
import os
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

CONFIG_FILE_ENV = "CITEFLOW_CONFIG_FILE"


class DatabaseSettings(BaseModel):
    """The metadata database (users, tenants, datasets, documents, tasks…)."""

    url: SecretStr | None = Field(
        None,
        description="SQLAlchemy URL, e.g. `postgresql+psycopg://user:pw@host/db`. "
        "Empty: SQLite at `<data_dir>/citeflow.db`.",
    )
    pool_size: int = Field(10, ge=1, le=200, description="Connections kept open (PostgreSQL only).")
    busy_timeout_ms: int = Field(
        10_000, ge=0, description="How long a SQLite writer waits for a lock before failing."
    )


class AuthSettings(BaseModel):
    """Accounts, sessions and the password transport key."""

    register_enabled: bool = Field(True, description="Whether `POST /v1/user/register` accepts new accounts.")
    session_ttl_seconds: int = Field(
        7 * 24 * 3600,
        ge=1,
        le=365 * 24 * 3600,
        description="Lifetime of a web session token issued by login.",
    )
    rsa_private_key_file: Path | None = Field(
        None,
        description="PEM private key for the RSA password transport. Empty: a 2048-bit key "
        "generated on first start at `<data_dir>/keys/rsa_private.pem`.",
    )
    rsa_private_key_passphrase: SecretStr | None = Field(
        None, description="Passphrase of `rsa_private_key_file`, if it is encrypted."
    )


class HttpSettings(BaseModel):
    """The HTTP front door."""

    max_content_length: int = Field(
        1024**3, ge=1024, description="Largest accepted request body in bytes (RAGFlow: 1 GiB)."
    )
    cors_origins: list[str] = Field(
        default_factory=lambda: ["*"], description="Origins allowed by CORS; `*` allows any."
    )


class LlmSettings(BaseModel):
    """Model providers."""

    allow_private_base_urls: bool = Field(
        True,
        description="Whether tenants may point providers at loopback or private addresses (Ollama on "
        "localhost, vLLM on the LAN). Link-local addresses (cloud metadata) are always refused.",
    )
    timeout_seconds: float = Field(120.0, gt=0, description="How long one provider call may take.")
    connect_timeout_seconds: float = Field(
        10.0, gt=0, description="How long connecting to a provider may take."
    )
    retries: int = Field(
        3, ge=1, le=10, description="Attempts per provider call on 429, 5xx and network errors."
    )
    threads: int = Field(
        0, ge=0, le=256, description="CPU threads for built-in models; 0: all cores but one (at least 1)."
    )
    default_chat_model: str = Field(
        "SmolLM2-135M-Instruct@Builtin", description="The chat model (`llm_id`) a new tenant starts with."
    )
    default_embedding_model: str = Field(
        "all-MiniLM-L6-v2@Builtin", description="The embedding model (`embd_id`) a new tenant starts with."
    )

    @property
    def effective_threads(self) -> int:
        return self.threads or max(1, (os.cpu_count() or 2) - 1)


class DocumentSettings(BaseModel):
    """Uploaded documents."""

    max_file_size: int = Field(
        1024**3,
        ge=0,
        description="Largest accepted file in bytes; a larger file is refused with a per-file error. "
        "The whole request is bounded by `http.max_content_length`.",
    )
    max_files_per_tenant: int = Field(
        0,
        ge=0,
        description="Most documents a tenant may hold (RAGFlow's `MAX_FILE_NUM_PER_USER`); 0: no limit.",
    )
    max_files_per_request: int = Field(10_000, ge=1, description="Most files one multipart upload may carry.")


class SearchSettings(BaseModel):
    """Search indexes."""

    vector_flush_seconds: float = Field(
        5.0,
        gt=0,
        description="How often changed vector indexes are saved; after a crash, changes since the last "
        "save are replayed from the database.",
    )


class LogSettings(BaseModel):
    """Logging."""

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO", description="Log level.")
    format: Literal["json", "text"] = Field(
        "json", description="`json`: one JSON object a line; `text`: human-readable."
    )


class Settings(BaseSettings):
    """Everything citeflow can be configured with."""

    model_config = SettingsConfigDict(
        env_prefix="CITEFLOW_", env_nested_delimiter="__", extra="forbid", validate_default=True
    )

    data_dir: Path = Field(
        Path("citeflow-data"), description="The one directory holding all state (database, files, keys)."
    )
    host: str = Field("0.0.0.0", description="Address `citeflow serve` binds.")
    port: int = Field(9380, ge=0, le=65535, description="Port `citeflow serve` binds (0: any free port).")
    workers: int = Field(
        1,
        ge=1,
        le=64,
        description="Processes `citeflow serve` answers requests with: one per core serves the most "
        "searches per second.",
    )
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    http: HttpSettings = Field(default_factory=HttpSettings)
    llm: LlmSettings = Field(default_factory=LlmSettings)
    documents: DocumentSettings = Field(default_factory=DocumentSettings)
    search: SearchSettings = Field(default_factory=SearchSettings)
    log: LogSettings = Field(default_factory=LogSettings)

    @field_validator("data_dir")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        config_file = os.environ.get(CONFIG_FILE_ENV)
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if config_file:
            if not Path(config_file).is_file():
                raise FileNotFoundError(f"settings file {config_file} does not exist")
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=Path(config_file)))
        return tuple(sources)

    @property
    def database_url(self) -> str:
        """The effective SQLAlchemy URL."""
        if self.database.url is not None and self.database.url.get_secret_value():
            return self.database.url.get_secret_value()
        return f"sqlite:///{self.data_dir / 'citeflow.db'}"

    @property
    def rsa_key_path(self) -> Path:
        return self.auth.rsa_private_key_file or self.data_dir / "keys" / "rsa_private.pem"

    def masked(self) -> dict[str, Any]:
        """The effective settings as plain data, secrets shown as `**********`."""
        data = self.model_dump(mode="json")
        data["database"]["effective_url"] = _mask_url(self.database_url)
        return data


def _mask_url(url: str) -> str:
    """Hide the password of a database URL."""
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not at or ":" not in credentials:
        return url
    user = credentials.split(":", 1)[0]
    return f"{scheme}{sep}{user}:**********@{host}"


def reference_markdown() -> str:
    """The configuration reference (docs/configuration.md), generated from the fields above."""
    lines = [
        "# Configuration reference",
        "",
        "Generated from `citeflow.core.settings.Settings` by `citeflow config --reference`;",
        "a test fails when this page and the code disagree.",
        "",
        "Every setting can be given as an environment variable (nested fields joined with `__`) or in",
        f"a TOML file named by `{CONFIG_FILE_ENV}` (nested fields as tables, e.g. `[auth]`).",
        "The flags `--data-dir`, `--host` and `--port` win over the environment, which wins over the file.",
        "In the environment, booleans are `true` or `false` and lists are JSON:",
        "`CITEFLOW_HTTP__CORS_ORIGINS='[\"https://a.example\"]'`.",
        "",
        "| setting | environment variable | default | description |",
        "|---|---|---|---|",
    ]
    lines += _reference_rows(Settings, prefix="", env_prefix="CITEFLOW_")
    return "\n".join(lines) + "\n"


def _reference_rows(model: type[BaseModel], prefix: str, env_prefix: str) -> list[str]:
    rows: list[str] = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            rows += _reference_rows(annotation, f"{prefix}{name}.", f"{env_prefix}{name.upper()}__")
            continue
        default = field.get_default(call_default_factory=True)
        shown = "`./citeflow-data`" if name == "data_dir" else _shown(default)
        description = field.description or model.__doc__ or ""
        if get_origin(annotation) is Literal:
            description += " One of " + ", ".join(f"`{choice}`" for choice in get_args(annotation)) + "."
        description = description.replace("|", "\\|")
        rows.append(f"| `{prefix}{name}` | `{env_prefix}{name.upper()}` | {shown} | {description} |")
    return rows


def _shown(default: Any) -> str:
    """A default as it would be written in TOML or the environment (`true`, `["*"]`), or blank."""
    if default is None:
        return ""
    if isinstance(default, bool | list | dict):
        return f"`{json.dumps(default)}`"
    return f"`{default}`"
