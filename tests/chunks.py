"""Datasets, documents and chunks made over HTTP through the SDK API, and the keys their records show.

The chunk, retrieval and document tests share these so that they build their fixtures the same way
and compare records against one copy of each key set (SDK spec §3.3a and §5-L, web spec §1.7).
"""

import uuid
from typing import Any

import xxhash

from tests.conftest import Tenant
from tests.envelopes import sdk_ok

#: A chunk of the SDK chunk list (SDK spec §3.3a).
SDK_CHUNK_KEYS = {
    "id",
    "content",
    "document_id",
    "docnm_kwd",
    "important_keywords",
    "questions",
    "dataset_id",
    "image_id",
    "available",
    "positions",
}
#: Every Document column (web spec §1.7), as the web API's document and chunk lists return them.
DOCUMENT_RECORD_KEYS = {
    "id",
    "thumbnail",
    "kb_id",
    "parser_id",
    "parser_config",
    "source_type",
    "type",
    "created_by",
    "name",
    "location",
    "size",
    "token_num",
    "chunk_num",
    "progress",
    "progress_msg",
    "process_begin_at",
    "process_duration",
    "meta_fields",
    "suffix",
    "run",
    "status",
    "create_time",
    "create_date",
    "update_time",
    "update_date",
}
#: The Document columns the SDK API shows under other names (SDK spec §5-L).
SDK_DOCUMENT_NAMES = {
    "kb_id": "dataset_id",
    "parser_id": "chunk_method",
    "token_num": "token_count",
    "chunk_num": "chunk_count",
}
#: A document of the SDK document list: every column, those four renamed (SDK spec §5-L).
SDK_DOCUMENT_KEYS = {SDK_DOCUMENT_NAMES.get(key, key) for key in DOCUMENT_RECORD_KEYS}


def unique(label: str) -> str:
    """`label` with a random suffix, so tests that share a tenant never collide on names."""
    return f"{label}-{uuid.uuid4().hex[:10]}"


def expected_id(content: str, document_id: str) -> str:
    """The chunk id RAGFlow derives (spec §1.6): xxHash64 (seed 0) of content + document id, 16 hex."""
    return xxhash.xxh64((content + document_id).encode("utf-8")).hexdigest()


def documents_path(dataset_id: str) -> str:
    """The SDK route of a dataset's documents, where files are uploaded and listed."""
    return f"/api/v1/datasets/{dataset_id}/documents"


def chunks_path(dataset_id: str, document_id: str) -> str:
    """The SDK route of a document's chunks, where chunks are added, listed and deleted."""
    return f"{documents_path(dataset_id)}/{document_id}/chunks"


def new_dataset(tenant: Tenant, label: str = "chunks", **fields: Any) -> str:
    """The id of a fresh SDK dataset of `tenant`'s, so a test's counters and searches are its own."""
    return sdk_ok(tenant.sdk.post("/api/v1/datasets", json={"name": unique(label), **fields}))["id"]


def uploaded(tenant: Tenant, dataset_id: str, name: str, text: bytes) -> dict[str, Any]:
    """The record of one file uploaded through the SDK; nothing parses it, so it has no chunks."""
    (doc,) = sdk_ok(tenant.sdk.post(documents_path(dataset_id), files=[("file", (name, text))]))
    return doc


def new_document(
    tenant: Tenant, dataset_id: str, name: str | None = None, text: bytes = b"some text\n"
) -> str:
    """The id of a fresh document without chunks, for tests that add their own."""
    return str(uploaded(tenant, dataset_id, name or unique("notes") + ".txt", text)["id"])


def add_chunk(
    tenant: Tenant, dataset_id: str, document_id: str, content: str, **fields: Any
) -> dict[str, Any]:
    """The chunk the SDK add-chunk route stores (and embeds with the dataset's model) for `content`."""
    return sdk_ok(tenant.sdk.post(chunks_path(dataset_id, document_id), json={"content": content, **fields}))[
        "chunk"
    ]


def dataset_record(tenant: Tenant, dataset_id: str) -> dict[str, Any]:
    """The SDK list's record of one dataset, whose counters tests compare with its documents'."""
    (record,) = sdk_ok(tenant.sdk.get("/api/v1/datasets", params={"id": dataset_id}))
    return record
