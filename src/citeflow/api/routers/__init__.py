"""Every router of the app, in the order they are mounted."""

from fastapi import APIRouter

from citeflow.api.routers import (
    sdk_chunks,
    sdk_datasets,
    sdk_documents,
    sdk_retrieval,
    sdk_tenant,
    web_chunk,
    web_document,
    web_kb,
    web_llm,
    web_system,
    web_user,
)

ROUTERS: tuple[APIRouter, ...] = (
    web_user.router,
    web_system.router,
    web_llm.router,
    web_kb.router,
    web_document.router,
    web_chunk.router,
    sdk_tenant.router,
    sdk_datasets.router,
    sdk_documents.router,
    sdk_chunks.router,
    sdk_retrieval.router,
)
