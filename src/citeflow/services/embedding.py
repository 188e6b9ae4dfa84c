"""Vectors for chunks and questions, from the dataset's embedding model."""

import threading
from collections import OrderedDict

import numpy as np

from citeflow.core.errors import CiteflowError
from citeflow.llm.tokens import count_tokens
from citeflow.services.models import ModelService

#: RAGFlow mixes the document name into every chunk vector with this weight (SDK spec §6-A).
TITLE_WEIGHT = 0.1
QUERY_CACHE_SIZE = 4096


class Embedder:
    def __init__(self, models: ModelService) -> None:
        self._models = models
        self._cache: OrderedDict[tuple[str, str, str], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def chunk_vector(
        self, tenant_id: str, embd_id: str, document_name: str, text: str, *, with_title: bool = True
    ) -> tuple[bytes, int]:
        """The chunk's vector as float32 bytes (0.1 · name + 0.9 · text, or the text's alone) and
        the tokens the call cost."""
        model = self._models.embedding_model(tenant_id, embd_id)
        name_vector, text_vector = (_checked(v) for v in model.embed([document_name, text]))
        vector = TITLE_WEIGHT * name_vector + (1 - TITLE_WEIGHT) * text_vector if with_title else text_vector
        tokens = count_tokens(document_name) + count_tokens(text)
        self._models.record_usage(tenant_id, model.ref, tokens)
        return vector.astype("<f4").tobytes(), tokens

    def query_vector(self, tenant_id: str, embd_id: str, question: str) -> np.ndarray:
        """The question's vector; recent questions are answered from memory."""
        key = (tenant_id, embd_id, question)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
        model = self._models.embedding_model(tenant_id, embd_id)
        vector = _checked(model.embed([question])[0])
        with self._lock:
            self._cache[key] = vector
            while len(self._cache) > QUERY_CACHE_SIZE:
                self._cache.popitem(last=False)
        return vector


def _checked(values: list[float]) -> np.ndarray:
    vector = np.asarray(values, dtype=np.float32)
    if vector.ndim != 1 or not vector.size or not np.isfinite(vector).all():
        raise CiteflowError("The embedding model returned a vector with NaN or infinite values.")
    return vector
