"""Dependencies shared by the routers: the services, and the caller resolved from credentials."""

from typing import Annotated

from fastapi import Depends, Request

from citeflow.api.envelope import AuthorizationQuirk
from citeflow.core.errors import Unauthenticated
from citeflow.services import Caller, Services
from citeflow.services.accounts import AccountService
from citeflow.services.api_keys import ApiKeyService
from citeflow.services.chunks import ChunkService
from citeflow.services.datasets import DatasetService
from citeflow.services.documents import DocumentService
from citeflow.services.models import ModelService
from citeflow.services.retrieval import RetrievalService


async def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


async def get_accounts(services: ServicesDep) -> AccountService:
    return services.accounts


async def get_api_keys(services: ServicesDep) -> ApiKeyService:
    return services.api_keys


async def get_models(services: ServicesDep) -> ModelService:
    return services.models


async def get_datasets(services: ServicesDep) -> DatasetService:
    return services.datasets


async def get_documents(services: ServicesDep) -> DocumentService:
    return services.documents


AccountsDep = Annotated[AccountService, Depends(get_accounts)]
DocumentsDep = Annotated[DocumentService, Depends(get_documents)]


async def get_chunks(services: ServicesDep) -> ChunkService:
    return services.chunks


async def get_retrieval(services: ServicesDep) -> RetrievalService:
    return services.retrieval


ChunksDep = Annotated[ChunkService, Depends(get_chunks)]
RetrievalDep = Annotated[RetrievalService, Depends(get_retrieval)]
DatasetsDep = Annotated[DatasetService, Depends(get_datasets)]
ModelsDep = Annotated[ModelService, Depends(get_models)]
ApiKeysDep = Annotated[ApiKeyService, Depends(get_api_keys)]


def _remember(request: Request, caller: Caller) -> Caller:
    request.state.tenant_id = caller.tenant_id
    return caller


def session_caller(request: Request, accounts: AccountsDep) -> Caller:
    """`/v1`: the web session token, sent back verbatim in `Authorization` (a `Bearer ` prefix is allowed)."""
    header = request.headers.get("authorization", "").strip()
    if not header:
        raise Unauthenticated("No valid session: log in again.")
    token = header.split()[-1]
    return _remember(request, accounts.authenticate(token))


def api_key_caller(request: Request, api_keys: ApiKeysDep) -> Caller:
    """`/api/v1`: `Authorization: <scheme> <key>`; the scheme word is not checked, as in RAGFlow."""
    header = request.headers.get("authorization", "")
    if not header.strip():
        raise AuthorizationQuirk("`Authorization` can't be empty", data=False)
    parts = header.split()
    if len(parts) < 2:
        raise AuthorizationQuirk("Please check your authorization format.", data=False)
    return _remember(request, api_keys.authenticate(parts[1]))


SessionCaller = Annotated[Caller, Depends(session_caller)]
ApiKeyCaller = Annotated[Caller, Depends(api_key_caller)]
