"""`/v1/document/*`: documents as the web app manages them (web spec §6)."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from citeflow.api.body import StrictWebJson, WebArgs, query_int, require
from citeflow.api.deps import DocumentsDep, ServicesDep, SessionCaller
from citeflow.api.envelope import RagflowJSON, web_ok
from citeflow.api.records import thumbnail_url, web_created_record, web_document_record, web_upload_record
from citeflow.api.uploads import read_multipart
from citeflow.core.errors import DataError, InvalidArgument, ServerError
from citeflow.services.documents import ListQuery
from citeflow.services.files import content_type

router = APIRouter(prefix="/v1/document", tags=["documents (web API)"])
NO_KB_ID = 'Lack of "KB ID"'


@router.post("/upload")
async def upload(caller: SessionCaller, request: Request, services: ServicesDep) -> RagflowJSON:
    """Store the `file` parts in the dataset `kb_id`; refused files are reported, the rest kept."""
    form = await read_multipart(request, services.settings.documents.max_files_per_request)
    kb_id = require(form.fields, "kb_id")["kb_id"]
    if not kb_id:
        raise InvalidArgument(NO_KB_ID, data=False)
    if form.problem:
        raise InvalidArgument(form.problem, data=False)
    result = await run_in_threadpool(services.documents.upload_web, caller, kb_id, form.files)
    accepted = [web_upload_record(d) for d in result.documents]
    if result.errors:
        raise ServerError("\n".join(result.errors), data=accepted)
    if not accepted:
        raise DataError(
            "There seems to be an issue with your file format. Please verify it is correct and not corrupted."
        )
    return web_ok(accepted)


@router.post("/create")
def create(caller: SessionCaller, args: WebArgs, documents: DocumentsDep) -> RagflowJSON:
    """An empty ("virtual") document, named but without bytes."""
    body = require(args, "name", "kb_id")
    return web_ok(web_created_record(documents.create_virtual(caller, body["kb_id"], body["name"])))


@router.post("/list")
def list_documents(
    caller: SessionCaller, request: Request, body: StrictWebJson, documents: DocumentsDep
) -> RagflowJSON:
    args = request.query_params
    query = ListQuery(
        page=query_int(args.get("page"), 0),
        page_size=query_int(args.get("page_size"), 0),
        orderby=args.get("orderby", "create_time"),
        desc=args.get("desc", "true").lower() != "false",
        keywords=args.get("keywords", ""),
        time_from=query_int(args.get("create_time_from"), 0),
        time_to=query_int(args.get("create_time_to"), 0),
    )
    page = documents.list_web(caller, args.get("kb_id", ""), query, _object(body))
    docs = [web_document_record(d, thumbnail_link=True) for d in page.documents]
    return web_ok({"total": page.total, "docs": docs})


@router.post("/filter")
def filter_documents(caller: SessionCaller, body: StrictWebJson, documents: DocumentsDep) -> RagflowJSON:
    """Counts of the dataset's documents by suffix and by run status."""
    args = require(_object(body), "kb_id")
    total, facets = documents.filter_web(caller, args["kb_id"], args)
    return web_ok({"total": total, "filter": facets})


@router.post("/infos")
def infos(caller: SessionCaller, args: WebArgs, documents: DocumentsDep) -> RagflowJSON:
    body = require(args, "doc_ids")
    return web_ok([web_document_record(d) for d in documents.infos(caller, _ids(body["doc_ids"]))])


@router.get("/thumbnails")
def thumbnails(request: Request, documents: DocumentsDep) -> RagflowJSON:
    """`{doc_id: thumbnail URL}`; like RAGFlow, without a login (ids are unguessable)."""
    doc_ids = request.query_params.getlist("doc_ids")
    if not doc_ids:
        raise InvalidArgument('Lack of "Document ID"', data=False)
    return web_ok({d.id: thumbnail_url(d) for d in documents.by_ids(doc_ids)})


@router.post("/change_status")
def change_status(caller: SessionCaller, body: StrictWebJson, documents: DocumentsDep) -> RagflowJSON:
    """Enable (`1`) or disable (`0`) documents for retrieval; answers a result per document."""
    args = require(_object(body), "doc_ids", "status")
    return web_ok(documents.change_status(caller, _ids(args["doc_ids"]), args["status"]))


@router.post("/rm")
def remove(caller: SessionCaller, args: WebArgs, documents: DocumentsDep) -> RagflowJSON:
    """Delete documents (`doc_id`: one id or a list) with their files."""
    body = require(args, "doc_id")
    documents.delete_web(caller, _ids(body["doc_id"]))
    return web_ok(True)


@router.post("/rename")
def rename(caller: SessionCaller, args: WebArgs, documents: DocumentsDep) -> RagflowJSON:
    body = require(args, "doc_id", "name")
    documents.rename(caller, body["doc_id"], body["name"])
    return web_ok(True)


@router.get("/get/{doc_id}")
def get(doc_id: str, documents: DocumentsDep) -> StreamingResponse:
    """The stored file, streamed; like RAGFlow, without a login (ids are unguessable)."""
    view, pieces = documents.content(doc_id)
    return StreamingResponse(pieces, media_type=content_type(view.name, view.type))


@router.post("/change_parser")
def change_parser(caller: SessionCaller, args: WebArgs, documents: DocumentsDep) -> RagflowJSON:
    body = require(args, "doc_id", "parser_id")
    documents.change_parser(caller, body["doc_id"], body["parser_id"], body.get("parser_config"))
    return web_ok(True)


@router.post("/set_meta")
def set_meta(caller: SessionCaller, args: WebArgs, documents: DocumentsDep) -> RagflowJSON:
    """Replace a document's metadata with `meta`, a JSON object of strings and numbers."""
    body = require(args, "doc_id", "meta")
    documents.set_meta(caller, body["doc_id"], body["meta"])
    return web_ok(True)


@router.get("/image/{image_id}")
def image(image_id: str, documents: DocumentsDep) -> StreamingResponse:
    """A chunk image or thumbnail, as `image/JPEG` like RAGFlow sends it."""
    return StreamingResponse(documents.image(image_id), media_type="image/JPEG")


def _object(body: Any) -> dict[str, Any]:
    return body if isinstance(body, dict) else {}


def _ids(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
