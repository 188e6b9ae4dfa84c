"""Calling providers over HTTP: one shared client, timeouts, bounded retries, errors that name the cause."""

import json
import logging
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from citeflow.llm._errors import ProviderError
from citeflow.llm._types import ModelRef
from citeflow.llm._urls import UrlGuard

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({408, 409, 425, 429, 500, 502, 503, 504})
#: Keys shorter than this are placeholders, not secrets, and are not redacted from messages.
MIN_REDACTED_KEY = 4


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 3
    base_delay: float = 0.5
    max_delay: float = 8.0

    def delay(self, attempt: int, retry_after: str | None) -> float:
        if retry_after:
            try:
                return min(float(retry_after), self.max_delay)
            except ValueError:
                pass
        return min(self.base_delay * 2**attempt, self.max_delay) * (0.5 + random.random() / 2)


class ProviderHttp:
    """HTTP for one model: every call is checked against the URL guard and retried on 429/5xx."""

    def __init__(self, client: httpx.Client, ref: ModelRef, guard: UrlGuard, retry: RetryPolicy) -> None:
        self._client = client
        self._ref = ref
        self._guard = guard
        self._retry = retry

    def fail(self, cause: str, *, retryable: bool = False, unreachable: bool = False) -> ProviderError:
        # Placeholder keys (RAGFlow's default is "x") are no secret, and redacting them would
        # mangle the message.
        if len(self._ref.api_key) >= MIN_REDACTED_KEY:
            cause = cause.replace(self._ref.api_key, "***")
        return ProviderError(
            self._ref.factory, self._ref.name, cause, retryable=retryable, unreachable=unreachable
        )

    def post_json(self, url: str, payload: Any, headers: dict[str, str]) -> Any:
        response = self._send("POST", url, headers=headers, json=payload)
        return self._json(response)

    def post_form(
        self, url: str, data: dict[str, str], files: dict[str, Any], headers: dict[str, str]
    ) -> Any:
        response = self._send("POST", url, headers=headers, data=data, files=files)
        return self._json(response)

    @contextmanager
    def stream(self, url: str, payload: Any, headers: dict[str, str]) -> Iterator[httpx.Response]:
        """Open a streaming POST (retrying while nothing has been received) and yield the response."""
        for attempt in range(self._retry.attempts):
            self._check(url)
            request = self._client.build_request("POST", url, headers=headers, json=payload)
            try:
                response = self._client.send(request, stream=True)
            except httpx.TransportError as exc:
                error = self._transport_error(exc, url)
                if self._backoff(attempt, error, None):
                    continue
                raise error from exc
            try:
                if response.status_code >= 400:
                    response.read()
                    error = self._status_error(response)
                    if self._backoff(attempt, error, response.headers.get("retry-after")):
                        continue
                    raise error
                yield response
                return
            except httpx.TransportError as exc:
                raise self._transport_error(exc, url) from exc
            finally:
                response.close()

    def event(self, text: str) -> dict[str, Any]:
        """One JSON event of a stream; an in-band `error` becomes a ProviderError."""
        try:
            event = json.loads(text)
        except json.JSONDecodeError as exc:
            raise self.fail("sent a stream event that is not JSON") from exc
        if not isinstance(event, dict):
            raise self.fail("sent a stream event that is not an object")
        error = event.get("error")
        if error:
            raise self.fail(str(error.get("message") if isinstance(error, dict) else error)[:300])
        return event

    def lines(self, response: httpx.Response) -> Iterator[str]:
        try:
            yield from response.iter_lines()
        except httpx.TransportError as exc:
            raise self._transport_error(exc, str(response.url)) from exc

    def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        for attempt in range(self._retry.attempts):
            self._check(url)
            try:
                response = self._client.request(method, url, **kwargs)
            except httpx.TransportError as exc:
                error = self._transport_error(exc, url)
                if self._backoff(attempt, error, None):
                    continue
                raise error from exc
            if response.status_code < 400:
                return response
            error = self._status_error(response)
            if self._backoff(attempt, error, response.headers.get("retry-after")):
                continue
            raise error
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _backoff(self, attempt: int, error: ProviderError, retry_after: str | None) -> bool:
        """Wait before the next attempt when `error` is worth retrying and attempts remain."""
        if attempt + 1 >= self._retry.attempts or not error.retryable:
            return False
        log.info("retrying %s@%s after: %s", self._ref.name, self._ref.factory, error.cause)
        time.sleep(self._retry.delay(attempt, retry_after))
        return True

    def _check(self, url: str) -> None:
        problem = self._guard.problem(url)
        if problem is not None:
            raise self.fail(problem, unreachable=True)

    def _json(self, response: httpx.Response) -> Any:
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise self.fail(f"answered HTTP {response.status_code} with a body that is not JSON") from exc

    def _status_error(self, response: httpx.Response) -> ProviderError:
        detail = provider_message(response)
        return self.fail(
            f"HTTP {response.status_code}" + (f": {detail}" if detail else ""),
            retryable=response.status_code in RETRY_STATUSES,
        )

    def _transport_error(self, exc: httpx.TransportError, url: str) -> ProviderError:
        host = httpx.URL(url).host
        if isinstance(exc, httpx.TimeoutException):
            return self.fail(
                f"no answer from {host} in time ({type(exc).__name__})", retryable=True, unreachable=True
            )
        if isinstance(exc, httpx.ConnectError):
            return self.fail(f"cannot connect to {host}", retryable=True, unreachable=True)
        return self.fail(f"connection to {host} failed ({type(exc).__name__})", retryable=True)


def provider_message(response: httpx.Response) -> str:
    """The provider's own explanation from an error body, shortened."""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return response.text.strip()[:300]
    if isinstance(body, dict):
        error = body.get("error", body.get("message", body.get("detail")))
        if isinstance(error, dict):
            error = error.get("message", error)
        if error is not None:
            return str(error)[:300]
    return str(body)[:300]
