"""Blob storage in a local directory, the embedded default."""

import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from citeflow.core.errors import InvalidArgument, NotFound, StoreUnavailable

PIECE = 1024 * 1024
#: Writes in flight are `<TEMP_PREFIX><pid>-<random>` files next to their target.
TEMP_PREFIX = ".tmp-"


class LocalBlobStore:
    """One directory per bucket, one file per object, named by the SHA-256 of the object name:
    names from uploads never become paths, whatever they contain. Writes go to a temp file that is
    fsynced and renamed into place, so a crash never leaves a half-written object behind."""

    kind = "local"

    def __init__(self, root: Path) -> None:
        self._root = root
        self._root.mkdir(parents=True, exist_ok=True)

    def put(self, bucket: str, name: str, data: bytes) -> None:
        self._write(bucket, name, lambda out: out.write(data))

    def put_stream(self, bucket: str, name: str, source: BinaryIO) -> int:
        def copy(out: BinaryIO) -> int:
            written = 0
            while piece := source.read(PIECE):
                out.write(piece)
                written += len(piece)
            return written

        return self._write(bucket, name, copy)

    def get(self, bucket: str, name: str) -> bytes:
        try:
            return self._path(bucket, name).read_bytes()
        except FileNotFoundError as exc:
            raise NotFound(f"Blob {bucket}/{name} does not exist.") from exc
        except OSError as exc:
            raise StoreUnavailable(f"Blob storage could not read {bucket}/{name}: {exc.strerror}") from exc

    def stream(self, bucket: str, name: str) -> Iterator[bytes]:
        try:
            handle = self._path(bucket, name).open("rb")
        except FileNotFoundError as exc:
            raise NotFound(f"Blob {bucket}/{name} does not exist.") from exc
        except OSError as exc:
            raise StoreUnavailable(f"Blob storage could not read {bucket}/{name}: {exc.strerror}") from exc
        return _pieces(handle)

    def exists(self, bucket: str, name: str) -> bool:
        return self._path(bucket, name).is_file()

    def delete(self, bucket: str, name: str) -> None:
        try:
            self._path(bucket, name).unlink(missing_ok=True)
        except OSError as exc:
            raise StoreUnavailable(f"Blob storage could not delete {bucket}/{name}: {exc.strerror}") from exc

    def remove_bucket(self, bucket: str) -> None:
        try:
            shutil.rmtree(self._bucket(bucket))
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise StoreUnavailable(f"Blob storage could not remove {bucket}: {exc.strerror}") from exc

    def sweep_abandoned_writes(self) -> int:
        """Delete temp files of writes whose process has died (a crash mid-upload); returns how many.
        Call it at start-up, before this process writes anything."""
        removed = 0
        for partial in self._root.glob(f"*/{TEMP_PREFIX}*"):
            pid = partial.name[len(TEMP_PREFIX) :].split("-", 1)[0]
            # This process has written nothing yet, so files under its own pid (a restart that got
            # the same pid, as in a container) are as abandoned as those of dead processes.
            if pid.isdigit() and (int(pid) == os.getpid() or not _alive(int(pid))):
                partial.unlink(missing_ok=True)
                removed += 1
        return removed

    def health(self) -> float:
        started = time.perf_counter()
        probe = f"probe-{os.getpid()}-{time.monotonic_ns()}"
        self.put(".health", probe, b"ok")
        if self.get(".health", probe) != b"ok":
            raise StoreUnavailable("Blob storage returned different bytes than were written.")
        self.delete(".health", probe)
        return (time.perf_counter() - started) * 1000

    def _write(self, bucket: str, name: str, fill: Callable[[BinaryIO], int]) -> int:
        target = self._path(bucket, name)
        tmp = None
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f"{TEMP_PREFIX}{os.getpid()}-")
            with os.fdopen(fd, "wb") as out:
                written = fill(out)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, target)
            tmp = None
        except OSError as exc:
            raise StoreUnavailable(f"Blob storage could not write {bucket}/{name}: {exc.strerror}") from exc
        finally:
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)
        return written

    def _bucket(self, bucket: str) -> Path:
        if not bucket or bucket in {".", ".."} or not all(c.isalnum() or c in "._-" for c in bucket):
            raise InvalidArgument(f"Invalid bucket name: {bucket!r}.")
        return self._root / bucket

    def _path(self, bucket: str, name: str) -> Path:
        if not name:
            raise InvalidArgument("Blob names cannot be empty.")
        digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()
        return self._bucket(bucket) / digest


def _pieces(handle: BinaryIO) -> Iterator[bytes]:
    with handle:
        while piece := handle.read(PIECE):
            yield piece


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
