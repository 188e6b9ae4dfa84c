"""Blob storage in a local directory, the embedded default."""

import os
import shutil
import tempfile
import time
from pathlib import Path

from citeflow.core.errors import InvalidArgument, NotFound, StoreUnavailable


class LocalBlobStore:
    """One directory per bucket. Writes go to a temp file and are renamed into place, so a crash
    never leaves a half-written object behind."""

    kind = "local"

    def __init__(self, root: Path) -> None:
        self._root = root
        self._root.mkdir(parents=True, exist_ok=True)

    def put(self, bucket: str, name: str, data: bytes) -> None:
        target = self._path(bucket, name)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, target)
        except OSError as exc:
            raise StoreUnavailable(f"Blob storage could not write {bucket}/{name}: {exc.strerror}") from exc

    def get(self, bucket: str, name: str) -> bytes:
        try:
            return self._path(bucket, name).read_bytes()
        except FileNotFoundError as exc:
            raise NotFound(f"Blob {bucket}/{name} does not exist.") from exc
        except OSError as exc:
            raise StoreUnavailable(f"Blob storage could not read {bucket}/{name}: {exc.strerror}") from exc

    def exists(self, bucket: str, name: str) -> bool:
        return self._path(bucket, name).is_file()

    def delete(self, bucket: str, name: str) -> None:
        try:
            self._path(bucket, name).unlink(missing_ok=True)
        except OSError as exc:
            raise StoreUnavailable(f"Blob storage could not delete {bucket}/{name}: {exc.strerror}") from exc

    def remove_bucket(self, bucket: str) -> None:
        shutil.rmtree(self._bucket(bucket), ignore_errors=True)

    def health(self) -> float:
        started = time.perf_counter()
        probe = f"probe-{os.getpid()}-{time.monotonic_ns()}"
        self.put(".health", probe, b"ok")
        if self.get(".health", probe) != b"ok":
            raise StoreUnavailable("Blob storage returned different bytes than were written.")
        self.delete(".health", probe)
        return (time.perf_counter() - started) * 1000

    def _bucket(self, bucket: str) -> Path:
        _check_part("bucket", bucket)
        return self._root / bucket

    def _path(self, bucket: str, name: str) -> Path:
        _check_part("object name", name)
        return self._bucket(bucket) / name


def _check_part(what: str, value: str) -> None:
    """Bucket and object names are single path components: no separators, no `..`, no NUL."""
    if not value or value in {".", ".."} or "/" in value or "\\" in value or "\x00" in value:
        raise InvalidArgument(f"Invalid {what}: {value!r}.")
