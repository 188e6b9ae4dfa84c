"""JSON and JSON Lines files (pipeline spec §4.1): the document split into sub-objects of about
twice `chunk_token_num` characters that keep their path from the root, lists turned into
objects keyed by index, each section the JSON text of one sub-object."""

import json
from collections.abc import Iterator
from typing import Any

from citeflow.ingest.parsers.text import decode_text

#: A section is closed once it holds at least this many characters fewer than its limit.
CLOSING_SLACK = 200
SMALLEST_LIMIT = 50


class JsonError(ValueError):
    """The file is neither JSON nor JSON Lines."""


def json_sections(data: bytes, chunk_token_num: int = 128) -> list[str]:
    """The file's sections; a JSON Lines file's lines each split on their own."""
    text = decode_text(data)
    limit = max(chunk_token_num * 2, SMALLEST_LIMIT)
    return [
        json.dumps(part, ensure_ascii=False)
        for value in _documents(text)
        for part in split_json(value, limit)
    ]


def split_json(value: Any, limit: int) -> list[dict[str, Any]]:
    """Sub-objects of `value` whose JSON text stays within about `limit` characters; a single
    value larger than that stays whole in its own sub-object."""
    parts: list[dict[str, Any]] = [{}]
    _split(_as_objects(value), [], parts, limit, max(limit - CLOSING_SLACK, SMALLEST_LIMIT))
    return [part for part in parts if part]


def _split(value: Any, path: list[str], parts: list[dict[str, Any]], limit: int, closing: int) -> None:
    if not isinstance(value, dict):
        _put(parts[-1], path, value)
        return
    for key, item in value.items():
        size = len(json.dumps({key: item}, ensure_ascii=False))
        room = limit - len(json.dumps(parts[-1], ensure_ascii=False))
        if size < room:
            _put(parts[-1], [*path, key], item)
            continue
        if len(json.dumps(parts[-1], ensure_ascii=False)) >= closing:
            parts.append({})
        _split(item, [*path, key], parts, limit, closing)


def _put(target: dict[str, Any], path: list[str], value: Any) -> None:
    if not path:
        return
    for key in path[:-1]:
        target = target.setdefault(key, {})
    target[path[-1]] = value


def _as_objects(value: Any) -> Any:
    """Lists as objects keyed by their indexes, all the way down."""
    if isinstance(value, dict):
        return {str(k): _as_objects(v) for k, v in value.items()}
    if isinstance(value, list):
        return {str(i): _as_objects(v) for i, v in enumerate(value)}
    return value


def _documents(text: str) -> Iterator[Any]:
    """The JSON value of the text, or each line's for JSON Lines."""
    try:
        yield json.loads(text)
        return
    except ValueError:
        pass
    lines = [line for line in text.splitlines() if line.strip()]
    try:
        values = [json.loads(line) for line in lines]
    except ValueError as exc:
        raise JsonError(f"The file is neither JSON nor JSON Lines: {exc}") from exc
    yield from values
