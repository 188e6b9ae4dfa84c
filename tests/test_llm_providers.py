"""Model provider clients against a fake provider speaking the real wire protocols (no citeflow server).

Covers the OpenAI protocol (chat, SSE streaming, embeddings, rerank, speech), Ollama, HF TEI,
Azure-style base URLs, retries and every failure a provider can produce; then the URL guard,
model id splitting, token counting and the secret box that keeps provider keys encrypted.
"""

import os
import socket
import stat
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from citeflow.core.errors import CiteflowError
from citeflow.llm import (
    Completion,
    Delta,
    GenConf,
    Message,
    ModelHub,
    ModelKind,
    ModelRef,
    ProviderError,
    RetryPolicy,
    UrlGuard,
    count_tokens,
    split_model_id,
    truncate_tokens,
)
from citeflow.services.secrets import SecretBox
from tests.fake_providers import (
    DIM,
    FLAKY_FAILURES,
    GOOD_KEY,
    FakeProvider,
    fake_answer,
    fake_pieces,
    fake_score,
    fake_speech,
    fake_transcript,
    fake_vector,
)

HELLO = [Message("system", "Be brief."), Message("user", "Hello there, model")]
ANSWER = fake_answer([{"role": "user", "content": "Hello there, model"}])
TEXTS = ["first text", "second text", "a third, longer text", "first text"]
QUERY = "where is the red fox"
PASSAGES = ["the sky is blue", "a red fox is where the trees are", "where is it", "red"]


@pytest.fixture
def fake(fake_provider: FakeProvider) -> FakeProvider:
    fake_provider.reset()
    return fake_provider


def make_hub(timeout: float = 5.0, attempts: int = 3, **client: object) -> tuple[ModelHub, httpx.Client]:
    http = httpx.Client(timeout=timeout, trust_env=False, **client)  # type: ignore[arg-type]
    retry = RetryPolicy(attempts=attempts, base_delay=0.01)
    return ModelHub(http, UrlGuard(allow_private=True), retry, cache_dir=Path(tempfile.gettempdir())), http


@pytest.fixture
def hub() -> Iterator[ModelHub]:
    models, http = make_hub()
    with http:
        yield models


def openai(fake: FakeProvider, name: str, kind: ModelKind = "chat", key: str = GOOD_KEY) -> ModelRef:
    return ModelRef("OpenAI", name, kind, api_key=key, base_url=fake.openai_url)


def ollama(fake: FakeProvider, name: str, kind: ModelKind = "chat") -> ModelRef:
    return ModelRef("Ollama", name, kind, base_url=fake.url)


def tei(base_url: str, kind: ModelKind = "embedding") -> ModelRef:
    return ModelRef("HuggingFace", "bge-small___HuggingFace", kind, base_url=base_url)


def collect(deltas: Iterator[Delta]) -> tuple[str, list[Delta]]:
    received = list(deltas)
    return "".join(d.text for d in received), received


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# OpenAI protocol ----------------------------------------------------------------------------
def test_openai_complete_returns_text_usage_and_finish_reason(fake, hub):
    answer = hub.chat(openai(fake, "gpt-4o-mini")).complete(HELLO, GenConf())
    assert answer == Completion(ANSWER, answer.usage, "stop")
    assert answer.usage.prompt_tokens == 5  # words of the two messages, as the fake counts
    assert answer.usage.completion_tokens == len(fake_pieces(ANSWER))
    assert answer.usage.total_tokens == answer.usage.prompt_tokens + answer.usage.completion_tokens


def test_openai_complete_sends_the_model_messages_settings_and_bearer_key(fake, hub):
    conf = GenConf(temperature=0.2, max_tokens=2, stop=("\n",))
    answer = hub.chat(openai(fake, "gpt-4o-mini")).complete(HELLO, conf)
    assert answer.finish_reason == "length"
    assert answer.text == "".join(fake_pieces(ANSWER)[:2])
    (sent,) = fake.sent("/v1/chat/completions")
    assert sent.headers["authorization"] == f"Bearer {GOOD_KEY}"
    assert sent.headers["content-type"] == "application/json"
    assert sent.json == {
        "model": "gpt-4o-mini",
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Hello there, model"},
        ],
        "temperature": 0.2,
        "max_tokens": 2,
        "stop": ["\n"],
    }


