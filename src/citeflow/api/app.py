"""The FastAPI application: one `create_app(settings)`, services opened in the lifespan;
`worker_app()` for each process of a multi-process server."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response

from citeflow import __version__
from citeflow.api.envelope import RagflowJSON, error_response, framework_error
from citeflow.api.middleware import BodyTooLarge, RequestContext
from citeflow.api.routers import ROUTERS
from citeflow.core.errors import CiteflowError
from citeflow.core.logs import configure_logging
from citeflow.core.settings import Settings
from citeflow.services import Services


def worker_app() -> FastAPI:
    """The app of one of several server processes, with settings from the environment; the
    parent process prepared the data directory (`Services.prepare`)."""
    settings = Settings()
    configure_logging(settings.log.level, settings.log.format)
    return create_app(settings, worker=True)


def create_app(settings: Settings, *, worker: bool = False) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.services = Services.open(settings, worker=worker)
        try:
            yield
        finally:
            app.state.services.close()

    app = FastAPI(
        title="citeflow",
        version=__version__,
        summary="RAGFlow v0.20.5-compatible HTTP API",
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url=None,
        default_response_class=RagflowJSON,
    )
    app.add_exception_handler(CiteflowError, _citeflow_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(BodyTooLarge, _too_large)
    for router in ROUTERS:
        app.include_router(router)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.http.cors_origins,
        allow_credentials=True,
        allow_methods=["*"],
        allow_headers=["*"],
        expose_headers=["Authorization"],
        max_age=30 * 24 * 3600,
    )
    app.add_middleware(RequestContext, max_body=settings.http.max_content_length)
    return app


async def _citeflow_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, CiteflowError)
    return error_response(exc)


async def _http_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return framework_error(exc.status_code)


async def _validation_error(_request: Request, exc: Exception) -> Response:
    """Only path and query parameters reach FastAPI's validation; bodies are read by hand."""
    assert isinstance(exc, RequestValidationError)
    problems = "; ".join(f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors())
    return RagflowJSON({"code": 101, "data": None, "message": problems})


async def _too_large(_request: Request, _exc: Exception) -> Response:
    return framework_error(413)
