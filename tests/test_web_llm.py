"""`/v1/llm/*` over real HTTP, with a fake provider (tests/fake_providers.py) behind every model.

Keys are checked with real calls to the fake; stored keys never come back and are encrypted at
rest; each tenant sees and deletes only its own models; base URLs go through the SSRF guard.
"""

import os
import socket
import stat
import time
from collections.abc import Iterator
from typing import Any

import pytest

from citeflow.llm import factories
from tests.conftest import RunningServer, Tenant
from tests.envelopes import UNAUTHORIZED
from tests.fake_providers import GOOD_KEY, FakeProvider
from tests.tenants import open_tenant

ALL_KINDS = {"chat", "embedding", "rerank", "image2text", "speech2text", "tts"}
PROBED_KINDS = ("embedding", "chat", "rerank")
ROUTES = [
    ("GET", "/v1/llm/factories"),
    ("POST", "/v1/llm/set_api_key"),
    ("POST", "/v1/llm/add_llm"),
    ("POST", "/v1/llm/delete_llm"),
    ("POST", "/v1/llm/delete_factory"),
    ("GET", "/v1/llm/my_llms"),
    ("GET", "/v1/llm/list"),
]


@pytest.fixture
def fake(fake_provider: FakeProvider) -> FakeProvider:
    fake_provider.reset()
    return fake_provider


@pytest.fixture(scope="module")
def tenants(server: RunningServer) -> Iterator[tuple[Tenant, Tenant]]:
    """Two tenants of this module (registering one takes a while: passwords are hashed slowly)."""
    with open_tenant(server, "llm-alice") as alice, open_tenant(server, "llm-bob") as bob:
        yield alice, bob


@pytest.fixture
def user(tenants: tuple[Tenant, Tenant]) -> Tenant:
    """A tenant without models: each test starts from none."""
    return without_models(tenants[0])


@pytest.fixture
def other(tenants: tuple[Tenant, Tenant]) -> Tenant:
    """Another tenant without models."""
    return without_models(tenants[1])


@pytest.fixture(scope="module")
def impatient(start_server) -> Iterator[Tenant]:
    """A tenant on a server that gives a provider half a second and one attempt."""
    with open_tenant(start_server(llm={"timeout_seconds": 0.5, "retries": 1}), "impatient") as tenant:
        yield tenant


def without_models(tenant: Tenant) -> Tenant:
    for factory in get(tenant, "my_llms", include_details="true"):
        assert post(tenant, "delete_factory", {"llm_factory": factory})["data"] is True
    assert get(tenant, "my_llms", include_details="true") == {}
    return tenant


def post(tenant: Tenant, route: str, body: Any) -> dict[str, Any]:
    reply = tenant.web.post(f"/v1/llm/{route}", json=body)
    assert reply.status_code == 200, reply.text
    return reply.json()


def get(tenant: Tenant, route: str, **params: str) -> dict[str, Any]:
    reply = tenant.web.get(f"/v1/llm/{route}", params=params)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["code"] == 0, body
    return body["data"]


def set_openai_key(tenant: Tenant, fake: FakeProvider, key: str = GOOD_KEY) -> dict[str, Any]:
    return post(tenant, "set_api_key", {"llm_factory": "OpenAI", "api_key": key, "base_url": fake.openai_url})


def add_llm(
    tenant: Tenant, factory: str, kind: str, name: str, api_base: str, **extra: Any
) -> dict[str, Any]:
    body = {"llm_factory": factory, "model_type": kind, "llm_name": name, "api_base": api_base, **extra}
    return post(tenant, "add_llm", body)


def listed(my_llms: dict[str, Any], factory: str) -> set[tuple[str, str]]:
    return {(m["type"], m["name"]) for m in my_llms.get(factory, {}).get("llm", [])}


def catalogue(factory: str, kinds: tuple[str, ...] | None = None) -> list[tuple[str, str]]:
    return [
        (m.model_type, m.llm_name)
        for m in factories()[factory].models
        if kinds is None or m.model_type in kinds
    ]


# factories ----------------------------------------------------------------------------------
def test_llm_routes_need_a_session(server):
    with server.client() as anonymous:
        for method, path in ROUTES:
            assert anonymous.request(method, path, json={}).json() == UNAUTHORIZED, path
    with server.client(Authorization="not-a-session") as stranger:
        assert stranger.get("/v1/llm/my_llms").json() == UNAUTHORIZED


