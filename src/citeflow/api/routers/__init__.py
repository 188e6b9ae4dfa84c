"""Every router of the app, in the order they are mounted."""

from fastapi import APIRouter

from citeflow.api.routers import sdk_tenant, web_llm, web_system, web_user

ROUTERS: tuple[APIRouter, ...] = (web_user.router, web_system.router, web_llm.router, sdk_tenant.router)
