"""Model providers: one interface per kind of model, and the clients that implement them."""

from citeflow.llm._errors import ProviderError
from citeflow.llm._http import RetryPolicy
from citeflow.llm._types import (
    MODEL_KINDS,
    ChatModel,
    Completion,
    Delta,
    EmbeddingModel,
    GenConf,
    ImageToTextModel,
    Message,
    ModelKind,
    ModelRef,
    RerankModel,
    SpeechToTextModel,
    TextToSpeechModel,
    Usage,
)
from citeflow.llm._urls import UrlGuard
from citeflow.llm.catalog import BUILTIN, CatalogModel, Factory, factories, split_model_id
from citeflow.llm.hub import ModelHub
from citeflow.llm.tokens import count_tokens, truncate_tokens

__all__ = [
    "BUILTIN",
    "MODEL_KINDS",
    "CatalogModel",
    "ChatModel",
    "Completion",
    "Delta",
    "EmbeddingModel",
    "Factory",
    "GenConf",
    "ImageToTextModel",
    "Message",
    "ModelHub",
    "ModelKind",
    "ModelRef",
    "ProviderError",
    "RerankModel",
    "RetryPolicy",
    "SpeechToTextModel",
    "TextToSpeechModel",
    "UrlGuard",
    "Usage",
    "count_tokens",
    "factories",
    "split_model_id",
    "truncate_tokens",
]
