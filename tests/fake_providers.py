"""A fake model provider that speaks the real wire protocols, for tests that must not reach the internet.

One Starlette app serves three protocols on one port:

* OpenAI under `/v1`: `POST /v1/chat/completions` (JSON, or SSE with `"stream": true`),
  `/v1/embeddings`, `/v1/rerank` (the Jina/Cohere shape), `/v1/audio/transcriptions` (multipart)
  and `/v1/audio/speech` (audio bytes). Every OpenAI route wants `Authorization: Bearer sk-good`.
  Azure-style paths (`/openai/deployments/<name>/...`) want the `api-key` header and an
  `api-version` query parameter instead.
* Ollama: `POST /api/chat` (JSON, or NDJSON with `"stream": true`) and `POST /api/embed`; no auth.
* Hugging Face TEI: `POST /embed` and `POST /rerank`; no auth.

Behaviour is switched by the model name's prefix (so `flaky-1` and `flaky-2` count separately), or
for TEI, which sends no model name, by a path prefix: a base URL `<url>/x/broken` makes
`/x/broken/embed` behave like the model `broken`.

    flaky            HTTP 429 with `Retry-After: 0` on the first 2 calls, then normal
    broken           HTTP 500, always
    garbage          HTTP 200 with a body that is not JSON
    slow             waits 3 s (less if the client hangs up), then normal
    midstream-error  streams one piece, then an error event
    cutoff           streams without the end marker (`[DONE]`, Ollama's `done`)
    long             streams its answer 150 times over, 5 ms a piece (for closing a stream early)
    unstreamed       (OpenAI chat) answers one JSON completion even when asked to stream
    reversed         embeddings listed in reverse order (each row keeps its `index`)
    leaky            (OpenAI) HTTP 401 whose message repeats the whole key

Every request is recorded (`FakeProvider.requests`, also `app.state.requests`).
"""

import asyncio
import hashlib
import json
import math
import re
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

GOOD_KEY = "sk-good"
DIM = 16
FLAKY_FAILURES = 2
SLOW_SECONDS = 3.0
MODES = (
    "flaky",
    "broken",
    "garbage",
    "slow",
    "midstream-error",
    "cutoff",
    "long",
    "unstreamed",
    "reversed",
    "leaky",
)
AZURE = re.compile(r"^/openai/deployments/([^/]+)(/.*)$")
PATH_MODE = re.compile(r"^/x/([^/]+)(/.*)$")

Family = Literal["openai", "azure", "ollama", "tei"]


# What the fake answers: deterministic, so tests can compute the expected values too. ----------
def fake_vector(text: str) -> list[float]:
    """A unit vector of DIM floats derived from the SHA-256 of `text`."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    raw = [(b - 127.5) / 127.5 for b in digest[:DIM]]
    norm = math.sqrt(sum(x * x for x in raw)) or 1.0
    return [x / norm for x in raw]


def fake_score(query: str, passage: str) -> float:
    """The share of the query's words found in the passage, nudged by length so ties are rare."""
    words = set(query.lower().split())
    found = words & set(passage.lower().split())
    return round(len(found) / max(len(words), 1) + 1 / (100 + len(passage)), 6)


def fake_answer(messages: Any) -> str:
    """`You said: <the last user message>`."""
    last = ""
    for message in messages if isinstance(messages, list) else []:
        if isinstance(message, dict) and message.get("role") == "user":
            content = message.get("content")
            last = content if isinstance(content, str) else json.dumps(content)[:40]
    return f"You said: {last}"


def fake_pieces(text: str) -> list[str]:
    """How the answer is streamed: word by word, each piece keeping its trailing space."""
    return re.findall(r"\S+\s*", text) or [text]


def fake_transcript(filename: str, audio: bytes) -> str:
    return f"transcript of {filename} ({len(audio)} bytes)"


def fake_speech(text: str) -> bytes:
    return b"ID3FAKE-MP3:" + text.encode("utf-8")


def word_count(messages: Any) -> int:
    texts = [m.get("content") for m in messages if isinstance(m, dict)] if isinstance(messages, list) else []
    return sum(len(t.split()) for t in texts if isinstance(t, str))


def mode_of(name: str) -> str:
    return next((mode for mode in MODES if name.startswith(mode)), "")


