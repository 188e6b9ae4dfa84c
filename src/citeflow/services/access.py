"""Who may reach a tenant's datasets: the caller's roles, and RAGFlow's refusal messages."""

from collections.abc import Sequence

from sqlalchemy.orm import Session

from citeflow.core.errors import DataError
from citeflow.db.accounts import TenantRepo
from citeflow.db.datasets import DatasetRepo
from citeflow.db.models import Dataset
from citeflow.services.caller import Caller

NO_AUTHORIZATION = "No authorization."
ONLY_OWNER = "Only owner of knowledgebase authorized for this operation."


def tenant_roles(session: Session, caller: Caller) -> dict[str, str]:
    """`{tenant id: role}` for every tenant the caller belongs to; their own tenant always counts."""
    return {caller.tenant_id: "owner", **TenantRepo(session).memberships(caller.user_id)}


def owned_datasets(session: Session, caller: Caller, dataset_ids: Sequence[object]) -> list[Dataset]:
    """The datasets, each of which one of the caller's tenants must own; the SDK's `You don't
    own the dataset {id}.` for the first that is not (or is not an id at all)."""
    roles = tenant_roles(session, caller)
    rows = {d.id: d for d in DatasetRepo(session).with_ids([i for i in dataset_ids if isinstance(i, str)])}
    found = []
    for dataset_id in dataset_ids:
        row = rows.get(dataset_id) if isinstance(dataset_id, str) else None
        if row is None or row.tenant_id not in roles:
            raise DataError(f"You don't own the dataset {dataset_id}.")
        found.append(row)
    return found
