"""`/v1/kb/*` over real HTTP: datasets (knowledge bases) of the web API.

The contract is RAGFlow v0.20.5's kb_app (spec §5, with the §1 conventions). Where the code and
RAGFlow's own tests disagree the tests win (spec §12 #1: create's too-long-name message says
`large`). citeflow's decisions pinned here: new tenants embed with `all-MiniLM-L6-v2@Builtin` and
every new dataset takes the tenant's embedding model; there are no team invitations, so another
tenant is refused on every route and never sees a dataset, not even one with permission `team`.
No chunk exists yet, so tags are `[]`, the knowledge graph is empty and `get_meta` is `{}`.
"""

import json
import re
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.conftest import RunningServer, Tenant, as_other_tenant
from tests.envelopes import (
    NO_AUTHORIZATION,
    NOT_JSON_BODIES,
    NOT_OWNER,
    UNAUTHORIZED,
    UNSUPPORTED_MEDIA_TYPE,
    data_error,
    envelope,
    missing,
    ok,
)
from tests.tenants import open_tenant

UPDATE_REQUIRED = ("kb_id", "name", "description", "parser_id")
FORBIDDEN_ON_UPDATE = {
    "id": "f" * 32,
    "tenant_id": "e57c1966f99211efb41e9e45646e0111",
    "created_by": "created_by",
    "create_time": 1741671443322,
    "update_time": 1741671443339,
    "create_date": "Tue, 11 Mar 2025 13:37:23 GMT",
    "update_date": "Tue, 11 Mar 2025 13:37:23 GMT",
}
DEFAULT_EMBEDDING = "all-MiniLM-L6-v2@Builtin"
DEFAULT_PARSER_CONFIG = {"pages": [[1, 1000000]]}
NO_SUCH_KB = uuid.uuid1().hex
KB_ID = re.compile(r"^[0-9a-f]{32}$")
HTTP_DATE = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"\d{4} \d{2}:\d{2}:\d{2} GMT$"
)
DETAIL_KEYS = {
    "id",
    "embd_id",
    "avatar",
    "name",
    "language",
    "description",
    "permission",
    "doc_num",
    "token_num",
    "chunk_num",
    "parser_id",
    "parser_config",
    "pagerank",
    "create_time",
    "update_time",
    "size",
}
LIST_ITEM_KEYS = {
    "id",
    "avatar",
    "name",
    "language",
    "description",
    "tenant_id",
    "permission",
    "doc_num",
    "token_num",
    "chunk_num",
    "parser_id",
    "embd_id",
    "nickname",
    "tenant_avatar",
    "update_time",
}
#: The stored Knowledgebase record (spec §1.7), as kb/update returns it.
RECORD_KEYS = {
    "id",
    "avatar",
    "tenant_id",
    "name",
    "language",
    "description",
    "embd_id",
    "permission",
    "created_by",
    "doc_num",
    "token_num",
    "chunk_num",
    "similarity_threshold",
    "vector_similarity_weight",
    "parser_id",
    "parser_config",
    "pagerank",
    "status",
    "create_time",
    "create_date",
    "update_time",
    "update_date",
}
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
#: parser_config values RAGFlow's update tests send; each must come back exactly as sent.
PARSER_CONFIGS = [
    {"auto_keywords": 32},
    {"chunk_token_num": 1024},
    {"delimiter": "\n"},
    {"delimiter": " "},
    {"html4excel": False},
    {"layout_recognize": "Plain Text"},
    {"tag_kb_ids": ["1", "2"]},
    {"topn_tags": 10},
    {"filename_embd_weight": 0.1},
    {"task_page_size": None},
    {"pages": [[1, 100]]},
    {"pages": None},
    {"graphrag": {"use_graphrag": True}},
    {"graphrag": {"entity_types": ["age", "sex", "height", "weight"]}},
    {"graphrag": {"method": "light", "community": False, "resolution": True}},
    {"raptor": {"use_raptor": True}},
    {"raptor": {"prompt": "Who are you?"}},
    {"raptor": {"max_token": 1}},
    {"raptor": {"threshold": 0.5}},
    {"raptor": {"max_cluster": 1024, "random_seed": 0}},
    {},
]


@pytest.fixture(scope="module")
def alice(server: RunningServer) -> Iterator[Tenant]:
    """The owner in most tests; a tenant of this module, so other modules' datasets don't show."""
    with open_tenant(server, "kb-alice") as tenant:
        yield tenant


@pytest.fixture(scope="module")
def bob(server: RunningServer) -> Iterator[Tenant]:
    """A second tenant of this module that creates datasets of its own."""
    with open_tenant(server, "kb-bob") as tenant:
        yield tenant


# helpers ----------------------------------------------------------------------------------------
def unique(label: str) -> str:
    return f"{label}-{uuid.uuid4().hex[:10]}"


def create(tenant: Tenant, name: str, **fields: Any) -> str:
    data = ok(tenant.web.post("/v1/kb/create", json={"name": name, **fields}))
    assert set(data) == {"kb_id"}, data
    assert KB_ID.match(data["kb_id"]), data
    return data["kb_id"]


def detail(tenant: Tenant, kb_id: str) -> dict[str, Any]:
    return ok(tenant.web.get("/v1/kb/detail", params={"kb_id": kb_id}))


def update_body(kb_id: str, name: str, **fields: Any) -> dict[str, Any]:
    return {"kb_id": kb_id, "name": name, "description": "", "parser_id": "naive", **fields}


def update(tenant: Tenant, body: Any) -> dict[str, Any]:
    return envelope(tenant.web.post("/v1/kb/update", json=body))