@dataclass
class Recorded:
    """One request as the fake received it. Header names are lower case."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    json: Any = None
    form: dict[str, Any] = field(default_factory=dict)


class FakeProvider:
    """The app, its request log and per-model call counters. `url` is set once it is served."""

    def __init__(self) -> None:
        self.url = ""
        self.requests: list[Recorded] = []
        self.calls: Counter[str] = Counter()
        #: Models whose stream the client closed before it ended.
        self.aborted: list[str] = []
        self.app = Starlette(routes=[Route("/{path:path}", self._dispatch, methods=["GET", "POST"])])
        self.app.state.requests = self.requests

    @property
    def openai_url(self) -> str:
        return f"{self.url}/v1"

    def azure_url(self, deployment: str = "gpt-4o") -> str:
        return f"{self.url}/openai/deployments/{deployment}"

    def mode_url(self, mode: str) -> str:
        """A base URL under which every route behaves like the model `mode` (for TEI)."""
        return f"{self.url}/x/{mode}"

    def reset(self) -> None:
        """Forget recorded requests, call counts and aborted streams (call it at a test's start)."""
        self.requests.clear()
        self.calls.clear()
        self.aborted.clear()

    def sent(self, path_suffix: str) -> list[Recorded]:
        """The recorded requests whose path ends with `path_suffix`."""
        return [r for r in self.requests if r.path.endswith(path_suffix)]

    def wait_for_abort(self, model: str, timeout: float = 3.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if model in self.aborted:
                return True
            time.sleep(0.01)
        return False

    # dispatch -----------------------------------------------------------------------------
    async def _dispatch(self, request: Request) -> Response:
        full_path = "/" + request.path_params["path"]
        body, form = await _read(request)
        self.requests.append(
            Recorded(request.method, full_path, dict(request.query_params), dict(request.headers), body, form)
        )
        path, path_mode = full_path, ""
        if match := PATH_MODE.match(path):
            path_mode, path = match.group(1), match.group(2)

        family: Family
        if path.startswith("/v1/"):
            family, endpoint = "openai", path[3:]
        elif match := AZURE.match(path):
            family, endpoint = "azure", match.group(2)
        elif path.startswith("/api/"):
            family, endpoint = "ollama", path
        else:
            family, endpoint = "tei", path
        handler = self._handlers(family).get(endpoint)
        if handler is None or request.method != "POST":
            return _error(family, 404, f"no route {request.method} {full_path}")

        if family in ("openai", "azure"):
            denied = _check_key(family, request)
            if denied is not None:
                return denied
        source = body if isinstance(body, dict) else form
        model = str(source.get("model") or "")
        mode = mode_of(path_mode) or mode_of(model)
        if family == "openai" and mode == "leaky":
            key = _bearer(request)
            return _error(family, 401, f"Incorrect API key provided: {key}. You can find your key at ...")
        if mode == "flaky":
            counter = path_mode or model
            self.calls[counter] += 1
            if self.calls[counter] <= FLAKY_FAILURES:
                return _error(family, 429, "Rate limit reached, retry later", headers={"Retry-After": "0"})
        if mode == "broken":
            return _error(family, 500, "internal failure")
        if mode == "garbage":
            return Response("<html><body>502 Bad Gateway</body></html>", media_type="text/html")
        if mode == "slow" and await _gone_while_waiting(request, SLOW_SECONDS):
            return Response(status_code=499)
        multipart = family == "openai" and endpoint == "/audio/transcriptions"
        if not multipart and not isinstance(body, dict):
            return _error(family, 400, "the body must be a JSON object")
        return await handler(body if isinstance(body, dict) else {}, form, model, mode)

    def _handlers(self, family: Family) -> dict[str, Callable[..., Any]]:
        if family in ("openai", "azure"):
            return {
                "/chat/completions": self._openai_chat,
                "/embeddings": self._openai_embeddings,
                "/rerank": self._openai_rerank,
                "/audio/transcriptions": self._openai_transcription,
                "/audio/speech": self._openai_speech,
            }
        if family == "ollama":
            return {"/api/chat": self._ollama_chat, "/api/embed": self._ollama_embed}
        return {"/embed": self._tei_embed, "/rerank": self._tei_rerank}

    # OpenAI -------------------------------------------------------------------------------
    async def _openai_chat(self, body: dict[str, Any], _form: Any, model: str, mode: str) -> Response:
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            return _error("openai", 400, "'messages' is a required property")
        pieces, finish = _limited(fake_answer(messages), body.get("max_tokens"), mode)
        usage = {
            "prompt_tokens": word_count(messages),
            "completion_tokens": len(pieces),
            "total_tokens": word_count(messages) + len(pieces),
        }
        head = {"id": "chatcmpl-fake", "created": int(time.time()), "model": model}
        if not body.get("stream") or mode == "unstreamed":
            return JSONResponse(
                {
                    **head,
                    "object": "chat.completion",
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": "".join(pieces)},
                            "finish_reason": finish,
                        }
                    ],
                    "usage": usage,
                }
            )
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))

        def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> str:
            choice = {"index": 0, "delta": delta, "finish_reason": finish_reason}
            return _sse({**head, "object": "chat.completion.chunk", "choices": [choice]})

        async def events() -> AsyncIterator[str]:
            done = False
            try:
                yield chunk({"role": "assistant", "content": ""})
                for piece in pieces:
                    yield chunk({"content": piece})
                    if mode == "midstream-error":
                        yield _sse({"error": {"message": "overloaded", "type": "server_error"}})
                        done = True
                        return
                    if mode == "long":
                        await asyncio.sleep(0.005)
                yield chunk({}, finish)
                if include_usage:
                    yield _sse({**head, "object": "chat.completion.chunk", "choices": [], "usage": usage})
                if mode != "cutoff":
                    yield "data: [DONE]\n\n"
                done = True
            finally:
                if not done:
                    self.aborted.append(model)

        return StreamingResponse(events(), media_type="text/event-stream")

    async def _openai_embeddings(self, body: dict[str, Any], _form: Any, model: str, mode: str) -> Response:
        texts = body.get("input")
        texts = [texts] if isinstance(texts, str) else texts
        if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
            return _error("openai", 400, "'input' must be a string or a list of strings")
        rows = [{"object": "embedding", "index": i, "embedding": fake_vector(t)} for i, t in enumerate(texts)]
        if mode == "reversed":
            rows.reverse()
        tokens = sum(len(t.split()) for t in texts)
        return JSONResponse(
            {
                "object": "list",
                "data": rows,
                "model": model,
                "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
            }
        )

    async def _openai_rerank(self, body: dict[str, Any], _form: Any, model: str, _mode: str) -> Response:
        query, documents = body.get("query"), body.get("documents")
        if not isinstance(query, str) or not isinstance(documents, list):
            return _error("openai", 400, "'query' and 'documents' are required")
        texts = [d.get("text", "") if isinstance(d, dict) else str(d) for d in documents]
        results = _ranked(query, texts, body.get("top_n"))
        return JSONResponse(
            {
                "id": "rerank-fake",
                "model": model,
                "results": [
                    {"index": i, "relevance_score": s, "document": {"text": texts[i]}} for i, s in results
                ],
                "usage": {"total_tokens": len(query.split()) + sum(len(t.split()) for t in texts)},
            }
        )

    async def _openai_transcription(
        self, _body: Any, form: dict[str, Any], _model: str, _mode: str
    ) -> Response:
        upload = form.get("file")
        if not isinstance(upload, dict):
            return _error("openai", 400, "'file' is a required property")
        return JSONResponse({"text": fake_transcript(upload["filename"], upload["data"])})

    async def _openai_speech(self, body: dict[str, Any], _form: Any, _model: str, _mode: str) -> Response:
        text = body.get("input")
        if not isinstance(text, str):
            return _error("openai", 400, "'input' is a required property")
        audio = fake_speech(text)

        async def chunks() -> AsyncIterator[bytes]:
            for start in range(0, len(audio), 8):
                yield audio[start : start + 8]

        return StreamingResponse(chunks(), media_type="audio/mpeg")

    # Ollama -------------------------------------------------------------------------------
    async def _ollama_chat(self, body: dict[str, Any], _form: Any, model: str, mode: str) -> Response:
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            return _error("ollama", 400, "messages are required")
        options = body.get("options") or {}
        pieces, finish = _limited(fake_answer(messages), options.get("num_predict"), mode)
        head = {"model": model, "created_at": "2025-01-01T00:00:00Z"}
        final = {
            "done": True,
            "done_reason": finish,
            "total_duration": 1000,
            "prompt_eval_count": word_count(messages),
            "eval_count": len(pieces),
        }
        if body.get("stream") is False:
            return JSONResponse(
                {**head, "message": {"role": "assistant", "content": "".join(pieces)}, **final}
            )

        async def lines() -> AsyncIterator[str]:
            for piece in pieces:
                yield json.dumps({**head, "message": {"role": "assistant", "content": piece}, "done": False})
                yield "\n"
                if mode == "midstream-error":
                    yield json.dumps({"error": "overloaded"}) + "\n"
                    return
            if mode != "cutoff":
                yield json.dumps({**head, "message": {"role": "assistant", "content": ""}, **final}) + "\n"

        return StreamingResponse(lines(), media_type="application/x-ndjson")

    async def _ollama_embed(self, body: dict[str, Any], _form: Any, model: str, _mode: str) -> Response:
        texts = body.get("input")
        texts = [texts] if isinstance(texts, str) else texts
        if not isinstance(texts, list):
            return _error("ollama", 400, "input is required")
        return JSONResponse(
            {
                "model": model,
                "embeddings": [fake_vector(str(t)) for t in texts],
                "total_duration": 1000,
                "prompt_eval_count": sum(len(str(t).split()) for t in texts),
            }
        )

    # TEI ----------------------------------------------------------------------------------
    async def _tei_embed(self, body: dict[str, Any], _form: Any, _model: str, _mode: str) -> Response:
        texts = body.get("inputs")
        texts = [texts] if isinstance(texts, str) else texts
        if not isinstance(texts, list):
            return _error("tei", 422, "inputs must be a string or a list of strings")
        return JSONResponse([fake_vector(str(t)) for t in texts])

    async def _tei_rerank(self, body: dict[str, Any], _form: Any, _model: str, _mode: str) -> Response:
        query, texts = body.get("query"), body.get("texts")
        if not isinstance(query, str) or not isinstance(texts, list):
            return _error("tei", 422, "query and texts are required")
        return JSONResponse(
            [{"index": i, "score": s} for i, s in _ranked(query, [str(t) for t in texts], None)]
        )


