"""`/api/v1/datasets` request bodies and query, validated the way RAGFlow v0.20.5 does (SDK spec §3.4, §4)."""

from collections import Counter
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from pydantic_core import PydanticCustomError

from citeflow.api.strict import uuid1_hex
from citeflow.services.parser_config import DATASET_METHODS, ENTITY_TYPES, RAPTOR_PROMPT

NAME_LIMIT = 128
TEXT_LIMIT = 65535
CONFIG_LIMIT = 65535
METHODS_MESSAGE = "Input should be " + ", ".join(f"'{m}'" for m in DATASET_METHODS[:-1])
METHODS_MESSAGE += f" or '{DATASET_METHODS[-1]}'"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class RaptorConfig(Strict):
    use_raptor: bool = False
    prompt: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)] = RAPTOR_PROMPT
    max_token: Annotated[int, Field(ge=1, le=2048)] = 256
    threshold: Annotated[float, Field(ge=0, le=1)] = 0.1
    max_cluster: Annotated[int, Field(ge=1, le=1024)] = 64
    random_seed: Annotated[int, Field(ge=0)] = 0


class GraphragConfig(Strict):
    use_graphrag: bool = False
    entity_types: list[str] = Field(default_factory=lambda: list(ENTITY_TYPES))
    method: Literal["light", "general"] = "light"
    community: bool = False
    resolution: bool = False


class ParserConfig(Strict):
    auto_keywords: Annotated[int, Field(ge=0, le=32)] = 0
    auto_questions: Annotated[int, Field(ge=0, le=10)] = 0
    chunk_token_num: Annotated[int, Field(ge=1, le=2048)] = 512
    delimiter: Annotated[str, Field(min_length=1)] = "\\n"
    graphrag: GraphragConfig = Field(default_factory=GraphragConfig)
    html4excel: bool = False
    layout_recognize: str = "DeepDOC"
    raptor: RaptorConfig = Field(default_factory=RaptorConfig)
    tag_kb_ids: list[str] = Field(default_factory=list)
    topn_tags: Annotated[int, Field(ge=1, le=10)] = 1
    filename_embd_weight: Annotated[float | None, Field(ge=0, le=1)] = 0.1
    task_page_size: Annotated[int | None, Field(ge=1)] = None
    pages: list[list[int]] | None = None


class CreateDataset(Strict):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=NAME_LIMIT)]
    avatar: Annotated[str | None, Field(max_length=TEXT_LIMIT)] = None
    description: Annotated[str | None, Field(max_length=TEXT_LIMIT)] = None
    embedding_model: Annotated[str | None, Field(max_length=255)] = None
    permission: Literal["me", "team"] = "me"
    chunk_method: str = "naive"
    parser_config: ParserConfig | None = None

    @field_validator("avatar", mode="after")
    @classmethod
    def _data_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if "," not in value:
            raise PydanticCustomError(
                "format_invalid", "Missing MIME prefix. Expected format: data:<mime>;base64,<data>"
            )
        prefix = value.split(",", 1)[0]
        if not prefix.startswith("data:"):
            raise PydanticCustomError("format_invalid", "Invalid MIME prefix format. Must start with 'data:'")
        if prefix[5:].split(";")[0] not in ("image/jpeg", "image/png"):
            raise PydanticCustomError(
                "format_invalid", "Unsupported MIME type. Allowed: ['image/jpeg', 'image/png']"
            )
        return value

    @field_validator("embedding_model", mode="before")
    @classmethod
    def _strip(cls, value: Any) -> Any:
        return value.strip() if isinstance(value, str) else value

    @field_validator("embedding_model", mode="after")
    @classmethod
    def _model_id(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if "@" not in value:
            raise PydanticCustomError(
                "format_invalid", "Embedding model identifier must follow <model_name>@<provider> format"
            )
        name, provider = value.split("@", 1)
        if not name or not provider:
            raise PydanticCustomError(
                "format_invalid", "Both model_name and provider must be non-empty strings"
            )
        if not name.strip() or not provider.strip():
            raise PydanticCustomError(
                "format_invalid", "Model name and provider cannot be whitespace-only strings"
            )
        return value

    @field_validator("chunk_method", mode="wrap")
    @classmethod
    def _method(cls, value: Any, handler: Any) -> str:
        if not isinstance(value, str) or value not in DATASET_METHODS:
            raise PydanticCustomError("literal_error", METHODS_MESSAGE)
        method: str = handler(value)
        return method

    @field_validator("parser_config", mode="before")
    @classmethod
    def _empty_is_absent(cls, value: Any) -> Any:
        return None if value == {} else value

    @field_validator("parser_config", mode="after")
    @classmethod
    def _size(cls, value: ParserConfig | None) -> ParserConfig | None:
        if value is not None and len(size := value.model_dump_json()) > CONFIG_LIMIT:
            raise PydanticCustomError(
                "string_too_long",
                "Parser config exceeds size limit (max 65,535 characters). Current size: {actual}",
                {"actual": len(size)},
            )
        return value


class UpdateDataset(CreateDataset):
    dataset_id: str
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=NAME_LIMIT)] = ""
    pagerank: Annotated[int, Field(ge=0, le=100)] = 0

    @field_validator("dataset_id", mode="before")
    @classmethod
    def _uuid(cls, value: Any) -> str:
        return uuid1_hex(value)


class DeleteDatasets(Strict):
    ids: list[str] | None

    @field_validator("ids", mode="after")
    @classmethod
    def _uuids(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        ids = [uuid1_hex(v) for v in value]
        duplicates = [i for i, n in Counter(ids).items() if n > 1]
        if duplicates:
            raise PydanticCustomError(
                "duplicate_uuids",
                "Duplicate ids: '{duplicate_ids}'",
                {"duplicate_ids": ", ".join(duplicates)},
            )
        return ids


class ListDatasets(BaseModel):
    """Query parameters: lax, so `"2"` is a page number and `"false"` a boolean."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = None
    name: str | None = None
    page: Annotated[int, Field(ge=1)] = 1
    page_size: Annotated[int, Field(ge=1)] = 30
    orderby: Literal["create_time", "update_time"] = "create_time"
    desc: bool = True

    @field_validator("id", mode="before")
    @classmethod
    def _uuid(cls, value: Any) -> str:
        return uuid1_hex(value)
