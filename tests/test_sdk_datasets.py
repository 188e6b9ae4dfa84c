"""`/api/v1/datasets` over real HTTP, as RAGFlow v0.20.5 answers it.

Spec: /work/shared/spec/ragflow-api-v0.20.5-sdk.md §1.6-§1.11 (ids, timestamps, tenancy, bulk
deletes, validation messages), §2.2/§2.4/§2.5 (chunk methods, enums, limits), §3.1/§3.4-§3.6 (the
dataset object, parser_config rules and what is stored) and §4-C, §4-E, §4-D, §4-U, §4-L, §4-KG,
§4-KGD (the endpoints). Project decisions over RAGFlow: the built-in embedding model is
`all-MiniLM-L6-v2@Builtin` (RAGFlow's `BAAI/...@BAAI` is unsupported here), dates are UTC, and
team access is the caller's own tenant only (there are no invitations yet).
"""

import copy
import json
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import RunningServer, Tenant, as_other_tenant
from tests.envelopes import BAD_KEY, EMPTY_AUTH, SDK_NO_AUTHORIZATION
from tests.fake_providers import GOOD_KEY, FakeProvider
from tests.tenants import open_tenant

DATASETS = "/api/v1/datasets"
BUILTIN_EMBEDDING = "all-MiniLM-L6-v2@Builtin"
EMPTY_GRAPH = {"code": 0, "data": {"graph": {}, "mind_map": {}}}