def test_openai_stream_deltas_make_the_answer_and_the_last_carries_usage(fake, hub):
    text, deltas = collect(hub.chat(openai(fake, "gpt-4o-mini")).stream(HELLO, GenConf()))
    assert text == ANSWER
    assert [d.text for d in deltas[:-1]] == fake_pieces(ANSWER)
    assert all(d.usage is None for d in deltas[:-1])
    last = deltas[-1]
    assert last.text == ""
    assert last.finish_reason == "stop"
    assert last.usage is not None
    assert (last.usage.prompt_tokens, last.usage.completion_tokens) == (5, len(fake_pieces(ANSWER)))
    (sent,) = fake.sent("/v1/chat/completions")
    assert sent.json["stream"] is True
    assert sent.json["stream_options"] == {"include_usage": True}


def test_openai_stream_without_the_done_marker_still_ends(fake, hub):
    text, deltas = collect(hub.chat(openai(fake, "cutoff")).stream(HELLO, GenConf()))
    assert text == ANSWER
    assert deltas[-1].usage is not None


def test_openai_embed_keeps_order_count_and_dimension(fake, hub):
    model = hub.embedding(openai(fake, "text-embedding-3-small", "embedding"))
    vectors = model.embed(TEXTS)
    assert len(vectors) == len(TEXTS)
    assert all(len(v) == DIM for v in vectors)
    assert vectors == [fake_vector(t) for t in TEXTS]
    assert vectors[0] == vectors[3]
    (sent,) = fake.sent("/v1/embeddings")
    assert sent.json == {"model": "text-embedding-3-small", "input": TEXTS}


def test_openai_embed_orders_rows_by_index(fake, hub):
    vectors = hub.embedding(openai(fake, "reversed-embedder", "embedding")).embed(TEXTS[:3])
    assert vectors == [fake_vector(t) for t in TEXTS[:3]]


def test_embedding_nothing_calls_nobody(fake, hub):
    assert hub.embedding(openai(fake, "text-embedding-3-small", "embedding")).embed([]) == []
    assert hub.rerank(openai(fake, "jina-reranker", "rerank")).rerank("q", []) == []
    assert fake.requests == []


def test_openai_rerank_scores_are_in_passage_order(fake, hub):
    scores = hub.rerank(openai(fake, "jina-reranker", "rerank")).rerank(QUERY, PASSAGES)
    assert scores == [fake_score(QUERY, p) for p in PASSAGES]
    assert scores[1] == max(scores)
    (sent,) = fake.sent("/v1/rerank")
    assert sent.json == {"model": "jina-reranker", "query": QUERY, "documents": PASSAGES, "top_n": 4}


def test_openai_transcription_uploads_the_audio_as_multipart(fake, hub):
    audio = b"RIFF" + bytes(range(256)) * 4
    text = hub.speech2text(openai(fake, "whisper-1", "speech2text")).transcribe(audio, "hello.wav")
    assert text == fake_transcript("hello.wav", audio)
    (sent,) = fake.sent("/v1/audio/transcriptions")
    assert sent.headers["content-type"].startswith("multipart/form-data")
    assert sent.headers["authorization"] == f"Bearer {GOOD_KEY}"
    assert sent.form["model"] == "whisper-1"
    assert sent.form["file"]["filename"] == "hello.wav"
    assert sent.form["file"]["data"] == audio


def test_openai_speech_streams_the_audio_bytes(fake, hub):
    audio = b"".join(hub.tts(openai(fake, "tts-1", "tts")).speak("Read this aloud"))
    assert audio == fake_speech("Read this aloud")
    (sent,) = fake.sent("/v1/audio/speech")
    assert sent.json["model"] == "tts-1"
    assert sent.json["input"] == "Read this aloud"