def listing(tenant: Tenant, body: Any = None, **params: Any) -> dict[str, Any]:
    data = ok(tenant.web.post("/v1/kb/list", params=params, json={} if body is None else body))
    assert set(data) == {"kbs", "total"}, data
    return data


def listed_ids(tenant: Tenant, body: Any = None, **params: Any) -> list[str]:
    return [kb["id"] for kb in listing(tenant, body, **params)["kbs"]]


def remove(tenant: Tenant, kb_id: Any) -> dict[str, Any]:
    return envelope(tenant.web.post("/v1/kb/rm", json={"kb_id": kb_id}))


def pause() -> None:
    """Let the millisecond clock move, so create and update times differ."""
    time.sleep(0.01)


# authentication ---------------------------------------------------------------------------------
def kb_routes(kb_id: str) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        ("POST", "/v1/kb/create", {"json": {"name": "anonymous"}}),
        ("POST", "/v1/kb/update", {"json": update_body(kb_id, "anonymous")}),
        ("GET", "/v1/kb/detail", {"params": {"kb_id": kb_id}}),
        ("POST", "/v1/kb/list", {"json": {}}),
        ("POST", "/v1/kb/rm", {"json": {"kb_id": kb_id}}),
        ("GET", f"/v1/kb/{kb_id}/knowledge_graph", {}),
        ("DELETE", f"/v1/kb/{kb_id}/knowledge_graph", {}),
        ("GET", f"/v1/kb/{kb_id}/tags", {}),
        ("GET", "/v1/kb/tags", {"params": {"kb_ids": kb_id}}),
        ("POST", f"/v1/kb/{kb_id}/rm_tags", {"json": {"tags": ["a"]}}),
        ("POST", f"/v1/kb/{kb_id}/rename_tag", {"json": {"from_tag": "a", "to_tag": "b"}}),
        ("GET", "/v1/kb/get_meta", {"params": {"kb_ids": kb_id}}),
    ]


def test_kb_routes_need_a_session(server, alice):
    name = unique("guarded")
    kb_id = create(alice, name)
    for authorization in (None, "not-a-session", alice.api_key, f"Bearer {alice.api_key}"):
        headers = {} if authorization is None else {"Authorization": authorization}
        with server.client(**headers) as client:
            for method, path, kwargs in kb_routes(kb_id):
                assert envelope(client.request(method, path, **kwargs)) == UNAUTHORIZED, (authorization, path)
    with server.client() as anonymous:
        assert envelope(anonymous.post("/v1/kb/update", json={})) == UNAUTHORIZED, "auth comes first"
        assert envelope(anonymous.post("/v1/kb/rm", json={})) == UNAUTHORIZED
        assert envelope(anonymous.post("/v1/kb/list")) == UNAUTHORIZED
    assert detail(alice, kb_id)["name"] == name, "neither renamed nor removed"
    assert "anonymous" not in [kb["name"] for kb in listing(alice)["kbs"]]


def test_kb_routes_accept_a_trailing_slash(alice):
    kb_id = create(alice, unique("slash"))
    assert ok(alice.web.get("/v1/kb/detail/", params={"kb_id": kb_id}))["id"] == kb_id
    assert kb_id in [kb["id"] for kb in ok(alice.web.post("/v1/kb/list/", json={}))["kbs"]]
    assert ok(alice.web.get(f"/v1/kb/{kb_id}/tags/")) == []
    assert ok(alice.web.post("/v1/kb/rm/", json={"kb_id": kb_id})) is True


# create -------------------------------------------------------------------------------------------
def test_create_returns_the_id_and_stores_the_defaults(alice):
    assert ok(alice.web.get("/v1/user/tenant_info"))["embd_id"] == DEFAULT_EMBEDDING
    name = unique("defaults")
    before = int(time.time() * 1000)
    reply = envelope(alice.web.post("/v1/kb/create", json={"name": name}))
    assert reply["code"] == 0
    assert reply["message"] == "success"
    kb_id = reply["data"]["kb_id"]
    assert reply == {"code": 0, "data": {"kb_id": kb_id}, "message": "success"}
    assert KB_ID.match(kb_id)

    found = detail(alice, kb_id)
    assert set(found) == DETAIL_KEYS
    assert found["id"] == kb_id
    assert found["name"] == name
    assert found["embd_id"] == DEFAULT_EMBEDDING
    assert found["permission"] == "me"
    assert found["parser_id"] == "naive"
    assert found["parser_config"] == DEFAULT_PARSER_CONFIG
    assert (found["doc_num"], found["token_num"], found["chunk_num"]) == (0, 0, 0)
    assert found["pagerank"] == 0
    assert found["size"] == 0
    for key in ("create_time", "update_time"):
        assert isinstance(found[key], int), key
        assert abs(found[key] - before) < 300_000, key
    assert found["create_time"] <= found["update_time"]


def test_create_gives_a_new_id_each_time(alice):
    first, second = create(alice, unique("one")), create(alice, unique("two"))
    assert first != second


def test_create_keeps_the_optional_columns(alice):
    avatar = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
    fields = {
        "description": "all about it",
        "language": "English",
        "permission": "team",
        "parser_id": "qa",
        "parser_config": {"chunk_token_num": 256, "delimiter": "\n", "raptor": {"use_raptor": False}},
        "pagerank": 10,
        "avatar": avatar,
        "similarity_threshold": 0.5,
        "vector_similarity_weight": 0.7,
    }
    name = unique("columns")
    kb_id = create(alice, name, **fields)
    found = detail(alice, kb_id)
    for key in ("description", "language", "permission", "parser_id", "parser_config", "pagerank", "avatar"):
        assert found[key] == fields[key], key

    record = update(alice, update_body(kb_id, name, description="all about it", parser_id="qa"))
    assert record["code"] == 0, record
    assert record["data"]["similarity_threshold"] == 0.5
    assert record["data"]["vector_similarity_weight"] == 0.7


