"""The model interfaces every provider implements, one per kind of model."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

ModelKind = Literal["chat", "embedding", "rerank", "image2text", "speech2text", "tts"]
MODEL_KINDS: tuple[ModelKind, ...] = ("chat", "embedding", "rerank", "image2text", "speech2text", "tts")


@dataclass(frozen=True, slots=True)
class ModelRef:
    """Which model to call and how: a factory's model plus the tenant's credentials for it."""

    factory: str
    name: str
    kind: ModelKind
    api_key: str = ""
    base_url: str = ""
    max_tokens: int = 8192


@dataclass(frozen=True, slots=True)
class Message:
    role: Literal["system", "user", "assistant"]
    content: str


@dataclass(frozen=True, slots=True)
class GenConf:
    """Generation settings; `None` leaves the provider's default."""

    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    stop: tuple[str, ...] = ()

    @classmethod
    def of(cls, settings: dict[str, Any] | None) -> "GenConf":
        """From RAGFlow's `llm_setting` dict; unknown keys are ignored."""
        s = settings or {}
        return cls(
            temperature=_float(s.get("temperature")),
            top_p=_float(s.get("top_p")),
            max_tokens=_int(s.get("max_tokens")),
            presence_penalty=_float(s.get("presence_penalty")),
            frequency_penalty=_float(s.get("frequency_penalty")),
        )


@dataclass(frozen=True, slots=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass(frozen=True, slots=True)
class Completion:
    text: str
    usage: Usage = field(default_factory=Usage)
    finish_reason: str | None = None


@dataclass(frozen=True, slots=True)
class Delta:
    """A piece of a streamed answer. The last one of a stream carries the usage."""

    text: str
    usage: Usage | None = None
    finish_reason: str | None = None


class ChatModel(Protocol):
    ref: ModelRef

    def complete(self, messages: Sequence[Message], conf: GenConf) -> Completion: ...

    def stream(self, messages: Sequence[Message], conf: GenConf) -> Iterator[Delta]:
        """Yield the answer as it is generated. Closing the iterator cancels the call."""
        ...


class EmbeddingModel(Protocol):
    ref: ModelRef

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One vector per text, in order; texts over the model's limit are truncated."""
        ...


class RerankModel(Protocol):
    ref: ModelRef

    def rerank(self, query: str, passages: Sequence[str]) -> list[float]:
        """One relevance score per passage, in the passages' order."""
        ...


class ImageToTextModel(Protocol):
    ref: ModelRef

    def describe(self, image: bytes, prompt: str, conf: GenConf) -> Completion: ...


class SpeechToTextModel(Protocol):
    ref: ModelRef

    def transcribe(self, audio: bytes, filename: str) -> str: ...


class TextToSpeechModel(Protocol):
    ref: ModelRef

    def speak(self, text: str) -> Iterator[bytes]: ...


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