def test_azure_base_urls_send_the_api_key_header_and_api_version(fake, hub):
    ref = ModelRef("Azure-OpenAI", "gpt-4o", "chat", api_key=GOOD_KEY, base_url=fake.azure_url("gpt-4o"))
    assert hub.chat(ref).complete(HELLO, GenConf()).text == ANSWER
    embedder = hub.embedding(
        ModelRef(
            "Azure-OpenAI",
            "text-embedding-3-small",
            "embedding",
            api_key=GOOD_KEY,
            base_url=fake.azure_url("embedder") + "/",
        )
    )
    assert embedder.embed(["azure"]) == [fake_vector("azure")]
    chat, embed = fake.requests
    assert chat.path == "/openai/deployments/gpt-4o/chat/completions"
    assert embed.path == "/openai/deployments/embedder/embeddings"
    for sent in (chat, embed):
        assert sent.headers["api-key"] == GOOD_KEY
        assert "authorization" not in sent.headers
        assert sent.query["api-version"]


def test_azure_wrong_key_is_an_http_401(fake, hub):
    ref = ModelRef("Azure-OpenAI", "gpt-4o", "chat", api_key="azure-wrong", base_url=fake.azure_url())
    with pytest.raises(ProviderError, match="HTTP 401: Access denied"):
        hub.chat(ref).complete(HELLO, GenConf())


# Ollama and TEI -----------------------------------------------------------------------------
def test_ollama_complete_returns_text_and_usage(fake, hub):
    answer = hub.chat(ollama(fake, "qwen2")).complete(HELLO, GenConf(temperature=0.5, max_tokens=64))
    assert answer.text == ANSWER
    assert answer.finish_reason == "stop"
    assert (answer.usage.prompt_tokens, answer.usage.completion_tokens) == (5, len(fake_pieces(ANSWER)))
    (sent,) = fake.sent("/api/chat")
    assert sent.json["model"] == "qwen2"
    assert sent.json["stream"] is False
    assert sent.json["options"] == {"temperature": 0.5, "num_predict": 64}
    assert "authorization" not in sent.headers


def test_ollama_stream_deltas_make_the_answer_and_the_last_carries_usage(fake, hub):
    text, deltas = collect(hub.chat(ollama(fake, "qwen2")).stream(HELLO, GenConf()))
    assert text == ANSWER
    assert len(deltas) == len(fake_pieces(ANSWER)) + 1
    last = deltas[-1]
    assert last.usage is not None
    assert last.usage.completion_tokens == len(fake_pieces(ANSWER))
    assert last.finish_reason == "stop"
    assert fake.sent("/api/chat")[0].json["stream"] is True


def test_ollama_stream_ending_before_done_is_an_error(fake, hub):
    with pytest.raises(ProviderError, match="ended the stream before `done`"):
        collect(hub.chat(ollama(fake, "cutoff")).stream(HELLO, GenConf()))


def test_ollama_embed(fake, hub):
    vectors = hub.embedding(ollama(fake, "nomic-embed-text", "embedding")).embed(TEXTS)
    assert vectors == [fake_vector(t) for t in TEXTS]
    assert fake.sent("/api/embed")[0].json == {"model": "nomic-embed-text", "input": TEXTS}


def test_ollama_does_not_serve_rerank_models(fake, hub):
    with pytest.raises(ProviderError, match="does not serve rerank models"):
        hub.rerank(ollama(fake, "qwen2", "rerank"))


def test_tei_embed_and_rerank(fake, hub):
    vectors = hub.embedding(tei(fake.url)).embed(TEXTS)
    assert vectors == [fake_vector(t) for t in TEXTS]
    scores = hub.rerank(tei(fake.url, "rerank")).rerank(QUERY, PASSAGES)
    assert scores == [fake_score(QUERY, p) for p in PASSAGES]
    embed, rerank = fake.requests
    assert (embed.path, embed.json) == ("/embed", {"inputs": TEXTS, "truncate": True})
    assert (rerank.path, rerank.json) == ("/rerank", {"query": QUERY, "texts": PASSAGES, "truncate": True})