def test_factories_are_every_factory_but_the_builtin_one(tenant_a):
    records = get(tenant_a, "factories")
    names = [f["name"] for f in records]
    assert "Builtin" not in names
    assert {"OpenAI", "Azure-OpenAI", "Ollama", "VLLM", "HuggingFace", "OpenAI-API-Compatible"} <= set(names)
    assert len(names) == len(set(names))
    for record in records:
        assert {"name", "logo", "tags", "status", "model_types"} <= set(record), record
        assert record["status"] == "1"
        assert isinstance(record["tags"], str)
        assert set(record["model_types"]) <= ALL_KINDS
    by_name = {f["name"]: f for f in records}
    assert set(by_name["OpenAI"]["model_types"]) == {m.model_type for m in factories()["OpenAI"].models}
    assert set(by_name["Ollama"]["model_types"]) == ALL_KINDS, "no catalogue: every type"


# set_api_key ----------------------------------------------------------------------------------
def test_set_api_key_checks_the_key_then_keeps_it_for_the_catalogue(user, fake):
    assert get(user, "my_llms") == {}
    assert set_openai_key(user, fake) == {"code": 0, "data": True, "message": "success"}

    first = fake.requests[0]
    assert first.path == "/v1/embeddings", "an embedding model is tried first"
    assert first.headers["authorization"] == f"Bearer {GOOD_KEY}"
    assert first.json["model"] == catalogue("OpenAI", ("embedding",))[0][1]
    assert len(fake.requests) == 1, "one successful call is enough"

    mine = get(user, "my_llms")
    assert list(mine) == ["OpenAI"]
    assert mine["OpenAI"]["tags"] == factories()["OpenAI"].tags
    assert listed(mine, "OpenAI") == set(catalogue("OpenAI"))
    for model in mine["OpenAI"]["llm"]:
        assert model == {"type": model["type"], "name": model["name"], "used_token": 0}

    detailed = get(user, "my_llms", include_details="true")
    limits = {(m.model_type, m.llm_name): m.max_tokens for m in factories()["OpenAI"].models}
    for model in detailed["OpenAI"]["llm"]:
        assert model["api_base"] == fake.openai_url
        assert model["max_tokens"] == limits[(model["type"], model["name"])]
        assert model["used_token"] == 0
    assert get(user, "my_llms", include_details="True") == detailed, "RAGFlow ignores the case"


def test_set_api_key_with_a_wrong_key_reports_ragflow_failure_lines(user, fake):
    reply = set_openai_key(user, fake, key="sk-bad")
    assert reply["code"] == 102
    message = reply["message"]
    probed = [m for kind in PROBED_KINDS for m in catalogue("OpenAI", (kind,))]
    assert message.count("\nFail to access") == len(probed) == len(fake.requests)
    embedding = catalogue("OpenAI", ("embedding",))[0][1]
    assert message.startswith(f"\nFail to access embedding model({embedding}) using this api key.")
    chat = catalogue("OpenAI", ("chat",))[0][1]
    assert f"\nFail to access model(OpenAI/{chat}) using this api key." in message
    assert "HTTP 401" in message
    assert "sk-bad" not in message
    assert get(user, "my_llms") == {}
    assert get(user, "my_llms", include_details="true") == {}


def test_a_failed_set_api_key_keeps_the_previous_key(user, fake):
    assert set_openai_key(user, fake)["data"] is True
    assert set_openai_key(user, fake, key="sk-bad")["code"] == 102
    assert listed(get(user, "my_llms"), "OpenAI") == set(catalogue("OpenAI"))


def test_set_api_key_needs_factory_and_key(user):
    expected = {"code": 101, "data": None, "message": "required argument are missing: llm_factory,api_key; "}
    assert post(user, "set_api_key", {}) == expected
    assert post(user, "set_api_key", {"api_key": GOOD_KEY})["message"] == (
        "required argument are missing: llm_factory; "
    )


def test_set_api_key_refuses_an_unknown_factory(user, fake):
    for factory in ("NoSuchFactory", "Builtin", "openai", 42):
        reply = post(user, "set_api_key", {"llm_factory": factory, "api_key": GOOD_KEY})
        assert reply["code"] == 102, factory
        assert "Unknown model factory" in reply["message"]
    assert fake.requests == []


