"""Blob storage for uploaded files: a protocol and its backends."""

from citeflow.storage._local import LocalBlobStore
from citeflow.storage._types import BlobStore

__all__ = ["BlobStore", "LocalBlobStore"]
