"""Documents chosen by their metadata (SDK spec §6.1, pipeline spec §6.8)."""

from collections.abc import Mapping, Sequence
from typing import Any

#: The SDK's operator names for RAGFlow's own.
OPERATOR_ALIASES = {"is": "=", "not is": "≠"}


def conditions_of(metadata_condition: object) -> list[dict[str, Any]]:
    """`{"conditions": [{"name", "comparison_operator", "value"}]}` as RAGFlow's filters
    `{"key", "op", "value"}`; anything malformed is left out."""
    if not isinstance(metadata_condition, dict):
        return []
    conditions = metadata_condition.get("conditions")
    if not isinstance(conditions, list):
        return []
    return [
        {
            "key": c.get("name"),
            "op": OPERATOR_ALIASES.get(str(c.get("comparison_operator")), c.get("comparison_operator")),
            "value": c.get("value"),
        }
        for c in conditions
        if isinstance(c, dict)
    ]


def matching_documents(
    metadata: Mapping[str, Mapping[str, Sequence[str]]], filters: Sequence[Mapping[str, Any]]
) -> set[str] | None:
    """Ids of the documents passing every filter whose key some document has; None when no
    filter applies (so nothing is filtered), an empty set when documents were filtered out."""
    chosen: set[str] | None = None
    for f in filters:
        values = metadata.get(str(f.get("key")))
        if values is None:
            continue
        passing = {
            doc
            for value, docs in values.items()
            if _holds(value, str(f.get("op")), f.get("value"))
            for doc in docs
        }
        chosen = passing if chosen is None else chosen & passing
        if not chosen:
            return set()
    return chosen


def _holds(stored: str, op: str, wanted: object) -> bool:
    """One comparison: as numbers when both sides are numbers, else as text, case-insensitive
    for the text operators."""
    left: float | str
    right: float | str
    try:
        left, right = float(stored), float(str(wanted))
    except ValueError:
        left, right = str(stored), str(wanted)
    text, value = str(left).lower(), str(right).lower()
    try:
        match op:
            case "contains":
                return value in text
            case "not contains":
                return value not in text
            case "start with":
                return text.startswith(value)
            case "end with":
                return text.endswith(value)
            case "empty":
                return not stored
            case "not empty":
                return bool(stored)
            case "=":
                return left == right
            case "≠":
                return left != right
            case ">":
                return left > right  # type: ignore[operator]
            case "<":
                return left < right  # type: ignore[operator]
            case "≥":
                return left >= right  # type: ignore[operator]
            case "≤":
                return left <= right  # type: ignore[operator]
    except TypeError:
        return False
    return False