def test_set_api_key_for_a_named_model(user, fake):
    body = {
        "llm_factory": "OpenAI-API-Compatible",
        "api_key": GOOD_KEY,
        "base_url": fake.openai_url,
        "model_type": "chat",
        "llm_name": "my-chat",
    }
    assert post(user, "set_api_key", body)["data"] is True
    assert fake.requests[0].json["model"] == "my-chat"
    assert listed(get(user, "my_llms"), "OpenAI-API-Compatible") == {("chat", "my-chat")}


def test_base_urls_must_be_http(user, fake):
    for base in ("ftp://example.com/v1", "file:///etc/passwd"):
        reply = post(user, "set_api_key", {"llm_factory": "OpenAI", "api_key": GOOD_KEY, "base_url": base})
        assert reply["code"] == 101
        assert "http:// or https://" in reply["message"]
    assert fake.requests == []


# add_llm --------------------------------------------------------------------------------------
def test_add_llm_ollama_chat_model(user, fake):
    assert add_llm(user, "Ollama", "chat", "qwen2", fake.url)["data"] is True
    (probe,) = fake.requests
    assert probe.path == "/api/chat"
    assert probe.json["model"] == "qwen2"
    mine = get(user, "my_llms")
    assert mine == {
        "Ollama": {
            "tags": factories()["Ollama"].tags,
            "llm": [{"type": "chat", "name": "qwen2", "used_token": 0}],
        }
    }
    (detail,) = get(user, "my_llms", include_details="true")["Ollama"]["llm"]
    assert detail["api_base"] == fake.url
    assert detail["max_tokens"] == 8192


def test_add_llm_keeps_max_tokens(user, fake):
    assert add_llm(user, "Ollama", "embedding", "nomic-embed-text", fake.url, max_tokens=512)["data"] is True
    assert fake.requests[0].path == "/api/embed"
    (detail,) = get(user, "my_llms", include_details="true")["Ollama"]["llm"]
    assert (detail["type"], detail["max_tokens"]) == ("embedding", 512)


def test_add_llm_vllm_model_is_stored_with_the_suffix(user, fake):
    assert add_llm(user, "VLLM", "chat", "my-model", fake.openai_url, api_key=GOOD_KEY)["data"] is True
    (probe,) = fake.requests
    assert probe.path == "/v1/chat/completions"
    assert probe.json["model"] == "my-model", "the provider gets the name without the suffix"
    assert listed(get(user, "my_llms"), "VLLM") == {("chat", "my-model___VLLM")}
    # Adding it again under its stored name updates the same model.
    assert add_llm(user, "VLLM", "chat", "my-model___VLLM", fake.openai_url, api_key=GOOD_KEY)["data"] is True
    assert listed(get(user, "my_llms"), "VLLM") == {("chat", "my-model___VLLM")}


def test_add_llm_huggingface_embedding_through_tei(user, fake):
    assert add_llm(user, "HuggingFace", "embedding", "bge-small", fake.url)["data"] is True
    (probe,) = fake.requests
    assert probe.path == "/embed"
    assert listed(get(user, "my_llms"), "HuggingFace") == {("embedding", "bge-small___HuggingFace")}


def test_add_llm_refuses_an_unknown_model_type(user, fake):
    for kind in ("chatbot", "", None, 3, "CHAT"):
        reply = add_llm(user, "VLLM", kind, "m", fake.openai_url, api_key=GOOD_KEY)
        assert reply["code"] == 101, kind
        assert "model_type" in reply["message"]
    assert post(user, "add_llm", {"llm_factory": "VLLM", "llm_name": "m"})["code"] == 101
    assert fake.requests == []
    assert get(user, "my_llms", include_details="true") == {}


def test_add_llm_needs_a_factory(user):
    assert post(user, "add_llm", {"model_type": "chat"}) == {
        "code": 101,
        "data": None,
        "message": "required argument are missing: llm_factory; ",
    }


