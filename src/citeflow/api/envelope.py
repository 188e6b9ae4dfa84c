"""RAGFlow's response envelopes, and every wire quirk of them, in one place.

`/v1` (web API) and `/api/v1` (SDK API) share the shape `{"code", "data", "message"}` but differ in
which keys appear. Bodies are rendered like Flask's default JSON provider: keys sorted, non-ASCII
escaped, compact, a trailing newline. Errors are answered with HTTP 200 and a RetCode.
"""

import json
from typing import Any

from starlette.responses import JSONResponse

from citeflow.core.errors import OMIT, CiteflowError, Unauthenticated

#: The Python reprs of the werkzeug exceptions RAGFlow lets through as messages (code 100).
FRAMEWORK_ERRORS = {
    400: "<BadRequest '400: Bad Request'>",
    401: "<Unauthorized '401: Unauthorized'>",
    404: "<NotFound '404: Not Found'>",
    405: "<MethodNotAllowed '405: Method Not Allowed'>",
    413: "<RequestEntityTooLarge '413: Request Entity Too Large'>",
    415: "<UnsupportedMediaType '415: Unsupported Media Type'>",
}


class RagflowJSON(JSONResponse):
    """JSON rendered byte-for-byte like RAGFlow's Flask responses."""

    def render(self, content: Any) -> bytes:
        return (json.dumps(content, sort_keys=True, ensure_ascii=True, separators=(",", ":")) + "\n").encode()


class AuthorizationQuirk(CiteflowError):
    """QUIRK: `/api/v1` answers a missing or ill-formed `Authorization` header with code 0."""

    code = 0


def web_ok(data: Any = None, message: str = "success", headers: dict[str, str] | None = None) -> RagflowJSON:
    """`/v1` success: always all three keys."""
    return RagflowJSON({"code": 0, "data": data, "message": message}, headers=headers)


def sdk_ok(data: Any = OMIT) -> RagflowJSON:
    """`/api/v1` success: `{"code": 0}`, plus `data` when there is any. A message never appears."""
    return RagflowJSON({"code": 0} if data is OMIT else {"code": 0, "data": data})


def error_response(exc: CiteflowError) -> RagflowJSON:
    if isinstance(exc, Unauthenticated):
        return framework_error(401)
    body: dict[str, Any] = {"code": exc.code, "message": exc.message}
    if exc.data is not OMIT:
        body["data"] = exc.data
    return RagflowJSON(body)


def framework_error(status: int) -> RagflowJSON:
    """A routing or protocol failure (404, 405, 413…): HTTP 200, code 100, the werkzeug repr."""
    message = FRAMEWORK_ERRORS.get(status, f"<HTTPException '{status}'>")
    return RagflowJSON({"code": 401 if status == 401 else 100, "data": None, "message": message})


def unexpected_error(request_id: str) -> RagflowJSON:
    """What a client sees of a bug: no traceback, no path, the id to find it in the logs."""
    return RagflowJSON(
        {
            "code": 100,
            "data": None,
            "message": f"Internal server error; see the server log for request id {request_id}.",
        }
    )
