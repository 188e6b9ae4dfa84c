"""RAGFlow v0.20.5's envelopes as the API tests expect them, and the checks that read them.

`/v1` (the web API, session) answers HTTP 200 with `code`, `data` and `message`; `/api/v1` (the SDK
API, API key) leaves `data` out of most refusals. Framework errors look the same on both.
"""

from typing import Any

import httpx
import pytest

# /v1 --------------------------------------------------------------------------------------------
UNAUTHORIZED = {"code": 401, "data": None, "message": "<Unauthorized '401: Unauthorized'>"}
NO_AUTHORIZATION = {"code": 109, "data": False, "message": "No authorization."}
NOT_OWNER = {
    "code": 103,
    "data": False,
    "message": "Only owner of knowledgebase authorized for this operation.",
}

# /api/v1 ----------------------------------------------------------------------------------------
EMPTY_AUTH = {"code": 0, "data": False, "message": "`Authorization` can't be empty"}
BAD_KEY = {"code": 109, "data": False, "message": "Authentication error: API key is invalid!"}
SDK_NO_AUTHORIZATION = {"code": 109, "message": "No authorization."}

# both -------------------------------------------------------------------------------------------
NOT_FOUND = {"code": 100, "data": None, "message": "<NotFound '404: Not Found'>"}
NOT_ALLOWED = {"code": 100, "data": None, "message": "<MethodNotAllowed '405: Method Not Allowed'>"}
TOO_LARGE = {"code": 100, "data": None, "message": "<RequestEntityTooLarge '413: Request Entity Too Large'>"}
UNSUPPORTED_MEDIA_TYPE = {
    "code": 100,
    "data": None,
    "message": "<UnsupportedMediaType '415: Unsupported Media Type'>",
}
BAD_REQUEST = {"code": 100, "data": None, "message": "<BadRequest '400: Bad Request'>"}

#: What a `/v1` route that reads a JSON body answers to other bodies, as (httpx keyword arguments,
#: envelope) for `pytest.mark.parametrize`. A test adds a form body (415) with fields its route reads.
NOT_JSON_BODIES = [
    pytest.param({}, UNSUPPORTED_MEDIA_TYPE, id="no-body"),
    pytest.param(
        {"content": b"{}", "headers": {"Content-Type": "text/plain"}},
        UNSUPPORTED_MEDIA_TYPE,
        id="json-as-text",
    ),
    pytest.param(
        {"content": b"", "headers": {"Content-Type": "application/json"}}, BAD_REQUEST, id="empty-json"
    ),
    pytest.param(
        {"content": b"{nope", "headers": {"Content-Type": "application/json"}}, BAD_REQUEST, id="invalid-json"
    ),
]


def envelope(reply: httpx.Response) -> dict[str, Any]:
    """A `/v1` or `/api/v1` answer: HTTP 200 and a JSON object."""
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert isinstance(body, dict), body
    return body


def ok(reply: httpx.Response) -> Any:
    """The `data` of a success envelope, failing with the body otherwise."""
    body = envelope(reply)
    assert body["code"] == 0, body
    assert set(body) == {"code", "data", "message"}, body
    assert body["message"] == "success", body
    return body["data"]


def sdk_ok(reply: httpx.Response) -> Any:
    """The `data` of an `/api/v1` success, which carries exactly `code` and `data` (no `message`)."""
    body = envelope(reply)
    assert body.get("code") == 0, body
    assert set(body) <= {"code", "data"}, body
    return body.get("data")


def exception(message: str) -> dict[str, Any]:
    """The global handler's envelope for an exception: code 100, `data` null (spec §1.2)."""
    return {"code": 100, "data": None, "message": message}


def data_error(message: str) -> dict[str, Any]:
    """RAGFlow's data-error envelope: code 102 and no `data` key (spec §1.2)."""
    return {"code": 102, "message": message}


def missing(*names: str) -> dict[str, Any]:
    """The code-101 envelope of arguments missing from a `/v1` request (spec §1.5)."""
    return {"code": 101, "data": None, "message": f"required argument are missing: {','.join(names)}; "}