def test_add_llm_reports_a_failing_provider(impatient, fake):
    tenant = without_models(impatient)
    reply = add_llm(tenant, "VLLM", "chat", "broken", fake.openai_url, api_key=GOOD_KEY)
    assert reply == {"code": 102, "message": "\nFail to access model(VLLM/broken).HTTP 500: internal failure"}
    reply = add_llm(tenant, "HuggingFace", "embedding", "bge", fake.mode_url("broken"))
    assert reply["code"] == 102
    assert reply["message"] == "\nFail to access embedding model(bge).HTTP 500: internal failure"
    reply = add_llm(tenant, "Ollama", "chat", "garbage", fake.url)
    assert reply["code"] == 102
    assert "not JSON" in reply["message"]
    assert get(tenant, "my_llms", include_details="true") == {}


def test_a_slow_provider_answers_102_with_a_timeout(impatient, fake):
    tenant = without_models(impatient)
    started = time.monotonic()
    reply = add_llm(tenant, "VLLM", "chat", "slow", fake.openai_url, api_key=GOOD_KEY)
    assert time.monotonic() - started < 2.5
    assert reply["code"] == 102
    assert reply["message"].startswith("\nFail to access model(VLLM/slow).")
    assert "no answer from 127.0.0.1 in time" in reply["message"]


def test_an_unreachable_provider_is_tried_once_not_per_model(impatient):
    tenant = without_models(impatient)
    with socket.socket() as sock:  # a port nobody listens on once this socket is closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    body = {"llm_factory": "OpenAI", "api_key": GOOD_KEY, "base_url": f"http://127.0.0.1:{port}/v1"}
    started = time.monotonic()
    reply = post(tenant, "set_api_key", body)
    assert time.monotonic() - started < 2.5
    assert reply["code"] == 102
    assert reply["message"].count("\nFail to access") == 1
    assert "cannot connect to 127.0.0.1" in reply["message"]


# delete ---------------------------------------------------------------------------------------
def test_delete_llm_and_delete_factory(user, fake):
    set_openai_key(user, fake)
    for name in ("one", "two"):
        assert add_llm(user, "VLLM", "chat", name, fake.openai_url, api_key=GOOD_KEY)["data"] is True

    reply = post(user, "delete_llm", {"llm_factory": "VLLM", "llm_name": "one___VLLM"})
    assert reply == {"code": 0, "data": True, "message": "success"}
    mine = get(user, "my_llms")
    assert listed(mine, "VLLM") == {("chat", "two___VLLM")}
    assert listed(mine, "OpenAI") == set(catalogue("OpenAI"))

    # A model that is not there: still `data: true`, as in RAGFlow.
    assert post(user, "delete_llm", {"llm_factory": "VLLM", "llm_name": "nope"})["data"] is True
    assert post(user, "delete_llm", {"llm_factory": "VLLM"})["message"] == (
        "required argument are missing: llm_name; "
    )

    assert post(user, "delete_factory", {"llm_factory": "OpenAI"})["data"] is True
    assert list(get(user, "my_llms")) == ["VLLM"]
    assert post(user, "delete_factory", {"llm_factory": "VLLM"})["data"] is True
    assert get(user, "my_llms", include_details="true") == {}
    assert post(user, "delete_factory", {})["code"] == 101


# list -----------------------------------------------------------------------------------------
def test_list_marks_what_the_tenant_can_use(user, fake):
    catalog = factories()
    before = get(user, "list")
    assert {m["llm_name"] for m in before["OpenAI"]} == {name for _, name in catalogue("OpenAI")}
    for fid, models in before.items():
        for model in models:
            assert model["fid"] == fid
            assert model["available"] is catalog[fid].self_deployed, model
            assert {"llm_name", "model_type", "max_tokens", "tags", "is_tools", "status"} <= set(model)

    set_openai_key(user, fake)
    add_llm(user, "Ollama", "chat", "qwen2", fake.url)
    add_llm(user, "HuggingFace", "embedding", "bge-small", fake.url)
    after = get(user, "list")
    assert all(m["available"] for m in after["OpenAI"])
    assert after["Ollama"] == [
        {"llm_name": "qwen2", "model_type": "chat", "fid": "Ollama", "available": True}
    ]
    assert all(not m["available"] for m in after["Mistral"]), "no key for Mistral"

    embedding = get(user, "list", model_type="embedding")
    assert embedding
    for models in embedding.values():
        assert all("embedding" in m["model_type"] for m in models)
    assert {m["llm_name"] for m in embedding["OpenAI"]} == {n for _, n in catalogue("OpenAI", ("embedding",))}
    assert "Ollama" not in embedding
    assert embedding["HuggingFace"] == [
        {
            "llm_name": "bge-small___HuggingFace",
            "model_type": "embedding",
            "fid": "HuggingFace",
            "available": True,
        }
    ]