def test_tei_failures_are_retried_too(fake, hub):
    assert hub.embedding(tei(fake.mode_url("flaky"))).embed(["x"]) == [fake_vector("x")]
    assert len(fake.requests) == FLAKY_FAILURES + 1
    with pytest.raises(ProviderError, match="HTTP 500: internal failure"):
        hub.embedding(tei(fake.mode_url("broken"))).embed(["x"])


# failures -----------------------------------------------------------------------------------
def test_a_wrong_key_names_factory_model_and_status_but_not_the_key(fake, hub):
    with pytest.raises(ProviderError) as caught:
        hub.chat(openai(fake, "gpt-4o-mini", key="sk-bad-secret")).complete(HELLO, GenConf())
    message = str(caught.value)
    assert "OpenAI" in message
    assert "gpt-4o-mini" in message
    assert "HTTP 401" in message
    assert "Incorrect API key provided" in message
    assert "sk-bad-secret" not in message
    assert not caught.value.retryable
    assert len(fake.requests) == 1, "a 401 is not retried"


def test_a_key_the_provider_repeats_is_redacted(fake, hub):
    with pytest.raises(ProviderError) as caught:
        hub.chat(openai(fake, "leaky", key="sk-very-secret-key")).complete(HELLO, GenConf())
    assert "HTTP 401" in str(caught.value)
    assert "sk-very-secret-key" not in str(caught.value)
    assert "***" in str(caught.value)


def test_a_placeholder_key_is_not_redacted_from_messages(fake, hub):
    with pytest.raises(ProviderError) as caught:
        hub.chat(openai(fake, "gpt-4o-mini", key="x")).complete(HELLO, GenConf())
    assert "Incorrect API key provided: x***" in str(caught.value)
    assert "***" + "***" not in str(caught.value)


def test_429_is_retried_until_it_succeeds(fake, hub):
    answer = hub.chat(openai(fake, "flaky-chat")).complete(HELLO, GenConf())
    assert answer.text == ANSWER
    assert len(fake.sent("/v1/chat/completions")) == FLAKY_FAILURES + 1


def test_a_stream_is_retried_while_nothing_was_received(fake, hub):
    text, _ = collect(hub.chat(openai(fake, "flaky-stream")).stream(HELLO, GenConf()))
    assert text == ANSWER
    assert len(fake.requests) == FLAKY_FAILURES + 1


def test_429_beyond_the_attempts_is_an_error(fake):
    models, http = make_hub(attempts=2)
    with http, pytest.raises(ProviderError, match="HTTP 429: Rate limit reached"):
        models.chat(openai(fake, "flaky-twice")).complete(HELLO, GenConf())
    assert len(fake.requests) == 2


def test_500_is_retried_each_attempt_then_reported(fake, hub):
    with pytest.raises(ProviderError) as caught:
        hub.embedding(openai(fake, "broken", "embedding")).embed(["x"])
    assert str(caught.value) == "OpenAI model broken: HTTP 500: internal failure"
    assert caught.value.retryable
    assert len(fake.requests) == 3


def test_a_body_that_is_not_json_is_a_clear_error(fake, hub):
    with pytest.raises(ProviderError, match="answered HTTP 200 with a body that is not JSON"):
        hub.chat(openai(fake, "garbage")).complete(HELLO, GenConf())
    with pytest.raises(ProviderError, match="not JSON"):
        hub.embedding(ollama(fake, "garbage", "embedding")).embed(["x"])


def test_a_stream_answered_with_a_body_that_is_not_json_is_a_clear_error(fake, hub):
    with pytest.raises(ProviderError, match="answered HTTP 200 with a body that is not JSON"):
        collect(hub.chat(openai(fake, "garbage")).stream(HELLO, GenConf()))


def test_a_stream_answered_with_one_json_completion_is_still_understood(fake, hub):
    text, deltas = collect(hub.chat(openai(fake, "unstreamed")).stream(HELLO, GenConf()))
    assert text == ANSWER
    assert deltas[-1].usage is not None
    assert deltas[-1].usage.completion_tokens == len(fake_pieces(ANSWER))


