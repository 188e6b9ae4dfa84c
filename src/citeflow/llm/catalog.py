"""The factory list: which providers exist, how to reach them, and the models each is known to serve.

It is data (`factories.json`), served by `/v1/llm/factories` and `/v1/llm/list`.
"""

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

from citeflow.llm._types import ModelKind

Protocol = Literal["builtin", "openai", "ollama", "tei"]
BUILTIN = "Builtin"


@dataclass(frozen=True, slots=True)
class CatalogModel:
    llm_name: str
    model_type: ModelKind
    max_tokens: int
    tags: str
    is_tools: bool


@dataclass(frozen=True, slots=True)
class Factory:
    name: str
    protocol: Protocol
    base_url: str
    tags: str
    needs_key: bool
    self_deployed: bool
    name_suffix: str
    models: tuple[CatalogModel, ...]

    def model_types(self) -> list[str]:
        kinds = list(dict.fromkeys(m.model_type for m in self.models))
        return kinds or ["chat", "embedding", "rerank", "image2text", "speech2text", "tts"]

    def provider_name(self, stored_name: str) -> str:
        """The name the provider knows: stored names of some factories carry a `___Factory` suffix."""
        if self.name_suffix and stored_name.endswith(self.name_suffix):
            return stored_name[: -len(self.name_suffix)]
        return stored_name


@cache
def factories() -> dict[str, Factory]:
    raw = json.loads(resources.files("citeflow.llm").joinpath("factories.json").read_text("utf-8"))
    return {
        f["name"]: Factory(
            name=f["name"],
            protocol=f["protocol"],
            base_url=f["base_url"],
            tags=f["tags"],
            needs_key=f["needs_key"],
            self_deployed=f["self_deployed"],
            name_suffix=f["name_suffix"],
            models=tuple(CatalogModel(**m) for m in f["models"]),
        )
        for f in raw["factories"]
    }


def split_model_id(model_id: str) -> tuple[str, str | None]:
    """RAGFlow's `name@factory` rule: with 3+ parts the last is the factory; with exactly 2 the
    suffix is a factory only if it is a known one; otherwise the whole string is the name."""
    parts = model_id.split("@")
    if len(parts) > 2:
        return "@".join(parts[:-1]), parts[-1]
    if len(parts) == 2 and parts[1] in factories():
        return parts[0], parts[1]
    return model_id, None
