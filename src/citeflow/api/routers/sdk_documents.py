"""`/api/v1/datasets/{dataset_id}/documents`: documents for the SDK (SDK spec §5)."""

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from citeflow.api.body import LenientJson, first_values, query_int
from citeflow.api.deps import ApiKeyCaller, DocumentsDep, ServicesDep
from citeflow.api.envelope import RagflowJSON, sdk_ok
from citeflow.api.records import document_record, sdk_upload_record
from citeflow.api.uploads import read_multipart
from citeflow.core.errors import CiteflowError, InvalidArgument, ServerError
from citeflow.services.documents import ListQuery
from citeflow.services.files import content_disposition

router = APIRouter(prefix="/api/v1/datasets/{dataset_id}/documents", tags=["documents (SDK API)"])


@router.post("")
async def upload(
    caller: ApiKeyCaller, dataset_id: str, request: Request, services: ServicesDep
) -> RagflowJSON:
    """Store one or more `file` parts as documents of the dataset; nothing is parsed yet."""
    form = await read_multipart(request, services.settings.documents.max_files_per_request)
    if form.problem:
        raise InvalidArgument(form.problem)
    result = await run_in_threadpool(services.documents.upload_sdk, caller, dataset_id, form.files)
    if result.errors:
        raise ServerError("\n".join(result.errors))
    return sdk_ok([sdk_upload_record(d) for d in result.documents])


@router.put("/{document_id}")
def update(
    caller: ApiKeyCaller, dataset_id: str, document_id: str, body: LenientJson, documents: DocumentsDep
) -> RagflowJSON:
    view = documents.update_sdk(caller, dataset_id, document_id, body)
    return sdk_ok(True if view is None else document_record(view))


@router.get("/{document_id}")
def download(
    caller: ApiKeyCaller, dataset_id: str, document_id: str, documents: DocumentsDep
) -> StreamingResponse:
    """The document's bytes, streamed, as an attachment named after the document."""
    view, pieces = documents.download_sdk(caller, dataset_id, document_id)
    headers = {"Content-Disposition": content_disposition(view.name)}
    return StreamingResponse(pieces, media_type="application/octet-stream", headers=headers)


@router.get("")
def list_documents(
    caller: ApiKeyCaller, dataset_id: str, request: Request, documents: DocumentsDep
) -> RagflowJSON:
    args = first_values(request)
    query = ListQuery(
        page=query_int(args.get("page"), 1),
        page_size=query_int(args.get("page_size"), 30),
        orderby=args.get("orderby", "create_time"),
        desc=args.get("desc") != "False",
        keywords=args.get("keywords", ""),
        time_from=query_int(args.get("create_time_from"), 0),
        time_to=query_int(args.get("create_time_to"), 0),
        document_id=args.get("id"),
        name=args.get("name"),
    )
    page = documents.list_sdk(caller, dataset_id, query)
    return sdk_ok({"total": page.total, "docs": [document_record(d) for d in page.documents]})


@router.delete("")
def delete(caller: ApiKeyCaller, dataset_id: str, body: LenientJson, documents: DocumentsDep) -> RagflowJSON:
    """Delete the listed documents, or every document of the dataset when no ids are given."""
    if body and not isinstance(body, dict):
        # RAGFlow reads `ids` with `.get` and fails on any other JSON value, deleting nothing.
        raise CiteflowError(
            repr(AttributeError(f"'{type(body).__name__}' object has no attribute 'get'")), data=None
        )
    ids = body.get("ids") if body else None
    deleted, duplicates = documents.delete_sdk(caller, dataset_id, ids)
    if duplicates:
        return sdk_ok({"success_count": deleted, "errors": duplicates})
    return sdk_ok()
