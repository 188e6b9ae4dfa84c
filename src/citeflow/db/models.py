"""SQLAlchemy models of the metadata database. Changes here need an Alembic revision."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

ID = String(32)


class Base(DeclarativeBase):
    pass


class Stamped:
    """RAGFlow's common columns: ms-epoch creation and update times."""

    create_time: Mapped[int] = mapped_column(BigInteger, nullable=False)
    update_time: Mapped[int] = mapped_column(BigInteger, nullable=False)


class User(Stamped, Base):
    __tablename__ = "user"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    email: Mapped[str] = mapped_column(String(255), nullable=False)
    #: Lower-cased email: RAGFlow compares emails case-insensitively (MySQL collation).
    email_key: Mapped[str] = mapped_column(String(255), nullable=False, unique=True)
    nickname: Mapped[str] = mapped_column(String(100), nullable=False)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    avatar: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(32), nullable=False, default="English")
    color_schema: Mapped[str] = mapped_column(String(32), nullable=False, default="Bright")
    timezone: Mapped[str] = mapped_column(String(64), nullable=False, default="UTC+8\tAsia/Shanghai")
    last_login_time: Mapped[int | None] = mapped_column(BigInteger)
    login_channel: Mapped[str] = mapped_column(String(32), nullable=False, default="password")
    status: Mapped[str] = mapped_column(String(1), nullable=False, default="1")
    is_superuser: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class Tenant(Stamped, Base):
    __tablename__ = "tenant"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    llm_id: Mapped[str | None] = mapped_column(String(128))
    embd_id: Mapped[str | None] = mapped_column(String(128))
    asr_id: Mapped[str | None] = mapped_column(String(128))
    img2txt_id: Mapped[str | None] = mapped_column(String(128))
    rerank_id: Mapped[str | None] = mapped_column(String(128))
    tts_id: Mapped[str | None] = mapped_column(String(128))
    parser_ids: Mapped[str] = mapped_column(String(256), nullable=False)
    credit: Mapped[int] = mapped_column(Integer, nullable=False, default=512)
    status: Mapped[str] = mapped_column(String(1), nullable=False, default="1")