def test_create_forces_id_tenant_creator_and_embedding_model(alice, bob):
    forced = "f" * 32
    kb_id = create(
        alice,
        unique("forced"),
        id=forced,
        tenant_id=bob.tenant_id,
        created_by=bob.user_id,
        embd_id="BAAI/bge-large-zh-v1.5@BAAI",
        permission="team",
    )
    assert kb_id != forced
    assert detail(alice, kb_id)["embd_id"] == DEFAULT_EMBEDDING
    assert envelope(alice.web.get("/v1/kb/detail", params={"kb_id": forced})) == NOT_OWNER
    (mine,) = [kb for kb in listing(alice)["kbs"] if kb["id"] == kb_id]
    assert mine["tenant_id"] == alice.tenant_id
    assert kb_id not in listed_ids(bob)
    assert envelope(bob.web.get("/v1/kb/detail", params={"kb_id": kb_id})) == NOT_OWNER
    renamed = update(alice, update_body(kb_id, unique("still-mine")))
    assert renamed["code"] == 0, renamed
    assert renamed["data"]["created_by"] == alice.user_id
    assert renamed["data"]["tenant_id"] == alice.tenant_id


def test_create_stores_the_tenants_embedding_model(server):
    with open_tenant(server, "kb-embedder") as tenant:
        models = {"llm_id": "", "embd_id": "BAAI/bge-large-zh-v1.5@BAAI", "asr_id": "", "img2txt_id": ""}
        assert ok(tenant.web.post("/v1/user/set_tenant_info", json={"tenant_id": tenant.tenant_id, **models}))
        kb_id = create(tenant, unique("embedded"), embd_id=DEFAULT_EMBEDDING)
        assert detail(tenant, kb_id)["embd_id"] == "BAAI/bge-large-zh-v1.5@BAAI"
        (item,) = listing(tenant)["kbs"]
        assert item["embd_id"] == "BAAI/bge-large-zh-v1.5@BAAI"


def test_create_ignores_unknown_keys(alice):
    kb_id = create(alice, unique("unknown-keys"), no_such_column=1, chunk_method="book")
    assert detail(alice, kb_id)["parser_id"] == "naive"


def test_create_needs_a_name(alice):
    before = listing(alice)["total"]
    assert envelope(alice.web.post("/v1/kb/create", json={})) == missing("name")
    assert envelope(alice.web.post("/v1/kb/create", json={"description": "x"})) == missing("name")
    assert envelope(alice.web.post("/v1/kb/create", content=b"not json")) == missing("name")
    assert listing(alice)["total"] == before


def test_create_reads_a_json_body_whatever_its_content_type(alice):
    name = unique("text-plain")
    reply = alice.web.post(
        "/v1/kb/create", content=json.dumps({"name": name}), headers={"Content-Type": "text/plain"}
    )
    assert detail(alice, ok(reply)["kb_id"])["name"] == name


@pytest.mark.parametrize(
    ("name", "message"),
    [
        pytest.param(0, "Dataset name must be string.", id="int"),
        pytest.param(None, "Dataset name must be string.", id="null"),
        pytest.param(1.5, "Dataset name must be string.", id="float"),
        pytest.param(True, "Dataset name must be string.", id="bool"),
        pytest.param(["kb"], "Dataset name must be string.", id="list"),
        pytest.param("", "Dataset name can't be empty.", id="empty"),
        pytest.param("   ", "Dataset name can't be empty.", id="spaces"),
        pytest.param("\t\n ", "Dataset name can't be empty.", id="whitespace"),
        pytest.param("a" * 129, "Dataset name length is 129 which is large than 128", id="129-chars"),
        pytest.param(
            " " + "a" * 128, "Dataset name length is 129 which is large than 128", id="before-strip"
        ),
        pytest.param("é" * 65, "Dataset name length is 65 which is large than 128", id="130-bytes"),
        pytest.param("数" * 43, "Dataset name length is 43 which is large than 128", id="129-bytes-cjk"),
    ],
)
def test_create_refuses_a_bad_name(alice, name, message):
    before = listing(alice)["total"]
    assert envelope(alice.web.post("/v1/kb/create", json={"name": name})) == data_error(message)
    assert listing(alice)["total"] == before


@pytest.mark.parametrize("name", ["a" * 128, "é" * 64, "数据集 " + "x" * 118, "Zoë's (data) set #1"])
def test_create_accepts_names_up_to_128_bytes(alice, name):
    kb_id = create(alice, name)
    assert detail(alice, kb_id)["name"] == name
    assert ok(alice.web.post("/v1/kb/rm", json={"kb_id": kb_id})) is True


def test_create_strips_the_name(alice):
    name = unique("padded")
    kb_id = create(alice, f"  {name}\t ")
    assert detail(alice, kb_id)["name"] == name


def test_create_renames_a_duplicate(alice):
    base = unique("dup")
    ids = [create(alice, base) for _ in range(3)]
    assert len(set(ids)) == 3
    assert [detail(alice, kb_id)["name"] for kb_id in ids] == [base, f"{base}(1)", f"{base}(2)"]

    shouted = create(alice, base.upper())
    assert detail(alice, shouted)["name"] == f"{base.upper()}(3)", "duplicates are found whatever the case"
    padded = create(alice, f"  {base}  ")
    assert detail(alice, padded)["name"] == f"{base}(4)", "the stripped name is compared"
    names = [kb["name"] for kb in listing(alice, keywords=base)["kbs"]]
    assert sorted(names) == sorted([base, f"{base}(1)", f"{base}(2)", f"{base.upper()}(3)", f"{base}(4)"])


