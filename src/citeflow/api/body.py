"""Reading request input the way RAGFlow does: leniently, with presence checks and exact messages."""

import json
from typing import Annotated, Any

from fastapi import Depends, Request

from citeflow.core.errors import InvalidArgument


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
