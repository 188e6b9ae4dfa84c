"""`/v1/kb/*`: datasets ("knowledge bases") as the web app manages them (web spec §5)."""

from fastapi import APIRouter, Request

from citeflow.api.body import StrictWebJson, WebArgs, query_arg, query_int, require
from citeflow.api.deps import DatasetsDep, SessionCaller
from citeflow.api.envelope import RagflowJSON, web_ok
from citeflow.api.records import kb_detail_record, kb_list_record, kb_record
from citeflow.core.errors import InvalidArgument

router = APIRouter(prefix="/v1/kb", tags=["datasets (web API)"])


@router.post("/create")
def create(caller: SessionCaller, args: WebArgs, datasets: DatasetsDep) -> RagflowJSON:
    """Create a dataset; a name already in use gets a `(1)`-style suffix."""
    body = require(args, "name")
    return web_ok({"kb_id": datasets.web_create(caller, body)})


@router.post("/update")
def update(caller: SessionCaller, args: WebArgs, datasets: DatasetsDep) -> RagflowJSON:
    """Write the sent values; the answer is the stored record with the request laid over it."""
    body = require(args, "kb_id", "name", "description", "parser_id")
    view = datasets.web_update(caller, body)
    sent = {k: v for k, v in body.items() if k != "kb_id"}
    return web_ok({**kb_record(view), **sent, "name": view.name})


@router.get("/detail")
def detail(caller: SessionCaller, request: Request, datasets: DatasetsDep) -> RagflowJSON:
    return web_ok(kb_detail_record(datasets.web_detail(caller, query_arg(request, "kb_id"))))


@router.post("/list")
def list_datasets(
    caller: SessionCaller, request: Request, body: StrictWebJson, datasets: DatasetsDep
) -> RagflowJSON:
    """Datasets the caller can see; pages only when both `page` and `page_size` are given."""
    query = request.query_params
    owner_ids = body.get("owner_ids") if isinstance(body, dict) else None
    if owner_ids is not None and not (
        isinstance(owner_ids, list) and all(isinstance(i, str) for i in owner_ids)
    ):
        raise InvalidArgument("`owner_ids` must be a list of tenant ids.", data=None)
    page = datasets.web_list(
        caller,
        keywords=query.get("keywords", ""),
        page=query_int(query.get("page"), 0),
        page_size=query_int(query.get("page_size"), 0),
        parser_id=query.get("parser_id"),
        orderby=query.get("orderby", "create_time"),
        desc=query.get("desc", "true").lower() != "false",
        owner_ids=owner_ids or None,
    )
    return web_ok({"kbs": [kb_list_record(v) for v in page.datasets], "total": page.total})


@router.post("/rm")
def remove(caller: SessionCaller, args: WebArgs, datasets: DatasetsDep) -> RagflowJSON:
    """Delete a dataset with all its documents and files."""
    body = require(args, "kb_id")
    datasets.web_remove(caller, body["kb_id"])
    return web_ok(True)


@router.get("/tags")
def tags_of_many(caller: SessionCaller, request: Request, datasets: DatasetsDep) -> RagflowJSON:
    """Tag counts over several datasets' chunks (`kb_ids=a,b`)."""
    for kb_id in request.query_params.get("kb_ids", "").split(","):
        datasets.accessible(caller, kb_id)
    return web_ok([])


@router.get("/get_meta")
def get_meta(caller: SessionCaller, request: Request, datasets: DatasetsDep) -> RagflowJSON:
    """`{meta_key: {value: [document ids]}}` over the datasets' documents."""
    kb_ids = request.query_params.get("kb_ids", "").split(",")
    for kb_id in kb_ids:
        datasets.accessible(caller, kb_id)
    return web_ok(datasets.document_meta(kb_ids))


@router.get("/{kb_id}/tags")
def tags(caller: SessionCaller, kb_id: str, datasets: DatasetsDep) -> RagflowJSON:
    datasets.accessible(caller, kb_id)
    return web_ok([])


@router.post("/{kb_id}/rm_tags")
def remove_tags(caller: SessionCaller, kb_id: str, args: WebArgs, datasets: DatasetsDep) -> RagflowJSON:
    require(args, "tags")
    datasets.accessible(caller, kb_id)
    return web_ok(True)


@router.post("/{kb_id}/rename_tag")
def rename_tag(caller: SessionCaller, kb_id: str, args: WebArgs, datasets: DatasetsDep) -> RagflowJSON:
    require(args, "from_tag", "to_tag")
    datasets.accessible(caller, kb_id)
    return web_ok(True)


@router.get("/{kb_id}/knowledge_graph")
def knowledge_graph(caller: SessionCaller, kb_id: str, datasets: DatasetsDep) -> RagflowJSON:
    datasets.accessible(caller, kb_id)
    return web_ok({"graph": {}, "mind_map": {}})


@router.delete("/{kb_id}/knowledge_graph")
def delete_knowledge_graph(caller: SessionCaller, kb_id: str, datasets: DatasetsDep) -> RagflowJSON:
    datasets.accessible(caller, kb_id)
    return web_ok(True)