def test_create_renames_a_counted_duplicate_from_its_counter(alice):
    base = unique("counted")
    assert detail(alice, create(alice, base))["name"] == base
    assert detail(alice, create(alice, f"{base}(1)"))["name"] == f"{base}(1)", "free: kept as given"
    assert detail(alice, create(alice, base))["name"] == f"{base}(2)"
    assert detail(alice, create(alice, f"{base}(1)"))["name"] == f"{base}(3)"


def test_create_renames_a_duplicate_before_its_extension(alice):
    name = f"notes-{uuid.uuid4().hex[:10]}.txt"
    first, second, third = (create(alice, name) for _ in range(3))
    stem = name.removesuffix(".txt")
    assert [detail(alice, kb)["name"] for kb in (first, second, third)] == [
        name,
        f"{stem}(1).txt",
        f"{stem}(2).txt",
    ]


def test_concurrent_creates_all_succeed(alice):
    base = unique("concurrent")
    with ThreadPoolExecutor(max_workers=5) as pool:
        ids = list(pool.map(lambda i: create(alice, f"{base}-{i}"), range(20)))
    assert len(set(ids)) == 20
    names = {kb["name"] for kb in listing(alice, keywords=base)["kbs"]}
    assert names == {f"{base}-{i}" for i in range(20)}


def test_create_compares_names_within_the_tenant_only(alice, bob):
    name = unique("shared-name")
    mine = create(alice, name)
    theirs = create(bob, name)
    assert detail(alice, mine)["name"] == name
    assert detail(bob, theirs)["name"] == name


# detail -------------------------------------------------------------------------------------------
def test_detail_needs_kb_id(alice):
    assert envelope(alice.web.get("/v1/kb/detail")) == {
        "code": 100,
        "data": None,
        "message": "<BadRequestKeyError '400: Bad Request'>",
    }


@pytest.mark.parametrize("kb_id", [NO_SUCH_KB, "not_uuid", ""])
def test_detail_of_an_unknown_dataset_is_refused(alice, kb_id):
    assert envelope(alice.web.get("/v1/kb/detail", params={"kb_id": kb_id})) == NOT_OWNER


def test_detail_is_rendered_like_flask(alice):
    """Keys sorted, compact, ASCII-only (spec §1.2)."""
    kb_id = create(alice, unique("Zoë 数据"))
    raw = alice.web.get("/v1/kb/detail", params={"kb_id": kb_id}).text
    assert raw.isascii()
    assert "Zo\\u00eb \\u6570\\u636e-" in raw
    assert raw.startswith('{"code":0,"data":{"avatar":')
    data = json.loads(raw)["data"]
    assert list(data) == sorted(data)


# update -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("present", "absent"),
    [
        pytest.param((), UPDATE_REQUIRED, id="empty"),
        pytest.param(("kb_id",), ("name", "description", "parser_id"), id="kb_id-only"),
        pytest.param(("kb_id", "name"), ("description", "parser_id"), id="no-description"),
        pytest.param(("name", "description", "parser_id"), ("kb_id",), id="no-kb_id"),
        pytest.param(("kb_id", "name", "description"), ("parser_id",), id="no-parser_id"),
    ],
)
def test_update_reports_missing_arguments_in_order(alice, present, absent):
    name = unique("required")
    kb_id = create(alice, name)
    full = update_body(kb_id, unique("changed"))
    body = {key: full[key] for key in present}
    assert update(alice, body) == missing(*absent)
    assert detail(alice, kb_id)["name"] == name


def test_update_counts_null_values_as_present(alice):
    name = unique("nulls")
    kb_id = create(alice, name)
    body = {"kb_id": kb_id, "name": None, "description": None, "parser_id": None}
    assert update(alice, body) == data_error("Dataset name must be string.")
    assert detail(alice, kb_id)["name"] == name


@pytest.mark.parametrize("key", list(FORBIDDEN_ON_UPDATE))
def test_update_refuses_read_only_fields(alice, key):
    name = unique("read-only")
    kb_id = create(alice, name)
    before = detail(alice, kb_id)
    body = update_body(kb_id, unique("changed"), **{key: FORBIDDEN_ON_UPDATE[key]})
    assert update(alice, body) == {"code": 101, "data": None, "message": f"Parameter {key} isn't allowed"}
    assert detail(alice, kb_id) == before


def test_update_checks_presence_then_read_only_fields_then_the_name(alice):
    kb_id = create(alice, unique("order"))
    assert update(alice, {"id": "x", "tenant_id": "y"}) == missing(*UPDATE_REQUIRED)
    body = update_body(kb_id, "", tenant_id=alice.tenant_id)
    assert update(alice, body)["message"] == "Parameter tenant_id isn't allowed"
    assert update(alice, update_body(NO_SUCH_KB, "")) == data_error("Dataset name can't be empty."), (
        "the name is checked before the dataset"
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [
        pytest.param(0, "Dataset name must be string.", id="int"),
        pytest.param(["kb"], "Dataset name must be string.", id="list"),
        pytest.param("", "Dataset name can't be empty.", id="empty"),
        pytest.param(" \t", "Dataset name can't be empty.", id="spaces"),
        pytest.param("a" * 129, "Dataset name length is 129 which is large than 128", id="129-chars"),
        pytest.param(
            "a" * 128 + " ", "Dataset name length is 129 which is large than 128", id="before-strip"
        ),
        pytest.param("é" * 65, "Dataset name length is 65 which is large than 128", id="130-bytes"),
    ],
)
def test_update_refuses_a_bad_name(alice, name, message):
    original = unique("bad-name")
    kb_id = create(alice, original)
    assert update(alice, update_body(kb_id, name)) == data_error(message)
    assert detail(alice, kb_id)["name"] == original