CHUNK_METHODS = [
    "naive",
    "book",
    "email",
    "laws",
    "manual",
    "one",
    "paper",
    "picture",
    "presentation",
    "qa",
    "table",
    "tag",
]
CHUNK_METHOD_ERROR = (
    "Input should be 'naive', 'book', 'email', 'laws', 'manual', 'one', 'paper', 'picture', "
    "'presentation', 'qa', 'table' or 'tag'"
)
RAPTOR_PROMPT = (
    "Please summarize the following paragraphs. Be careful with the numbers, do not make things up. "
    "Paragraphs as following:\n      {cluster_content}\nThe above is the content you need to summarize."
)
NAIVE_DEFAULT = {
    "chunk_token_num": 512,
    "delimiter": "\\n",
    "html4excel": False,
    "layout_recognize": "DeepDOC",
    "raptor": {"use_raptor": False},
    "graphrag": {"use_graphrag": False},
}
RAPTOR_GRAPHRAG_DEFAULT = {"raptor": {"use_raptor": False}, "graphrag": {"use_graphrag": False}}
METHOD_DEFAULTS: dict[str, dict[str, Any]] = {
    "naive": NAIVE_DEFAULT,
    **dict.fromkeys(["qa", "manual", "paper", "book", "laws", "presentation"], RAPTOR_GRAPHRAG_DEFAULT),
    **{method: {} for method in ["tag", "table", "one", "email", "picture"]},
}
FULL_CONFIG: dict[str, Any] = {
    "auto_keywords": 0,
    "auto_questions": 0,
    "chunk_token_num": 512,
    "delimiter": "\\n",
    "graphrag": {
        "use_graphrag": False,
        "entity_types": ["organization", "person", "geo", "event", "category"],
        "method": "light",
        "community": False,
        "resolution": False,
    },
    "html4excel": False,
    "layout_recognize": "DeepDOC",
    "raptor": {
        "use_raptor": False,
        "prompt": RAPTOR_PROMPT,
        "max_token": 256,
        "threshold": 0.1,
        "max_cluster": 64,
        "random_seed": 0,
    },
    "tag_kb_ids": [],
    "topn_tags": 1,
    "filename_embd_weight": 0.1,
    "task_page_size": None,
    "pages": None,
}
DATASET_KEYS = {
    "id",
    "name",
    "avatar",
    "description",
    "language",
    "tenant_id",
    "created_by",
    "embedding_model",
    "permission",
    "chunk_method",
    "parser_config",
    "document_count",
    "chunk_count",
    "token_num",
    "similarity_threshold",
    "vector_similarity_weight",
    "pagerank",
    "status",
    "create_time",
    "update_time",
    "create_date",
    "update_date",
}
PNG_AVATAR = (
    "data:image/png;base64,"
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


# helpers ---------------------------------------------------------------------------------------
def unique_name(label: str = "ds") -> str:
    return f"{label}-{uuid.uuid4().hex[:12]}"


def uuid1_hex() -> str:
    return uuid.uuid1().hex


def dashed(hex_id: str) -> str:
    return str(uuid.UUID(hex_id))


def shown(value: Any) -> str:
    """How RAGFlow's validation messages print an input: `str()`, cut to 125 chars + `...` past 128."""
    text = str(value)
    return text if len(text) <= 128 else text[:125] + "..."


def field_error(loc: str, message: str, value: Any) -> str:
    return f"Field: <{loc}> - Message: <{message}> - Value: <{shown(value)}>"


def error(code: int, message: str) -> dict[str, Any]:
    return {"code": code, "message": message}


def merged(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """`patch` deep-merged over a copy of `base` (dicts recursively, any other value replaces)."""
    out = copy.deepcopy(base)
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merged(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def full_config(**patch: Any) -> dict[str, Any]:
    return merged(FULL_CONFIG, patch)


def rfc1123_utc(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")


def reply_json(reply: httpx.Response) -> dict[str, Any]:
    assert reply.status_code == 200, reply.text
    return reply.json()


def create(tenant: Tenant, body: Any) -> dict[str, Any]:
    return reply_json(tenant.sdk.post(DATASETS, json=body))


def new_dataset(tenant: Tenant, **fields: Any) -> dict[str, Any]:
    """Create a dataset (a unique name unless one is given) and return its object."""
    body = {"name": unique_name(), **fields}
    answer = create(tenant, body)
    assert answer["code"] == 0, answer
    return answer["data"]


def update(tenant: Tenant, dataset_id: str, body: Any) -> dict[str, Any]:
    return reply_json(tenant.sdk.put(f"{DATASETS}/{dataset_id}", json=body))


def delete(tenant: Tenant, body: Any) -> dict[str, Any]:
    return reply_json(tenant.sdk.request("DELETE", DATASETS, json=body))


def listing(tenant: Tenant, **params: Any) -> dict[str, Any]:
    return reply_json(tenant.sdk.get(DATASETS, params=params))


def listed(tenant: Tenant, **params: Any) -> list[dict[str, Any]]:
    answer = listing(tenant, **params)
    assert answer["code"] == 0, answer
    assert set(answer) == {"code", "data"}
    assert isinstance(answer["data"], list), "a bare array, no total"
    return answer["data"]


def fetch(tenant: Tenant, dataset_id: str) -> dict[str, Any]:
    (dataset,) = listed(tenant, id=dataset_id)
    return dataset


def lacks_dataset(tenant: Tenant, what: str) -> dict[str, Any]:
    return error(108, f"User '{tenant.tenant_id}' lacks permission for dataset '{what}'")


def lacks_datasets(tenant: Tenant, *ids: str) -> dict[str, Any]:
    return error(108, f"User '{tenant.tenant_id}' lacks permission for datasets: '{', '.join(ids)}'")


def tick() -> None:
    """Let the millisecond clock move on, so create/update times differ."""
    time.sleep(0.002)


@pytest.fixture
def fresh(server: RunningServer) -> Iterator[Tenant]:
    """A tenant of its own, for tests that list or delete everything."""
    with open_tenant(server, "ds-fresh") as tenant:
        yield tenant


@pytest.fixture
def fake(fake_provider: FakeProvider) -> FakeProvider:
    fake_provider.reset()
    return fake_provider


# authentication and wire ------------------------------------------------------------------------
def routes() -> list[tuple[str, str]]:
    some_id = uuid1_hex()
    return [
        ("POST", DATASETS),
        ("GET", DATASETS),
        ("DELETE", DATASETS),
        ("PUT", f"{DATASETS}/{some_id}"),
        ("GET", f"{DATASETS}/{some_id}/knowledge_graph"),
        ("DELETE", f"{DATASETS}/{some_id}/knowledge_graph"),
    ]


def test_dataset_routes_need_an_api_key(server):
    with server.client() as anonymous, server.client(Authorization="Bearer ragflow-nosuchkey") as stranger:
        for method, path in routes():
            body = {"name": "x"} if method == "POST" else {"ids": None}
            assert anonymous.request(method, path, json=body).json() == EMPTY_AUTH, (method, path)
            assert stranger.request(method, path, json=body).json() == BAD_KEY, (method, path)


def test_a_trailing_slash_is_accepted(tenant_a):
    answer = reply_json(tenant_a.sdk.post(f"{DATASETS}/", json={"name": unique_name()}))
    assert answer["code"] == 0, answer
    dataset = answer["data"]
    assert reply_json(tenant_a.sdk.get(f"{DATASETS}/", params={"id": dataset["id"]}))["data"] == [dataset]
    put = reply_json(tenant_a.sdk.put(f"{DATASETS}/{dataset['id']}/", json={"description": "d"}))
    assert put["data"]["description"] == "d"
    graph = reply_json(tenant_a.sdk.get(f"{DATASETS}/{dataset['id']}/knowledge_graph/"))
    assert graph == EMPTY_GRAPH
    gone = reply_json(tenant_a.sdk.request("DELETE", f"{DATASETS}/", json={"ids": [dataset["id"]]}))
    assert gone == {"code": 0}


def test_success_is_rendered_as_flask_renders_json(tenant_a):
    reply = tenant_a.sdk.post(DATASETS, json={"name": f"数据集 🚀 {uuid.uuid4().hex[:8]}"})
    text = reply.text
    parsed = json.loads(text)
    assert parsed["code"] == 0, parsed
    assert list(parsed) == ["code", "data"]
    assert text == json.dumps(parsed, sort_keys=True, ensure_ascii=True, separators=(",", ":")) + "\n"
    assert "\\u6570\\u636e\\u96c6 \\ud83d\\ude80" in text
    assert parsed["data"]["name"].startswith("数据集 🚀 ")


def test_other_methods_on_dataset_paths_are_405(tenant_a):
    dataset = new_dataset(tenant_a)
    not_allowed = {"code": 100, "data": None, "message": "<MethodNotAllowed '405: Method Not Allowed'>"}
    for method, path in [
        ("GET", f"{DATASETS}/{dataset['id']}"),
        ("DELETE", f"{DATASETS}/{dataset['id']}"),
        ("POST", f"{DATASETS}/{dataset['id']}"),
        ("PATCH", DATASETS),
        ("PUT", DATASETS),
        ("POST", f"{DATASETS}/{dataset['id']}/knowledge_graph"),
        ("PUT", f"{DATASETS}/{dataset['id']}/knowledge_graph"),
    ]:
        assert reply_json(tenant_a.sdk.request(method, path, json={})) == not_allowed, (method, path)
    assert fetch(tenant_a, dataset["id"]) == dataset


# strict JSON bodies (§1.2) ----------------------------------------------------------------------
def strict_requests(dataset_id: str) -> list[tuple[str, str]]:
    return [("POST", DATASETS), ("PUT", f"{DATASETS}/{dataset_id}"), ("DELETE", DATASETS)]


@pytest.mark.parametrize(
    ("content_type", "content", "message"),
    [
        (None, b'{"name": "x"}', "Unsupported content type: Expected application/json, got None"),
        (
            "text/plain",
            b'{"name": "x"}',
            "Unsupported content type: Expected application/json, got text/plain",
        ),
        (
            "text/xml; charset=utf-8",
            b'{"name": "x"}',
            "Unsupported content type: Expected application/json, got text/xml; charset=utf-8",
        ),
        ("application/json", b"a", "Malformed JSON syntax: Missing commas/brackets or invalid encoding"),
        ("application/json", b"{", "Malformed JSON syntax: Missing commas/brackets or invalid encoding"),
        ("application/json", b"", "Malformed JSON syntax: Missing commas/brackets or invalid encoding"),
        ("application/json", b"[1]", "Invalid request payload: expected object, got list"),
        ("application/json", b'"a"', "Invalid request payload: expected object, got str"),
        ("application/json", b"1", "Invalid request payload: expected object, got int"),
        ("application/json", b"1.5", "Invalid request payload: expected object, got float"),
        ("application/json", b"true", "Invalid request payload: expected object, got bool"),
    ],
    ids=[
        "no-type",
        "text",
        "xml-charset",
        "garbage",
        "unclosed",
        "empty",
        "list",
        "str",
        "int",
        "float",
        "bool",
    ],
)
def test_strict_bodies_are_refused(tenant_a, content_type, content, message):
    dataset = new_dataset(tenant_a)
    headers = {"Content-Type": content_type} if content_type else {}
    for method, path in strict_requests(dataset["id"]):
        reply = tenant_a.sdk.request(method, path, content=content, headers=headers)
        assert reply_json(reply) == error(101, message), (method, path)
    assert fetch(tenant_a, dataset["id"]) == dataset


def test_a_null_body_is_an_empty_object(tenant_a):
    dataset = new_dataset(tenant_a)
    headers = {"Content-Type": "application/json"}
    post = tenant_a.sdk.post(DATASETS, content=b"null", headers=headers)
    assert reply_json(post) == error(101, field_error("name", "Field required", {}))
    put = tenant_a.sdk.put(f"{DATASETS}/{dataset['id']}", content=b"null", headers=headers)
    assert reply_json(put) == error(101, "No properties were modified")
    gone = tenant_a.sdk.request("DELETE", DATASETS, content=b"null", headers=headers)
    assert reply_json(gone) == error(101, field_error("ids", "Field required", {}))
    assert fetch(tenant_a, dataset["id"]) == dataset


def test_a_charset_parameter_is_fine(tenant_a):
    name = unique_name()
    reply = tenant_a.sdk.post(
        DATASETS,
        content=json.dumps({"name": name}).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert reply_json(reply)["data"]["name"] == name


# create: the dataset object (§3.1, §4-C) ----------------------------------------------------------
def test_create_returns_the_dataset_object_with_defaults(tenant_a):
    before = int(time.time() * 1000)
    name = unique_name("defaults")
    answer = create(tenant_a, {"name": name})
    after = int(time.time() * 1000)
    assert set(answer) == {"code", "data"}, "success has no message"
    assert answer["code"] == 0
    dataset = answer["data"]
    assert set(dataset) == DATASET_KEYS
    parsed = uuid.UUID(dataset["id"])
    assert dataset["id"] == parsed.hex, "32 lowercase hex characters, no dashes"
    assert parsed.version == 1
    assert {k: v for k, v in dataset.items() if not k.endswith(("_time", "_date")) and k != "id"} == {
        "name": name,
        "avatar": None,
        "description": None,
        "language": "English",
        "tenant_id": tenant_a.tenant_id,
        "created_by": tenant_a.tenant_id,
        "embedding_model": BUILTIN_EMBEDDING,
        "permission": "me",
        "chunk_method": "naive",
        "parser_config": NAIVE_DEFAULT,
        "document_count": 0,
        "chunk_count": 0,
        "token_num": 0,
        "similarity_threshold": 0.2,
        "vector_similarity_weight": 0.3,
        "pagerank": 0,
        "status": "1",
    }
    assert isinstance(dataset["create_time"], int)
    assert isinstance(dataset["update_time"], int)
    assert before - 1000 <= dataset["create_time"] <= dataset["update_time"] <= after + 1000
    assert dataset["create_date"] == rfc1123_utc(dataset["create_time"])
    assert dataset["update_date"] == rfc1123_utc(dataset["update_time"])


def test_create_with_every_field(tenant_a):
    name = unique_name("every")
    body = {
        "name": f"  {name}  ",
        "avatar": PNG_AVATAR,
        "description": "about things",
        "embedding_model": f"  {BUILTIN_EMBEDDING} ",
        "permission": "team",
        "chunk_method": "qa",
        "parser_config": {"auto_keywords": 5, "raptor": {"use_raptor": True}},
    }
    dataset = create(tenant_a, body)["data"]
    assert dataset["name"] == name, "trimmed"
    assert dataset["avatar"] == PNG_AVATAR
    assert dataset["description"] == "about things"
    assert dataset["embedding_model"] == BUILTIN_EMBEDDING, "trimmed"
    assert dataset["permission"] == "team"
    assert dataset["chunk_method"] == "qa"
    assert dataset["parser_config"] == full_config(auto_keywords=5, raptor={"use_raptor": True})
    assert fetch(tenant_a, dataset["id"]) == dataset


def test_what_the_official_sdk_sends_is_accepted(tenant_a):
    body = {
        "name": unique_name("sdk"),
        "avatar": None,
        "description": None,
        "embedding_model": None,
        "permission": "me",
        "chunk_method": "naive",
    }
    dataset = create(tenant_a, body)["data"]
    assert dataset["avatar"] is None
    assert dataset["description"] is None
    assert dataset["embedding_model"] == BUILTIN_EMBEDDING, "null means the tenant's default"
    assert dataset["parser_config"] == NAIVE_DEFAULT


def test_names_at_the_limits(tenant_a):
    longest = ("a" * 116) + uuid.uuid4().hex[:12]
    assert len(longest) == 128
    assert new_dataset(tenant_a, name=longest)["name"] == longest
    padded = "b" * 116 + uuid.uuid4().hex[:12]
    assert new_dataset(tenant_a, name=f"   {padded}\t ")["name"] == padded, "the limit counts after trimming"
    emoji = f"🚀 {uuid.uuid4().hex[:8]} \U0001d518"
    assert new_dataset(tenant_a, name=emoji)["name"] == emoji, "no BMP-only rule"


def test_avatar_and_description_limits(tenant_a):
    longest = "data:image/jpeg;base64," + "A" * (65535 - len("data:image/jpeg;base64,"))
    dataset = new_dataset(tenant_a, avatar=longest, description="d" * 65535)
    assert dataset["avatar"] == longest
    assert dataset["description"] == "d" * 65535
    unchecked = "data:image/png;base64,not really base64!"
    assert new_dataset(tenant_a, avatar=unchecked)["avatar"] == unchecked, "the payload is not checked"


def test_timestamps_are_utc_rfc1123(tenant_a):
    dataset = new_dataset(tenant_a)
    stamp = datetime.strptime(dataset["create_date"], "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=UTC)
    assert abs(stamp.timestamp() - time.time()) < 120, "UTC wall clock"


# create: parser_config (§3.4, §3.6) -------------------------------------------------------------
@pytest.mark.parametrize("method", CHUNK_METHODS)
def test_each_chunk_method_stores_its_default_parser_config(tenant_a, method):
    dataset = new_dataset(tenant_a, chunk_method=method)
    assert dataset["chunk_method"] == method
    assert dataset["parser_config"] == METHOD_DEFAULTS[method]
    for empty in ({}, None):
        again = new_dataset(tenant_a, chunk_method=method, parser_config=empty)
        assert again["parser_config"] == METHOD_DEFAULTS[method], empty


@pytest.mark.parametrize("method", ["naive", "qa", "tag", "picture"])
def test_a_supplied_parser_config_is_stored_complete(tenant_a, method):
    dataset = new_dataset(tenant_a, chunk_method=method, parser_config={"chunk_token_num": 1024})
    assert dataset["parser_config"] == full_config(chunk_token_num=1024)
    assert len(dataset["parser_config"]) == 13
    assert fetch(tenant_a, dataset["id"])["parser_config"] == full_config(chunk_token_num=1024)


ACCEPTED_CONFIGS = [
    {"auto_keywords": 0},
    {"auto_keywords": 32},
    {"auto_questions": 10},
    {"chunk_token_num": 1},
    {"chunk_token_num": 2048},
    {"delimiter": " "},
    {"delimiter": "\n!?;。"},
    {"html4excel": True},
    {"layout_recognize": "Plain Text"},
    {"tag_kb_ids": ["1", "2"]},
    {"topn_tags": 10},
    {"filename_embd_weight": 0.0},
    {"filename_embd_weight": 1},
    {"filename_embd_weight": None},
    {"task_page_size": 1},
    {"task_page_size": None},
    {"pages": [[1, 100], [200, 300]]},
    {"pages": None},
    {
        "raptor": {
            "use_raptor": True,
            "max_token": 2048,
            "threshold": 1,
            "max_cluster": 1024,
            "random_seed": 7,
        }
    },
    {"raptor": {"threshold": 0.0, "max_cluster": 1, "max_token": 1}},
    {"raptor": {"prompt": "Who are you?"}},
    {"graphrag": {"use_graphrag": True, "method": "general", "community": True, "resolution": True}},
    {"graphrag": {"entity_types": ["age", "sex"]}},
    {"graphrag": {"entity_types": []}},
]


def test_parser_config_values_within_the_rules_are_stored(tenant_a):
    for config in ACCEPTED_CONFIGS:
        answer = create(tenant_a, {"name": unique_name(), "parser_config": config})
        assert answer["code"] == 0, (config, answer)
        assert answer["data"]["parser_config"] == merged(FULL_CONFIG, config), config


def test_the_raptor_prompt_is_trimmed(tenant_a):
    dataset = new_dataset(tenant_a, parser_config={"raptor": {"prompt": "  Who are you?\n "}})
    assert dataset["parser_config"]["raptor"]["prompt"] == "Who are you?"


def _config_size(config: dict[str, Any]) -> int:
    return len(json.dumps(config, separators=(",", ":")))


def test_parser_config_size_limit(tenant_a):
    room = 65535 - _config_size(full_config(delimiter=""))
    fits = {"delimiter": "x" * room}
    assert _config_size(full_config(**fits)) == 65535
    dataset = new_dataset(tenant_a, parser_config=fits)
    assert dataset["parser_config"] == full_config(**fits)

    too_big = {"delimiter": "x" * (room + 1)}
    message = field_error(
        "parser_config",
        "Parser config exceeds size limit (max 65,535 characters). Current size: 65536",
        too_big,
    )
    assert create(tenant_a, {"name": unique_name(), "parser_config": too_big}) == error(101, message)
    assert update(tenant_a, dataset["id"], {"parser_config": too_big}) == error(101, message)
    assert fetch(tenant_a, dataset["id"]) == dataset


# create: validation (§1.11, §3.5) ---------------------------------------------------------------
def named(**fields: Any) -> dict[str, Any]:
    return {"name": "validation-" + uuid.uuid4().hex[:12], **fields}


def case(payload: dict[str, Any], *lines: tuple[str, str, Any], id: str) -> Any:
    return pytest.param(payload, "\n".join(field_error(*line) for line in lines), id=id)


PC = "parser_config"
INT = "Input should be a valid integer"
BOOL = "Input should be a valid boolean"
STR = "Input should be a valid string"
LIST = "Input should be a valid list"
NUM = "Input should be a valid number"

PARSER_CONFIG_CASES = [
    case(
        named(parser_config="abc"),
        (PC, "Input should be a valid dictionary or instance of ParserConfig", "abc"),
        id="pc-str",
    ),
    case(
        named(parser_config=[]),
        (PC, "Input should be a valid dictionary or instance of ParserConfig", []),
        id="pc-list",
    ),
    case(named(parser_config={"foo": 1}), (f"{PC}.foo", "Extra inputs are not permitted", 1), id="pc-extra"),
    case(
        named(parser_config={"auto_keywords": -1}),
        (f"{PC}.auto_keywords", "Input should be greater than or equal to 0", -1),
        id="kw-min",
    ),
    case(
        named(parser_config={"auto_keywords": 33}),
        (f"{PC}.auto_keywords", "Input should be less than or equal to 32", 33),
        id="kw-max",
    ),
    case(named(parser_config={"auto_keywords": 3.0}), (f"{PC}.auto_keywords", INT, 3.0), id="kw-float"),
    case(named(parser_config={"auto_keywords": "3"}), (f"{PC}.auto_keywords", INT, "3"), id="kw-str"),
    case(named(parser_config={"auto_keywords": True}), (f"{PC}.auto_keywords", INT, True), id="kw-bool"),
    case(
        named(parser_config={"auto_questions": -1}),
        (f"{PC}.auto_questions", "Input should be greater than or equal to 0", -1),
        id="q-min",
    ),
    case(
        named(parser_config={"auto_questions": 11}),
        (f"{PC}.auto_questions", "Input should be less than or equal to 10", 11),
        id="q-max",
    ),
    case(
        named(parser_config={"chunk_token_num": 0}),
        (f"{PC}.chunk_token_num", "Input should be greater than or equal to 1", 0),
        id="ctn-min",
    ),
    case(
        named(parser_config={"chunk_token_num": 2049}),
        (f"{PC}.chunk_token_num", "Input should be less than or equal to 2048", 2049),
        id="ctn-max",
    ),
    case(
        named(parser_config={"chunk_token_num": 3.14}), (f"{PC}.chunk_token_num", INT, 3.14), id="ctn-float"
    ),
    case(
        named(parser_config={"chunk_token_num": "512"}), (f"{PC}.chunk_token_num", INT, "512"), id="ctn-str"
    ),
    case(named(parser_config={"chunk_token_num": None}), (f"{PC}.chunk_token_num", INT, None), id="ctn-null"),
    case(
        named(parser_config={"delimiter": ""}),
        (f"{PC}.delimiter", "String should have at least 1 character", ""),
        id="delim-empty",
    ),
    case(named(parser_config={"delimiter": 1}), (f"{PC}.delimiter", STR, 1), id="delim-int"),
    case(named(parser_config={"html4excel": "true"}), (f"{PC}.html4excel", BOOL, "true"), id="h4e-str"),
    case(named(parser_config={"html4excel": 1}), (f"{PC}.html4excel", BOOL, 1), id="h4e-int"),
    case(
        named(parser_config={"layout_recognize": True}),
        (f"{PC}.layout_recognize", STR, True),
        id="layout-bool",
    ),
    case(named(parser_config={"tag_kb_ids": "1,2"}), (f"{PC}.tag_kb_ids", LIST, "1,2"), id="tags-str"),
    case(named(parser_config={"tag_kb_ids": ["a", 2]}), (f"{PC}.tag_kb_ids.1", STR, 2), id="tags-int"),
    case(
        named(parser_config={"topn_tags": 0}),
        (f"{PC}.topn_tags", "Input should be greater than or equal to 1", 0),
        id="topn-min",
    ),
    case(
        named(parser_config={"topn_tags": 11}),
        (f"{PC}.topn_tags", "Input should be less than or equal to 10", 11),
        id="topn-max",
    ),
    case(
        named(parser_config={"filename_embd_weight": -0.1}),
        (f"{PC}.filename_embd_weight", "Input should be greater than or equal to 0", -0.1),
        id="few-min",
    ),
    case(
        named(parser_config={"filename_embd_weight": 1.1}),
        (f"{PC}.filename_embd_weight", "Input should be less than or equal to 1", 1.1),
        id="few-max",
    ),
    case(
        named(parser_config={"filename_embd_weight": "0.5"}),
        (f"{PC}.filename_embd_weight", NUM, "0.5"),
        id="few-str",
    ),
    case(
        named(parser_config={"task_page_size": 0}),
        (f"{PC}.task_page_size", "Input should be greater than or equal to 1", 0),
        id="tps-min",
    ),
    case(named(parser_config={"task_page_size": 12.0}), (f"{PC}.task_page_size", INT, 12.0), id="tps-float"),
    case(named(parser_config={"pages": "1,2"}), (f"{PC}.pages", LIST, "1,2"), id="pages-str"),
    case(
        named(parser_config={"pages": [1, 2]}),
        (f"{PC}.pages.0", LIST, 1),
        (f"{PC}.pages.1", LIST, 2),
        id="pages-flat",
    ),
    case(
        named(parser_config={"pages": [[1, 2], [3, "x"]]}), (f"{PC}.pages.1.1", INT, "x"), id="pages-str-item"
    ),
    case(
        named(parser_config={"raptor": "x"}),
        (f"{PC}.raptor", "Input should be a valid dictionary or instance of RaptorConfig", "x"),
        id="raptor-str",
    ),
    case(
        named(parser_config={"raptor": {"use_raptor": "yes"}}),
        (f"{PC}.raptor.use_raptor", BOOL, "yes"),
        id="raptor-use",
    ),
    case(
        named(parser_config={"raptor": {"prompt": ""}}),
        (f"{PC}.raptor.prompt", "String should have at least 1 character", ""),
        id="raptor-prompt-empty",
    ),
    case(
        named(parser_config={"raptor": {"prompt": "   "}}),
        (f"{PC}.raptor.prompt", "String should have at least 1 character", "   "),
        id="raptor-prompt-blank",
    ),
    case(
        named(parser_config={"raptor": {"max_token": 0}}),
        (f"{PC}.raptor.max_token", "Input should be greater than or equal to 1", 0),
        id="raptor-mt-min",
    ),
    case(
        named(parser_config={"raptor": {"max_token": 2049}}),
        (f"{PC}.raptor.max_token", "Input should be less than or equal to 2048", 2049),
        id="raptor-mt-max",
    ),
    case(
        named(parser_config={"raptor": {"threshold": -0.1}}),
        (f"{PC}.raptor.threshold", "Input should be greater than or equal to 0", -0.1),
        id="raptor-th-min",
    ),
    case(
        named(parser_config={"raptor": {"threshold": 1.5}}),
        (f"{PC}.raptor.threshold", "Input should be less than or equal to 1", 1.5),
        id="raptor-th-max",
    ),
    case(
        named(parser_config={"raptor": {"threshold": "0.5"}}),
        (f"{PC}.raptor.threshold", NUM, "0.5"),
        id="raptor-th-str",
    ),
    case(
        named(parser_config={"raptor": {"max_cluster": 0}}),
        (f"{PC}.raptor.max_cluster", "Input should be greater than or equal to 1", 0),
        id="raptor-mc-min",
    ),
    case(
        named(parser_config={"raptor": {"max_cluster": 1025}}),
        (f"{PC}.raptor.max_cluster", "Input should be less than or equal to 1024", 1025),
        id="raptor-mc-max",
    ),
    case(
        named(parser_config={"raptor": {"random_seed": -1}}),
        (f"{PC}.raptor.random_seed", "Input should be greater than or equal to 0", -1),
        id="raptor-seed-min",
    ),
    case(
        named(parser_config={"raptor": {"random_seed": 1.5}}),
        (f"{PC}.raptor.random_seed", INT, 1.5),
        id="raptor-seed-float",
    ),
    case(
        named(parser_config={"raptor": {"extra": 1}}),
        (f"{PC}.raptor.extra", "Extra inputs are not permitted", 1),
        id="raptor-extra",
    ),
    case(
        named(parser_config={"graphrag": []}),
        (f"{PC}.graphrag", "Input should be a valid dictionary or instance of GraphragConfig", []),
        id="graphrag-list",
    ),
    case(
        named(parser_config={"graphrag": {"use_graphrag": 1}}),
        (f"{PC}.graphrag.use_graphrag", BOOL, 1),
        id="graphrag-use",
    ),
    case(
        named(parser_config={"graphrag": {"entity_types": "person"}}),
        (f"{PC}.graphrag.entity_types", LIST, "person"),
        id="graphrag-et-str",
    ),
    case(
        named(parser_config={"graphrag": {"entity_types": ["person", 1]}}),
        (f"{PC}.graphrag.entity_types.1", STR, 1),
        id="graphrag-et-int",
    ),
    case(
        named(parser_config={"graphrag": {"method": "heavy"}}),
        (f"{PC}.graphrag.method", "Input should be 'light' or 'general'", "heavy"),
        id="graphrag-method",
    ),
    case(
        named(parser_config={"graphrag": {"method": None}}),
        (f"{PC}.graphrag.method", "Input should be 'light' or 'general'", None),
        id="graphrag-method-null",
    ),
    case(
        named(parser_config={"graphrag": {"community": "no"}}),
        (f"{PC}.graphrag.community", BOOL, "no"),
        id="graphrag-community",
    ),
    case(
        named(parser_config={"graphrag": {"resolution": 0}}),
        (f"{PC}.graphrag.resolution", BOOL, 0),
        id="graphrag-resolution",
    ),
    case(
        named(parser_config={"graphrag": {"extra": True}}),
        (f"{PC}.graphrag.extra", "Extra inputs are not permitted", True),
        id="graphrag-extra",
    ),
]

CREATE_CASES = [
    case({}, ("name", "Field required", {}), id="name-missing"),
    case(
        {"description": "d"},
        ("name", "Field required", {"description": "d"}),
        id="name-missing-value-is-payload",
    ),
    case({"name": ""}, ("name", "String should have at least 1 character", ""), id="name-empty"),
    case({"name": "   "}, ("name", "String should have at least 1 character", "   "), id="name-blank"),
    case(
        {"name": "a" * 129}, ("name", "String should have at most 128 characters", "a" * 129), id="name-long"
    ),
    case({"name": 0}, ("name", STR, 0), id="name-int"),
    case({"name": None}, ("name", STR, None), id="name-null"),
    case({"name": ["x"]}, ("name", STR, ["x"]), id="name-list"),
    case(
        named(avatar="a" * 65536),
        ("avatar", "String should have at most 65535 characters", "a" * 65536),
        id="avatar-long",
    ),
    case(
        named(avatar=""),
        ("avatar", "Missing MIME prefix. Expected format: data:<mime>;base64,<data>", ""),
        id="avatar-empty",
    ),
    case(
        named(avatar="data:image/png;base64"),
        (
            "avatar",
            "Missing MIME prefix. Expected format: data:<mime>;base64,<data>",
            "data:image/png;base64",
        ),
        id="avatar-no-comma",
    ),
    case(
        named(avatar="image/png;base64,AAAA"),
        ("avatar", "Invalid MIME prefix format. Must start with 'data:'", "image/png;base64,AAAA"),
        id="avatar-no-data",
    ),
    case(
        named(avatar="data:image/gif;base64,AAAA"),
        (
            "avatar",
            "Unsupported MIME type. Allowed: ['image/jpeg', 'image/png']",
            "data:image/gif;base64,AAAA",
        ),
        id="avatar-gif",
    ),
    case(
        named(avatar="data:unsupported;base64,AAAA"),
        (
            "avatar",
            "Unsupported MIME type. Allowed: ['image/jpeg', 'image/png']",
            "data:unsupported;base64,AAAA",
        ),
        id="avatar-bad-mime",
    ),
    case(named(avatar=5), ("avatar", STR, 5), id="avatar-int"),
    case(
        named(description="d" * 65536),
        ("description", "String should have at most 65535 characters", "d" * 65536),
        id="description-long",
    ),
    case(named(description=["d"]), ("description", STR, ["d"]), id="description-list"),
    case(
        named(embedding_model="all-MiniLM-L6-v2"),
        (
            "embedding_model",
            "Embedding model identifier must follow <model_name>@<provider> format",
            "all-MiniLM-L6-v2",
        ),
        id="embd-no-at",
    ),
    case(
        named(embedding_model=""),
        ("embedding_model", "Embedding model identifier must follow <model_name>@<provider> format", ""),
        id="embd-empty",
    ),
    case(
        named(embedding_model="@Builtin"),
        ("embedding_model", "Both model_name and provider must be non-empty strings", "@Builtin"),
        id="embd-no-name",
    ),
    case(
        named(embedding_model="all-MiniLM-L6-v2@"),
        ("embedding_model", "Both model_name and provider must be non-empty strings", "all-MiniLM-L6-v2@"),
        id="embd-no-factory",
    ),
    case(
        named(embedding_model="bge@ "),
        ("embedding_model", "Both model_name and provider must be non-empty strings", "bge@ "),
        id="embd-blank-factory",
    ),
    case(
        named(embedding_model=" @BAAI"),
        ("embedding_model", "Both model_name and provider must be non-empty strings", " @BAAI"),
        id="embd-blank-name",
    ),
    case(
        named(embedding_model="m" * 250 + "@Builtin"),
        ("embedding_model", "String should have at most 255 characters", "m" * 250 + "@Builtin"),
        id="embd-long",
    ),
    case(named(embedding_model=5), ("embedding_model", STR, 5), id="embd-int"),
    case(
        named(permission="admin"),
        ("permission", "Input should be 'me' or 'team'", "admin"),
        id="perm-unknown",
    ),
    case(named(permission="ME"), ("permission", "Input should be 'me' or 'team'", "ME"), id="perm-case"),
    case(named(permission=""), ("permission", "Input should be 'me' or 'team'", ""), id="perm-empty"),
    case(named(permission=None), ("permission", "Input should be 'me' or 'team'", None), id="perm-null"),
    case(named(permission=[]), ("permission", "Input should be 'me' or 'team'", []), id="perm-list"),
    case(
        named(permission="p" * 128),
        ("permission", "Input should be 'me' or 'team'", "p" * 128),
        id="value-128-shown-whole",
    ),
    case(
        named(permission="p" * 129),
        ("permission", "Input should be 'me' or 'team'", "p" * 129),
        id="value-129-cut",
    ),
    case(
        named(chunk_method="knowledge_graph"),
        ("chunk_method", CHUNK_METHOD_ERROR, "knowledge_graph"),
        id="cm-kg",
    ),
    case(named(chunk_method="resume"), ("chunk_method", CHUNK_METHOD_ERROR, "resume"), id="cm-resume"),
    case(named(chunk_method="audio"), ("chunk_method", CHUNK_METHOD_ERROR, "audio"), id="cm-audio"),
    case(named(chunk_method="NAIVE"), ("chunk_method", CHUNK_METHOD_ERROR, "NAIVE"), id="cm-case"),
    case(named(chunk_method=""), ("chunk_method", CHUNK_METHOD_ERROR, ""), id="cm-empty"),
    case(named(chunk_method=None), ("chunk_method", CHUNK_METHOD_ERROR, None), id="cm-null"),
    case(named(chunk_method=[]), ("chunk_method", CHUNK_METHOD_ERROR, []), id="cm-list"),
    *[
        case(named(**{key: value}), (key, "Extra inputs are not permitted", value), id=f"extra-{key}")
        for key, value in [
            ("id", uuid1_hex()),
            ("tenant_id", "someone"),
            ("created_by", "someone"),
            ("language", "English"),
            ("pagerank", 5),
            ("status", "1"),
            ("document_count", 0),
            ("chunk_count", 0),
            ("token_num", 0),
            ("create_time", 1),
            ("similarity_threshold", 0.2),
            ("parser_id", "naive"),
            ("embd_id", BUILTIN_EMBEDDING),
        ]
    ],
    case(
        {"name": "", "foo": 1, "chunk_method": "resume", "permission": "x", "avatar": "x"},
        ("name", "String should have at least 1 character", ""),
        ("avatar", "Missing MIME prefix. Expected format: data:<mime>;base64,<data>", "x"),
        ("permission", "Input should be 'me' or 'team'", "x"),
        ("chunk_method", CHUNK_METHOD_ERROR, "resume"),
        ("foo", "Extra inputs are not permitted", 1),
        id="several-in-declaration-order-extras-last",
    ),
    *PARSER_CONFIG_CASES,
]


@pytest.mark.parametrize(("payload", "message"), CREATE_CASES)
def test_create_validation(tenant_a, payload, message):
    assert create(tenant_a, payload) == error(101, message)


def test_a_refused_create_stores_nothing(tenant_a):
    name = unique_name("refused")
    assert create(tenant_a, {"name": name, "permission": "nobody"})["code"] == 101
    assert listing(tenant_a, name=name) == lacks_dataset(tenant_a, name)
    assert new_dataset(tenant_a, name=name)["name"] == name


# create: names (§4-C step 2) --------------------------------------------------------------------
def test_duplicate_names_are_refused_case_insensitively(tenant_a, tenant_b):
    name = unique_name("Dup-Name")
    first = new_dataset(tenant_a, name=name)
    assert create(tenant_a, {"name": name}) == error(103, f"Dataset name '{name}' already exists")
    lower = name.lower()
    assert create(tenant_a, {"name": lower}) == error(103, f"Dataset name '{lower}' already exists")
    assert create(tenant_a, {"name": f"  {name.upper()} "}) == error(
        103, f"Dataset name '{name.upper()}' already exists"
    ), "the name is trimmed before the check and in the message"
    assert [d["id"] for d in listed(tenant_a, name=name)] == [first["id"]], "no `name(1)` renaming"
    # Names are unique per tenant only.
    assert new_dataset(tenant_b, name=name)["tenant_id"] == tenant_b.tenant_id
    # A deleted dataset frees its name.
    assert delete(tenant_a, {"ids": [first["id"]]}) == {"code": 0}
    assert new_dataset(tenant_a, name=name)["id"] != first["id"]


# embedding model availability (§4-E) -----------------------------------------------------------
@pytest.mark.parametrize(
    ("model", "message"),
    [
        ("text-embedding-3-small@OpenAI", "Unauthorized model: <text-embedding-3-small@OpenAI>"),
        ("  text-embedding-3-large@OpenAI ", "Unauthorized model: <text-embedding-3-large@OpenAI>"),
        ("BAAI/bge-large-zh-v1.5@BAAI", "Unsupported model: <BAAI/bge-large-zh-v1.5@BAAI>"),
        ("no-such-model@OpenAI", "Unsupported model: <no-such-model@OpenAI>"),
        ("all-MiniLM-L6-v2@OpenAI", "Unsupported model: <all-MiniLM-L6-v2@OpenAI>"),
        ("no-such-model@Builtin", "Unsupported model: <no-such-model@Builtin>"),
        ("nomic-embed-text@Ollama", "Unsupported model: <nomic-embed-text@Ollama>"),
        ("a@b@c", "Unsupported model: <a@b@c>"),
        ("text-embedding-3-small@openai", "Unsupported model: <text-embedding-3-small@openai>"),
        ("x@text-embedding-3-small@OpenAI", "Unsupported model: <x@text-embedding-3-small@OpenAI>"),
    ],
)
def test_unavailable_embedding_models_are_refused(tenant_a, model, message):
    name = unique_name("embd")
    assert create(tenant_a, {"name": name, "embedding_model": model}) == error(101, message)
    assert listing(tenant_a, name=name) == lacks_dataset(tenant_a, name)
    dataset = new_dataset(tenant_a)
    assert update(tenant_a, dataset["id"], {"embedding_model": model}) == error(101, message)
    assert fetch(tenant_a, dataset["id"]) == dataset


def test_the_builtin_embedding_model_is_available(tenant_a):
    assert new_dataset(tenant_a, embedding_model=BUILTIN_EMBEDDING)["embedding_model"] == BUILTIN_EMBEDDING


def test_models_the_tenant_configured_are_available(fresh, tenant_b, fake):
    ollama = {"llm_factory": "Ollama", "model_type": "embedding", "llm_name": "nomic-embed-text"}
    assert fresh.web.post("/v1/llm/add_llm", json={**ollama, "api_base": fake.url}).json()["code"] == 0
    chat = {"llm_factory": "Ollama", "model_type": "chat", "llm_name": "qwen2", "api_base": fake.url}
    assert fresh.web.post("/v1/llm/add_llm", json=chat).json()["code"] == 0
    key = {"llm_factory": "OpenAI", "api_key": GOOD_KEY, "base_url": fake.openai_url}
    assert fresh.web.post("/v1/llm/set_api_key", json=key).json()["code"] == 0

    for model in ("nomic-embed-text@Ollama", "text-embedding-3-small@OpenAI"):
        dataset = new_dataset(fresh, embedding_model=model)
        assert dataset["embedding_model"] == model
        other = new_dataset(fresh)
        assert update(fresh, other["id"], {"embedding_model": model})["data"]["embedding_model"] == model
    assert create(fresh, {"name": unique_name(), "embedding_model": "qwen2@Ollama"}) == error(
        101, "Unsupported model: <qwen2@Ollama>"
    ), "a chat model is not an embedding model"
    # A dataset created without a model gets the tenant's default, whatever it is now.
    info = fresh.web.get("/v1/user/tenant_info").json()["data"]
    keys = ("tenant_id", "llm_id", "asr_id", "img2txt_id")
    settings = {**{k: info[k] for k in keys}, "embd_id": "nomic-embed-text@Ollama"}
    assert fresh.web.post("/v1/user/set_tenant_info", json=settings).json()["code"] == 0
    assert new_dataset(fresh)["embedding_model"] == "nomic-embed-text@Ollama"
    assert new_dataset(fresh, embedding_model=None)["embedding_model"] == "nomic-embed-text@Ollama"
    # Another tenant's configuration is not this tenant's.
    assert create(tenant_b, {"name": unique_name(), "embedding_model": "nomic-embed-text@Ollama"}) == error(
        101, "Unsupported model: <nomic-embed-text@Ollama>"
    )
    assert create(
        tenant_b, {"name": unique_name(), "embedding_model": "text-embedding-3-small@OpenAI"}
    ) == error(101, "Unauthorized model: <text-embedding-3-small@OpenAI>")


def test_create_checks_in_ragflows_order(tenant_a):
    taken = new_dataset(tenant_a)["name"]
    # Validation before the name check, the name check before the model check.
    assert create(tenant_a, {"name": taken, "permission": "x"}) == error(
        101, field_error("permission", "Input should be 'me' or 'team'", "x")
    )
    assert create(tenant_a, {"name": taken, "embedding_model": "BAAI/bge-large-zh-v1.5@BAAI"}) == error(
        103, f"Dataset name '{taken}' already exists"
    )


# update (§4-U) ---------------------------------------------------------------------------------
def test_update_applies_only_what_is_sent(tenant_a):
    dataset = new_dataset(tenant_a, description="before", avatar=PNG_AVATAR)
    tick()
    answer = update(tenant_a, dataset["id"], {"description": "after"})
    assert set(answer) == {"code", "data"}
    assert answer["code"] == 0
    updated = answer["data"]
    assert set(updated) == DATASET_KEYS
    unchanged = {k: v for k, v in dataset.items() if k not in ("description", "update_time", "update_date")}
    assert {
        k: v for k, v in updated.items() if k not in ("description", "update_time", "update_date")
    } == unchanged
    assert updated["description"] == "after"
    assert updated["update_time"] > dataset["update_time"]
    assert updated["update_date"] == rfc1123_utc(updated["update_time"])
    assert fetch(tenant_a, dataset["id"]) == updated


def test_update_every_settable_field(tenant_a):
    dataset = new_dataset(tenant_a)
    name = unique_name("renamed")
    body = {
        "name": f" {name} ",
        "avatar": PNG_AVATAR,
        "description": "described",
        "embedding_model": BUILTIN_EMBEDDING,
        "permission": "team",
        "chunk_method": "book",
        "pagerank": 42,
    }
    updated = update(tenant_a, dataset["id"], body)["data"]
    assert updated["name"] == name
    assert updated["avatar"] == PNG_AVATAR
    assert updated["description"] == "described"
    assert updated["embedding_model"] == BUILTIN_EMBEDDING
    assert updated["permission"] == "team"
    assert updated["chunk_method"] == "book"
    assert updated["parser_config"] == METHOD_DEFAULTS["book"]
    assert updated["pagerank"] == 42
    assert fetch(tenant_a, dataset["id"]) == updated


def test_update_nulls(tenant_a):
    dataset = new_dataset(tenant_a, avatar=PNG_AVATAR, description="x", parser_config={"topn_tags": 3})
    cleared = update(tenant_a, dataset["id"], {"avatar": None, "description": None})["data"]
    assert (cleared["avatar"], cleared["description"]) == (None, None)
    for body in ({"embedding_model": None}, {"parser_config": None}, {"parser_config": {}}):
        answer = update(tenant_a, dataset["id"], body)
        assert answer["code"] == 0, (body, answer)
        assert answer["data"]["embedding_model"] == BUILTIN_EMBEDDING, body
        assert answer["data"]["parser_config"] == full_config(topn_tags=3), body


@pytest.mark.parametrize(
    "body",
    [{}, {"dataset_id": "whatever"}, {"dataset_id": uuid1_hex()}],
    ids=["empty", "only-dataset-id", "only-other-dataset-id"],
)
def test_update_with_nothing_to_change(tenant_a, body):
    dataset = new_dataset(tenant_a)
    assert update(tenant_a, dataset["id"], body) == error(101, "No properties were modified")
    assert fetch(tenant_a, dataset["id"]) == dataset


def test_a_dataset_id_in_the_body_is_ignored(tenant_a):
    dataset, other = new_dataset(tenant_a), new_dataset(tenant_a)
    updated = update(tenant_a, dataset["id"], {"dataset_id": other["id"], "description": "mine"})["data"]
    assert updated["id"] == dataset["id"]
    assert updated["description"] == "mine"
    assert fetch(tenant_a, other["id"]) == other


@pytest.mark.parametrize(
    "path_id",
    ["not-a-uuid", uuid.uuid4().hex, "0" * 32, uuid1_hex()[:-1], "1234"],
    ids=["garbage", "uuid4", "zeros", "short", "digits"],
)
def test_update_checks_the_path_id_is_a_uuid1(tenant_a, path_id):
    expected = error(101, field_error("dataset_id", "Invalid UUID1 format", path_id))
    assert update(tenant_a, path_id, {"name": unique_name()}) == expected
    assert update(tenant_a, path_id, {}) == expected, "validation comes before `No properties were modified`"


def test_update_of_an_unknown_dataset_is_a_permission_error(tenant_a):
    unknown = uuid1_hex()
    assert update(tenant_a, unknown, {"description": "x"}) == error(
        108, f"User '{tenant_a.tenant_id}' lacks permission for dataset '{unknown}'"
    )


def test_update_names(tenant_a):
    dataset = new_dataset(tenant_a, name=unique_name("Name"))
    taken = new_dataset(tenant_a)
    assert update(tenant_a, dataset["id"], {"name": taken["name"]}) == error(
        102, f"Dataset name '{taken['name']}' already exists"
    )
    upper = taken["name"].upper()
    assert update(tenant_a, dataset["id"], {"name": upper}) == error(
        102, f"Dataset name '{upper}' already exists"
    ), "case-insensitive"
    assert fetch(tenant_a, dataset["id"])["name"] == dataset["name"]
    # The dataset's own name, in any case, is not a clash.
    assert update(tenant_a, dataset["id"], {"name": dataset["name"]})["data"]["name"] == dataset["name"]
    shouted = dataset["name"].upper()
    assert update(tenant_a, dataset["id"], {"name": shouted})["data"]["name"] == shouted


def test_update_checks_in_ragflows_order(tenant_a, tenant_b):
    dataset = new_dataset(tenant_a)
    taken = new_dataset(tenant_a)["name"]
    unsupported = "BAAI/bge-large-zh-v1.5@BAAI"
    # The name check comes before the embedding model check.
    assert update(tenant_a, dataset["id"], {"name": taken, "embedding_model": unsupported}) == error(
        102, f"Dataset name '{taken}' already exists"
    )
    # Ownership comes before both.
    bobs = new_dataset(tenant_b)["name"]
    assert update(tenant_b, dataset["id"], {"name": bobs, "embedding_model": unsupported}) == error(
        108, f"User '{tenant_b.tenant_id}' lacks permission for dataset '{dataset['id']}'"
    )
    # Names are unique per tenant: Bob's names are free for Alice.
    assert update(tenant_a, dataset["id"], {"name": bobs})["data"]["name"] == bobs


UPDATE_CASES = [
    case({"name": None}, ("name", STR, None), id="name-null"),
    case({"name": ""}, ("name", "String should have at least 1 character", ""), id="name-empty"),
    case({"name": " "}, ("name", "String should have at least 1 character", " "), id="name-blank"),
    case(
        {"name": "n" * 129}, ("name", "String should have at most 128 characters", "n" * 129), id="name-long"
    ),
    case({"name": 1}, ("name", STR, 1), id="name-int"),
    case({"permission": None}, ("permission", "Input should be 'me' or 'team'", None), id="perm-null"),
    case(
        {"permission": "everyone"},
        ("permission", "Input should be 'me' or 'team'", "everyone"),
        id="perm-unknown",
    ),
    case({"chunk_method": None}, ("chunk_method", CHUNK_METHOD_ERROR, None), id="cm-null"),
    case(
        {"chunk_method": "knowledge_graph"},
        ("chunk_method", CHUNK_METHOD_ERROR, "knowledge_graph"),
        id="cm-kg",
    ),
    case(
        {"avatar": "data:image/webp;base64,AA"},
        (
            "avatar",
            "Unsupported MIME type. Allowed: ['image/jpeg', 'image/png']",
            "data:image/webp;base64,AA",
        ),
        id="avatar-webp",
    ),
    case(
        {"description": "d" * 65536},
        ("description", "String should have at most 65535 characters", "d" * 65536),
        id="description-long",
    ),
    case(
        {"embedding_model": "nobody"},
        (
            "embedding_model",
            "Embedding model identifier must follow <model_name>@<provider> format",
            "nobody",
        ),
        id="embd-no-at",
    ),
    case(
        {"embedding_model": "x@"},
        ("embedding_model", "Both model_name and provider must be non-empty strings", "x@"),
        id="embd-no-factory",
    ),
    case({"pagerank": -1}, ("pagerank", "Input should be greater than or equal to 0", -1), id="pagerank-min"),
    case(
        {"pagerank": 101}, ("pagerank", "Input should be less than or equal to 100", 101), id="pagerank-max"
    ),
    case({"pagerank": "5"}, ("pagerank", INT, "5"), id="pagerank-str"),
    case({"pagerank": 5.0}, ("pagerank", INT, 5.0), id="pagerank-float"),
    case({"pagerank": True}, ("pagerank", INT, True), id="pagerank-bool"),
    case({"pagerank": None}, ("pagerank", INT, None), id="pagerank-null"),
    case(
        {"parser_config": "x"},
        (PC, "Input should be a valid dictionary or instance of ParserConfig", "x"),
        id="pc-str",
    ),
    case(
        {"parser_config": {"raptor": {"max_token": 0}}},
        (f"{PC}.raptor.max_token", "Input should be greater than or equal to 1", 0),
        id="pc-raptor",
    ),
    case(
        {"parser_config": {"graphrag": {"method": "x"}}},
        (f"{PC}.graphrag.method", "Input should be 'light' or 'general'", "x"),
        id="pc-graphrag",
    ),
    case(
        {"parser_config": {"chunk_token_num": 100, "nope": 1}},
        (f"{PC}.nope", "Extra inputs are not permitted", 1),
        id="pc-extra",
    ),
    *[
        case({key: value}, (key, "Extra inputs are not permitted", value), id=f"extra-{key}")
        for key, value in [
            ("id", uuid1_hex()),
            ("tenant_id", "someone"),
            ("created_by", "someone"),
            ("status", "0"),
            ("chunk_count", 3),
            ("document_count", 3),
            ("token_num", 3),
            ("create_time", 1),
            ("language", "Chinese"),
            ("vector_similarity_weight", 0.5),
        ]
    ],
]


@pytest.mark.parametrize(("payload", "message"), UPDATE_CASES)
def test_update_validation(tenant_a, payload, message):
    dataset = new_dataset(tenant_a)
    assert update(tenant_a, dataset["id"], payload) == error(101, message)
    assert fetch(tenant_a, dataset["id"]) == dataset


def test_pagerank_is_0_to_100(tenant_a):
    dataset = new_dataset(tenant_a)
    for rank in (50, 100, 0, 1):
        answer = update(tenant_a, dataset["id"], {"pagerank": rank})
        assert answer["code"] == 0, answer
        assert answer["data"]["pagerank"] == rank
        assert fetch(tenant_a, dataset["id"])["pagerank"] == rank


def test_parser_config_updates_are_deep_merged(tenant_a):
    dataset = new_dataset(tenant_a)
    assert dataset["parser_config"] == NAIVE_DEFAULT
    step = update(
        tenant_a, dataset["id"], {"parser_config": {"raptor": {"use_raptor": True, "max_token": 512}}}
    )
    expected = merged(NAIVE_DEFAULT, {"raptor": {"use_raptor": True, "max_token": 512}})
    assert step["data"]["parser_config"] == expected, "only the keys sent are merged, no defaults"
    step = update(tenant_a, dataset["id"], {"parser_config": {"raptor": {"threshold": 0.5}, "topn_tags": 2}})
    expected = merged(expected, {"raptor": {"threshold": 0.5}, "topn_tags": 2})
    assert step["data"]["parser_config"] == expected
    assert fetch(tenant_a, dataset["id"])["parser_config"] == expected

    full = new_dataset(tenant_a, parser_config={"tag_kb_ids": ["a", "b"], "pages": [[1, 2]]})
    step = update(tenant_a, full["id"], {"parser_config": {"tag_kb_ids": ["c"], "pages": None}})
    assert step["data"]["parser_config"] == full_config(tag_kb_ids=["c"]), "lists and nulls replace"
    step = update(tenant_a, full["id"], {"parser_config": {"graphrag": {"entity_types": ["x"]}}})
    assert step["data"]["parser_config"] == full_config(tag_kb_ids=["c"], graphrag={"entity_types": ["x"]})


def test_changing_the_chunk_method_replaces_the_parser_config(tenant_a):
    dataset = new_dataset(tenant_a, parser_config={"chunk_token_num": 128})
    for method in ("qa", "one", "naive", "tag", "laws"):
        answer = update(tenant_a, dataset["id"], {"chunk_method": method})
        assert answer["data"]["chunk_method"] == method
        assert answer["data"]["parser_config"] == METHOD_DEFAULTS[method], method
    # An empty parser_config does not count as sent.
    answer = update(tenant_a, dataset["id"], {"chunk_method": "naive", "parser_config": {}})
    assert answer["data"]["parser_config"] == NAIVE_DEFAULT
    answer = update(tenant_a, dataset["id"], {"chunk_method": "qa", "parser_config": None})
    assert answer["data"]["parser_config"] == METHOD_DEFAULTS["qa"]


def test_the_same_chunk_method_keeps_the_parser_config(tenant_a):
    dataset = new_dataset(tenant_a, parser_config={"chunk_token_num": 128})
    answer = update(tenant_a, dataset["id"], {"chunk_method": "naive"})
    assert answer["data"]["parser_config"] == full_config(chunk_token_num=128)


def test_a_new_chunk_method_with_a_parser_config_merges_into_the_stored_one(tenant_a):
    dataset = new_dataset(tenant_a)
    answer = update(tenant_a, dataset["id"], {"chunk_method": "qa", "parser_config": {"auto_keywords": 3}})
    assert answer["data"]["chunk_method"] == "qa"
    assert answer["data"]["parser_config"] == merged(NAIVE_DEFAULT, {"auto_keywords": 3})


# list (§4-L) -----------------------------------------------------------------------------------
def three_datasets(tenant: Tenant) -> list[dict[str, Any]]:
    made = []
    for label in ("first", "second", "third"):
        made.append(new_dataset(tenant, name=unique_name(label)))
        tick()
    return made


def test_list_orders_and_pages(fresh):
    assert listed(fresh) == []
    first, second, third = three_datasets(fresh)
    assert listed(fresh) == [third, second, first], "newest first by default"
    assert listed(fresh, orderby="create_time", desc="true") == [third, second, first]
    assert listed(fresh, page_size=2) == [third, second]
    assert listed(fresh, page_size=2, page=2) == [first]
    assert listed(fresh, page_size=2, page=3) == []
    assert listed(fresh, page=2) == []
    assert listed(fresh, page_size=100000) == [third, second, first]
    assert listed(fresh, page_size=1, page=2, desc="false") == [second]

    tick()
    touched = update(fresh, first["id"], {"description": "touched"})["data"]
    assert listed(fresh, orderby="update_time") == [touched, third, second]
    assert listed(fresh, orderby="update_time", desc="false") == [second, third, touched]
    assert listed(fresh, orderby="create_time") == [third, second, touched]


def test_list_desc_words(fresh):
    first, second, third = three_datasets(fresh)
    for word in ("false", "False", "FALSE", "0", "f", "F", "n", "N", "no", "No", "off", "OFF"):
        assert listed(fresh, desc=word) == [first, second, third], word
    for word in ("true", "True", "TRUE", "1", "t", "T", "y", "Y", "yes", "Yes", "on", "ON"):
        assert listed(fresh, desc=word) == [third, second, first], word


def test_list_filters(fresh, tenant_b):
    first, second, third = three_datasets(fresh)
    assert listed(fresh, id=second["id"]) == [second]
    assert listed(fresh, name=second["name"]) == [second]
    assert listed(fresh, id=second["id"], name=second["name"]) == [second]
    assert listed(fresh, id=second["id"], name=third["name"]) == [], "both filters apply"
    assert listed(fresh, name="") == [third, second, first], "an empty name is no filter"
    assert listed(fresh, name="", id=first["id"]) == [first]
    shared = new_dataset(fresh, permission="team")
    assert listed(fresh) == [shared, third, second, first], "the caller's own datasets, any permission"
    assert delete(fresh, {"ids": [shared["id"]]}) == {"code": 0}
    # Another tenant's datasets, even shared with the team, are not listed.
    new_dataset(tenant_b, permission="team")
    assert listed(fresh) == [third, second, first]


def test_a_dashed_id_passes_list_validation(fresh):
    dataset = new_dataset(fresh)
    answer = listing(fresh, id=dashed(dataset["id"]))
    # §4-L: dashed ids pass validation; the look-up then uses the raw or the normalised value.
    assert answer in ({"code": 0, "data": [dataset]}, lacks_dataset(fresh, dashed(dataset["id"]))), answer


def test_list_pre_checks_are_permission_errors(tenant_a, tenant_b):
    unknown = uuid1_hex()
    assert listing(tenant_a, id=unknown) == lacks_dataset(tenant_a, unknown)
    missing = unique_name("missing")
    assert listing(tenant_a, name=missing) == lacks_dataset(tenant_a, missing)
    theirs = new_dataset(tenant_b, permission="team")
    assert listing(tenant_a, id=theirs["id"]) == lacks_dataset(tenant_a, theirs["id"])
    assert listing(tenant_a, name=theirs["name"]) == lacks_dataset(tenant_a, theirs["name"])
    mine = new_dataset(tenant_a)
    assert listing(tenant_a, id=mine["id"], name=missing) == lacks_dataset(tenant_a, missing)
    assert listing(tenant_a, id=unknown, name=mine["name"]) == lacks_dataset(tenant_a, unknown)


@pytest.mark.parametrize(
    ("params", "lines"),
    [
        ({"page": "0"}, [("page", "Input should be greater than or equal to 1", "0")]),
        ({"page": "-1"}, [("page", "Input should be greater than or equal to 1", "-1")]),
        (
            {"page": "a"},
            [("page", "Input should be a valid integer, unable to parse string as an integer", "a")],
        ),
        (
            {"page": "1.5"},
            [("page", "Input should be a valid integer, unable to parse string as an integer", "1.5")],
        ),
        (
            {"page": ""},
            [("page", "Input should be a valid integer, unable to parse string as an integer", "")],
        ),
        ({"page_size": "0"}, [("page_size", "Input should be greater than or equal to 1", "0")]),
        (
            {"page_size": "x"},
            [("page_size", "Input should be a valid integer, unable to parse string as an integer", "x")],
        ),
        ({"orderby": "name"}, [("orderby", "Input should be 'create_time' or 'update_time'", "name")]),
        ({"orderby": ""}, [("orderby", "Input should be 'create_time' or 'update_time'", "")]),
        ({"desc": ""}, [("desc", "Input should be a valid boolean, unable to interpret input", "")]),
        (
            {"desc": "maybe"},
            [("desc", "Input should be a valid boolean, unable to interpret input", "maybe")],
        ),
        ({"desc": "2"}, [("desc", "Input should be a valid boolean, unable to interpret input", "2")]),
        ({"id": ""}, [("id", "Invalid UUID1 format", "")]),
        ({"id": "abc"}, [("id", "Invalid UUID1 format", "abc")]),
        ({"id": "7" * 32}, [("id", "Invalid UUID1 format", "7" * 32)]),
        ({"foo": "1"}, [("foo", "Extra inputs are not permitted", "1")]),
        ({"keywords": "x"}, [("keywords", "Extra inputs are not permitted", "x")]),
        (
            {"foo": "1", "desc": "x", "page": "0", "id": "z"},
            [
                ("id", "Invalid UUID1 format", "z"),
                ("page", "Input should be greater than or equal to 1", "0"),
                ("desc", "Input should be a valid boolean, unable to interpret input", "x"),
                ("foo", "Extra inputs are not permitted", "1"),
            ],
        ),
    ],
    ids=lambda v: json.dumps(v) if isinstance(v, dict) else "",
)
def test_list_validation(tenant_a, params, lines):
    expected = "\n".join(field_error(*line) for line in lines)
    assert listing(tenant_a, **params) == error(101, expected)


def test_list_with_a_uuid4_id_is_refused(tenant_a):
    other = uuid.uuid4().hex
    assert listing(tenant_a, id=other) == error(101, field_error("id", "Invalid UUID1 format", other))


def test_list_numbers_are_parsed_laxly(fresh):
    first, _, third = three_datasets(fresh)
    assert listed(fresh, page=" 2 ", page_size="2") == [first]
    assert listed(fresh, page="1", page_size="+1") == [third]


# delete (§4-D) ---------------------------------------------------------------------------------
def test_delete_by_ids(tenant_a):
    one, two, three = new_dataset(tenant_a), new_dataset(tenant_a), new_dataset(tenant_a)
    answer = delete(tenant_a, {"ids": [one["id"], two["id"]]})
    assert answer == {"code": 0}
    for gone in (one, two):
        assert listing(tenant_a, id=gone["id"]) == lacks_dataset(tenant_a, gone["id"])
        graph = reply_json(tenant_a.sdk.get(f"{DATASETS}/{gone['id']}/knowledge_graph"))
        assert graph == SDK_NO_AUTHORIZATION
    assert fetch(tenant_a, three["id"]) == three
    # Deleted means gone: deleting again is deleting something not owned.
    assert delete(tenant_a, {"ids": [one["id"]]}) == lacks_datasets(tenant_a, one["id"])


def blobs_holding(root: Path, marker: bytes) -> list[Path]:
    """Files under the server's data dir whose bytes contain `marker` (built models and the SQLite
    database aside: freed database pages may keep old bytes)."""
    found = []
    for path in root.rglob("*"):
        skipped = "models" in path.relative_to(root).parts or path.name.startswith("citeflow.db")
        if path.is_file() and not skipped and marker in path.read_bytes():
            found.append(path)
    return found


def test_delete_removes_documents_and_their_blobs(server, tenant_a):
    doomed, kept = new_dataset(tenant_a), new_dataset(tenant_a)
    markers = {}
    for dataset in (doomed, kept):
        markers[dataset["id"]] = f"marker {uuid.uuid4().hex}".encode()
        files = {"file": ("notes.txt", markers[dataset["id"]], "text/plain")}
        upload = reply_json(tenant_a.sdk.post(f"{DATASETS}/{dataset['id']}/documents", files=files))
        assert upload["code"] == 0, upload
        assert fetch(tenant_a, dataset["id"])["document_count"] == 1
    root = server.settings.data_dir
    stored = blobs_holding(root, markers[doomed["id"]])
    assert stored, "control: the uploaded blob is under the data dir"

    assert delete(tenant_a, {"ids": [doomed["id"]]}) == {"code": 0}
    # Spec §4-D recommendation: the blobs go too (possibly by a background clean-up).
    marker, deadline = markers[doomed["id"]], time.monotonic() + 10
    while leftover := [p for p in stored if p.exists() and marker in p.read_bytes()]:
        assert time.monotonic() < deadline, f"blobs of a deleted dataset are kept: {leftover}"
        time.sleep(0.05)
    assert blobs_holding(root, markers[kept["id"]]), "another dataset's blob stays"
    assert fetch(tenant_a, kept["id"])["document_count"] == 1


def test_delete_accepts_dashed_ids(tenant_a):
    dataset = new_dataset(tenant_a)
    assert delete(tenant_a, {"ids": [dashed(dataset["id"])]}) == {"code": 0}
    assert listing(tenant_a, id=dataset["id"]) == lacks_dataset(tenant_a, dataset["id"])


def test_delete_an_empty_list_deletes_nothing(fresh):
    made = three_datasets(fresh)
    assert delete(fresh, {"ids": []}) == {"code": 0}
    assert listed(fresh) == made[::-1]


def test_delete_null_deletes_all_the_callers_datasets(fresh, tenant_b):
    three_datasets(fresh)
    theirs = new_dataset(tenant_b)
    assert delete(fresh, {"ids": None}) == {"code": 0}
    assert listed(fresh) == []
    assert fetch(tenant_b, theirs["id"]) == theirs
    assert delete(fresh, {"ids": None}) == {"code": 0}, "nothing left is still a success"


def test_delete_unowned_ids_deletes_nothing(tenant_a, tenant_b):
    mine = new_dataset(tenant_a)
    theirs = new_dataset(tenant_b)
    unknown = uuid1_hex()
    answer = delete(tenant_a, {"ids": [mine["id"], unknown, theirs["id"]]})
    assert answer == lacks_datasets(tenant_a, unknown, theirs["id"])
    assert fetch(tenant_a, mine["id"]) == mine
    assert fetch(tenant_b, theirs["id"]) == theirs
    answer = delete(tenant_a, {"ids": [dashed(theirs["id"])]})
    assert answer == lacks_datasets(tenant_a, theirs["id"]), "ids are named normalised"


def test_delete_validation(tenant_a):
    mine = new_dataset(tenant_a)
    one, two, four = mine["id"], uuid1_hex(), uuid.uuid4().hex
    cases = [
        ({}, [("ids", "Field required", {})]),
        ({"foo": 1}, [("ids", "Field required", {"foo": 1}), ("foo", "Extra inputs are not permitted", 1)]),
        ({"ids": [], "foo": 1}, [("foo", "Extra inputs are not permitted", 1)]),
        ({"ids": "abc"}, [("ids", LIST, "abc")]),
        ({"ids": one}, [("ids", LIST, one)]),
        ({"ids": {"id": one}}, [("ids", LIST, {"id": one})]),
        ({"ids": 5}, [("ids", LIST, 5)]),
        ({"ids": [1, one]}, [("ids.0", STR, 1)]),
        ({"ids": [one, None]}, [("ids.1", STR, None)]),
        ({"ids": ["abc"]}, [("ids", "Invalid UUID1 format", ["abc"])]),
        ({"ids": [one, ""]}, [("ids", "Invalid UUID1 format", [one, ""])]),
        ({"ids": [one, four]}, [("ids", "Invalid UUID1 format", [one, four])]),
        ({"ids": [one, one]}, [("ids", f"Duplicate ids: '{one}'", [one, one])]),
        ({"ids": [one, dashed(one)]}, [("ids", f"Duplicate ids: '{one}'", [one, dashed(one)])]),
        ({"ids": [one, two, two, one]}, [("ids", f"Duplicate ids: '{one}, {two}'", [one, two, two, one])]),
    ]
    for body, lines in cases:
        expected = error(101, "\n".join(field_error(*line) for line in lines))
        assert delete(tenant_a, body) == expected, body
    assert fetch(tenant_a, one) == mine


# knowledge graph (§4-KG, §4-KGD) ---------------------------------------------------------------
def test_knowledge_graph_of_a_new_dataset_is_empty(tenant_a):
    dataset = new_dataset(tenant_a)
    path = f"{DATASETS}/{dataset['id']}/knowledge_graph"
    assert reply_json(tenant_a.sdk.get(path)) == EMPTY_GRAPH
    assert reply_json(tenant_a.sdk.delete(path)) == {"code": 0, "data": True}
    assert reply_json(tenant_a.sdk.get(path)) == EMPTY_GRAPH
    assert reply_json(tenant_a.sdk.delete(path)) == {"code": 0, "data": True}
    assert fetch(tenant_a, dataset["id"]) == dataset


@pytest.mark.parametrize("dataset_id", [uuid1_hex(), uuid.uuid4().hex, "not-an-id"])
def test_knowledge_graph_of_an_unknown_dataset(tenant_a, dataset_id):
    path = f"{DATASETS}/{dataset_id}/knowledge_graph"
    assert reply_json(tenant_a.sdk.get(path)) == SDK_NO_AUTHORIZATION
    assert reply_json(tenant_a.sdk.delete(path)) == SDK_NO_AUTHORIZATION


# tenants (§1.8) --------------------------------------------------------------------------------
def test_another_tenant_gets_refusals_for_every_route(tenant_a, tenant_b):
    dataset = new_dataset(tenant_a, permission="team")
    did, bob = dataset["id"], tenant_b.tenant_id

    put = tenant_a.sdk.put(f"{DATASETS}/{did}", json={"name": unique_name(), "pagerank": 3})
    assert put.json()["code"] == 0
    dataset = put.json()["data"]
    replay = as_other_tenant(put.request, tenant_b)
    assert replay.json() == error(108, f"User '{bob}' lacks permission for dataset '{did}'")

    unsent = tenant_a.sdk.build_request("DELETE", DATASETS, json={"ids": [did]})
    replay = as_other_tenant(unsent, tenant_b)
    assert replay.json() == error(108, f"User '{bob}' lacks permission for datasets: '{did}'")
    answer = reply_json(tenant_b.sdk.request("DELETE", DATASETS, json={"ids": [dashed(did)]}))
    assert answer == error(108, f"User '{bob}' lacks permission for datasets: '{did}'")
    assert delete(tenant_b, {"ids": None}) == {"code": 0}
    assert fetch(tenant_a, did) == dataset, "nothing of Alice's was deleted"

    assert listing(tenant_b, id=did) == error(108, f"User '{bob}' lacks permission for dataset '{did}'")
    name = dataset["name"]
    assert listing(tenant_b, name=name) == error(108, f"User '{bob}' lacks permission for dataset '{name}'")
    assert did not in [d["id"] for d in listed(tenant_b, page_size=100000)]

    graph = tenant_a.sdk.get(f"{DATASETS}/{did}/knowledge_graph")
    assert graph.json() == EMPTY_GRAPH
    assert as_other_tenant(graph.request, tenant_b).json() == SDK_NO_AUTHORIZATION
    wipe = tenant_b.sdk.delete(f"{DATASETS}/{did}/knowledge_graph")
    assert wipe.json() == SDK_NO_AUTHORIZATION

    assert fetch(tenant_a, did) == dataset
