"""`/api/v1/datasets/{dataset_id}/documents/{document_id}/chunks`: chunks for the SDK (SDK spec §6)."""

from typing import Any

from fastapi import APIRouter, Request

from citeflow.api.body import LenientJson, first_values, query_int
from citeflow.api.deps import ApiKeyCaller, ChunksDep
from citeflow.api.envelope import RagflowJSON, sdk_ok
from citeflow.api.records import document_record, sdk_added_chunk, sdk_chunk_item
from citeflow.core.errors import CiteflowError, DataError, ResourceNotFound
from citeflow.services.chunks import Edit, content_hash_error, string_list, trimmed

router = APIRouter(
    prefix="/api/v1/datasets/{dataset_id}/documents/{document_id}/chunks", tags=["chunks (SDK API)"]
)

NOT_ITERABLE = repr(TypeError("argument of type 'NoneType' is not iterable"))


@router.get("")
def list_chunks(
    caller: ApiKeyCaller, dataset_id: str, document_id: str, request: Request, chunks: ChunksDep
) -> RagflowJSON:
    """A page of the document's chunks (all of them, in list order), the ones matching
    `keywords`, or the one chunk `id`."""
    dataset, document = chunks.sdk_document(caller, dataset_id, document_id)
    args = first_values(request)
    page = query_int(args.get("page"), 1)
    page_size = query_int(args.get("page_size"), 30)
    wanted = args.get("id", "")
    view = chunks.document(document.id)
    assert view is not None
    if wanted:
        found = chunks.get(dataset.id, wanted)
        if found is None:
            raise ResourceNotFound(f"Chunk not found: {dataset_id}/{wanted}")
        return sdk_ok({"total": 1, "chunks": [sdk_chunk_item(found)], "doc": document_record(view)})
    result = chunks.page(dataset, document, page=page, size=page_size, keywords=args.get("keywords", ""))
    return sdk_ok(
        {
            "total": result.total,
            "chunks": [sdk_chunk_item(c) for c in result.chunks],
            "doc": document_record(view),
        }
    )


@router.post("")
def add_chunk(
    caller: ApiKeyCaller, dataset_id: str, document_id: str, body: LenientJson, chunks: ChunksDep
) -> RagflowJSON:
    dataset, document = chunks.sdk_document(caller, dataset_id, document_id)
    if not isinstance(body, dict):
        raise CiteflowError(repr(AttributeError(f"'{type(body).__name__}' object has no attribute 'get'")))
    content = body.get("content", "")
    if not str(content).strip():
        raise DataError("`content` is required")
    important = body.get("important_keywords", [])
    if not isinstance(important, list):
        raise DataError("`important_keywords` is required to be a list")
    questions = body.get("questions", [])
    if not isinstance(questions, list):
        raise DataError("`questions` is required to be a list")
    if not isinstance(content, str):
        raise content_hash_error(content)
    added = chunks.add(dataset, document, content, string_list(important), trimmed(string_list(questions)))
    return sdk_ok({"chunk": sdk_added_chunk(added)})


@router.delete("")
def delete_chunks(
    caller: ApiKeyCaller,
    dataset_id: str,
    document_id: str,
    body: LenientJson,
    chunks: ChunksDep,
) -> RagflowJSON:
    """Delete the listed chunks of the document; all of them when `chunk_ids` is empty, null or
    absent."""
    dataset = chunks.sdk_dataset(caller, dataset_id)
    document = chunks.any_document(document_id)
    if document is None:
        raise CiteflowError(repr(LookupError(f"Can't find the document with ID {document_id}!")))
    if not isinstance(body, dict):
        raise CiteflowError(NOT_ITERABLE)
    ids = body.get("chunk_ids")
    if not ids:
        if document.dataset_id == dataset.id:
            chunks.remove(document, None)
        return sdk_ok()
    if not isinstance(ids, list):
        raise CiteflowError(repr(TypeError(f"'{type(ids).__name__}' object is not iterable")))
    unique = list(dict.fromkeys(i for i in ids if isinstance(i, str)))
    removed = chunks.remove(document, unique).chunks if document.dataset_id == dataset.id else 0
    if removed != len(unique):
        raise DataError(f"rm_chunk deleted chunks {removed}, expect {len(unique)}")
    duplicates = [f"Duplicate chunk ids: {i}" for i in unique if ids.count(i) > 1]
    if duplicates:
        return sdk_ok({"success_count": removed, "errors": duplicates})
    return sdk_ok()


@router.put("/{chunk_id}")
def update_chunk(
    caller: ApiKeyCaller,
    dataset_id: str,
    document_id: str,
    chunk_id: str,
    body: LenientJson,
    chunks: ChunksDep,
) -> RagflowJSON:
    if chunks.get(dataset_id, chunk_id) is None:
        raise DataError(f"Can't find this chunk {chunk_id}")
    dataset, document = chunks.sdk_document(caller, dataset_id, document_id)
    if not isinstance(body, dict):
        raise CiteflowError(NOT_ITERABLE)
    edit = _edit(body)
    chunks.edit(dataset, document, chunk_id, edit)
    return sdk_ok()


def _edit(body: dict[str, Any]) -> Edit:
    content = body.get("content") if "content" in body else None
    if "content" in body and not isinstance(content, str):
        raise CiteflowError(repr(TypeError("expected string or bytes-like object")))
    important = None
    if "important_keywords" in body:
        if not isinstance(body["important_keywords"], list):
            raise DataError("`important_keywords` should be a list")
        important = string_list(body["important_keywords"])
    questions = None
    if "questions" in body:
        if not isinstance(body["questions"], list):
            raise DataError("`questions` should be a list")
        questions = trimmed(string_list(body["questions"]))
    available = bool(body["available"]) if "available" in body else None
    return Edit(content=content, important=important, questions=questions, available=available)
