"""Engine and unit-of-work for the metadata database (SQLite by default, PostgreSQL to scale out)."""

import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from citeflow.core.errors import CiteflowError, InvalidArgument, OperatingError, StoreUnavailable

log = logging.getLogger(__name__)

#: Session info key under which chunk writes record the datasets they touched.
CHUNK_DATASETS = "chunk_datasets"
#: Session info key holding the transaction's chunk change number, once taken.
CHUNK_SEQ = "chunk_seq"


class Database:
    """Owns the engine; hands out one session per unit of work."""

    def __init__(self, url: str, *, pool_size: int = 10, busy_timeout_ms: int = 10_000) -> None:
        self.url = url
        self.dialect = url.split(":", 1)[0].split("+", 1)[0]
        self.engine = _make_engine(url, pool_size=pool_size, busy_timeout_ms=busy_timeout_ms)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._readers = sessionmaker(self.engine.execution_options(readonly=True), expire_on_commit=False)
        self._chunk_listeners: list[Callable[[set[str]], None]] = []
        self._version_lock = threading.Lock()
        self._version_conn: sqlite3.Connection | None = None
        database = self.engine.url.database
        self._version_path = (
            database if self.dialect == "sqlite" and database not in (None, "", ":memory:") else None
        )

    def version(self) -> int | None:
        """A number that changes whenever any connection, of this process or another, commits;
        None when the database cannot tell cheaply (PostgreSQL). What was read at one version
        still holds while the version stays the same."""
        if self._version_path is None:
            return None
        with self._version_lock:
            try:
                if self._version_conn is None:
                    self._version_conn = sqlite3.connect(
                        self._version_path, check_same_thread=False, isolation_level=None
                    )
                return int(self._version_conn.execute("PRAGMA data_version").fetchone()[0])
            except sqlite3.Error:
                return None

    def on_chunks_committed(self, listener: Callable[[set[str]], None]) -> None:
        """Call `listener` with the ids of the datasets whose chunks a transaction changed, after
        it commits (search indexes follow the chunk table this way)."""
        self._chunk_listeners.append(listener)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work that may write: commits when the block ends, rolls back when it raises."""
        with db_errors(), self._sessions.begin() as session:
            yield session
        session.info.pop(CHUNK_SEQ, None)
        changed: set[str] = session.info.pop(CHUNK_DATASETS, set())
        if changed:
            for listener in self._chunk_listeners:
                listener(changed)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only unit of work; on SQLite it does not queue behind writers."""
        with db_errors(), self._readers.begin() as session:
            yield session

    def ping(self) -> float:
        """Round-trip a trivial query; returns the latency in milliseconds."""
        started = time.perf_counter()
        with db_errors(), self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return (time.perf_counter() - started) * 1000

    def close(self) -> None:
        with self._version_lock:
            if self._version_conn is not None:
                self._version_conn.close()
                self._version_conn = None
        self.engine.dispose()


@contextmanager
def db_errors() -> Iterator[None]:
    """Translate driver errors into citeflow errors; nothing above this layer sees SQLAlchemy."""
    try:
        yield
    except CiteflowError:
        raise
    except IntegrityError as exc:
        log.warning("integrity error: %s", exc.orig)
        raise OperatingError("The record conflicts with an existing one.", data=None) from exc
    except DataError as exc:
        log.warning("value refused by the database: %s", exc.orig)
        raise InvalidArgument(
            "A value is too long or contains characters that cannot be stored.", data=None
        ) from exc
    except DBAPIError as exc:
        log.error("metadata database error: %s", exc.orig if exc.orig is not None else exc)
        raise StoreUnavailable("The metadata database is unavailable; try again shortly.", data=None) from exc


def _make_engine(url: str, *, pool_size: int, busy_timeout_ms: int) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000}
        )
        event.listen(engine, "connect", _sqlite_pragmas(busy_timeout_ms))
        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


def _sqlite_pragmas(busy_timeout_ms: int) -> Any:
    def configure(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin (see _sqlite_begin_immediate).
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()

    return configure


def _sqlite_begin_immediate(conn: Any) -> None:
    """Writers take the lock up front, so two of them queue instead of failing to upgrade a read lock."""
    conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get("readonly") else "BEGIN IMMEDIATE")
