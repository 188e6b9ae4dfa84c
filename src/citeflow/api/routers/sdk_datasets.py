"""`/api/v1/datasets`: dataset management for the SDK and other API-key clients (SDK spec §4)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from citeflow.api.body import first_values
from citeflow.api.deps import ApiKeyCaller, DatasetsDep
from citeflow.api.envelope import RagflowJSON, sdk_ok
from citeflow.api.records import dataset_record
from citeflow.api.schemas.datasets import CreateDataset, DeleteDatasets, ListDatasets, UpdateDataset
from citeflow.api.strict import strict_payload, validate
from citeflow.core.errors import OMIT

router = APIRouter(prefix="/api/v1/datasets", tags=["datasets (SDK API)"])
StrictPayload = Annotated[dict[str, Any], Depends(strict_payload)]


@router.post("")
def create_dataset(caller: ApiKeyCaller, payload: StrictPayload, datasets: DatasetsDep) -> RagflowJSON:
    req = validate(CreateDataset, payload)
    view = datasets.create(
        caller,
        name=req.name,
        avatar=req.avatar,
        description=req.description,
        embedding_model=req.embedding_model,
        permission=req.permission,
        chunk_method=req.chunk_method,
        parser_config=req.parser_config.model_dump() if req.parser_config else None,
    )
    return sdk_ok(dataset_record(view))


@router.put("/{dataset_id}")
def update_dataset(
    caller: ApiKeyCaller, dataset_id: str, payload: StrictPayload, datasets: DatasetsDep
) -> RagflowJSON:
    req = validate(UpdateDataset, {**payload, "dataset_id": dataset_id})
    changes = req.model_dump(exclude_unset=True)
    del changes["dataset_id"]
    return sdk_ok(dataset_record(datasets.update(caller, req.dataset_id, changes)))


@router.get("")
def list_datasets(caller: ApiKeyCaller, request: Request, datasets: DatasetsDep) -> RagflowJSON:
    raw = first_values(request)
    query = validate(ListDatasets, raw)
    views = datasets.list_visible(
        caller,
        dataset_id=query.id,
        name=query.name,
        raw_id=raw.get("id"),
        page=query.page,
        page_size=query.page_size,
        orderby=query.orderby,
        desc=query.desc,
    )
    return sdk_ok([dataset_record(v) for v in views])


@router.delete("")
def delete_datasets(caller: ApiKeyCaller, payload: StrictPayload, datasets: DatasetsDep) -> RagflowJSON:
    """Delete the listed datasets, or all of the caller's with `"ids": null`, with their documents."""
    req = validate(DeleteDatasets, payload)
    datasets.delete(caller, req.ids)
    return sdk_ok()


@router.get("/{dataset_id}/knowledge_graph")
def get_knowledge_graph(caller: ApiKeyCaller, dataset_id: str, datasets: DatasetsDep) -> RagflowJSON:
    """The dataset's knowledge graph; empty until graph extraction exists."""
    datasets.accessible(caller, dataset_id, data=OMIT)
    return sdk_ok({"graph": {}, "mind_map": {}})


@router.delete("/{dataset_id}/knowledge_graph")
def delete_knowledge_graph(caller: ApiKeyCaller, dataset_id: str, datasets: DatasetsDep) -> RagflowJSON:
    datasets.accessible(caller, dataset_id, data=OMIT)
    return sdk_ok(True)
