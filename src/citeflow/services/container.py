"""The composition root: builds every store and service from the settings, once per process."""

import logging
from dataclasses import dataclass

import httpx

from citeflow.core.settings import Settings
from citeflow.db import Database, upgrade
from citeflow.db.datasets import DatasetRepo
from citeflow.llm import ModelHub, RetryPolicy, UrlGuard
from citeflow.search import Retriever, SearchBackend, SearchIndexes
from citeflow.services.accounts import AccountService, DefaultModels
from citeflow.services.api_keys import ApiKeyService
from citeflow.services.chunks import ChunkService
from citeflow.services.cleanup import BlobJanitor
from citeflow.services.datasets import DatasetService
from citeflow.services.documents import DocumentService, Limits
from citeflow.services.embedding import Embedder
from citeflow.services.models import ModelService
from citeflow.services.password_transport import PasswordTransport
from citeflow.services.retrieval import RetrievalService
from citeflow.services.secrets import SecretBox
from citeflow.services.system import Component, SystemService
from citeflow.storage import LocalBlobStore

log = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    db: Database
    accounts: AccountService
    api_keys: ApiKeyService
    models: ModelService
    system: SystemService
    http: httpx.Client
    datasets: DatasetService
    documents: DocumentService
    indexes: SearchBackend
    chunks: ChunkService
    retrieval: RetrievalService

    @classmethod
    def prepare(cls, settings: Settings) -> None:
        """What one process does before several serve the same data directory: create it,
        migrate the database, create the keys, finish interrupted clean-ups and repair the
        search indexes."""
        cls.open(settings).close()

    @classmethod
    def open(cls, settings: Settings, *, worker: bool = False) -> "Services":
        """Create the data directory, migrate the database and wire the services. A `worker`
        (one of several processes, after `prepare`) leaves the start-up work to `prepare`:
        another process may already be writing files and chunks."""
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        db = Database(
            settings.database_url,
            pool_size=settings.database.pool_size,
            busy_timeout_ms=settings.database.busy_timeout_ms,
        )
        if not worker:
            upgrade(db.engine)
        blobs = LocalBlobStore(settings.data_dir / "files")
        passphrase = settings.auth.rsa_private_key_passphrase
        transport = PasswordTransport.load_or_create(
            settings.rsa_key_path, passphrase.get_secret_value() if passphrase else None
        )
        accounts = AccountService(
            db,
            transport,
            register_enabled=settings.auth.register_enabled,
            session_ttl_ms=settings.auth.session_ttl_seconds * 1000,
            default_models=DefaultModels(
                llm_id=settings.llm.default_chat_model, embd_id=settings.llm.default_embedding_model
            ),
        )
        system = SystemService(
            [
                Component("database", "database", db.dialect, db.ping, "db"),
                Component("storage", "storage", blobs.kind, blobs.health, "storage"),
            ]
        )
        http = httpx.Client(
            timeout=httpx.Timeout(settings.llm.timeout_seconds, connect=settings.llm.connect_timeout_seconds),
            follow_redirects=False,
            trust_env=False,
        )
        hub = ModelHub(
            http,
            UrlGuard(allow_private=settings.llm.allow_private_base_urls),
            RetryPolicy(attempts=settings.llm.retries),
            cache_dir=settings.data_dir / "models",
            threads=settings.llm.effective_threads,
        )
        models = ModelService(db, hub, SecretBox.load_or_create(settings.data_dir / "keys" / "secret.key"))
        janitor = BlobJanitor(db, blobs)
        indexes = SearchIndexes(db, settings.data_dir / "search")
        if not worker:
            janitor.finish_pending()
            blobs.sweep_abandoned_writes()
            with db.read() as s:
                indexes.reconcile(DatasetRepo(s).all_ids())
        db.on_chunks_committed(indexes.follow)
        indexes.start_flushing(settings.search.vector_flush_seconds)
        datasets = DatasetService(db, models, janitor, indexes)
        limits = Limits(settings.documents.max_file_size, settings.documents.max_files_per_tenant)
        documents = DocumentService(db, blobs, janitor, limits)
        embedder = Embedder(models)
        chunks = ChunkService(db, indexes, embedder, janitor)
        retrieval = RetrievalService(db, models, embedder, Retriever(db, indexes), datasets)
        log.info("services ready (database: %s, data dir: %s)", db.dialect, settings.data_dir)
        return cls(
            settings,
            db,
            accounts,
            ApiKeyService(db),
            models,
            system,
            http,
            datasets,
            documents,
            indexes,
            chunks,
            retrieval,
        )

    def close(self) -> None:
        self.indexes.close()
        self.http.close()
        self.db.close()
