"""Who may reach a tenant's datasets: the caller's roles, and RAGFlow's refusal messages."""

from sqlalchemy.orm import Session

from citeflow.db.accounts import TenantRepo
from citeflow.services.caller import Caller

NO_AUTHORIZATION = "No authorization."
ONLY_OWNER = "Only owner of knowledgebase authorized for this operation."


def tenant_roles(session: Session, caller: Caller) -> dict[str, str]:
    """`{tenant id: role}` for every tenant the caller belongs to; their own tenant always counts."""
    return {caller.tenant_id: "owner", **TenantRepo(session).memberships(caller.user_id)}
