"""`/v1/chunk/*`: the web app's chunk editor and retrieval test (web spec §7)."""

from typing import Any

from fastapi import APIRouter, Request

from citeflow.api.body import WebArgs, as_float, as_int, query_arg, require
from citeflow.api.concurrency import in_search_slot
from citeflow.api.deps import ChunksDep, RetrievalDep, SessionCaller
from citeflow.api.envelope import RagflowJSON, web_ok
from citeflow.api.records import stored_chunk, web_chunk_item, web_document_record, web_retrieval_chunk
from citeflow.api.routers.sdk_retrieval import highlight_wanted
from citeflow.core.errors import CiteflowError, DataError, OperatingError
from citeflow.search import Ranking
from citeflow.services.access import ONLY_OWNER
from citeflow.services.caller import Caller
from citeflow.services.chunks import Edit, content_hash_error, string_list
from citeflow.services.retrieval import RetrievalService, SearchOptions

router = APIRouter(prefix="/v1/chunk", tags=["chunks (web app)"])

INDEX_UPDATE_FAILED = "Index updating failure"


@router.post("/list")
def list_chunks(caller: SessionCaller, body: WebArgs, chunks: ChunksDep) -> RagflowJSON:
    req = require(body, "doc_id")
    page, size = as_int(req.get("page", 1)), as_int(req.get("size", 30))
    dataset, document = chunks.web_document(caller, req["doc_id"])
    available = req.get("available_int")
    result = chunks.page(
        dataset,
        document,
        page=page,
        size=size,
        keywords=str(req.get("keywords") or ""),
        available=None if available is None else bool(as_int(available)),
    )
    view = chunks.document(document.id)
    return web_ok(
        {
            "total": result.total,
            "chunks": [web_chunk_item(c) for c in result.chunks],
            "doc": None if view is None else web_document_record(view),
        }
    )


@router.get("/get")
def get_chunk(caller: SessionCaller, request: Request, chunks: ChunksDep) -> RagflowJSON:
    """A chunk of any dataset of the caller's tenants."""
    found = chunks.get_any(chunks.caller_datasets(caller), query_arg(request, "chunk_id"))
    if found is None:
        raise CiteflowError(repr(Exception("Chunk not found")), data=None)
    return web_ok(stored_chunk(found))


@router.post("/set")
def set_chunk(caller: SessionCaller, body: WebArgs, chunks: ChunksDep) -> RagflowJSON:
    req = require(body, "doc_id", "chunk_id", "content_with_weight")
    content = req["content_with_weight"]
    if not isinstance(content, str):
        raise CiteflowError(repr(TypeError("expected string or bytes-like object")))
    important = _keyword_list(req, "important_kwd", "should be")
    questions = _keyword_list(req, "question_kwd", "should be")
    dataset, document = chunks.web_document(caller, req["doc_id"])
    available = req.get("available_int")
    edit = Edit(
        content=content,
        important=important,
        questions=questions,
        available=None if available is None else bool(as_int(available)),
        tag_feas=req.get("tag_feas"),
    )
    chunks.edit(dataset, document, str(req["chunk_id"]), edit)
    return web_ok(True)


@router.post("/switch")
def switch_chunks(caller: SessionCaller, body: WebArgs, chunks: ChunksDep) -> RagflowJSON:
    req = require(body, "chunk_ids", "available_int", "doc_id")
    _, document = chunks.web_document(caller, req["doc_id"], missing_tenant=False)
    ids = [i for i in req["chunk_ids"] if isinstance(i, str)] if isinstance(req["chunk_ids"], list) else []
    if not ids or chunks.switch(document, ids, bool(as_int(req["available_int"]))) != len(set(ids)):
        raise DataError(INDEX_UPDATE_FAILED)
    return web_ok(True)


@router.post("/rm")
def remove_chunks(caller: SessionCaller, body: WebArgs, chunks: ChunksDep) -> RagflowJSON:
    """Delete the listed chunks of the document (all of them for an empty list)."""
    req = require(body, "chunk_ids", "doc_id")
    _, document = chunks.web_document(caller, req["doc_id"], missing_tenant=False)
    ids = req["chunk_ids"]
    if not isinstance(ids, list):
        raise DataError(INDEX_UPDATE_FAILED)
    removed = chunks.remove(document, [i for i in ids if isinstance(i, str)] if ids else None)
    if removed.chunks == 0:
        raise DataError(INDEX_UPDATE_FAILED)
    return web_ok(True)


@router.post("/create")
def create_chunk(caller: SessionCaller, body: WebArgs, chunks: ChunksDep) -> RagflowJSON:
    req = require(body, "doc_id", "content_with_weight")
    content = req["content_with_weight"]
    if not isinstance(content, str):
        raise content_hash_error(content)
    important = _keyword_list(req, "important_kwd", "is required to be") or []
    questions = _keyword_list(req, "question_kwd", "is required to be") or []
    dataset, document = chunks.web_document(caller, req["doc_id"], missing_tenant=False)
    added = chunks.add(dataset, document, content, important, questions)
    return web_ok({"chunk_id": added.id})


@router.post("/retrieval_test")
async def retrieval_test(caller: SessionCaller, body: WebArgs, retrieval: RetrievalDep) -> RagflowJSON:
    return await in_search_slot(_retrieval_test, caller, body, retrieval)


def _retrieval_test(caller: Caller, body: Any, retrieval: RetrievalService) -> RagflowJSON:
    req = require(body, "kb_id", "question")
    page, size = as_int(req.get("page", 1)), as_int(req.get("size", 30))
    top_k = as_int(req.get("top_k", 1024))
    threshold = as_float(req.get("similarity_threshold", 0.0))
    weight = as_float(req.get("vector_similarity_weight", 0.3))
    kb_ids = req["kb_id"] if isinstance(req["kb_id"], list) else [req["kb_id"]]
    if not kb_ids:
        raise DataError("Please specify dataset firstly.", data=False)
    try:
        datasets = retrieval.team_datasets(caller, kb_ids)
    except DataError as exc:
        raise OperatingError(ONLY_OWNER, data=False) from exc
    doc_ids = req.get("doc_ids") or []
    options = SearchOptions(
        question=str(req["question"] or ""),
        ranking=Ranking(
            page=page,
            page_size=size,
            similarity_threshold=threshold,
            vector_similarity_weight=weight,
            top_k=top_k,
            highlight=bool(req.get("highlight")) and highlight_wanted(req.get("highlight")),
        ),
        rerank_id=req.get("rerank_id") or None,
        keyword=bool(req.get("keyword")),
        cross_languages=[str(v) for v in req.get("cross_languages") or [] if isinstance(v, str)],
        document_ids=[d for d in doc_ids if isinstance(d, str)] if isinstance(doc_ids, list) else [],
        aggregate_window=True,
    )
    if not options.question:
        return web_ok({"total": 0, "chunks": [], "doc_aggs": {}, "labels": None})
    result = retrieval.search(caller, datasets, options)
    return web_ok(
        {
            "total": result.total,
            "chunks": [web_retrieval_chunk(c) for c in result.chunks],
            "doc_aggs": result.doc_aggs,
            "labels": result.labels,
        }
    )


def _keyword_list(req: dict[str, Any], name: str, rule: str) -> list[str] | None:
    """A list of strings sent as `name`, or None when absent; RAGFlow's two wordings of the
    type error."""
    if name not in req:
        return None
    if not isinstance(req[name], list):
        raise DataError(f"`{name}` {rule} a list")
    return string_list(req[name])
