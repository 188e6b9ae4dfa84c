from typing import Protocol


class BlobStore(Protocol):
    """Where uploaded files and derived images live: `bucket` is a dataset or tenant id."""

    kind: str

    def put(self, bucket: str, name: str, data: bytes) -> None: ...

    def get(self, bucket: str, name: str) -> bytes: ...

    def exists(self, bucket: str, name: str) -> bool: ...

    def delete(self, bucket: str, name: str) -> None: ...

    def remove_bucket(self, bucket: str) -> None: ...

    def health(self) -> float:
        """Write, read and delete a probe object; returns the latency in milliseconds."""
        ...
