"""Chunk methods and their `parser_config` defaults, as RAGFlow v0.20.5 stores them."""

import copy
from typing import Any

#: Methods a dataset may use (SDK create/update accept exactly these, in this order).
DATASET_METHODS = (
    "naive",
    "book",
    "email",
    "laws",
    "manual",
    "one",
    "paper",
    "picture",
    "presentation",
    "qa",
    "table",
    "tag",
)
#: Methods a document may be switched to.
DOCUMENT_METHODS = frozenset(DATASET_METHODS) | {"knowledge_graph"}

RAPTOR_PROMPT = (
    "Please summarize the following paragraphs. Be careful with the numbers, do not make things up. "
    "Paragraphs as following:\n      {cluster_content}\nThe above is the content you need to summarize."
)
ENTITY_TYPES = ["organization", "person", "geo", "event", "category"]

_OFF = {"raptor": {"use_raptor": False}, "graphrag": {"use_graphrag": False}}
_NAIVE = {
    "chunk_token_num": 512,
    "delimiter": "\\n",
    "html4excel": False,
    "layout_recognize": "DeepDOC",
    **_OFF,
}
_KNOWLEDGE_GRAPH = {
    "chunk_token_num": 8192,
    "delimiter": "\\n",
    "entity_types": ["organization", "person", "location", "event", "time"],
    **_OFF,
}
_METHOD_DEFAULTS: dict[str, dict[str, Any]] = {
    "naive": _NAIVE,
    "knowledge_graph": _KNOWLEDGE_GRAPH,
    **{m: _OFF for m in ("qa", "manual", "paper", "book", "laws", "presentation")},
}

#: What `/v1/kb/create` stores when no parser_config is sent (RAGFlow's column default).
COLUMN_DEFAULT: dict[str, Any] = {"pages": [[1, 1000000]]}


def method_default(parser_id: str) -> dict[str, Any]:
    """The parser_config a chunk method starts with (empty for methods without options)."""
    return copy.deepcopy(_METHOD_DEFAULTS.get(parser_id, {}))


def deep_merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """`changes` merged into a copy of `base`: dicts into dicts, recursively; other values replace."""
    merged = copy.deepcopy(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged
