"""The built-in embedding model, run for real from its packaged weights."""

import threading
from pathlib import Path

import httpx
import numpy as np
import pytest

from citeflow.llm import GenConf, Message, ModelHub, ModelRef, ProviderError, UrlGuard
from citeflow.llm.builtin import MiniLMEmbedder, SmolChat
from citeflow.llm.builtin.embedder import DIMENSION, graph_file


@pytest.fixture(scope="module")
def graph_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="module")
def embedder(graph_cache: Path) -> MiniLMEmbedder:
    return MiniLMEmbedder(threads=1, cache_dir=graph_cache)


def test_vectors_are_384_dimensional_and_unit_length(embedder):
    vectors = embedder.embed_array(["a short text", "another, rather longer, piece of text about bridges"])
    assert vectors.shape == (2, DIMENSION)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_similar_meanings_are_closer_than_unrelated_ones(embedder):
    cat, feline, stocks = embedder.embed_array(
        ["The cat sits on the mat.", "A feline rests on a rug.", "Stock markets fell sharply today."]
    )
    assert cat @ feline > 0.4
    assert cat @ feline > cat @ stocks + 0.3


def test_a_text_gets_the_same_vector_alone_or_in_a_padded_batch(embedder):
    text = "Retrieval-augmented generation cites its sources."
    alone = embedder.embed_array([text])[0]
    batched = embedder.embed_array(["x", text, "a much longer neighbour " * 20])[1]
    assert float(alone @ batched) > 0.9999


def test_texts_over_256_tokens_are_truncated_with_a_warning(embedder, caplog):
    long_text = "word " * 600
    with caplog.at_level("WARNING", logger="citeflow.llm"):
        (vector,) = embedder.embed_array([long_text])
    assert "over 256 tokens truncated" in caplog.text
    assert np.isclose(np.linalg.norm(vector), 1.0, atol=1e-5)
    assert float(vector @ embedder.embed_array(["word " * 300])[0]) > 0.999


def test_batches_larger_than_one_run_keep_order(embedder):
    texts = [f"sentence number {i} about topic {i % 3}" for i in range(40)]
    together = embedder.embed_array(texts)
    one_by_one = np.stack([embedder.embed_array([t])[0] for t in texts[:5]])
    assert together.shape == (40, DIMENSION)
    assert np.allclose(together[:5], one_by_one, atol=1e-5)


def test_no_texts_gives_no_vectors(embedder):
    assert embedder.embed([]) == []


def test_concurrent_callers_share_one_model(embedder):
    expected = embedder.embed_array(["shared model, many threads"])[0]
    results: list[np.ndarray] = []

    def call() -> None:
        results.append(embedder.embed_array(["shared model, many threads"])[0])

    threads = [threading.Thread(target=call) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4
    assert all(np.allclose(r, expected, atol=1e-6) for r in results)


def test_the_hub_serves_the_builtin_model_once_per_process(graph_cache):
    hub = ModelHub(httpx.Client(), UrlGuard(allow_private=True), cache_dir=graph_cache, threads=1)
    first = hub.embedding(ModelRef("Builtin", "all-MiniLM-L6-v2", "embedding"))
    assert first is hub.embedding(ModelRef("Builtin", "all-MiniLM-L6-v2", "embedding"))
    assert len(first.embed(["hello"])[0]) == DIMENSION
    with pytest.raises(ProviderError, match="no such built-in model"):
        hub.embedding(ModelRef("Builtin", "bge-large", "embedding"))


def test_new_tenants_start_with_the_builtin_models(tenant_a):
    tenant = tenant_a.web.get("/v1/user/tenant_info").json()["data"]
    assert tenant["embd_id"] == "all-MiniLM-L6-v2@Builtin"
    assert tenant["llm_id"] == "SmolLM2-135M-Instruct@Builtin"
    listed = tenant_a.web.get("/v1/llm/list", params={"model_type": "embedding"}).json()["data"]
    (builtin,) = listed["Builtin"]
    assert (builtin["llm_name"], builtin["available"]) == ("all-MiniLM-L6-v2", True)
    factories = [f["name"] for f in tenant_a.web.get("/v1/llm/factories").json()["data"]]
    assert "Builtin" not in factories


@pytest.fixture(scope="module")
def chat() -> SmolChat:
    return SmolChat(threads=1)


QUESTION = [Message("user", "What is the capital of France? Answer in one sentence.")]


def test_the_builtin_chat_model_answers(chat):
    answer = chat.complete(QUESTION, GenConf(temperature=0.0, max_tokens=40))
    assert "Paris" in answer.text
    assert answer.usage.prompt_tokens > 10
    assert 0 < answer.usage.completion_tokens <= 40


def test_the_builtin_chat_model_streams_and_reports_usage_last(chat):
    deltas = list(chat.stream(QUESTION, GenConf(temperature=0.0, max_tokens=40)))
    assert len(deltas) > 2
    assert all(d.usage is None for d in deltas[:-1])
    assert deltas[-1].usage is not None
    assert deltas[-1].usage.completion_tokens > 0
    assert "Paris" in "".join(d.text for d in deltas)


def test_max_tokens_bounds_the_answer(chat):
    answer = chat.complete([Message("user", "Write a long story about a dragon.")], GenConf(max_tokens=5))
    assert answer.usage.completion_tokens <= 5
    assert answer.finish_reason == "length"


def test_a_stream_closed_early_frees_the_model(chat):
    stream = chat.stream([Message("user", "Count from one to fifty in words.")], GenConf(max_tokens=200))
    next(stream)
    stream.close()
    assert "Paris" in chat.complete(QUESTION, GenConf(temperature=0.0, max_tokens=40)).text


def test_concurrent_chats_are_served_one_after_the_other(chat):
    answers: list[str] = []

    def ask() -> None:
        answers.append(chat.complete(QUESTION, GenConf(temperature=0.0, max_tokens=40)).text)

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == 2
    assert all("Paris" in a for a in answers)


def test_the_builtin_chat_model_counts_its_own_tokens(chat):
    assert chat.count_tokens("Hello world") == 2


def test_the_graph_is_built_once_and_reused(embedder, graph_cache):
    (graph,) = graph_cache.glob("*.onnx")
    built = graph.stat().st_mtime_ns
    again = MiniLMEmbedder(threads=1, cache_dir=graph_cache)
    assert graph.stat().st_mtime_ns == built
    assert np.allclose(again.embed_array(["bridges"]), embedder.embed_array(["bridges"]), atol=1e-6)


def test_a_damaged_cached_graph_is_rebuilt(embedder, tmp_path):
    (tmp_path / graph_file(tmp_path).name).write_bytes(b"not a graph")
    repaired = MiniLMEmbedder(threads=1, cache_dir=tmp_path)
    assert np.allclose(repaired.embed_array(["bridges"]), embedder.embed_array(["bridges"]), atol=1e-6)
    assert [p.name for p in tmp_path.iterdir()] == [graph_file(tmp_path).name]
