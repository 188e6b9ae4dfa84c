"""Keeping inputs within a model's limits."""

import logging
from collections.abc import Sequence

from citeflow.llm._types import EmbeddingModel, ModelRef
from citeflow.llm.tokens import count_tokens, truncate_tokens

log = logging.getLogger(__name__)


class TruncatingEmbedding:
    """Cuts texts longer than the model's token limit before embedding them, with a warning,
    instead of letting the provider refuse the whole batch."""

    def __init__(self, inner: EmbeddingModel) -> None:
        self.ref: ModelRef = inner.ref
        self._inner = inner

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        limit = self.ref.max_tokens
        fitted = []
        for text in texts:
            if len(text) > limit and count_tokens(text) > limit:
                log.warning(
                    "text of %d tokens truncated to %d for %s@%s",
                    count_tokens(text),
                    limit,
                    self.ref.name,
                    self.ref.factory,
                )
                text = truncate_tokens(text, limit)
            fitted.append(text)
        return self._inner.embed(fitted)
