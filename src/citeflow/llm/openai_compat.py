"""The OpenAI wire protocol, spoken by OpenAI and most other providers (DeepSeek, vLLM, Groq…).

Chat (`/chat/completions`, JSON and SSE), embeddings (`/embeddings`), rerank in the common
`/rerank` shape (Jina, Cohere v2, SiliconFlow, vLLM), image description through chat with an
image part, transcription (`/audio/transcriptions`) and speech (`/audio/speech`).
Azure-style base URLs (`…/openai/deployments/<name>`) get the `api-key` header and `api-version`.
"""

import base64
import json
from collections.abc import Iterator, Sequence
from typing import Any

from citeflow.llm._http import ProviderHttp
from citeflow.llm._types import Completion, Delta, GenConf, Message, ModelRef, Usage

AZURE_API_VERSION = "2024-10-21"
#: How many lines of a streamed answer that holds no events are kept to read it as one JSON body.
_MAX_OTHER_LINES = 10_000


class OpenAICompatible:
    def __init__(self, ref: ModelRef, http: ProviderHttp) -> None:
        self.ref = ref
        self._http = http
        self._base = ref.base_url.rstrip("/")
        self._azure = "/openai/deployments/" in self._base

    # chat ---------------------------------------------------------------------------------
    def complete(self, messages: Sequence[Message], conf: GenConf) -> Completion:
        body = self._http.post_json(
            self._url("/chat/completions"), self._chat_payload(messages, conf), self._headers()
        )
        return self._completion(body)

    def stream(self, messages: Sequence[Message], conf: GenConf) -> Iterator[Delta]:
        payload = {
            **self._chat_payload(messages, conf),
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        usage: Usage | None = None
        finish: str | None = None
        events = 0
        other: list[str] = []  # what came instead of events, when none came
        with self._http.stream(self._url("/chat/completions"), payload, self._headers()) as response:
            for line in self._http.lines(response):
                if not line.startswith("data:"):
                    if not events and len(other) < _MAX_OTHER_LINES:
                        other.append(line)
                    continue
                events += 1
                data = line[5:].strip()
                if data == "[DONE]":
                    break
                event = self._http.event(data)
                if event.get("usage"):
                    usage = _usage(event["usage"])
                for choice in event.get("choices") or []:
                    text = (choice.get("delta") or {}).get("content") or ""
                    finish = choice.get("finish_reason") or finish
                    if text:
                        yield Delta(text)
        if not events:
            # Not a stream: some servers ignore `stream` and answer one JSON completion.
            answer = self._completion(self._whole_body("\n".join(other), response.status_code))
            if answer.text:
                yield Delta(answer.text)
            yield Delta("", usage=answer.usage, finish_reason=answer.finish_reason)
            return
        yield Delta("", usage=usage or Usage(), finish_reason=finish)

    def _chat_payload(self, messages: Sequence[Message], conf: GenConf) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "model": self.ref.name,
            "messages": [{"role": m.role, "content": m.content} for m in messages],
        }
        return {**payload, **_conf(conf)}

    def _completion(self, body: Any) -> Completion:
        try:
            choice = body["choices"][0]
            text = choice["message"].get("content") or ""
        except (KeyError, IndexError, TypeError, AttributeError) as exc:
            raise self._http.fail("answered without a `choices[0].message`") from exc
        return Completion(text, _usage(body.get("usage")), choice.get("finish_reason"))

    def _whole_body(self, text: str, status: int) -> Any:
        try:
            body = json.loads(text)
        except json.JSONDecodeError as exc:
            raise self._http.fail(f"answered HTTP {status} with a body that is not JSON") from exc
        error = body.get("error") if isinstance(body, dict) else None
        if error:
            raise self._http.fail(str(error.get("message") if isinstance(error, dict) else error)[:300])
        return body

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        body = self._http.post_json(
            self._url("/embeddings"), {"model": self.ref.name, "input": list(texts)}, self._headers()
        )
        try:
            rows = sorted(body["data"], key=lambda row: row.get("index", 0))
            vectors = [[float(x) for x in row["embedding"]] for row in rows]
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise self._http.fail("answered embeddings without `data[].embedding`") from exc
        if len(vectors) != len(texts):
            raise self._http.fail(f"returned {len(vectors)} embeddings for {len(texts)} texts")
        return vectors

    # rerank -------------------------------------------------------------------------------
    def rerank(self, query: str, passages: Sequence[str]) -> list[float]:
        if not passages:
            return []
        body = self._http.post_json(
            self._url("/rerank"),
            {"model": self.ref.name, "query": query, "documents": list(passages), "top_n": len(passages)},
            self._headers(),
        )
        return rerank_scores(body, len(passages), self._http)

    # image to text ------------------------------------------------------------------------
    def describe(self, image: bytes, prompt: str, conf: GenConf) -> Completion:
        data_url = "data:image/png;base64," + base64.b64encode(image).decode("ascii")
        payload = {
            "model": self.ref.name,
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": prompt},
                        {"type": "image_url", "image_url": {"url": data_url}},
                    ],
                }
            ],
            **_conf(conf),
        }
        return self._completion(
            self._http.post_json(self._url("/chat/completions"), payload, self._headers())
        )

    # speech -------------------------------------------------------------------------------
    def transcribe(self, audio: bytes, filename: str) -> str:
        body = self._http.post_form(
            self._url("/audio/transcriptions"),
            {"model": self.ref.name},
            {"file": (filename, audio)},
            self._headers(json_body=False),
        )
        text = body.get("text") if isinstance(body, dict) else None
        if not isinstance(text, str):
            raise self._http.fail("answered a transcription without `text`")
        return text

    def speak(self, text: str) -> Iterator[bytes]:
        payload = {"model": self.ref.name, "input": text, "voice": "alloy", "response_format": "mp3"}
        with self._http.stream(self._url("/audio/speech"), payload, self._headers()) as response:
            yield from response.iter_bytes()

    # plumbing -----------------------------------------------------------------------------
    def _url(self, path: str) -> str:
        url = self._base + path
        return f"{url}?api-version={AZURE_API_VERSION}" if self._azure else url

    def _headers(self, *, json_body: bool = True) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if json_body:
            headers["Content-Type"] = "application/json"
        if self.ref.api_key:
            if self._azure:
                headers["api-key"] = self.ref.api_key
            else:
                headers["Authorization"] = f"Bearer {self.ref.api_key}"
        return headers


