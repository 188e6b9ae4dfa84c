"""`POST /api/v1/retrieval` (SDK spec §6-R) and Dify's external-knowledge hook
`POST /api/v1/dify/retrieval` (SDK spec §18)."""

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from citeflow.api.body import LenientJson, as_float, as_int, require, web_args
from citeflow.api.concurrency import in_search_slot
from citeflow.api.deps import ApiKeyCaller, ApiKeysDep, RetrievalDep
from citeflow.api.envelope import RagflowJSON, sdk_ok
from citeflow.api.records import sdk_retrieval_chunk
from citeflow.core.errors import CiteflowError, DataError
from citeflow.search import Ranking
from citeflow.services.caller import Caller
from citeflow.services.metadata_filter import conditions_of
from citeflow.services.retrieval import RetrievalService, SearchOptions

router = APIRouter(prefix="/api/v1", tags=["retrieval (SDK API)"])


def highlight_wanted(value: object) -> bool:
    """QUIRK kept from RAGFlow: highlighting is off only for the strings `False` and `false`."""
    return value not in ("False", "false")


@router.post("/retrieval")
async def retrieval(caller: ApiKeyCaller, body: LenientJson, retrieval: RetrievalDep) -> RagflowJSON:
    """Hybrid search over datasets the caller's tenants own, in RAGFlow's check order."""
    return await in_search_slot(_retrieval, caller, body, retrieval)


def _retrieval(caller: Caller, body: Any, retrieval: RetrievalService) -> RagflowJSON:
    if not isinstance(body, dict):
        raise CiteflowError(
            repr(AttributeError(f"'{type(body).__name__}' object has no attribute 'get'")), data=None
        )
    req: dict[str, Any] = body
    dataset_ids = req.get("dataset_ids")
    if not dataset_ids:
        raise DataError("`dataset_ids` is required.")
    if not isinstance(dataset_ids, list):
        raise DataError("`dataset_ids` should be a list")
    datasets = retrieval.team_datasets(caller, dataset_ids)
    retrieval.same_embedding(datasets)
    if "question" not in req:
        raise DataError("`question` is required.")
    document_ids = req.get("document_ids") or []
    if not isinstance(document_ids, list):
        raise DataError("`documents` should be a list")
    foreign = retrieval.foreign_document(datasets, document_ids)
    if foreign is not None:
        raise DataError(f"The datasets don't own the document {foreign}")
    options = SearchOptions(
        question=str(req["question"] or ""),
        ranking=Ranking(
            page=as_int(req.get("page", 1)),
            page_size=as_int(req.get("page_size", 30)),
            similarity_threshold=as_float(req.get("similarity_threshold", 0.2)),
            vector_similarity_weight=as_float(req.get("vector_similarity_weight", 0.3)),
            top_k=as_int(req.get("top_k", 1024)),
            highlight=highlight_wanted(req.get("highlight")),
        ),
        rerank_id=req.get("rerank_id") or None,
        keyword=bool(req.get("keyword")),
        cross_languages=_languages(req.get("cross_languages")),
        document_ids=document_ids,
        metadata_filters=conditions_of(req.get("metadata_condition")),
    )
    if not options.question:
        return sdk_ok({"chunks": [], "doc_aggs": {}, "total": 0})
    result = retrieval.search(caller, datasets, options)
    return sdk_ok(
        {
            "chunks": [sdk_retrieval_chunk(c) for c in result.chunks],
            "doc_aggs": result.doc_aggs,
            "total": result.total,
        }
    )


def _languages(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


@router.post("/dify/retrieval")
async def dify_retrieval(request: Request, api_keys: ApiKeysDep, retrieval: RetrievalDep) -> RagflowJSON:
    """Dify's external knowledge API: records of the dataset's best chunks for `query`."""
    header = request.headers.get("authorization")
    if header is None:
        raise CiteflowError(repr(AttributeError("'NoneType' object has no attribute 'split'")), data=None)
    parts = header.split()
    if len(parts) < 2:
        raise CiteflowError(repr(IndexError("list index out of range")), data=None)
    try:
        caller = await run_in_threadpool(api_keys.authenticate, parts[1])
    except CiteflowError:
        return _dify_error(403, "API-KEY is invalid!")
    req = require(await web_args(request), "knowledge_id", "query")
    return await in_search_slot(_dify_search, caller, req, retrieval)


def _dify_search(caller: Caller, req: dict[str, Any], retrieval: RetrievalService) -> RagflowJSON:
    try:
        datasets = retrieval.team_datasets(caller, [req["knowledge_id"]])
    except DataError:
        return _dify_error(404, "Knowledgebase not found!")
    setting = req.get("retrieval_setting") if isinstance(req.get("retrieval_setting"), dict) else {}
    top_k = as_int(setting.get("top_k", 1024))
    options = SearchOptions(
        question=str(req["query"] or ""),
        ranking=Ranking(
            page_size=top_k, top_k=top_k, similarity_threshold=as_float(setting.get("score_threshold", 0.0))
        ),
        metadata_filters=conditions_of(req.get("metadata_condition")),
    )
    try:
        result = retrieval.search(caller, datasets, options)
    except CiteflowError as exc:
        return _dify_error(500, exc.message)
    meta = retrieval.document_metadata([c.chunk.document_id for c in result.chunks])
    records = [
        {
            "content": c.chunk.content,
            "score": c.similarity,
            "title": c.fields.get("docnm_kwd", ""),
            "metadata": {**meta.get(c.chunk.document_id, {}), "doc_id": c.chunk.document_id},
        }
        for c in result.chunks
    ]
    return RagflowJSON({"records": records})


def _dify_error(status: int, message: str) -> RagflowJSON:
    return RagflowJSON({"code": status, "message": message}, status_code=status)