@pytest.mark.parametrize("kb_id", [NO_SUCH_KB, "not_uuid", "", None, 7])
def test_update_of_an_unknown_dataset_is_refused(alice, kb_id):
    assert update(alice, update_body(kb_id, unique("ghost"))) == NO_AUTHORIZATION


def test_update_writes_every_field_and_echoes_the_body(alice):
    kb_id = create(
        alice, unique("before"), parser_config={"chunk_token_num": 128, "layout_recognize": "DeepDOC"}
    )
    before = detail(alice, kb_id)
    pause()
    avatar = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJ"
    name = unique("after")
    changes = {
        "description": "about this set",
        "parser_id": "qa",
        "parser_config": {"raptor": {"max_token": 1}},
        "embd_id": "embedding-3@ZHIPU-AI",
        "permission": "team",
        "pagerank": 50,
        "avatar": avatar,
        "language": "English",
    }
    reply = update(alice, {"kb_id": kb_id, "name": f"  {name}  ", **changes})
    assert set(reply) == {"code", "data", "message"}
    assert (reply["code"], reply["message"]) == (0, "success"), reply
    record = reply["data"]
    assert set(record) == RECORD_KEYS
    assert record["id"] == kb_id
    assert record["name"] == name, "the name is stripped"
    for key, value in changes.items():
        assert record[key] == value, key
    assert record["tenant_id"] == alice.tenant_id
    assert record["created_by"] == alice.user_id
    assert record["status"] == "1"
    assert (record["doc_num"], record["token_num"], record["chunk_num"]) == (0, 0, 0)
    assert record["create_time"] == before["create_time"]
    assert record["update_time"] > before["update_time"]
    assert HTTP_DATE.match(record["create_date"]), record["create_date"]
    assert HTTP_DATE.match(record["update_date"]), record["update_date"]

    after = detail(alice, kb_id)
    assert after["name"] == name
    for key, value in changes.items():
        assert after[key] == value, key
    assert after["create_time"] == before["create_time"]
    assert after["update_time"] > before["update_time"]
    (item,) = [kb for kb in listing(alice)["kbs"] if kb["id"] == kb_id]
    assert (item["name"], item["permission"], item["parser_id"]) == (name, "team", "qa")


def test_update_returns_the_whole_record_with_its_defaults(alice):
    name = unique("record")
    kb_id = create(alice, name)
    record = update(alice, update_body(kb_id, name))["data"]
    assert set(record) == RECORD_KEYS
    assert record["similarity_threshold"] == 0.2
    assert record["vector_similarity_weight"] == 0.3
    assert record["parser_config"] == DEFAULT_PARSER_CONFIG
    assert record["embd_id"] == DEFAULT_EMBEDDING
    assert record["permission"] == "me"
    assert record["description"] == ""


def test_update_replaces_parser_config_verbatim(alice):
    name = unique("configs")
    kb_id = create(alice, name, parser_config={"chunk_token_num": 128, "delimiter": "\n!?"})
    for config in PARSER_CONFIGS:
        reply = update(alice, update_body(kb_id, name, parser_config=config))
        assert reply["code"] == 0, (config, reply)
        assert reply["data"]["parser_config"] == config
        assert detail(alice, kb_id)["parser_config"] == config, "replaced, not merged"


def test_update_accepts_every_chunk_method_permission_and_pagerank(alice):
    name = unique("methods")
    kb_id = create(alice, name)
    for method in CHUNK_METHODS:
        reply = update(alice, update_body(kb_id, name, parser_id=method))
        assert reply["data"]["parser_id"] == method, reply
        assert detail(alice, kb_id)["parser_id"] == method
    for permission in ("team", "me"):
        assert (
            update(alice, update_body(kb_id, name, permission=permission))["data"]["permission"] == permission
        )
        assert detail(alice, kb_id)["permission"] == permission
    for pagerank in (0, 50, 100, 0):
        assert update(alice, update_body(kb_id, name, pagerank=pagerank))["data"]["pagerank"] == pagerank
        assert detail(alice, kb_id)["pagerank"] == pagerank
    for model in ("BAAI/bge-large-zh-v1.5@BAAI", "maidalun1020/bce-embedding-base_v1@Youdao"):
        assert update(alice, update_body(kb_id, name, embd_id=model))["data"]["embd_id"] == model
        assert detail(alice, kb_id)["embd_id"] == model


def test_update_refuses_another_datasets_name_whatever_the_case(alice):
    taken, mine = unique("taken"), unique("mine")
    create(alice, taken)
    kb_id = create(alice, mine)
    for name in (taken, taken.upper(), f"  {taken.title()} "):
        assert update(alice, update_body(kb_id, name)) == data_error("Duplicated knowledgebase name.")
    assert detail(alice, kb_id)["name"] == mine


def test_update_may_change_the_case_of_its_own_name(alice):
    name = unique("casing")
    kb_id = create(alice, name)
    assert update(alice, update_body(kb_id, name))["data"]["name"] == name
    assert update(alice, update_body(kb_id, name.upper()))["data"]["name"] == name.upper()
    assert detail(alice, kb_id)["name"] == name.upper()


def test_update_may_take_a_name_used_by_another_tenant(alice, bob):
    theirs = unique("their-name")
    create(bob, theirs)
    kb_id = create(alice, unique("my-name"))
    assert update(alice, update_body(kb_id, theirs))["data"]["name"] == theirs


def test_update_with_an_unknown_field_fails_and_writes_nothing(alice):
    name = unique("unknown-field")
    kb_id = create(alice, name)
    before = detail(alice, kb_id)
    reply = update(alice, update_body(kb_id, unique("changed"), description="changed", no_such_column=1))
    assert reply["code"] == 100, reply
    assert detail(alice, kb_id) == before


