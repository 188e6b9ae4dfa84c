"""Reading request input the way RAGFlow does: leniently, with presence checks and exact messages."""

import json
from typing import Annotated, Any

from fastapi import Depends, Request

from citeflow.api.envelope import FRAMEWORK_ERRORS
from citeflow.core.errors import CiteflowError, InvalidArgument


async def lenient_json(request: Request) -> Any:
    """The body parsed as JSON whatever the Content-Type; `None` when it does not parse."""
    raw = await request.body()
    if not raw:
        return None
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None


async def web_args(request: Request) -> Any:
    """`/v1` input: the JSON body if it parses to something truthy, else the form fields."""
    body = await lenient_json(request)
    if body:
        return body
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        form = await request.form()
        return {k: v for k, v in form.items() if isinstance(v, str)}
    return {}


WebArgs = Annotated[Any, Depends(web_args)]
LenientJson = Annotated[Any, Depends(lenient_json)]


def require(args: Any, *names: str) -> dict[str, Any]:
    """RAGFlow's `validate_request`: every name must be present as a key (a null value counts).

    The input is returned as a dict; a non-object input (a JSON string, list or number) has
    all its required names reported missing, as RAGFlow's membership test does in practice.
    """
    present = args if isinstance(args, dict) else {}
    missing = [n for n in names if n not in present]
    if missing:
        raise InvalidArgument(f"required argument are missing: {','.join(missing)}; ", data=None)
    return present


def query_int(value: str | None, default: int) -> int:
    """A query-string integer read with Python's `int()`, failing the way RAGFlow does (code 100)."""
    if value is None:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise CiteflowError(repr(exc), data=None) from exc


def query_arg(request: Request, name: str) -> str:
    """A required query argument; missing → Flask's `BadRequestKeyError` (code 100)."""
    value = request.query_params.get(name)
    if value is None:
        raise CiteflowError("<BadRequestKeyError '400: Bad Request'>", data=None)
    return value


def first_values(request: Request) -> dict[str, str]:
    """Query parameters with the first value of each name, as werkzeug's `to_dict()` gives them."""
    values: dict[str, str] = {}
    for key, value in request.query_params.multi_items():
        values.setdefault(key, value)
    return values


def is_json(request: Request) -> bool:
    """Whether the request says its body is JSON (parameters such as `charset` aside)."""
    return request.headers.get("content-type", "").split(";")[0].strip().lower() == "application/json"


async def strict_web_json(request: Request) -> Any:
    """Flask's `request.json` on the few `/v1` routes that use it: JSON content type required."""
    if not is_json(request):
        raise CiteflowError(FRAMEWORK_ERRORS[415], data=None)
    try:
        return json.loads(await request.body())
    except (ValueError, UnicodeDecodeError) as exc:
        raise CiteflowError(FRAMEWORK_ERRORS[400], data=None) from exc


StrictWebJson = Annotated[Any, Depends(strict_web_json)]


def as_int(value: Any) -> int:
    """Python's `int()` of a JSON value, failing as RAGFlow does (code 100, the exception's repr)."""
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError) as exc:
        raise CiteflowError(repr(exc), data=None) from exc


def as_float(value: Any) -> float:
    """Python's `float()` of a JSON value; NaN and infinities are refused as well."""
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise CiteflowError(repr(exc), data=None) from exc
    if number != number or number in (float("inf"), float("-inf")):
        raise CiteflowError(repr(ValueError(f"a finite number is required, not {value!r}")), data=None)
    return number