async def _read(request: Request) -> tuple[Any, dict[str, Any]]:
    """The JSON body (or None), and the multipart form with files as {filename, content_type, data}."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        form: dict[str, Any] = {}
        async with request.form() as parsed:
            for name, value in parsed.multi_items():
                if isinstance(value, UploadFile):
                    data = await value.read()
                    form[name] = {
                        "filename": value.filename,
                        "content_type": value.content_type,
                        "data": data,
                    }
                else:
                    form[name] = value
        return None, form
    raw = await request.body()
    try:
        return (json.loads(raw) if raw else None), {}
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None, {}


async def _gone_while_waiting(request: Request, seconds: float) -> bool:
    """Wait `seconds`, or less if the client hangs up first (then True)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await request.is_disconnected():
            return True
        await asyncio.sleep(0.05)
    return False


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    return header[7:] if header.startswith("Bearer ") else header


def _check_key(family: Family, request: Request) -> Response | None:
    if family == "azure":
        if "api-version" not in request.query_params:
            return _error(family, 404, "Resource not found")
        if request.headers.get("api-key") != GOOD_KEY:
            return _error(family, 401, "Access denied due to invalid subscription key or wrong API endpoint.")
        return None
    key = _bearer(request)
    if not key:
        return _error(family, 401, "You didn't provide an API key.")
    if key != GOOD_KEY:
        return _error(family, 401, f"Incorrect API key provided: {key[:4]}***")
    return None


