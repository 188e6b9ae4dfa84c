"""RAGFlow's strict JSON reading and its pydantic error format (SDK spec §1.2, §1.11)."""

import json
from typing import Any, TypeVar
from uuid import UUID

from fastapi import Request
from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticCustomError

from citeflow.api.body import is_json
from citeflow.core.errors import InvalidArgument

Model = TypeVar("Model", bound=BaseModel)
VALUE_LIMIT = 128


async def strict_payload(request: Request) -> dict[str, Any]:
    """The body as a JSON object; anything else is refused with RAGFlow's code-101 messages."""
    if not is_json(request):
        content_type = request.headers.get("content-type")
        raise InvalidArgument(f"Unsupported content type: Expected application/json, got {content_type}")
    try:
        payload = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidArgument("Malformed JSON syntax: Missing commas/brackets or invalid encoding") from exc
    if payload is None:
        return {}
    if not isinstance(payload, dict):
        raise InvalidArgument(f"Invalid request payload: expected object, got {type(payload).__name__}")
    return payload


def validate(model: type[Model], data: dict[str, Any]) -> Model:
    try:
        return model(**data)
    except ValidationError as exc:
        raise InvalidArgument(format_errors(exc)) from exc


def format_errors(error: ValidationError) -> str:
    """One `Field: <loc> - Message: <msg> - Value: <input>` line per error."""
    lines = []
    for item in error.errors():
        value = str(item["input"])
        if len(value) > VALUE_LIMIT:
            value = value[: VALUE_LIMIT - 3] + "..."
        field = ".".join(map(str, item["loc"]))
        lines.append(f"Field: <{field}> - Message: <{item['msg']}> - Value: <{value}>")
    return "\n".join(lines)


def uuid1_hex(value: Any) -> str:
    """A version-1 UUID in its 32-hex form (dashes accepted); pydantic error otherwise."""
    try:
        parsed = UUID(value) if isinstance(value, str) else value
        if parsed.version == 1:
            return str(parsed.hex)
    except (AttributeError, ValueError, TypeError):
        pass
    raise PydanticCustomError("invalid_UUID1_format", "Invalid UUID1 format")
