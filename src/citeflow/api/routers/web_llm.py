"""`/v1/llm/*`: model factories, provider keys and the tenant's models (RAGFlow's llm_app)."""

from typing import Any

from fastapi import APIRouter, Request

from citeflow.api.body import WebArgs, require
from citeflow.api.deps import ModelsDep, SessionCaller
from citeflow.api.envelope import RagflowJSON, web_ok
from citeflow.api.records import catalog_record, factory_record

router = APIRouter(prefix="/v1/llm", tags=["models (web API)"])


@router.get("/factories")
def list_factories(_caller: SessionCaller, models: ModelsDep) -> RagflowJSON:
    return web_ok([factory_record(f) for f in models.factories()])


@router.post("/set_api_key")
def set_api_key(caller: SessionCaller, args: WebArgs, models: ModelsDep) -> RagflowJSON:
    """Verify a provider key with one small real call, then keep it (encrypted) for the factory's models."""
    body = require(args, "llm_factory", "api_key")
    models.set_api_key(
        caller,
        factory_name=body["llm_factory"],
        api_key=body["api_key"],
        base_url=body.get("base_url"),
        model_type=body.get("model_type"),
        llm_name=body.get("llm_name"),
    )
    return web_ok(True)


@router.post("/add_llm")
def add_llm(caller: SessionCaller, args: WebArgs, models: ModelsDep) -> RagflowJSON:
    """Add one model (typically self-hosted: Ollama, vLLM, …) after checking that it answers."""
    body = require(args, "llm_factory")
    models.add_model(
        caller,
        factory_name=body["llm_factory"],
        model_type=body.get("model_type"),
        llm_name=body.get("llm_name"),
        api_base=body.get("api_base"),
        api_key=body.get("api_key"),
        max_tokens=body.get("max_tokens"),
    )
    return web_ok(True)


@router.post("/delete_llm")
def delete_llm(caller: SessionCaller, args: WebArgs, models: ModelsDep) -> RagflowJSON:
    body = require(args, "llm_factory", "llm_name")
    models.delete_model(caller, body["llm_factory"], body["llm_name"])
    return web_ok(True)


@router.post("/delete_factory")
def delete_factory(caller: SessionCaller, args: WebArgs, models: ModelsDep) -> RagflowJSON:
    body = require(args, "llm_factory")
    models.delete_factory(caller, body["llm_factory"])
    return web_ok(True)


@router.get("/my_llms")
def my_llms(request: Request, caller: SessionCaller, models: ModelsDep) -> RagflowJSON:
    """The tenant's models grouped by factory; `include_details=true` adds base URL and max tokens."""
    details = request.query_params.get("include_details", "false").lower() == "true"
    catalog = models.catalog()
    grouped: dict[str, dict[str, Any]] = {}
    for model in models.configured(caller):
        if not (model.has_key or details):
            continue
        factory = catalog.get(model.factory)
        entry = grouped.setdefault(model.factory, {"tags": factory.tags if factory else None, "llm": []})
        item: dict[str, Any] = {"type": model.kind, "name": model.name, "used_token": model.used_tokens}
        if details:
            item["api_base"] = model.api_base
            item["max_tokens"] = model.max_tokens
        entry["llm"].append(item)
    return web_ok(grouped)


@router.get("/list")
def list_models(request: Request, caller: SessionCaller, models: ModelsDep) -> RagflowJSON:
    """Every catalogue model with `available` for this tenant, plus the tenant's own extra models."""
    wanted = request.query_params.get("model_type") or ""
    configured = models.configured(caller)
    keyed = {m.factory for m in configured if m.has_key}
    known: set[tuple[str, str, str]] = set()
    data: dict[str, list[dict[str, Any]]] = {}
    for factory in models.catalog().values():
        for model in factory.models:
            known.add((factory.name, model.llm_name, model.model_type))
            if wanted in model.model_type:
                available = factory.self_deployed or factory.name in keyed
                data.setdefault(factory.name, []).append(catalog_record(factory, model, available))
    for model in configured:
        if (model.factory, model.name, model.kind) not in known and wanted in model.kind:
            data.setdefault(model.factory, []).append(
                {"llm_name": model.name, "model_type": model.kind, "fid": model.factory, "available": True}
            )
    return web_ok(data)
