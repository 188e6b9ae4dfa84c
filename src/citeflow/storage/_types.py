from collections.abc import Iterator
from typing import BinaryIO, Protocol


class BlobStore(Protocol):
    """Where uploaded files and derived images live. `bucket` is a dataset or tenant id; `name` is
    any non-empty string (a file name, say): backends never use it as a path."""

    kind: str

    def put(self, bucket: str, name: str, data: bytes) -> None: ...

    def put_stream(self, bucket: str, name: str, source: BinaryIO) -> int:
        """Copy `source` to the object in bounded memory; returns the bytes written."""
        ...

    def get(self, bucket: str, name: str) -> bytes: ...

    def stream(self, bucket: str, name: str) -> Iterator[bytes]:
        """The object's bytes in pieces, for downloads; `NotFound` before the first piece if absent."""
        ...

    def exists(self, bucket: str, name: str) -> bool: ...

    def delete(self, bucket: str, name: str) -> None: ...

    def remove_bucket(self, bucket: str) -> None: ...

    def sweep_abandoned_writes(self) -> int:
        """Remove leftovers of writes a crashed process never finished; returns how many."""
        ...

    def health(self) -> float:
        """Write, read and delete a probe object; returns the latency in milliseconds."""
        ...