# list ---------------------------------------------------------------------------------------------
LISTED = [
    ("Alpha report", {}),
    ("beta REPORT", {}),
    ("gamma", {"permission": "team"}),
    ("delta", {"parser_id": "qa"}),
    ("epsilon", {}),
]


@pytest.fixture(scope="module")
def lister(server: RunningServer) -> Iterator[tuple[Tenant, list[str]]]:
    """A tenant with exactly the five datasets of LISTED, created in that order; then the first is
    updated, so it is the oldest by create_time and the newest by update_time."""
    with open_tenant(server, "kb-lister") as tenant:
        ids = []
        for name, fields in LISTED:
            ids.append(create(tenant, name, **fields))
            pause()
        assert update(tenant, update_body(ids[0], "Alpha report", description="touched"))["code"] == 0
        yield tenant, ids


def order(ids: list[str], *positions: int) -> list[str]:
    return [ids[i] for i in positions]


def test_list_shows_the_tenants_datasets_newest_first(lister):
    tenant, ids = lister
    data = listing(tenant)
    assert data["total"] == 5
    assert [kb["id"] for kb in data["kbs"]] == order(ids, 4, 3, 2, 1, 0)
    for kb, (name, fields) in zip(data["kbs"], reversed(LISTED), strict=True):
        assert set(kb) == LIST_ITEM_KEYS, kb
        assert kb["name"] == name
        assert kb["tenant_id"] == tenant.tenant_id
        assert kb["nickname"] == "kb-lister"
        assert kb["permission"] == fields.get("permission", "me")
        assert kb["parser_id"] == fields.get("parser_id", "naive")
        assert kb["embd_id"] == DEFAULT_EMBEDDING
        assert (kb["doc_num"], kb["token_num"], kb["chunk_num"]) == (0, 0, 0)
        assert isinstance(kb["update_time"], int)
    assert data["kbs"][-1]["description"] == "touched"
    assert listing(tenant, {"owner_ids": []}) == data, "an empty owner_ids is no filter"


@pytest.mark.parametrize(
    ("params", "positions"),
    [
        pytest.param({"page": 1, "page_size": 2}, (4, 3), id="first-page"),
        pytest.param({"page": 2, "page_size": 2}, (2, 1), id="middle-page"),
        pytest.param({"page": 3, "page_size": 2}, (0,), id="last-partial-page"),
        pytest.param({"page": 4, "page_size": 2}, (), id="beyond-the-end"),
        pytest.param({"page": "2", "page_size": "2"}, (2, 1), id="strings"),
        pytest.param({"page": 1, "page_size": 5}, (4, 3, 2, 1, 0), id="size-equals-total"),
        pytest.param({"page": 1, "page_size": 6}, (4, 3, 2, 1, 0), id="size-exceeds-total"),
        pytest.param({"page_size": 2}, (4, 3, 2, 1, 0), id="page-size-alone"),
        pytest.param({"page": 2}, (4, 3, 2, 1, 0), id="page-alone"),
        pytest.param({"page": 0, "page_size": 2}, (4, 3, 2, 1, 0), id="page-0"),
    ],
)
def test_list_pages_only_with_page_and_page_size(lister, params, positions):
    tenant, ids = lister
    data = listing(tenant, **params)
    assert [kb["id"] for kb in data["kbs"]] == order(ids, *positions)
    assert data["total"] == 5, "the total counts every page"


@pytest.mark.parametrize(
    ("params", "positions"),
    [
        pytest.param({"orderby": "create_time"}, (4, 3, 2, 1, 0), id="create_time"),
        pytest.param({"orderby": "update_time"}, (0, 4, 3, 2, 1), id="update_time"),
        pytest.param({"desc": "false"}, (0, 1, 2, 3, 4), id="desc-false"),
        pytest.param({"desc": "False"}, (0, 1, 2, 3, 4), id="desc-False"),
        pytest.param({"desc": "FALSE"}, (0, 1, 2, 3, 4), id="desc-FALSE"),
        pytest.param({"desc": "true"}, (4, 3, 2, 1, 0), id="desc-true"),
        pytest.param({"desc": "0"}, (4, 3, 2, 1, 0), id="desc-0-is-not-false"),
        pytest.param({"desc": "no"}, (4, 3, 2, 1, 0), id="desc-no-is-not-false"),
        pytest.param({"orderby": "update_time", "desc": "False"}, (1, 2, 3, 4, 0), id="update_time-asc"),
        pytest.param({"desc": "false", "page": 2, "page_size": 3}, (3, 4), id="asc-second-page"),
    ],
)
def test_list_orders_by_a_column(lister, params, positions):
    tenant, ids = lister
    assert listed_ids(tenant, **params) == order(ids, *positions)


@pytest.mark.parametrize(
    ("params", "positions"),
    [
        pytest.param({"keywords": "report"}, (1, 0), id="contains"),
        pytest.param({"keywords": "REPORT"}, (1, 0), id="case-insensitive"),
        pytest.param({"keywords": "alpha"}, (0,), id="one"),
        pytest.param({"keywords": "ta"}, (3, 1), id="inside"),
        pytest.param({"keywords": "zzz"}, (), id="none"),
        pytest.param({"keywords": ""}, (4, 3, 2, 1, 0), id="empty"),
        pytest.param({"parser_id": "naive"}, (4, 2, 1, 0), id="naive"),
        pytest.param({"parser_id": "qa"}, (3,), id="qa"),
        pytest.param({"parser_id": "book"}, (), id="book"),
        pytest.param({"parser_id": "nai"}, (), id="exact-parser"),
        pytest.param({"parser_id": "naive", "keywords": "ta"}, (1,), id="both"),
    ],
)
def test_list_filters_by_keywords_and_parser(lister, params, positions):
    tenant, ids = lister
    data = listing(tenant, **params)
    assert [kb["id"] for kb in data["kbs"]] == order(ids, *positions)
    assert data["total"] == len(positions)


