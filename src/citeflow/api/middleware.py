"""ASGI middleware: request ids, access logs, body limits, trailing slashes, last-resort errors."""

import logging
import re
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from citeflow.api.envelope import framework_error, unexpected_error
from citeflow.core.logs import request_id_var

_REPEATED_SLASHES = re.compile(r"/{2,}")

log = logging.getLogger("citeflow.access")


class BodyTooLarge(Exception):
    """The request body grew past the configured limit while it was being read."""


class RequestContext:
    """Outermost citeflow layer. Gives each request an id (echoed as `X-Request-ID`), logs one line
    per request, accepts a trailing `/` on every route, enforces the body limit, and turns any
    exception that escaped the handlers into a code-100 envelope without internals."""

    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex[:16]
        context = request_id_var.set(request_id)
        path = scope["path"]
        # Werkzeug merges repeated slashes and ignores a trailing one; so does this.
        routed = _REPEATED_SLASHES.sub("/", path)
        if len(routed) > 1 and routed.endswith("/"):
            routed = routed[:-1]
        if routed != path:
            scope = {**scope, "path": routed}
        scope.setdefault("state", {})
        started = time.perf_counter()
        status = {"code": 0}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            if _declared_length(scope) > self.max_body:
                await framework_error(413)(scope, receive, send_with_id)
                return
            await self.app(scope, self._limited(receive), send_with_id)
        except Exception:
            # The id goes on the record itself, so every handler sees it, not only ours.
            log.exception("unhandled error", extra={"path": path, "request_id": request_id})
            if not status["code"]:
                await unexpected_error(request_id)(scope, receive, send_with_id)
        finally:
            route = scope.get("route")
            log.info(
                "%s %s %s",
                scope["method"],
                path,
                status["code"],
                extra={
                    "request_id": request_id,
                    "method": scope["method"],
                    "route": getattr(route, "path", None),
                    "status": status["code"],
                    "tenant": scope["state"].get("tenant_id"),
                    "latency_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
            request_id_var.reset(context)

    def _limited(self, receive: Receive) -> Receive:
        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise BodyTooLarge
            return message

        return counting_receive


def _declared_length(scope: Scope) -> int:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 0
    return 0