def test_a_slow_provider_times_out(fake):
    models, http = make_hub(timeout=0.5, attempts=1)
    started = time.monotonic()
    with http, pytest.raises(ProviderError) as caught:
        models.chat(openai(fake, "slow")).complete(HELLO, GenConf())
    assert time.monotonic() - started < 2
    assert "no answer from 127.0.0.1 in time" in str(caught.value)
    assert "Timeout" in str(caught.value)
    assert caught.value.unreachable


def test_a_closed_port_cannot_connect(hub):
    ref = ModelRef(
        "OpenAI", "gpt-4o", "chat", api_key=GOOD_KEY, base_url=f"http://127.0.0.1:{closed_port()}/v1"
    )
    with pytest.raises(ProviderError) as caught:
        hub.chat(ref).complete(HELLO, GenConf())
    assert str(caught.value) == "OpenAI model gpt-4o: cannot connect to 127.0.0.1"
    assert caught.value.unreachable


@pytest.mark.parametrize("protocol", ["openai", "ollama"])
def test_an_error_in_the_middle_of_a_stream_is_a_provider_error(fake, hub, protocol):
    ref = openai(fake, "midstream-error") if protocol == "openai" else ollama(fake, "midstream-error")
    stream = hub.chat(ref).stream(HELLO, GenConf())
    assert next(stream).text == fake_pieces(ANSWER)[0]
    with pytest.raises(ProviderError, match="overloaded"):
        next(stream)


def test_closing_a_stream_early_releases_the_connection(fake):
    limits = httpx.Limits(max_connections=1)
    models, http = make_hub(timeout=httpx.Timeout(5, pool=1), limits=limits)
    with http:
        chat = models.chat(openai(fake, "long-answer"))
        stream = chat.stream(HELLO, GenConf())
        first = next(stream)
        assert first.text == fake_pieces(ANSWER)[0]
        stream.close()
        # The only connection of the pool is free again: another call gets it at once.
        assert chat.complete(HELLO, GenConf()).text
    assert fake.wait_for_abort("long-answer"), "the provider should see the stream cancelled"


def test_an_unknown_factory_or_a_missing_base_url_is_an_error(hub):
    with pytest.raises(ProviderError, match="unknown model factory"):
        hub.chat(ModelRef("NoSuchFactory", "m", "chat"))
    with pytest.raises(ProviderError, match="no base URL"):
        hub.chat(ModelRef("VLLM", "m___VLLM", "chat"))


def test_stored_name_suffixes_are_stripped_before_calling(fake, hub):
    ref = ModelRef("VLLM", "my-model___VLLM", "chat", api_key=GOOD_KEY, base_url=fake.openai_url)
    hub.chat(ref).complete(HELLO, GenConf())
    assert fake.requests[0].json["model"] == "my-model"


def test_the_url_guard_is_checked_on_every_call(fake):
    http = httpx.Client(timeout=5, trust_env=False)
    retry = RetryPolicy(attempts=3, base_delay=0.01)
    models = ModelHub(http, UrlGuard(allow_private=False), retry, cache_dir=Path(tempfile.gettempdir()))
    with http, pytest.raises(ProviderError, match=r"llm\.allow_private_base_urls") as caught:
        models.embedding(openai(fake, "text-embedding-3-small", "embedding")).embed(["x"])
    assert caught.value.unreachable
    assert fake.requests == []


# URL guard ------------------------------------------------------------------------------------
@pytest.mark.parametrize("url", ["http://127.0.0.1:11434", "http://10.0.0.1/v1", "http://localhost/v1"])
def test_private_addresses_are_refused_unless_allowed(url):
    problem = UrlGuard(allow_private=False).problem(url)
    assert problem is not None
    assert "llm.allow_private_base_urls" in problem
    assert UrlGuard(allow_private=True).problem(url) is None


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data",
        "http://[::ffff:169.254.169.254]/",
        "http://[fe80::1]/",
        "http://100.100.100.200/",
        "http://0.0.0.0:8080/",
        "http://224.0.0.1/",
    ],
)
def test_link_local_and_metadata_addresses_are_always_refused(url):
    for allow_private in (True, False):
        problem = UrlGuard(allow_private=allow_private).problem(url)
        assert problem is not None
        assert "link-local" in problem