def test_list_counts_the_filtered_datasets_before_paging(lister):
    tenant, ids = lister
    data = listing(tenant, keywords="report", page=2, page_size=1)
    assert data == {"kbs": data["kbs"], "total": 2}
    assert [kb["id"] for kb in data["kbs"]] == [ids[0]]


def test_list_with_owner_ids(lister, bob):
    tenant, ids = lister
    owned = {"owner_ids": [tenant.tenant_id]}
    data = listing(tenant, owned)
    assert [kb["id"] for kb in data["kbs"]] == order(ids, 4, 3, 2, 1, 0)
    assert data["total"] == 5
    paged = listing(tenant, owned, page=2, page_size=2)
    assert [kb["id"] for kb in paged["kbs"]] == order(ids, 2, 1)
    assert paged["total"] == 5
    assert listed_ids(tenant, owned, page_size=2) == order(ids, 4, 3, 2, 1, 0)
    filtered = listing(tenant, owned, keywords="report", desc="false")
    assert [kb["id"] for kb in filtered["kbs"]] == order(ids, 0, 1)
    assert filtered["total"] == 2
    for others in ([bob.tenant_id], [NO_SUCH_KB]):
        assert listing(tenant, {"owner_ids": others}) == {"kbs": [], "total": 0}
    assert listed_ids(tenant, {"owner_ids": [bob.tenant_id, tenant.tenant_id]}) == order(ids, 4, 3, 2, 1, 0)


def test_list_shows_only_the_callers_tenant(lister, bob):
    tenant, ids = lister
    theirs = create(bob, unique("bobs"), permission="team")
    mine = listed_ids(tenant)
    assert theirs not in mine
    assert len(mine) == 5
    assert theirs in listed_ids(bob)
    assert not set(ids) & set(listed_ids(bob))


@pytest.mark.parametrize(("param", "value"), [("page", "a"), ("page_size", "x"), ("page", "1.5")])
def test_list_refuses_a_non_integer_page(lister, param, value):
    tenant, _ = lister
    reply = tenant.web.post("/v1/kb/list", params={param: value}, json={})
    assert envelope(reply) == {
        "code": 100,
        "data": None,
        "message": f"ValueError(\"invalid literal for int() with base 10: '{value}'\")",
    }


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [*NOT_JSON_BODIES, pytest.param({"data": {"owner_ids": "x"}}, UNSUPPORTED_MEDIA_TYPE, id="form")],
)
def test_list_needs_a_json_body(lister, kwargs, expected):
    tenant, _ = lister
    reply = tenant.web.post("/v1/kb/list", **kwargs)
    assert envelope(reply) == expected


# rm -----------------------------------------------------------------------------------------------
def test_rm_needs_kb_id(alice):
    assert envelope(alice.web.post("/v1/kb/rm", json={})) == missing("kb_id")
    assert envelope(alice.web.post("/v1/kb/rm", json={"name": "x"})) == missing("kb_id")


@pytest.mark.parametrize("kb_id", [NO_SUCH_KB, "not_uuid", "", None])
def test_rm_of_an_unknown_dataset_is_refused(alice, kb_id):
    assert remove(alice, kb_id) == NO_AUTHORIZATION


def test_rm_deletes_the_dataset(alice):
    name, kept_name = unique("doomed"), unique("kept")
    kb_id, kept = create(alice, name), create(alice, kept_name)
    assert remove(alice, kb_id) == {"code": 0, "data": True, "message": "success"}

    ids = listed_ids(alice)
    assert kb_id not in ids
    assert kept in ids
    assert listing(alice, keywords=name) == {"kbs": [], "total": 0}
    assert envelope(alice.web.get("/v1/kb/detail", params={"kb_id": kb_id})) == NOT_OWNER
    assert detail(alice, kept)["name"] == kept_name
    assert remove(alice, kb_id) == NO_AUTHORIZATION, "gone: a second rm is refused"
    assert update(alice, update_body(kb_id, unique("zombie"))) == NO_AUTHORIZATION
    assert envelope(alice.web.get(f"/v1/kb/{kb_id}/tags")) == NO_AUTHORIZATION
    assert envelope(alice.web.get(f"/v1/kb/{kb_id}/knowledge_graph")) == NO_AUTHORIZATION


def test_rm_frees_the_name(alice):
    name = unique("reused")
    first = create(alice, name)
    assert remove(alice, first)["data"] is True
    again = create(alice, name)
    assert detail(alice, again)["name"] == name, "no (1): the old dataset is gone"
    other = create(alice, unique("renamer"))
    assert remove(alice, again)["data"] is True
    assert update(alice, update_body(other, name))["data"]["name"] == name


# tags, knowledge graph, meta ------------------------------------------------------------------------
def test_a_new_dataset_has_no_tags_graph_or_meta(alice):
    first, second = create(alice, unique("tags-1")), create(alice, unique("tags-2"))
    both = f"{first},{second}"
    assert ok(alice.web.get(f"/v1/kb/{first}/tags")) == []
    assert ok(alice.web.get("/v1/kb/tags", params={"kb_ids": both})) == []
    assert ok(alice.web.get("/v1/kb/tags", params={"kb_ids": first})) == []
    assert ok(alice.web.get(f"/v1/kb/{first}/knowledge_graph")) == {"graph": {}, "mind_map": {}}
    assert ok(alice.web.get("/v1/kb/get_meta", params={"kb_ids": both})) == {}
    assert ok(alice.web.get("/v1/kb/get_meta", params={"kb_ids": second})) == {}


