"""Hugging Face Text Embeddings Inference: `/embed` and `/rerank`."""

from collections.abc import Sequence

from citeflow.llm._http import ProviderHttp
from citeflow.llm._types import ModelRef
from citeflow.llm.openai_compat import rerank_scores


class TextEmbeddingsInference:
    def __init__(self, ref: ModelRef, http: ProviderHttp) -> None:
        self.ref = ref
        self._http = http
        self._base = ref.base_url.rstrip("/")

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        body = self._http.post_json(
            f"{self._base}/embed", {"inputs": list(texts), "truncate": True}, self._headers()
        )
        if not isinstance(body, list) or len(body) != len(texts):
            raise self._http.fail("answered /embed without one vector per text")
        try:
            return [[float(x) for x in row] for row in body]
        except (TypeError, ValueError) as exc:
            raise self._http.fail("answered /embed with vectors that are not numbers") from exc

    def rerank(self, query: str, passages: Sequence[str]) -> list[float]:
        if not passages:
            return []
        body = self._http.post_json(
            f"{self._base}/rerank",
            {"query": query, "texts": list(passages), "truncate": True},
            self._headers(),
        )
        return rerank_scores({"results": body} if isinstance(body, list) else body, len(passages), self._http)

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        if self.ref.api_key:
            headers["Authorization"] = f"Bearer {self.ref.api_key}"
        return headers