def _error(family: Family, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """An error in the family's own shape."""
    body: dict[str, Any]
    if family == "openai":
        body = {"error": {"message": message, "type": "invalid_request_error", "code": str(status)}}
    elif family == "azure":
        body = {"error": {"code": str(status), "message": message}}
    elif family == "ollama":
        body = {"error": message}
    else:
        body = {"error": message, "error_type": "Validation" if status < 500 else "Backend"}
    return JSONResponse(body, status_code=status, headers=headers)


def _limited(text: str, max_tokens: Any, mode: str) -> tuple[list[str], str]:
    """The answer's pieces, cut to `max_tokens` pieces, and the finish reason."""
    pieces = fake_pieces(text) * (150 if mode == "long" else 1)
    if isinstance(max_tokens, int) and 0 < max_tokens < len(pieces):
        return pieces[:max_tokens], "length"
    return pieces, "stop"


def _ranked(query: str, texts: list[str], top_n: Any) -> list[tuple[int, float]]:
    """(index, score) best first, as rerank APIs answer."""
    ranked = sorted(((i, fake_score(query, t)) for i, t in enumerate(texts)), key=lambda r: -r[1])
    return ranked[:top_n] if isinstance(top_n, int) and top_n > 0 else ranked


def _sse(event: Any) -> str:
    return f"data: {json.dumps(event)}\n\n"