def test_tag_and_graph_edits_on_an_empty_dataset_succeed(alice):
    kb_id = create(alice, unique("edits"))
    assert ok(alice.web.post(f"/v1/kb/{kb_id}/rm_tags", json={"tags": ["a", "b"]})) is True
    assert ok(alice.web.post(f"/v1/kb/{kb_id}/rm_tags", json={"tags": []})) is True
    assert ok(alice.web.post(f"/v1/kb/{kb_id}/rename_tag", json={"from_tag": "a", "to_tag": "c"})) is True
    assert ok(alice.web.delete(f"/v1/kb/{kb_id}/knowledge_graph")) is True
    assert ok(alice.web.get(f"/v1/kb/{kb_id}/tags")) == []
    assert ok(alice.web.get(f"/v1/kb/{kb_id}/knowledge_graph")) == {"graph": {}, "mind_map": {}}
    assert detail(alice, kb_id)["id"] == kb_id


@pytest.mark.parametrize("kb_id", [NO_SUCH_KB, "not_uuid"])
def test_tags_graph_and_meta_of_an_unknown_dataset_are_refused(alice, kb_id):
    mine = create(alice, unique("known"))
    requests = [
        ("GET", f"/v1/kb/{kb_id}/tags", {}),
        ("GET", "/v1/kb/tags", {"params": {"kb_ids": kb_id}}),
        ("GET", "/v1/kb/tags", {"params": {"kb_ids": f"{mine},{kb_id}"}}),
        ("POST", f"/v1/kb/{kb_id}/rm_tags", {"json": {"tags": ["a"]}}),
        ("POST", f"/v1/kb/{kb_id}/rename_tag", {"json": {"from_tag": "a", "to_tag": "b"}}),
        ("GET", f"/v1/kb/{kb_id}/knowledge_graph", {}),
        ("DELETE", f"/v1/kb/{kb_id}/knowledge_graph", {}),
        ("GET", "/v1/kb/get_meta", {"params": {"kb_ids": kb_id}}),
        ("GET", "/v1/kb/get_meta", {"params": {"kb_ids": f"{mine},{kb_id}"}}),
    ]
    for method, path, kwargs in requests:
        assert envelope(alice.web.request(method, path, **kwargs)) == NO_AUTHORIZATION, (method, path, kwargs)


# another tenant -----------------------------------------------------------------------------------
def test_another_tenant_is_refused_on_every_route(alice, tenant_b):
    name = unique("private")
    kb_id = create(alice, name, permission="team", description="secret")
    other = create(alice, unique("private-2"))
    before = detail(alice, kb_id)
    refusals = [
        ("POST", "/v1/kb/update", {"json": update_body(kb_id, unique("hijacked"))}, NO_AUTHORIZATION),
        ("POST", "/v1/kb/rm", {"json": {"kb_id": kb_id}}, NO_AUTHORIZATION),
        ("GET", "/v1/kb/detail", {"params": {"kb_id": kb_id}}, NOT_OWNER),
        ("GET", f"/v1/kb/{kb_id}/knowledge_graph", {}, NO_AUTHORIZATION),
        ("DELETE", f"/v1/kb/{kb_id}/knowledge_graph", {}, NO_AUTHORIZATION),
        ("GET", f"/v1/kb/{kb_id}/tags", {}, NO_AUTHORIZATION),
        ("GET", "/v1/kb/tags", {"params": {"kb_ids": kb_id}}, NO_AUTHORIZATION),
        ("GET", "/v1/kb/tags", {"params": {"kb_ids": f"{kb_id},{other}"}}, NO_AUTHORIZATION),
        ("POST", f"/v1/kb/{kb_id}/rm_tags", {"json": {"tags": ["a"]}}, NO_AUTHORIZATION),
        ("POST", f"/v1/kb/{kb_id}/rename_tag", {"json": {"from_tag": "a", "to_tag": "b"}}, NO_AUTHORIZATION),
        ("GET", "/v1/kb/get_meta", {"params": {"kb_ids": kb_id}}, NO_AUTHORIZATION),
        ("GET", "/v1/kb/get_meta", {"params": {"kb_ids": f"{kb_id},{other}"}}, NO_AUTHORIZATION),
    ]
    for method, path, kwargs, refusal in refusals:
        replayed = as_other_tenant(alice.web.build_request(method, path, **kwargs), tenant_b)
        assert envelope(replayed) == refusal, (method, path)
    assert detail(alice, kb_id) == before, "nothing changed"
    assert {kb_id, other} <= set(listed_ids(alice))
    assert ok(alice.web.get(f"/v1/kb/{kb_id}/tags")) == [], "the owner still may"


def test_another_tenants_list_never_shows_my_datasets(alice, tenant_b):
    kb_id = create(alice, unique("team-visible"), permission="team")
    assert kb_id not in listed_ids(tenant_b)
    assert kb_id not in listed_ids(tenant_b, {"owner_ids": [alice.tenant_id]})
    assert listing(tenant_b, {"owner_ids": [alice.tenant_id]}) == {"kbs": [], "total": 0}
    assert all(kb["tenant_id"] == tenant_b.tenant_id for kb in listing(tenant_b)["kbs"])
    request = alice.web.build_request("POST", "/v1/kb/list", json={"owner_ids": [alice.tenant_id]})
    replayed = envelope(as_other_tenant(request, tenant_b))
    assert replayed == {"code": 0, "data": {"kbs": [], "total": 0}, "message": "success"}