def rerank_scores(body: Any, count: int, http: ProviderHttp) -> list[float]:
    """Scores in passage order from `{"results": [{"index", "relevance_score"}]}` (or `data`)."""
    rows = body.get("results", body.get("data")) if isinstance(body, dict) else None
    if not isinstance(rows, list):
        raise http.fail("answered rerank without `results`")
    scores = [0.0] * count
    try:
        for row in rows:
            index = int(row["index"])
            if 0 <= index < count:
                scores[index] = float(row.get("relevance_score", row.get("score", 0.0)))
    except (KeyError, TypeError, ValueError) as exc:
        raise http.fail("answered rerank results without `index` and `relevance_score`") from exc
    return scores


def _conf(conf: GenConf) -> dict[str, Any]:
    options = {
        "temperature": conf.temperature,
        "top_p": conf.top_p,
        "max_tokens": conf.max_tokens,
        "presence_penalty": conf.presence_penalty,
        "frequency_penalty": conf.frequency_penalty,
        "stop": list(conf.stop) or None,
    }
    return {k: v for k, v in options.items() if v is not None}


def _usage(raw: Any) -> Usage:
    if not isinstance(raw, dict):
        return Usage()
    return Usage(int(raw.get("prompt_tokens") or 0), int(raw.get("completion_tokens") or 0))
