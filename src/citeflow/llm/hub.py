"""Builds model clients: the one place that knows which protocol class serves which factory."""

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from citeflow.llm._errors import ProviderError
from citeflow.llm._http import ProviderHttp, RetryPolicy
from citeflow.llm._limits import TruncatingEmbedding
from citeflow.llm._types import (
    ChatModel,
    EmbeddingModel,
    ImageToTextModel,
    ModelKind,
    ModelRef,
    RerankModel,
    SpeechToTextModel,
    TextToSpeechModel,
)
from citeflow.llm._urls import UrlGuard
from citeflow.llm.builtin import MiniLMEmbedder, SmolChat
from citeflow.llm.builtin.chat import MODEL_NAME as SMOL
from citeflow.llm.builtin.embedder import MODEL_NAME as MINILM
from citeflow.llm.catalog import BUILTIN, factories
from citeflow.llm.ollama import Ollama
from citeflow.llm.openai_compat import OpenAICompatible
from citeflow.llm.tei import TextEmbeddingsInference

#: Which model kinds each remote protocol can serve.
SUPPORTED: dict[str, frozenset[ModelKind]] = {
    "openai": frozenset({"chat", "embedding", "rerank", "image2text", "speech2text", "tts"}),
    "ollama": frozenset({"chat", "embedding", "image2text"}),
    "tei": frozenset({"embedding", "rerank"}),
}


class ModelHub:
    """Hands out model clients for a `ModelRef`, sharing one HTTP client and one URL guard.
    Built-in models are loaded on first use and shared by every tenant; files derived from their
    weights are kept in `cache_dir`."""

    def __init__(
        self,
        client: httpx.Client,
        guard: UrlGuard,
        retry: RetryPolicy | None = None,
        *,
        cache_dir: Path,
        threads: int = 1,
    ) -> None:
        self._client = client
        self._guard = guard
        self._retry = retry or RetryPolicy()
        self._cache_dir = cache_dir
        self._threads = threads
        self._builtin: dict[str, Any] = {}
        self._builtin_lock = threading.Lock()

    def chat(self, ref: ModelRef) -> ChatModel:
        if ref.factory == BUILTIN:
            model: ChatModel = self._load_builtin(ref.name, SMOL, lambda: SmolChat(self._threads))
            return model
        model = self._remote(ref, "chat")
        return model

    def embedding(self, ref: ModelRef) -> EmbeddingModel:
        """Texts over the model's token limit are truncated (with a warning), not refused."""
        if ref.factory == BUILTIN:
            return self.builtin_embedding(ref.name)
        return TruncatingEmbedding(self._remote(ref, "embedding"))

    def builtin_embedding(self, name: str) -> MiniLMEmbedder:
        """The built-in embedding model, loaded once per process."""
        model: MiniLMEmbedder = self._load_builtin(
            name, MINILM, lambda: MiniLMEmbedder(self._threads, self._cache_dir)
        )
        return model

    def _load_builtin(self, name: str, expected: str, load: Callable[[], Any]) -> Any:
        """A built-in model, loaded on first use and then shared by every tenant."""
        if name != expected:
            raise ProviderError(BUILTIN, name, f"no such built-in model (there is {expected})")
        with self._builtin_lock:
            if name not in self._builtin:
                self._builtin[name] = load()
            return self._builtin[name]

    def rerank(self, ref: ModelRef) -> RerankModel:
        model: RerankModel = self._remote(ref, "rerank")
        return model

    def image2text(self, ref: ModelRef) -> ImageToTextModel:
        model: ImageToTextModel = self._remote(ref, "image2text")
        return model

    def speech2text(self, ref: ModelRef) -> SpeechToTextModel:
        model: SpeechToTextModel = self._remote(ref, "speech2text")
        return model

    def tts(self, ref: ModelRef) -> TextToSpeechModel:
        model: TextToSpeechModel = self._remote(ref, "tts")
        return model

    def _remote(self, ref: ModelRef, kind: ModelKind) -> Any:
        factory = factories().get(ref.factory)
        if factory is None:
            raise ProviderError(ref.factory, ref.name, "unknown model factory")
        if kind not in SUPPORTED.get(factory.protocol, frozenset()):
            raise ProviderError(ref.factory, ref.name, f"this factory does not serve {kind} models")
        base_url = ref.base_url or factory.base_url
        if not base_url:
            raise ProviderError(ref.factory, ref.name, "no base URL is configured for this factory")
        resolved = ModelRef(
            factory=ref.factory,
            name=factory.provider_name(ref.name),
            kind=kind,
            api_key=ref.api_key,
            base_url=base_url,
            max_tokens=ref.max_tokens,
        )
        http = ProviderHttp(self._client, resolved, self._guard, self._retry)
        if factory.protocol == "ollama":
            return Ollama(resolved, http)
        if factory.protocol == "tei":
            return TextEmbeddingsInference(resolved, http)
        return OpenAICompatible(resolved, http)