class UserTenant(Stamped, Base):
    __tablename__ = "user_tenant"
    __table_args__ = (UniqueConstraint("user_id", "tenant_id"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    user_id: Mapped[str] = mapped_column(ID, ForeignKey("user.id", ondelete="CASCADE"), nullable=False)
    tenant_id: Mapped[str] = mapped_column(
        ID, ForeignKey("tenant.id", ondelete="CASCADE"), nullable=False, index=True
    )
    role: Mapped[str] = mapped_column(String(32), nullable=False)
    invited_by: Mapped[str] = mapped_column(ID, nullable=False)
    status: Mapped[str] = mapped_column(String(1), nullable=False, default="1")


class UserSession(Stamped, Base):
    """A web login. The client holds the secret; only its SHA-256 is stored."""

    __tablename__ = "user_session"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    user_id: Mapped[str] = mapped_column(
        ID, ForeignKey("user.id", ondelete="CASCADE"), nullable=False, index=True
    )
    expires_at: Mapped[int] = mapped_column(BigInteger, nullable=False)
    revoked_at: Mapped[int | None] = mapped_column(BigInteger)


class ApiToken(Stamped, Base):
    """An API key of a tenant. Key and beta token are stored as SHA-256 only."""

    __tablename__ = "api_token"
    __table_args__ = (Index("ix_api_token_tenant_display", "tenant_id", "token_display", unique=True),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ID, ForeignKey("tenant.id", ondelete="CASCADE"), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    #: The key with its middle hidden; shown in lists and accepted by delete.
    token_display: Mapped[str] = mapped_column(String(64), nullable=False)
    beta_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    dialog_id: Mapped[str | None] = mapped_column(ID)
    source: Mapped[str | None] = mapped_column(String(16))


class TenantModel(Stamped, Base):
    """A model a tenant has configured: provider, name, kind, encrypted credentials, usage."""

    __tablename__ = "tenant_llm"
    __table_args__ = (UniqueConstraint("tenant_id", "llm_factory", "llm_name", "model_type"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ID, ForeignKey("tenant.id", ondelete="CASCADE"), nullable=False)
    llm_factory: Mapped[str] = mapped_column(String(128), nullable=False)
    model_type: Mapped[str] = mapped_column(String(32), nullable=False)
    llm_name: Mapped[str] = mapped_column(String(255), nullable=False)
    #: The provider API key, encrypted with the data directory's secret key; None: no key set.
    api_key_encrypted: Mapped[str | None] = mapped_column(Text)
    api_base: Mapped[str] = mapped_column(String(1024), nullable=False, default="")
    max_tokens: Mapped[int] = mapped_column(Integer, nullable=False, default=8192)
    used_tokens: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)


class Dataset(Stamped, Base):
    """A knowledge base. Counters are kept equal to the sums over its documents."""

    __tablename__ = "dataset"
    __table_args__ = (
        # RAGFlow compares dataset names case-insensitively (MySQL collation); `name_key` holds
        # that comparison form so the database itself refuses a race between two creates.
        Index("ix_dataset_tenant_name", "tenant_id", "name_key", unique=True),
        Index("ix_dataset_tenant_created", "tenant_id", "create_time"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ID, ForeignKey("tenant.id", ondelete="CASCADE"), nullable=False)
    created_by: Mapped[str] = mapped_column(ID, nullable=False)
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    name_key: Mapped[str] = mapped_column(String(255), nullable=False)
    avatar: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(32), nullable=False, default="English")
    embd_id: Mapped[str] = mapped_column(String(255), nullable=False)
    permission: Mapped[str] = mapped_column(String(16), nullable=False, default="me")
    parser_id: Mapped[str] = mapped_column(String(32), nullable=False, default="naive")
    parser_config: Mapped[str] = mapped_column(Text, nullable=False)
    similarity_threshold: Mapped[float] = mapped_column(Float, nullable=False, default=0.2)
    vector_similarity_weight: Mapped[float] = mapped_column(Float, nullable=False, default=0.3)
    pagerank: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    doc_num: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    chunk_num: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    token_num: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    status: Mapped[str] = mapped_column(String(1), nullable=False, default="1")


class Document(Stamped, Base):
    """An uploaded file (or a virtual document) of a dataset; its bytes live in blob storage."""

    __tablename__ = "document"
    __table_args__ = (
        Index("ix_document_dataset_created", "dataset_id", "create_time"),
        Index("ix_document_dataset_name", "dataset_id", "name_key"),
        Index("ix_document_dataset_location", "dataset_id", "location"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    dataset_id: Mapped[str] = mapped_column(ID, ForeignKey("dataset.id", ondelete="CASCADE"), nullable=False)
    created_by: Mapped[str] = mapped_column(ID, nullable=False)
    name: Mapped[str] = mapped_column(String(1024), nullable=False)
    #: Lower-cased name: upload de-duplication compares names case-insensitively, as RAGFlow's MySQL does.
    name_key: Mapped[str] = mapped_column(String(1024), nullable=False)
    thumbnail: Mapped[str] = mapped_column(String(1024), nullable=False, default="")
    parser_id: Mapped[str] = mapped_column(String(32), nullable=False)
    parser_config: Mapped[str] = mapped_column(Text, nullable=False)
    source_type: Mapped[str] = mapped_column(String(16), nullable=False, default="local")
    type: Mapped[str] = mapped_column(String(16), nullable=False)
    location: Mapped[str] = mapped_column(String(1024), nullable=False, default="")
    size: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    suffix: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    token_num: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    chunk_num: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    progress: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    progress_msg: Mapped[str] = mapped_column(Text, nullable=False, default="")
    process_begin_at: Mapped[int | None] = mapped_column(BigInteger)
    process_duration: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    meta_fields: Mapped[str] = mapped_column(Text, nullable=False, default="{}")
    run: Mapped[str] = mapped_column(String(1), nullable=False, default="0")
    status: Mapped[str] = mapped_column(String(1), nullable=False, default="1")


class Task(Stamped, Base):
    """A piece of a document's parsing (a page or row range, or the whole document), as RAGFlow's
    task table; plus the lease of the worker running it, so a crashed worker's task runs again."""

    __tablename__ = "task"
    __table_args__ = (
        Index("ix_task_document", "doc_id", "create_time"),
        Index("ix_task_queue", "priority", "create_time"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    doc_id: Mapped[str] = mapped_column(ID, ForeignKey("document.id", ondelete="CASCADE"), nullable=False)
    from_page: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    to_page: Mapped[int] = mapped_column(Integer, nullable=False, default=100_000_000)
    #: "" for chunking; "raptor" or "graphrag" for the follow-up tasks.
    task_type: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    priority: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    begin_at: Mapped[int | None] = mapped_column(BigInteger)
    process_duration: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    #: 0 queued, (0, 1) running, 1 done, -1 failed or cancelled.
    progress: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    progress_msg: Mapped[str] = mapped_column(Text, nullable=False, default="")
    retry_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    digest: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    #: Ids of the chunks the task wrote, space-separated.
    chunk_ids: Mapped[str] = mapped_column(Text, nullable=False, default="")
    cancelled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    #: ms-epoch end of the lease; an unfinished task whose lease ran out is claimed again.
    lease_until: Mapped[int | None] = mapped_column(BigInteger)


class BlobCleanup(Base):
    """Blobs whose rows are gone but whose bytes may still be on storage.

    Deleting a document or dataset removes its rows and adds one of these in the same
    transaction; the bytes are removed afterwards and the entry with them. Entries left by a crash
    are finished at the next start, so nothing stays orphaned."""

    __tablename__ = "blob_cleanup"
    __table_args__ = (Index("ix_blob_cleanup_bucket_name", "bucket", "name"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    bucket: Mapped[str] = mapped_column(String(64), nullable=False)
    #: One object of the bucket, or None for the whole bucket.
    name: Mapped[str | None] = mapped_column(String(1024))
    create_time: Mapped[int] = mapped_column(BigInteger, nullable=False)


class Chunk(Base):
    """A chunk of a document: the record of truth. Search indexes are derived from these rows.

    The columns every chunk has are columns; the rest of RAGFlow's open-ended chunk fields
    (tokens, keywords, questions, positions, knowledge-graph fields…) live in `fields` as JSON."""

    __tablename__ = "chunk"
    __table_args__ = (
        Index("ix_chunk_document", "document_id", "create_time"),
        Index("ix_chunk_dataset_seq", "dataset_id", "seq", "id"),
        # Counts a dataset's embedded chunks without reading their vectors (start-up checks).
        Index(
            "ix_chunk_dataset_embedded",
            "dataset_id",
            sqlite_where=text("vector IS NOT NULL"),
            postgresql_where=text("vector IS NOT NULL"),
        ),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    dataset_id: Mapped[str] = mapped_column(ID, ForeignKey("dataset.id", ondelete="CASCADE"), nullable=False)
    document_id: Mapped[str] = mapped_column(
        ID, ForeignKey("document.id", ondelete="CASCADE"), nullable=False
    )
    content: Mapped[str] = mapped_column(Text, nullable=False)
    available: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    #: `<dataset id>-<chunk id>` when the chunk has an image in blob storage, else "".
    image_id: Mapped[str] = mapped_column(String(96), nullable=False, default="")
    fields: Mapped[str] = mapped_column(Text, nullable=False, default="{}")
    #: The embedding as little-endian float32 bytes; NULL for chunks that are never embedded.
    vector: Mapped[bytes | None] = mapped_column(LargeBinary)
    #: Tokens the chunk's embedding cost, so deleting it takes exactly that off the counters.
    token_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    #: First page and top of the chunk's positions: RAGFlow lists chunks in that order.
    page_num: Mapped[int | None] = mapped_column(Integer)
    top: Mapped[int | None] = mapped_column(Integer)
    #: The change sequence number of the write that last touched the row; see `SearchSequence`.
    seq: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    create_time: Mapped[int] = mapped_column(BigInteger, nullable=False)
    update_time: Mapped[int] = mapped_column(BigInteger, nullable=False)


class SearchSequence(Base):
    """One row counting chunk writes. Each write transaction takes the next number while holding
    this row's lock, so numbers commit in order and search indexes can follow them with a
    watermark: everything at or below it is applied."""

    __tablename__ = "search_sequence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, nullable=False)


class DatasetChange(Base):
    """The last change number that touched each dataset's chunks, so the process that writes
    the search indexes finds which datasets other processes changed without scanning chunks."""

    __tablename__ = "dataset_change"

    dataset_id: Mapped[str] = mapped_column(
        ID, ForeignKey("dataset.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(BigInteger, nullable=False, index=True)


class ChunkTombstone(Base):
    """A chunk removal for the search indexes to apply. Rows at or below every index's watermark
    are pruned."""

    __tablename__ = "chunk_tombstone"
    __table_args__ = (Index("ix_chunk_tombstone_dataset_seq", "dataset_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dataset_id: Mapped[str] = mapped_column(ID, nullable=False)
    document_id: Mapped[str] = mapped_column(ID, nullable=False)
    chunk_id: Mapped[str] = mapped_column(String(32), nullable=False)
    seq: Mapped[int] = mapped_column(BigInteger, nullable=False)