@pytest.mark.parametrize("url", ["ftp://example.com/", "file:///etc/passwd", "gopher://x/", "example.com/v1"])
def test_only_http_and_https_are_allowed(url):
    problem = UrlGuard(allow_private=True).problem(url)
    assert problem is not None
    assert "must start with http:// or https://" in problem


def test_a_url_without_host_or_an_unresolvable_host_is_refused():
    guard = UrlGuard(allow_private=True)
    assert "has no host" in (guard.problem("http:///v1") or "")
    assert "cannot be resolved" in (guard.problem("http://no-such-host.invalid/v1") or "")


def test_a_public_address_is_allowed():
    assert UrlGuard(allow_private=False).problem("https://8.8.8.8/v1") is None


# model ids, tokens ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("model_id", "expected"),
    [
        ("gpt-4o@OpenAI", ("gpt-4o", "OpenAI")),
        ("qwen2@Ollama", ("qwen2", "Ollama")),
        ("gpt-4o", ("gpt-4o", None)),
        ("name@NotAFactory", ("name@NotAFactory", None)),
        ("a@b@Custom", ("a@b", "Custom")),
        ("user@example.com@OpenAI", ("user@example.com", "OpenAI")),
        ("my-model___VLLM@VLLM", ("my-model___VLLM", "VLLM")),
        ("gpt-4o@openai", ("gpt-4o@openai", None)),
    ],
)
def test_split_model_id_follows_ragflow(model_id, expected):
    assert split_model_id(model_id) == expected


def test_count_tokens_uses_cl100k():
    assert count_tokens("hello world") == 2
    assert count_tokens("") == 0
    assert count_tokens("The quick brown fox jumps over the lazy dog.") == 10


def test_truncate_tokens_keeps_whole_leading_tokens():
    text = "The quick brown fox jumps over the lazy dog."
    assert truncate_tokens(text, 4) == "The quick brown fox"
    assert truncate_tokens(text, 100) == text
    assert truncate_tokens("hello world", 0) == ""
    assert count_tokens(truncate_tokens(text * 20, 37)) == 37


# secret box -----------------------------------------------------------------------------------
def test_secret_box_roundtrip_and_key_file_mode(tmp_path):
    path = tmp_path / "keys" / "secret.key"
    box = SecretBox.load_or_create(path)
    assert path.is_file()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    sealed = box.seal("sk-good")
    assert "sk-good" not in sealed
    assert box.seal("sk-good") != sealed, "each sealing is salted"
    assert box.open(sealed) == "sk-good"
    assert box.open(box.seal("")) == ""
    again = SecretBox.load_or_create(path)
    assert again.open(sealed) == "sk-good"


def test_secret_box_with_another_key_fails_clearly(tmp_path):
    sealed = SecretBox.load_or_create(tmp_path / "a.key").seal("sk-good")
    other = SecretBox.load_or_create(tmp_path / "b.key")
    with pytest.raises(CiteflowError, match="cannot be decrypted"):
        other.open(sealed)
    with pytest.raises(CiteflowError, match="cannot be decrypted"):
        other.open("not a sealed value")


def test_secret_box_refuses_a_damaged_key_file(tmp_path):
    path = tmp_path / "secret.key"
    path.write_bytes(b"not a key")
    with pytest.raises(CiteflowError, match="does not hold a valid secret key"):
        SecretBox.load_or_create(path)


def test_texts_over_the_token_limit_are_truncated_with_a_warning(fake, hub, caplog):
    ref = ModelRef("OpenAI", "text-embedding-3-small", "embedding", GOOD_KEY, f"{fake.url}/v1", max_tokens=8)
    long_text = "one two three four five six seven eight nine ten eleven twelve"
    with caplog.at_level("WARNING", logger="citeflow.llm"):
        hub.embedding(ref).embed(["short", long_text])
    (sent,) = fake.sent("/v1/embeddings")
    assert sent.json["input"] == ["short", "one two three four five six seven eight"]
    assert "truncated to 8" in caplog.text