# secrets --------------------------------------------------------------------------------------
def test_provider_keys_are_never_returned(user, fake):
    answers = [set_openai_key(user, fake)]
    answers.append(add_llm(user, "VLLM", "chat", "keyed", fake.openai_url, api_key=GOOD_KEY))
    answers.append(set_openai_key(user, fake, key="sk-good-but-wrong"))
    for path, params in [
        ("/v1/llm/factories", {}),
        ("/v1/llm/my_llms", {}),
        ("/v1/llm/my_llms", {"include_details": "true"}),
        ("/v1/llm/list", {}),
        ("/v1/llm/list", {"model_type": "chat"}),
        ("/v1/user/info", {}),
        ("/v1/user/tenant_info", {}),
    ]:
        reply = user.web.get(path, params=params)
        assert reply.json()["code"] == 0, reply.text
        answers.append(reply.text)
    for answer in answers:
        assert GOOD_KEY not in str(answer)


def test_provider_keys_are_encrypted_at_rest(server, user, fake, db_backend):
    if db_backend != "sqlite":
        pytest.skip("reads the SQLite database file")
    assert set_openai_key(user, fake)["data"] is True
    assert add_llm(user, "VLLM", "chat", "stored-model", fake.openai_url, api_key=GOOD_KEY)["data"] is True
    database = server.settings.data_dir / "citeflow.db"
    files = [database] + [p for p in (database.with_name("citeflow.db-wal"),) if p.exists()]
    stored = b"".join(path.read_bytes() for path in files)
    # Control: the rows are in these files, so the keys were written where we look.
    assert b"stored-model___VLLM" in stored
    assert GOOD_KEY.encode() not in stored
    key_file = server.settings.data_dir / "keys" / "secret.key"
    assert key_file.is_file()
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600


# tenants --------------------------------------------------------------------------------------
def test_tenants_see_and_delete_only_their_own_models(user, other, fake):
    alice, bob = user, other
    set_openai_key(alice, fake)
    add_llm(alice, "Ollama", "chat", "qwen2", fake.url)
    mine = get(alice, "my_llms", include_details="true")

    assert get(bob, "my_llms") == {}
    assert get(bob, "my_llms", include_details="true") == {}
    assert not any(m["available"] for m in get(bob, "list")["OpenAI"])
    assert "Ollama" not in get(bob, "list")

    assert post(bob, "delete_llm", {"llm_factory": "Ollama", "llm_name": "qwen2"})["data"] is True
    assert post(bob, "delete_factory", {"llm_factory": "OpenAI"})["data"] is True
    assert get(alice, "my_llms", include_details="true") == mine

    # Bob's own key for the same factory is his alone.
    set_openai_key(bob, fake)
    assert post(bob, "delete_factory", {"llm_factory": "OpenAI"})["data"] is True
    assert get(alice, "my_llms", include_details="true") == mine


# base URL guard -------------------------------------------------------------------------------
def test_private_base_urls_are_refused_when_not_allowed(start_server, fake):
    strict = start_server(llm={"allow_private_base_urls": False})
    with open_tenant(strict, "strict") as tenant:
        reply = set_openai_key(tenant, fake)
        assert reply["code"] == 102
        assert "llm.allow_private_base_urls" in reply["message"]
        assert reply["message"].count("\nFail to access") == 1, "the same refusal is not repeated per model"
        reply = add_llm(tenant, "Ollama", "chat", "qwen2", fake.url)
        assert reply["code"] == 102
        assert "llm.allow_private_base_urls" in reply["message"]
        assert fake.requests == []
        assert get(tenant, "my_llms", include_details="true") == {}


def test_link_local_base_urls_are_always_refused(user, fake):
    reply = add_llm(user, "Ollama", "chat", "qwen2", "http://169.254.169.254/latest")
    assert reply["code"] == 102
    assert "link-local" in reply["message"]
    assert get(user, "my_llms", include_details="true") == {}
