"""`/api/v1/citeflow/whoami`: which tenant an API key belongs to (a citeflow addition)."""

from fastapi import APIRouter

from citeflow.api.deps import ApiKeyCaller
from citeflow.api.envelope import RagflowJSON, sdk_ok

router = APIRouter(prefix="/api/v1/citeflow", tags=["citeflow additions (SDK API)"])


@router.get("/whoami")
async def whoami(caller: ApiKeyCaller) -> RagflowJSON:
    """Check an API key: answers the tenant it belongs to, or the usual authentication error."""
    return sdk_ok({"tenant_id": caller.tenant_id, "user_id": caller.user_id})
