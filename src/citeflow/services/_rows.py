"""Copying database rows into the frozen views services hand out."""

import dataclasses
import json
from typing import Any, TypeVar

View = TypeVar("View")


def view_of(view_type: type[View], row: object, *, json_columns: tuple[str, ...] = (), **extra: Any) -> View:
    """`view_type` filled from the row's same-named columns, JSON columns decoded, `extra` added."""
    values = {
        f.name: getattr(row, f.name)
        for f in dataclasses.fields(view_type)  # type: ignore[arg-type]
        if f.name not in extra and hasattr(row, f.name)
    }
    for column in json_columns:
        values[column] = json.loads(values[column])
    return view_type(**values, **extra)
