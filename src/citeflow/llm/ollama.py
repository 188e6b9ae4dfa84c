"""Ollama's native API: `/api/chat` (JSON or NDJSON stream) and `/api/embed`."""

import base64
from collections.abc import Iterator, Sequence
from typing import Any

from citeflow.llm._http import ProviderHttp
from citeflow.llm._types import Completion, Delta, GenConf, Message, ModelRef, Usage


class Ollama:
    def __init__(self, ref: ModelRef, http: ProviderHttp) -> None:
        self.ref = ref
        self._http = http
        self._base = ref.base_url.rstrip("/")

    def complete(self, messages: Sequence[Message], conf: GenConf) -> Completion:
        body = self._http.post_json(
            f"{self._base}/api/chat", self._payload(_messages(messages), conf, stream=False), self._headers()
        )
        if not isinstance(body, dict) or not isinstance(body.get("message"), dict):
            raise self._http.fail("answered without a `message`")
        return Completion(str(body["message"].get("content") or ""), _usage(body), body.get("done_reason"))

    def stream(self, messages: Sequence[Message], conf: GenConf) -> Iterator[Delta]:
        payload = self._payload(_messages(messages), conf, stream=True)
        with self._http.stream(f"{self._base}/api/chat", payload, self._headers()) as response:
            for line in self._http.lines(response):
                if not line.strip():
                    continue
                event = self._http.event(line)
                text = str((event.get("message") or {}).get("content") or "")
                if event.get("done"):
                    if text:
                        yield Delta(text)
                    yield Delta("", usage=_usage(event), finish_reason=event.get("done_reason"))
                    return
                if text:
                    yield Delta(text)
        raise self._http.fail("ended the stream before `done`")

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        body = self._http.post_json(
            f"{self._base}/api/embed", {"model": self.ref.name, "input": list(texts)}, self._headers()
        )
        vectors = body.get("embeddings") if isinstance(body, dict) else None
        if not isinstance(vectors, list) or len(vectors) != len(texts):
            raise self._http.fail("answered embeddings without one `embeddings` row per text")
        try:
            return [[float(x) for x in row] for row in vectors]
        except (TypeError, ValueError) as exc:
            raise self._http.fail("answered embeddings that are not numbers") from exc

    def describe(self, image: bytes, prompt: str, conf: GenConf) -> Completion:
        message = {"role": "user", "content": prompt, "images": [base64.b64encode(image).decode("ascii")]}
        body = self._http.post_json(
            f"{self._base}/api/chat", self._payload([message], conf, stream=False), self._headers()
        )
        if not isinstance(body, dict) or not isinstance(body.get("message"), dict):
            raise self._http.fail("answered without a `message`")
        return Completion(str(body["message"].get("content") or ""), _usage(body), body.get("done_reason"))

    def _payload(self, messages: list[dict[str, Any]], conf: GenConf, *, stream: bool) -> dict[str, Any]:
        options = {
            "temperature": conf.temperature,
            "top_p": conf.top_p,
            "num_predict": conf.max_tokens,
            "presence_penalty": conf.presence_penalty,
            "frequency_penalty": conf.frequency_penalty,
            "stop": list(conf.stop) or None,
        }
        return {
            "model": self.ref.name,
            "messages": messages,
            "stream": stream,
            "options": {k: v for k, v in options.items() if v is not None},
        }

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        if self.ref.api_key:
            headers["Authorization"] = f"Bearer {self.ref.api_key}"
        return headers


def _messages(messages: Sequence[Message]) -> list[dict[str, Any]]:
    return [{"role": m.role, "content": m.content} for m in messages]


def _usage(body: dict[str, Any]) -> Usage:
    return Usage(int(body.get("prompt_eval_count") or 0), int(body.get("eval_count") or 0))
