"""`/v1/system/*`: version, health, configuration and tenant API keys (RAGFlow's system_app)."""

from typing import Any

from fastapi import APIRouter
from starlette.responses import PlainTextResponse

from citeflow import RAGFLOW_API_VERSION, __version__
from citeflow.api.deps import AccountsDep, ApiKeysDep, ServicesDep, SessionCaller
from citeflow.api.envelope import RagflowJSON, web_ok
from citeflow.api.records import new_token_record, token_record
from citeflow.services.system import Health

router = APIRouter(prefix="/v1/system", tags=["system (web API)"])


@router.get("/version")
def version(_caller: SessionCaller) -> RagflowJSON:
    return web_ok(f"{RAGFLOW_API_VERSION} citeflow-{__version__}")


def _status_entry(health: Health) -> dict[str, Any]:
    entry: dict[str, Any] = {
        health.component.label: health.component.kind,
        "status": "green" if health.ok else "red",
        "elapsed": f"{health.elapsed_ms:.1f}",
    }
    if health.error is not None:
        entry["error"] = health.error
    return entry


@router.get("/status")
def status(_caller: SessionCaller, services: ServicesDep) -> RagflowJSON:
    """Each backing component with its status and round-trip latency in ms."""
    data: dict[str, Any] = {h.component.key: _status_entry(h) for h in services.system.check()}
    data["task_executor_heartbeats"] = {}
    return web_ok(data)


@router.get("/healthz")
def healthz(services: ServicesDep) -> RagflowJSON:
    """Liveness for load balancers: HTTP 200 when every component answers, else 500."""
    checks = services.system.check()
    body: dict[str, Any] = {h.component.healthz_key: "ok" if h.ok else "nok" for h in checks}
    body["_meta"] = {
        h.component.healthz_key: {"elapsed": f"{h.elapsed_ms:.1f}", "error": h.error}
        for h in checks
        if not h.ok
    }
    return RagflowJSON(body, status_code=200 if all(h.ok for h in checks) else 500)


@router.get("/ping")
async def ping() -> PlainTextResponse:
    return PlainTextResponse("pong")


@router.get("/config")
async def config(accounts: AccountsDep) -> RagflowJSON:
    return web_ok({"registerEnabled": int(accounts.register_enabled)})


@router.get("/public_key")
async def public_key(accounts: AccountsDep) -> RagflowJSON:
    """The PEM public key for RAGFlow's password transport (see docs/api.md)."""
    return web_ok({"public_key": accounts.public_key_pem})


@router.post("/new_token")
def new_token(caller: SessionCaller, api_keys: ApiKeysDep) -> RagflowJSON:
    """Create an API key for the caller's tenant. The full key is shown here and never again."""
    return web_ok(new_token_record(api_keys.create(caller)))


@router.get("/token_list")
def token_list(caller: SessionCaller, api_keys: ApiKeysDep) -> RagflowJSON:
    return web_ok([token_record(k) for k in api_keys.list(caller)])


@router.delete("/token/{token}")
def delete_token(token: str, caller: SessionCaller, api_keys: ApiKeysDep) -> RagflowJSON:
    """Delete one of the caller's keys, given in full or as listed; always answers `true`."""
    api_keys.delete(caller, token)
    return web_ok(True)
