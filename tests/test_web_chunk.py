"""`/v1/chunk/*` over real HTTP: the chunks of a document, through the web API.

The contract is RAGFlow v0.20.5's chunk_app (web spec §7: `/list`, `/get`, `/set`, `/switch`, `/rm`,
`/create`; `/retrieval_test` is covered elsewhere and only used here to see whether a chunk is
searchable), with the §1 conventions (envelopes and exception reprs §1.2, session §1.3, argument
presence §1.5) and the chunk fields of pipeline spec §1.3. RAGFlow's web tests win where they and
its code disagree (§12 #3: `/rm` that deletes nothing answers 102 `Index updating failure`).

citeflow's decisions pinned here:
* `/rm` with an empty `chunk_ids` list deletes every chunk of that document (and only of it);
  whenever nothing was deleted the answer is 102 `Index updating failure`;
* counters stay exact: `/create` adds 1 chunk and its embedding tokens to the document and the
  dataset, `/rm` takes off the chunks really deleted (duplicates once) and exactly their tokens, so
  adding chunks and deleting them all restores the previous counters; `/set` and `/switch` change
  no counter;
* another tenant is refused on every route with the owner's document or chunk ids, changes
  nothing and never sees a chunk; `/get` looks only in the caller's own tenants.
Chunks made here come only from `/create` and the SDK's add-chunk route (no parsing yet), so they
have no positions and list newest first (`create_timestamp_flt` desc).
"""

import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.chunks import (
    DOCUMENT_RECORD_KEYS,
    SDK_CHUNK_KEYS,
    add_chunk,
    chunks_path,
    expected_id,
    unique,
    uploaded,
)
from tests.conftest import RunningServer, Tenant, as_other_tenant
from tests.envelopes import UNAUTHORIZED, data_error, envelope, exception, missing, ok

NO_SUCH_ID = uuid.uuid1().hex
NO_SUCH_CHUNK = "0123456789abcdef"
#: The keys of one `/list` chunk item (spec §7 list).
LIST_ITEM_KEYS = {
    "chunk_id",
    "content_with_weight",
    "doc_id",
    "docnm_kwd",
    "important_kwd",
    "question_kwd",
    "image_id",
    "available_int",
    "positions",
}
#: Fields `/get` drops from the stored chunk (spec §7 get).
HIDDEN_FIELD = re.compile(r"(_vec$|_sm_|_tks|_ltks)")
LOCAL_TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
FIVE = [
    "RAGFlow keeps this content for the tests",
    "chunk test 0",
    "chunk test 1",
    "chunk test 2",
    "chunk test 3",
]


def int_of(kind: str) -> dict[str, Any]:
    return exception(
        f"TypeError(\"int() argument must be a string, a bytes-like object or a real number, not '{kind}'\")"
    )


def concatenation(kind: str) -> dict[str, Any]:
    """What `content_with_weight + doc_id` raises for non-string content (spec §7 create step 1)."""
    return exception(f"TypeError(\"unsupported operand type(s) for +: '{kind}' and 'str'\")")


def sequence_item(index: int) -> dict[str, Any]:
    return exception(f"TypeError('sequence item {index}: expected str instance, int found')")


CHUNK_NOT_FOUND = exception("Exception('Chunk not found')")
NEGATIVE_SLICING = exception("ValueError('Search does not support negative slicing.')")
NOT_A_STRING = exception("TypeError('expected string or bytes-like object')")
BAD_REQUEST_KEY = exception("<BadRequestKeyError '400: Bad Request'>")
INDEX_FAILURE = data_error("Index updating failure")
DOC_NOT_FOUND = data_error("Document not found!")
TENANT_NOT_FOUND = data_error("Tenant not found!")
#: `/set`'s refusals of keywords or questions that are not lists (spec §7 set).
SET_IMPORTANT_NOT_A_LIST = data_error("`important_kwd` should be a list")
SET_QUESTION_NOT_A_LIST = data_error("`question_kwd` should be a list")
#: `/create`'s wording of the same refusals (spec §7 create).
CREATE_IMPORTANT_NOT_A_LIST = data_error("`important_kwd` is required to be a list")
CREATE_QUESTION_NOT_A_LIST = data_error("`question_kwd` is required to be a list")


# helpers ----------------------------------------------------------------------------------------
def create_kb(tenant: Tenant, label: str = "chunks") -> str:
    return ok(tenant.web.post("/v1/kb/create", json={"name": unique(label)}))["kb_id"]


def new_doc(tenant: Tenant, kb_id: str, name: str = "notes.txt") -> dict[str, Any]:
    """A small text document uploaded through the SDK (no parsing: it has no chunks)."""
    doc = uploaded(tenant, kb_id, name, b"Some words about chunks.\n")
    return {"id": doc["id"], "name": doc["name"], "kb_id": kb_id}


def post(tenant: Tenant, route: str, body: Any) -> dict[str, Any]:
    return envelope(tenant.web.post(f"/v1/chunk/{route}", json=body))


def add(tenant: Tenant, doc_id: str, content: str, **fields: Any) -> str:
    data = ok(
        tenant.web.post("/v1/chunk/create", json={"doc_id": doc_id, "content_with_weight": content, **fields})
    )
    assert data == {"chunk_id": expected_id(content, doc_id)}, data
    return data["chunk_id"]


def listing(tenant: Tenant, doc_id: str, **body: Any) -> dict[str, Any]:
    data = ok(tenant.web.post("/v1/chunk/list", json={"doc_id": doc_id, **body}))
    assert set(data) == {"total", "chunks", "doc"}, data
    for chunk in data["chunks"]:
        assert set(chunk) == LIST_ITEM_KEYS, chunk
    assert set(data["doc"]) == DOCUMENT_RECORD_KEYS, data["doc"]
    return data


def listed(tenant: Tenant, doc_id: str, **body: Any) -> list[str]:
    """The chunk ids `/list` returns, in order."""
    return [chunk["chunk_id"] for chunk in listing(tenant, doc_id, **body)["chunks"]]


def item(tenant: Tenant, doc_id: str, chunk_id: str) -> dict[str, Any]:
    (found,) = [c for c in listing(tenant, doc_id, size=100)["chunks"] if c["chunk_id"] == chunk_id]
    return found


def get_chunk(tenant: Tenant, chunk_id: str) -> dict[str, Any]:
    return envelope(tenant.web.get("/v1/chunk/get", params={"chunk_id": chunk_id}))


def stored(tenant: Tenant, chunk_id: str) -> dict[str, Any]:
    return ok(tenant.web.get("/v1/chunk/get", params={"chunk_id": chunk_id}))


def doc_record(tenant: Tenant, doc_id: str) -> dict[str, Any]:
    (record,) = ok(tenant.web.post("/v1/document/infos", json={"doc_ids": [doc_id]}))
    return record


def counters(tenant: Tenant, doc: dict[str, Any]) -> dict[str, int]:
    """The document's and its dataset's chunk and token counters."""
    record = doc_record(tenant, doc["id"])
    detail = ok(tenant.web.get("/v1/kb/detail", params={"kb_id": doc["kb_id"]}))
    return {
        "doc_chunks": record["chunk_num"],
        "doc_tokens": record["token_num"],
        "kb_chunks": detail["chunk_num"],
        "kb_tokens": detail["token_num"],
    }


def added_tokens(before: dict[str, int], after: dict[str, int]) -> int:
    """The tokens one `/create` added; the document and the dataset must agree."""
    assert after["doc_chunks"] - before["doc_chunks"] == 1, (before, after)
    assert after["kb_chunks"] - before["kb_chunks"] == 1, (before, after)
    tokens = after["doc_tokens"] - before["doc_tokens"]
    assert after["kb_tokens"] - before["kb_tokens"] == tokens, (before, after)
    return tokens


def retrieved(tenant: Tenant, kb_id: str, question: str) -> list[str]:
    """The chunk ids `/retrieval_test` finds for `question` (only used to see what is searchable)."""
    data = ok(tenant.web.post("/v1/chunk/retrieval_test", json={"kb_id": kb_id, "question": question}))
    return [chunk["chunk_id"] for chunk in data["chunks"]]


def searchable(
    tenant: Tenant, kb_id: str, question: str, present: set[str], absent: tuple[str, ...] = ()
) -> None:
    """`/retrieval_test` finds `present` and none of `absent`, within about a second (spec §7 create)."""
    deadline = time.monotonic() + 2
    while True:
        found = set(retrieved(tenant, kb_id, question))
        if present <= found and not found.intersection(absent):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{question!r} found {sorted(found)}; want {present}, not {absent}")
        time.sleep(0.1)


def sdk_chunks(tenant: Tenant, doc: dict[str, Any]) -> list[dict[str, Any]]:
    reply = tenant.sdk.get(chunks_path(doc["kb_id"], doc["id"]))
    body = reply.json()
    assert body["code"] == 0, body
    for chunk in body["data"]["chunks"]:
        assert set(chunk) == SDK_CHUNK_KEYS, chunk
    return body["data"]["chunks"]


def refused(reply: httpx.Response, *secrets: str) -> dict[str, Any]:
    """Another tenant's request: a refusal (not an exception), leaking none of `secrets`."""
    body = envelope(reply)
    assert body["code"] in (102, 103, 109), body
    for secret in secrets:
        assert secret not in reply.text, reply.text
    return body


# fixtures -----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def kb(tenant_a: Tenant) -> str:
    """A dataset of tenant A's for tests that make their own documents."""
    return create_kb(tenant_a)


@pytest.fixture
def doc(tenant_a: Tenant, kb: str) -> dict[str, Any]:
    """A fresh document without chunks in `kb`."""
    return new_doc(tenant_a, kb)


@pytest.fixture
def fresh(tenant_a: Tenant) -> dict[str, Any]:
    """A fresh document alone in a fresh dataset, for exact dataset counters."""
    return new_doc(tenant_a, create_kb(tenant_a, "counted"))


@pytest.fixture(scope="module")
def five(tenant_a: Tenant) -> dict[str, Any]:
    """RAGFlow's list fixture: five chunks, one "content" chunk and four "chunk test N". Read-only."""
    doc = new_doc(tenant_a, create_kb(tenant_a, "five"), "ragflow_test.txt")
    doc["ids"] = [add(tenant_a, doc["id"], content) for content in FIVE]
    return doc


@pytest.fixture(scope="module")
def target(tenant_a: Tenant, kb: str) -> dict[str, Any]:
    """A document with one chunk that refused requests must leave exactly as it is."""
    doc = new_doc(tenant_a, kb, "target.txt")
    doc["chunk"] = add(
        tenant_a,
        doc["id"],
        "The target chunk stays unchanged",
        important_kwd=["kept"],
        question_kwd=["Is it kept?"],
    )
    return doc


@pytest.fixture(scope="module")
def deleted_doc(tenant_a: Tenant, kb: str) -> str:
    """The id of a document that was uploaded and deleted."""
    doc = new_doc(tenant_a, kb, "deleted.txt")
    assert ok(tenant_a.web.post("/v1/document/rm", json={"doc_id": doc["id"]})) is True
    return doc["id"]


def unchanged(tenant: Tenant, target: dict[str, Any]) -> None:
    chunk = stored(tenant, target["chunk"])
    assert chunk["content_with_weight"] == "The target chunk stays unchanged", chunk
    assert chunk["important_kwd"] == ["kept"], chunk
    assert chunk["question_kwd"] == ["Is it kept?"], chunk
    assert chunk.get("available_int", 1) == 1, chunk
    data = listing(tenant, target["id"])
    assert [c["chunk_id"] for c in data["chunks"]] == [target["chunk"]]
    assert (data["total"], data["doc"]["chunk_num"]) == (1, 1)


# authentication ---------------------------------------------------------------------------------
def session_routes(five: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    doc_id, chunk_id = five["id"], five["ids"][0]
    return [
        ("POST", "/v1/chunk/list", {"json": {"doc_id": doc_id}}),
        ("GET", "/v1/chunk/get", {"params": {"chunk_id": chunk_id}}),
        (
            "POST",
            "/v1/chunk/set",
            {"json": {"doc_id": doc_id, "chunk_id": chunk_id, "content_with_weight": "intruder"}},
        ),
        (
            "POST",
            "/v1/chunk/switch",
            {"json": {"doc_id": doc_id, "chunk_ids": [chunk_id], "available_int": 0}},
        ),
        ("POST", "/v1/chunk/rm", {"json": {"doc_id": doc_id, "chunk_ids": [chunk_id]}}),
        ("POST", "/v1/chunk/create", {"json": {"doc_id": doc_id, "content_with_weight": "intruder"}}),
        ("POST", "/v1/chunk/list", {"json": {}}),
        ("GET", "/v1/chunk/get", {}),
        ("POST", "/v1/chunk/create", {"json": {}}),
    ]


def test_chunk_routes_need_a_session(server: RunningServer, tenant_a, five):
    before = listing(tenant_a, five["id"])
    for authorization in (None, "not-a-session", tenant_a.api_key, f"Bearer {tenant_a.api_key}"):
        headers = {} if authorization is None else {"Authorization": authorization}
        with server.client(**headers) as client:
            for method, path, kwargs in session_routes(five):
                reply = client.request(method, path, **kwargs)
                assert envelope(reply) == UNAUTHORIZED, (authorization, path, reply.text)
    assert listing(tenant_a, five["id"]) == before, "nothing was changed"


def test_chunk_routes_accept_a_trailing_slash(tenant_a, five):
    assert ok(tenant_a.web.post("/v1/chunk/list/", json={"doc_id": five["id"]}))["total"] == 5
    chunk = ok(tenant_a.web.get("/v1/chunk/get/", params={"chunk_id": five["ids"][1]}))
    assert chunk["content_with_weight"] == FIVE[1]


# list ---------------------------------------------------------------------------------------------
def test_list_returns_the_chunks_newest_first_and_the_document(tenant_a, five):
    data = listing(tenant_a, five["id"])
    assert data["total"] == 5
    newest_first = list(zip(reversed(five["ids"]), reversed(FIVE), strict=True))
    assert data["chunks"] == [
        {
            "chunk_id": chunk_id,
            "content_with_weight": content,
            "doc_id": five["id"],
            "docnm_kwd": "ragflow_test.txt",
            "important_kwd": [],
            "question_kwd": [],
            "image_id": "",
            "available_int": 1,
            "positions": [],
        }
        for chunk_id, content in newest_first
    ]
    record = doc_record(tenant_a, five["id"])
    assert data["doc"] == record
    assert (record["id"], record["kb_id"], record["name"]) == (five["id"], five["kb_id"], "ragflow_test.txt")
    assert record["chunk_num"] == 5
    assert record["token_num"] > 0


@pytest.mark.parametrize(
    ("page", "size", "expected"),
    [
        (1, 2, 2),
        (2, 2, 2),
        (3, 2, 1),
        (4, 2, 0),
        (1, 0, 5),
        (1, 1, 1),
        (5, 1, 1),
        (1, 6, 5),
        (1, 30, 5),
        ("2", "2", 2),
        (1, 2.9, 2),
        (True, True, 1),
    ],
)
def test_list_pages(tenant_a, five, page, size, expected):
    """Offset `(page-1)·size`, limit `size`; both pass through `int()`; `size` 0 = engine default."""
    data = listing(tenant_a, five["id"], page=page, size=size)
    assert data["total"] == 5
    everything = list(reversed(five["ids"]))
    offset = (int(page) - 1) * int(size)
    want = everything if int(size) == 0 else everything[offset : offset + int(size)]
    assert [c["chunk_id"] for c in data["chunks"]] == want
    assert len(want) == expected


def test_list_defaults_to_page_one_of_thirty(tenant_a, fresh):
    """RAGFlow's test: 31 chunks added (here concurrently), a default list returns 30, `chunk_num` +31."""
    before = counters(tenant_a, fresh)
    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = set(pool.map(lambda i: add(tenant_a, fresh["id"], f"numbered chunk {i}"), range(31)))
    assert len(ids) == 31
    data = listing(tenant_a, fresh["id"])
    assert data["total"] == 31
    first = [c["chunk_id"] for c in data["chunks"]]
    assert len(first) == len(set(first)) == 30
    assert data["doc"]["chunk_num"] == before["doc_chunks"] + 31
    after = counters(tenant_a, fresh)
    assert after["kb_chunks"] == before["kb_chunks"] + 31, "concurrent creates all count"
    assert after["kb_tokens"] - before["kb_tokens"] == after["doc_tokens"] - before["doc_tokens"] > 0
    rest = listed(tenant_a, fresh["id"], page=2)
    assert len(rest) == 1
    assert set(first) | set(rest) == ids
    zero = listing(tenant_a, fresh["id"], size=0)
    assert zero["total"] == 31
    assert [c["chunk_id"] for c in zero["chunks"]] == first[:10], "size 0 = the engine default, 10"


@pytest.mark.parametrize(("keywords", "expected"), [("1", 1), ("chunk", 4), ("content", 1), ("unknown", 0)])
def test_list_filters_by_keywords(tenant_a, five, keywords, expected):
    data = listing(tenant_a, five["id"], keywords=keywords)
    assert data["total"] == expected
    assert len(data["chunks"]) == expected
    assert data["doc"]["chunk_num"] == 5


def test_list_with_keywords_highlights_the_matches(tenant_a, five):
    matched = {
        c["chunk_id"]: c["content_with_weight"]
        for c in listing(tenant_a, five["id"], keywords="chunk")["chunks"]
    }
    assert matched == {five["ids"][i + 1]: f"<em>chunk</em> test {i}" for i in range(4)}
    (one,) = listing(tenant_a, five["id"], keywords="1")["chunks"]
    assert (one["chunk_id"], one["content_with_weight"]) == (five["ids"][2], "chunk test <em>1</em>")
    (content,) = listing(tenant_a, five["id"], keywords="content")["chunks"]
    assert content["chunk_id"] == five["ids"][0]
    assert "<em>content</em>" in content["content_with_weight"]
    plain = listing(tenant_a, five["id"], keywords="")["chunks"]
    assert [c["content_with_weight"] for c in plain] == list(reversed(FIVE)), "no keywords, no marks"


def test_list_finds_chinese_content_by_a_chinese_keyword(tenant_a, doc):
    chinese = add(tenant_a, doc["id"], "RAGFlow 是一个基于深度文档理解的开源检索增强生成引擎。")
    add(tenant_a, doc["id"], "An English chunk about retrieval engines.")
    data = listing(tenant_a, doc["id"], keywords="检索")
    assert data["total"] == 1
    (found,) = data["chunks"]
    assert found["chunk_id"] == chinese
    assert "<em>" in found["content_with_weight"]


@pytest.mark.parametrize(("page", "size"), [(0, 2), (-1, 2), (0, 1), ("0", "5"), (-3, 30)])
def test_list_refuses_pages_before_the_first(tenant_a, five, page, size):
    assert post(tenant_a, "list", {"doc_id": five["id"], "page": page, "size": size}) == NEGATIVE_SLICING


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"size": None}, int_of("NoneType")),
        ({"page": None}, int_of("NoneType")),
        ({"page": None, "size": None}, int_of("NoneType")),
        ({"size": []}, int_of("list")),
        ({"page": {}}, int_of("dict")),
        ({"size": "a"}, exception("ValueError(\"invalid literal for int() with base 10: 'a'\")")),
        ({"page": "1.5"}, exception("ValueError(\"invalid literal for int() with base 10: '1.5'\")")),
    ],
    ids=["size-null", "page-null", "both-null", "size-list", "page-dict", "size-letters", "page-decimal"],
)
@pytest.mark.parametrize("which", ["own", "unknown"])
def test_list_converts_page_and_size_before_looking_at_the_document(tenant_a, five, fields, expected, which):
    doc_id = five["id"] if which == "own" else NO_SUCH_ID
    assert post(tenant_a, "list", {"doc_id": doc_id, **fields}) == expected


def test_list_needs_doc_id_first(tenant_a):
    assert post(tenant_a, "list", {}) == missing("doc_id")
    assert post(tenant_a, "list", {"size": None, "page": "x"}) == missing("doc_id")
    assert envelope(tenant_a.web.post("/v1/chunk/list")) == missing("doc_id")


def test_list_of_an_unknown_or_deleted_document(tenant_a, deleted_doc):
    for doc_id in (NO_SUCH_ID, "", deleted_doc):
        assert post(tenant_a, "list", {"doc_id": doc_id}) == TENANT_NOT_FOUND, doc_id


def test_list_ignores_unknown_keys(tenant_a, five):
    data = listing(tenant_a, five["id"], unknown_key="value", kb_id=NO_SUCH_ID)
    assert data["total"] == 5


# get ----------------------------------------------------------------------------------------------
def test_get_returns_the_stored_chunk_without_token_or_vector_fields(tenant_a, doc):
    chunk_id = add(
        tenant_a,
        doc["id"],
        "Quarterly revenue grew by 12 percent.",
        important_kwd=["revenue", "growth"],
        question_kwd=["How much did revenue grow?"],
    )
    chunk = stored(tenant_a, chunk_id)
    hidden = [name for name in chunk if HIDDEN_FIELD.search(name)]
    assert hidden == [], hidden
    assert chunk["id"] == chunk_id
    assert chunk["doc_id"] == doc["id"]
    assert chunk["kb_id"] == doc["kb_id"], "a string, not a list"
    assert chunk["docnm_kwd"] == doc["name"]
    assert chunk["content_with_weight"] == "Quarterly revenue grew by 12 percent."
    assert chunk["important_kwd"] == ["revenue", "growth"]
    assert chunk["question_kwd"] == ["How much did revenue grow?"]
    assert LOCAL_TIME.match(chunk["create_time"]), chunk
    assert isinstance(chunk["create_timestamp_flt"], float), chunk
    for name in (
        "content_ltks",
        "content_sm_ltks",
        "title_tks",
        "title_sm_tks",
        "important_tks",
        "question_tks",
    ):
        assert name not in chunk, name


def test_get_needs_the_chunk_id_argument(tenant_a):
    assert envelope(tenant_a.web.get("/v1/chunk/get")) == BAD_REQUEST_KEY
    assert envelope(tenant_a.web.get("/v1/chunk/get", params={"id": NO_SUCH_CHUNK})) == BAD_REQUEST_KEY


@pytest.mark.parametrize("chunk_id", [NO_SUCH_CHUNK, NO_SUCH_ID, "not-a-chunk"])
def test_get_of_an_unknown_chunk(tenant_a, five, chunk_id):
    assert get_chunk(tenant_a, chunk_id) == CHUNK_NOT_FOUND


# set ----------------------------------------------------------------------------------------------
def test_set_rewrites_the_chunk(tenant_a, doc):
    chunk_id = add(tenant_a, doc["id"], "The walrus sleeps on the ice.", important_kwd=["walrus"])
    other = add(tenant_a, doc["id"], "A second chunk that stays.")
    before = counters(tenant_a, doc)
    body = {
        "doc_id": doc["id"],
        "chunk_id": chunk_id,
        "content_with_weight": "The narwhal dives under the ice.",
        "important_kwd": ["narwhal", "tusk"],
        "question_kwd": ["Where does the narwhal dive?"],
        "unknown_key": "ignored",
    }
    assert ok(tenant_a.web.post("/v1/chunk/set", json=body)) is True
    chunk = stored(tenant_a, chunk_id)
    assert chunk["content_with_weight"] == "The narwhal dives under the ice."
    assert chunk["important_kwd"] == ["narwhal", "tusk"]
    assert chunk["question_kwd"] == ["Where does the narwhal dive?"]
    assert chunk["doc_id"] == doc["id"]
    assert "unknown_key" not in chunk
    assert item(tenant_a, doc["id"], chunk_id) == {
        "chunk_id": chunk_id,
        "content_with_weight": "The narwhal dives under the ice.",
        "doc_id": doc["id"],
        "docnm_kwd": doc["name"],
        "important_kwd": ["narwhal", "tusk"],
        "question_kwd": ["Where does the narwhal dive?"],
        "image_id": "",
        "available_int": 1,
        "positions": [],
    }
    assert listed(tenant_a, doc["id"], keywords="narwhal") == [chunk_id], "the new text is searchable"
    assert listed(tenant_a, doc["id"], keywords="walrus") == [], "the old text is not"
    assert stored(tenant_a, other)["content_with_weight"] == "A second chunk that stays."
    assert counters(tenant_a, doc) == before, "updating a chunk changes no counter"


def test_set_keeps_the_keyword_lists_it_is_not_given(tenant_a, doc):
    chunk_id = add(tenant_a, doc["id"], "Before", important_kwd=["alpha"], question_kwd=["Why?"])
    body = {"doc_id": doc["id"], "chunk_id": chunk_id, "content_with_weight": "After"}
    assert ok(tenant_a.web.post("/v1/chunk/set", json=body)) is True
    chunk = stored(tenant_a, chunk_id)
    assert (chunk["content_with_weight"], chunk["important_kwd"], chunk["question_kwd"]) == (
        "After",
        ["alpha"],
        ["Why?"],
    )
    cleared = {**body, "important_kwd": [], "question_kwd": []}
    assert ok(tenant_a.web.post("/v1/chunk/set", json=cleared)) is True
    assert item(tenant_a, doc["id"], chunk_id)["important_kwd"] == []
    assert item(tenant_a, doc["id"], chunk_id)["question_kwd"] == []


def test_set_can_switch_a_chunk_off(tenant_a, doc):
    chunk_id = add(tenant_a, doc["id"], "Availability through set")
    body = {"doc_id": doc["id"], "chunk_id": chunk_id, "content_with_weight": "Availability through set"}
    assert ok(tenant_a.web.post("/v1/chunk/set", json={**body, "available_int": 0})) is True
    assert item(tenant_a, doc["id"], chunk_id)["available_int"] == 0
    assert ok(tenant_a.web.post("/v1/chunk/set", json={**body, "available_int": 1})) is True
    assert item(tenant_a, doc["id"], chunk_id)["available_int"] == 1


SET_ERRORS = [
    pytest.param({"content_with_weight": None}, NOT_A_STRING, id="content-null"),
    pytest.param({"content_with_weight": 1}, NOT_A_STRING, id="content-int"),
    pytest.param({"content_with_weight": ["x"]}, NOT_A_STRING, id="content-list"),
    pytest.param(
        {"content_with_weight": None, "important_kwd": "x", "doc_id": NO_SUCH_ID},
        NOT_A_STRING,
        id="content-before-keywords-and-document",
    ),
    pytest.param({"important_kwd": "x"}, SET_IMPORTANT_NOT_A_LIST, id="important-str"),
    pytest.param({"important_kwd": None}, SET_IMPORTANT_NOT_A_LIST, id="important-null"),
    pytest.param({"important_kwd": [1]}, sequence_item(0), id="important-int-item"),
    pytest.param({"important_kwd": ["ok", 2]}, sequence_item(1), id="important-second-item"),
    pytest.param({"question_kwd": "x"}, SET_QUESTION_NOT_A_LIST, id="question-str"),
    pytest.param({"question_kwd": {"q": 1}}, SET_QUESTION_NOT_A_LIST, id="question-dict"),
    pytest.param({"question_kwd": ["q", 2]}, sequence_item(1), id="question-second-item"),
    pytest.param(
        {"important_kwd": "x", "question_kwd": "y"},
        SET_IMPORTANT_NOT_A_LIST,
        id="important-before-question",
    ),
    pytest.param(
        {"question_kwd": "y", "doc_id": NO_SUCH_ID},
        SET_QUESTION_NOT_A_LIST,
        id="keywords-before-document",
    ),
    pytest.param({"doc_id": NO_SUCH_ID}, TENANT_NOT_FOUND, id="unknown-document"),
    pytest.param({"doc_id": ""}, TENANT_NOT_FOUND, id="empty-document"),
]


@pytest.mark.parametrize(("fields", "expected"), SET_ERRORS)
def test_set_refuses_in_ragflows_order(tenant_a, target, fields, expected):
    body = {
        "doc_id": target["id"],
        "chunk_id": target["chunk"],
        "content_with_weight": "changed",
        **fields,
    }
    assert post(tenant_a, "set", body) == expected
    unchanged(tenant_a, target)


def test_set_of_a_deleted_document(tenant_a, target, deleted_doc):
    body = {"doc_id": deleted_doc, "chunk_id": target["chunk"], "content_with_weight": "changed"}
    assert post(tenant_a, "set", body) == TENANT_NOT_FOUND
    unchanged(tenant_a, target)


def test_set_needs_its_arguments(tenant_a, target):
    assert post(tenant_a, "set", {}) == missing("doc_id", "chunk_id", "content_with_weight")
    assert post(tenant_a, "set", {"doc_id": target["id"], "chunk_id": target["chunk"]}) == missing(
        "content_with_weight"
    )
    assert post(tenant_a, "set", {"content_with_weight": None}) == missing("doc_id", "chunk_id")
    assert envelope(tenant_a.web.post("/v1/chunk/set")) == missing(
        "doc_id", "chunk_id", "content_with_weight"
    )
    unchanged(tenant_a, target)


# switch -------------------------------------------------------------------------------------------
def test_switch_hides_chunks_from_retrieval_and_back(tenant_a, kb, doc):
    smiling = add(tenant_a, doc["id"], "The quokka smiles on Rottnest Island.")
    eating = add(tenant_a, doc["id"], "A quokka eats leaves at night.")
    before = counters(tenant_a, doc)
    searchable(tenant_a, kb, "quokka", {smiling, eating})

    switch = {"doc_id": doc["id"], "chunk_ids": [smiling], "available_int": 0}
    assert ok(tenant_a.web.post("/v1/chunk/switch", json=switch)) is True
    assert item(tenant_a, doc["id"], smiling)["available_int"] == 0
    assert item(tenant_a, doc["id"], eating)["available_int"] == 1
    searchable(tenant_a, kb, "quokka", {eating}, absent=(smiling,))
    assert listed(tenant_a, doc["id"], available_int=0) == [smiling]
    assert listed(tenant_a, doc["id"], available_int=1) == [eating]
    assert listing(tenant_a, doc["id"])["total"] == 2, "the plain list still shows both"
    assert listing(tenant_a, doc["id"], available_int=0)["total"] == 1
    assert stored(tenant_a, smiling)["available_int"] == 0
    assert {c["id"]: c["available"] for c in sdk_chunks(tenant_a, doc)} == {smiling: False, eating: True}
    assert counters(tenant_a, doc) == before

    back = {"doc_id": doc["id"], "chunk_ids": [smiling, eating], "available_int": "1"}
    assert ok(tenant_a.web.post("/v1/chunk/switch", json=back)) is True
    searchable(tenant_a, kb, "quokka", {smiling, eating})
    assert listed(tenant_a, doc["id"], available_int=0) == []
    assert sorted(listed(tenant_a, doc["id"], available_int=1)) == sorted([smiling, eating])
    assert counters(tenant_a, doc) == before


def test_switch_needs_its_arguments(tenant_a, target):
    assert post(tenant_a, "switch", {}) == missing("chunk_ids", "available_int", "doc_id")
    assert post(tenant_a, "switch", {"doc_id": target["id"], "chunk_ids": [target["chunk"]]}) == missing(
        "available_int"
    )
    assert envelope(tenant_a.web.post("/v1/chunk/switch")) == missing("chunk_ids", "available_int", "doc_id")
    unchanged(tenant_a, target)


@pytest.mark.parametrize("doc_id", [NO_SUCH_ID, ""])
def test_switch_in_an_unknown_document(tenant_a, target, doc_id):
    body = {"doc_id": doc_id, "chunk_ids": [target["chunk"]], "available_int": 0}
    assert post(tenant_a, "switch", body) == DOC_NOT_FOUND
    unchanged(tenant_a, target)


def test_switch_in_a_deleted_document(tenant_a, target, deleted_doc):
    body = {"doc_id": deleted_doc, "chunk_ids": [target["chunk"]], "available_int": 0}
    assert post(tenant_a, "switch", body) == DOC_NOT_FOUND
    unchanged(tenant_a, target)


def test_switch_of_an_unknown_chunk_is_an_index_failure(tenant_a, target):
    body = {"doc_id": target["id"], "chunk_ids": [NO_SUCH_CHUNK], "available_int": 0}
    assert post(tenant_a, "switch", body) == INDEX_FAILURE
    unchanged(tenant_a, target)


# rm -----------------------------------------------------------------------------------------------
def test_rm_keeps_the_counters_exact(tenant_a, fresh):
    """citeflow's decision: exactly the chunks deleted and their tokens come off, duplicates once."""
    start = counters(tenant_a, fresh)
    tokens = {}
    for content in ("first chunk to delete", "second chunk to delete", "third chunk to delete"):
        before = counters(tenant_a, fresh)
        chunk_id = add(tenant_a, fresh["id"], content)
        tokens[chunk_id] = added_tokens(before, counters(tenant_a, fresh))
        assert tokens[chunk_id] > 0
    first, second, third = tokens
    full = counters(tenant_a, fresh)
    assert full["doc_chunks"] == full["kb_chunks"] == start["doc_chunks"] + 3

    body = {"doc_id": fresh["id"], "chunk_ids": [first, first, NO_SUCH_CHUNK]}
    assert ok(tenant_a.web.post("/v1/chunk/rm", json=body)) is True
    after = counters(tenant_a, fresh)
    assert after == {
        "doc_chunks": full["doc_chunks"] - 1,
        "doc_tokens": full["doc_tokens"] - tokens[first],
        "kb_chunks": full["kb_chunks"] - 1,
        "kb_tokens": full["kb_tokens"] - tokens[first],
    }
    assert sorted(listed(tenant_a, fresh["id"])) == sorted([second, third])
    assert get_chunk(tenant_a, first) == CHUNK_NOT_FOUND

    assert ok(tenant_a.web.post("/v1/chunk/rm", json={"doc_id": fresh["id"], "chunk_ids": []})) is True
    assert counters(tenant_a, fresh) == start, "adding chunks and deleting them all restores the counters"
    assert listing(tenant_a, fresh["id"])["total"] == 0
    assert get_chunk(tenant_a, second) == CHUNK_NOT_FOUND


def test_rm_with_an_empty_list_deletes_only_that_documents_chunks(tenant_a, fresh):
    kept_doc = new_doc(tenant_a, fresh["kb_id"], "kept.txt")
    kept = add(tenant_a, kept_doc["id"], "a chunk of another document")
    kept_counters = counters(tenant_a, kept_doc)
    for i in range(3):
        add(tenant_a, fresh["id"], f"doomed chunk {i}")
    assert ok(tenant_a.web.post("/v1/chunk/rm", json={"doc_id": fresh["id"], "chunk_ids": []})) is True
    assert listing(tenant_a, fresh["id"])["total"] == 0
    assert listed(tenant_a, kept_doc["id"]) == [kept]
    assert counters(tenant_a, kept_doc) == kept_counters
    record = doc_record(tenant_a, fresh["id"])
    assert (record["chunk_num"], record["token_num"]) == (0, 0)


def test_rm_that_deletes_nothing_is_an_index_failure(tenant_a, fresh):
    """Web spec §12 #3 and citeflow's decision: zero chunks deleted → 102 `Index updating failure`."""
    chunk_id = add(tenant_a, fresh["id"], "deleted twice")
    assert (
        ok(tenant_a.web.post("/v1/chunk/rm", json={"doc_id": fresh["id"], "chunk_ids": [chunk_id]})) is True
    )
    emptied = counters(tenant_a, fresh)
    assert post(tenant_a, "rm", {"doc_id": fresh["id"], "chunk_ids": [chunk_id]}) == INDEX_FAILURE
    assert post(tenant_a, "rm", {"doc_id": fresh["id"], "chunk_ids": [NO_SUCH_CHUNK, "x"]}) == INDEX_FAILURE
    assert counters(tenant_a, fresh) == emptied


def test_rm_of_all_chunks_of_a_document_without_chunks_is_an_index_failure(tenant_a, fresh):
    """citeflow's decision: an empty list deletes all of the document's chunks; none → 102."""
    never = new_doc(tenant_a, fresh["kb_id"], "never.txt")
    assert post(tenant_a, "rm", {"doc_id": never["id"], "chunk_ids": []}) == INDEX_FAILURE
    add(tenant_a, fresh["id"], "the only chunk")
    assert ok(tenant_a.web.post("/v1/chunk/rm", json={"doc_id": fresh["id"], "chunk_ids": []})) is True
    emptied = counters(tenant_a, fresh)
    assert post(tenant_a, "rm", {"doc_id": fresh["id"], "chunk_ids": []}) == INDEX_FAILURE
    assert counters(tenant_a, fresh) == emptied


def test_rm_of_unknown_ids_deletes_nothing(tenant_a, target):
    assert post(tenant_a, "rm", {"doc_id": target["id"], "chunk_ids": [NO_SUCH_CHUNK]}) == INDEX_FAILURE
    unchanged(tenant_a, target)


def test_rm_needs_its_arguments(tenant_a, target):
    assert post(tenant_a, "rm", {}) == missing("chunk_ids", "doc_id")
    assert post(tenant_a, "rm", {"chunk_ids": [target["chunk"]]}) == missing("doc_id")
    assert post(tenant_a, "rm", {"doc_id": target["id"]}) == missing("chunk_ids")
    assert envelope(tenant_a.web.post("/v1/chunk/rm")) == missing("chunk_ids", "doc_id")
    unchanged(tenant_a, target)


@pytest.mark.parametrize("doc_id", [NO_SUCH_ID, ""])
def test_rm_in_an_unknown_document(tenant_a, target, doc_id):
    assert post(tenant_a, "rm", {"doc_id": doc_id, "chunk_ids": [target["chunk"]]}) == DOC_NOT_FOUND
    assert post(tenant_a, "rm", {"doc_id": doc_id, "chunk_ids": []}) == DOC_NOT_FOUND
    unchanged(tenant_a, target)


def test_rm_in_a_deleted_document(tenant_a, target, deleted_doc):
    assert post(tenant_a, "rm", {"doc_id": deleted_doc, "chunk_ids": [target["chunk"]]}) == DOC_NOT_FOUND
    unchanged(tenant_a, target)


# create -------------------------------------------------------------------------------------------
def test_create_adds_a_chunk_and_counts_it(tenant_a, fresh):
    before = counters(tenant_a, fresh)
    content = "Citeflow stores this chunk."
    data = ok(
        tenant_a.web.post(
            "/v1/chunk/create",
            json={
                "doc_id": fresh["id"],
                "content_with_weight": content,
                "important_kwd": ["citeflow"],
                "question_kwd": ["What does citeflow store?"],
                "unknown_key": "ignored",
            },
        )
    )
    chunk_id = expected_id(content, fresh["id"])
    assert data == {"chunk_id": chunk_id}
    assert added_tokens(before, counters(tenant_a, fresh)) > 0
    assert listing(tenant_a, fresh["id"])["chunks"] == [
        {
            "chunk_id": chunk_id,
            "content_with_weight": content,
            "doc_id": fresh["id"],
            "docnm_kwd": fresh["name"],
            "important_kwd": ["citeflow"],
            "question_kwd": ["What does citeflow store?"],
            "image_id": "",
            "available_int": 1,
            "positions": [],
        }
    ]
    chunk = stored(tenant_a, chunk_id)
    assert (chunk["doc_id"], chunk["kb_id"], chunk["content_with_weight"]) == (
        fresh["id"],
        fresh["kb_id"],
        content,
    )
    assert "unknown_key" not in chunk


@pytest.mark.parametrize("content", ["", "   ", "!@#$%^&*()", "\n\t", "数据", "a" * 5000])
def test_create_accepts_any_string_content(tenant_a, doc, content):
    chunk_id = add(tenant_a, doc["id"], content)
    assert stored(tenant_a, chunk_id)["content_with_weight"] == content
    assert listed(tenant_a, doc["id"]) == [chunk_id]


def test_create_of_the_same_content_overwrites_one_chunk(tenant_a, doc):
    first = add(tenant_a, doc["id"], "twice the same", important_kwd=["one"])
    second = add(tenant_a, doc["id"], "twice the same", important_kwd=["two"])
    assert first == second
    assert listed(tenant_a, doc["id"]) == [first]
    assert stored(tenant_a, first)["important_kwd"] == ["two"]
    other = new_doc(tenant_a, doc["kb_id"], "other.txt")
    elsewhere = add(tenant_a, other["id"], "twice the same")
    assert elsewhere != first, "the id depends on the document"
    assert listed(tenant_a, other["id"]) == [elsewhere]


CREATE_ERRORS = [
    pytest.param({"content_with_weight": None}, concatenation("NoneType"), id="content-null"),
    pytest.param({"content_with_weight": 1}, concatenation("int"), id="content-int"),
    pytest.param({"content_with_weight": 1.5}, concatenation("float"), id="content-float"),
    pytest.param({"content_with_weight": True}, concatenation("bool"), id="content-bool"),
    pytest.param({"content_with_weight": {}}, concatenation("dict"), id="content-dict"),
    pytest.param(
        {"content_with_weight": None, "important_kwd": "x", "doc_id": ""},
        concatenation("NoneType"),
        id="content-before-keywords-and-document",
    ),
    pytest.param({"important_kwd": "x"}, CREATE_IMPORTANT_NOT_A_LIST, id="important-str"),
    pytest.param({"important_kwd": None}, CREATE_IMPORTANT_NOT_A_LIST, id="important-null"),
    pytest.param({"important_kwd": [1]}, sequence_item(0), id="important-int-item"),
    pytest.param({"important_kwd": ["ok", 2]}, sequence_item(1), id="important-second-item"),
    pytest.param({"question_kwd": "x"}, CREATE_QUESTION_NOT_A_LIST, id="question-str"),
    pytest.param({"question_kwd": None}, CREATE_QUESTION_NOT_A_LIST, id="question-null"),
    pytest.param({"question_kwd": [3]}, sequence_item(0), id="question-int-item"),
    pytest.param(
        {"important_kwd": [1], "question_kwd": "x"}, sequence_item(0), id="important-before-question"
    ),
    pytest.param(
        {"question_kwd": "x", "doc_id": NO_SUCH_ID},
        CREATE_QUESTION_NOT_A_LIST,
        id="keywords-before-document",
    ),
    pytest.param({"doc_id": NO_SUCH_ID}, DOC_NOT_FOUND, id="unknown-document"),
    pytest.param({"doc_id": ""}, DOC_NOT_FOUND, id="empty-document"),
]


@pytest.mark.parametrize(("fields", "expected"), CREATE_ERRORS)
def test_create_refuses_in_ragflows_order(tenant_a, target, fields, expected):
    body = {"doc_id": target["id"], "content_with_weight": "refused content", **fields}
    assert post(tenant_a, "create", body) == expected
    assert get_chunk(tenant_a, expected_id("refused content", target["id"])) == CHUNK_NOT_FOUND
    unchanged(tenant_a, target)


def test_create_in_a_deleted_document(tenant_a, deleted_doc):
    body = {"doc_id": deleted_doc, "content_with_weight": "into the void"}
    assert post(tenant_a, "create", body) == DOC_NOT_FOUND
    assert get_chunk(tenant_a, expected_id("into the void", deleted_doc)) == CHUNK_NOT_FOUND


def test_create_needs_its_arguments(tenant_a, target):
    assert post(tenant_a, "create", {}) == missing("doc_id", "content_with_weight")
    assert post(tenant_a, "create", {"doc_id": target["id"]}) == missing("content_with_weight")
    assert post(tenant_a, "create", {"content_with_weight": "x"}) == missing("doc_id")
    assert envelope(tenant_a.web.post("/v1/chunk/create")) == missing("doc_id", "content_with_weight")
    unchanged(tenant_a, target)


# the SDK sees the same chunks ---------------------------------------------------------------------
def test_chunks_are_shared_with_the_sdk_api(tenant_a, doc):
    web_made = add(
        tenant_a, doc["id"], "Made through the web API.", important_kwd=["web"], question_kwd=["Who?"]
    )
    sdk_made = add_chunk(
        tenant_a,
        doc["kb_id"],
        doc["id"],
        "Made through the SDK.",
        important_keywords=["sdk"],
        questions=["How?"],
    )["id"]
    assert sdk_made == expected_id("Made through the SDK.", doc["id"])

    assert {c["id"]: c for c in sdk_chunks(tenant_a, doc)}[web_made] == {
        "id": web_made,
        "content": "Made through the web API.",
        "document_id": doc["id"],
        "docnm_kwd": doc["name"],
        "important_keywords": ["web"],
        "questions": ["Who?"],
        "dataset_id": doc["kb_id"],
        "image_id": "",
        "available": True,
        "positions": [],
    }
    assert item(tenant_a, doc["id"], sdk_made) == {
        "chunk_id": sdk_made,
        "content_with_weight": "Made through the SDK.",
        "doc_id": doc["id"],
        "docnm_kwd": doc["name"],
        "important_kwd": ["sdk"],
        "question_kwd": ["How?"],
        "image_id": "",
        "available_int": 1,
        "positions": [],
    }
    chunk = stored(tenant_a, sdk_made)
    assert (chunk["doc_id"], chunk["kb_id"], chunk["content_with_weight"]) == (
        doc["id"],
        doc["kb_id"],
        "Made through the SDK.",
    )
    record = listing(tenant_a, doc["id"])
    assert (record["total"], record["doc"]["chunk_num"]) == (2, 2)

    assert ok(tenant_a.web.post("/v1/chunk/rm", json={"doc_id": doc["id"], "chunk_ids": [sdk_made]})) is True
    assert [c["id"] for c in sdk_chunks(tenant_a, doc)] == [web_made]
    reply = tenant_a.sdk.request(
        "DELETE",
        chunks_path(doc["kb_id"], doc["id"]),
        json={"chunk_ids": [web_made]},
    )
    assert reply.json() == {"code": 0}
    assert listing(tenant_a, doc["id"])["total"] == 0
    assert get_chunk(tenant_a, web_made) == CHUNK_NOT_FOUND


# another tenant -----------------------------------------------------------------------------------
def test_another_tenant_is_refused_with_the_owners_ids(tenant_a, tenant_b, doc):
    secret = "The vault code is 4-8-15-16-23-42."
    chunk_id = add(tenant_a, doc["id"], secret, important_kwd=["vault"])
    before = listing(tenant_a, doc["id"])
    before_counters = counters(tenant_a, doc)
    leaks = (secret, "vault", doc["name"])

    def request(route: str, body: dict[str, Any]) -> httpx.Request:
        return tenant_a.web.build_request("POST", f"/v1/chunk/{route}", json=body)

    attempts = [
        request("list", {"doc_id": doc["id"]}),
        request("list", {"doc_id": doc["id"], "keywords": "vault"}),
        request("set", {"doc_id": doc["id"], "chunk_id": chunk_id, "content_with_weight": "overwritten"}),
        request("switch", {"doc_id": doc["id"], "chunk_ids": [chunk_id], "available_int": 0}),
        request("rm", {"doc_id": doc["id"], "chunk_ids": [chunk_id]}),
        request("rm", {"doc_id": doc["id"], "chunk_ids": []}),
        request("create", {"doc_id": doc["id"], "content_with_weight": "planted by bob"}),
    ]
    for attempt in attempts:
        refused(as_other_tenant(attempt, tenant_b), *leaks)
    got = as_other_tenant(
        tenant_a.web.build_request("GET", "/v1/chunk/get", params={"chunk_id": chunk_id}), tenant_b
    )
    assert envelope(got) == CHUNK_NOT_FOUND, "only the caller's own tenants are searched"

    assert listing(tenant_a, doc["id"]) == before, "alice's chunks are unchanged"
    assert counters(tenant_a, doc) == before_counters
    chunk = stored(tenant_a, chunk_id)
    assert (chunk["content_with_weight"], chunk.get("available_int", 1)) == (secret, 1)
    assert get_chunk(tenant_a, expected_id("planted by bob", doc["id"])) == CHUNK_NOT_FOUND


def test_another_tenants_chunk_ids_do_nothing_in_ones_own_document(tenant_a, tenant_b, doc):
    secret = "Alice's private chunk about the heron."
    chunk_id = add(tenant_a, doc["id"], secret)
    before = listing(tenant_a, doc["id"])
    before_counters = counters(tenant_a, doc)
    bobs = new_doc(tenant_b, create_kb(tenant_b, "bobs"), "bob.txt")
    bobs_chunk = add(tenant_b, bobs["id"], "Bob's own chunk.")

    update = {"doc_id": bobs["id"], "chunk_id": chunk_id, "content_with_weight": "overwritten by bob"}
    reply = tenant_b.web.post("/v1/chunk/set", json=update)
    assert secret not in reply.text
    switch = {"doc_id": bobs["id"], "chunk_ids": [chunk_id], "available_int": 0}
    assert post(tenant_b, "switch", switch) == INDEX_FAILURE
    assert post(tenant_b, "rm", {"doc_id": bobs["id"], "chunk_ids": [chunk_id]}) == INDEX_FAILURE
    assert get_chunk(tenant_b, chunk_id) == CHUNK_NOT_FOUND
    assert listed(tenant_b, bobs["id"]) == [bobs_chunk]
    assert listing(tenant_b, bobs["id"], keywords="heron")["total"] == 0

    assert listing(tenant_a, doc["id"]) == before
    assert counters(tenant_a, doc) == before_counters
    chunk = stored(tenant_a, chunk_id)
    assert (chunk["content_with_weight"], chunk.get("available_int", 1)) == (secret, 1)
    assert get_chunk(tenant_a, bobs_chunk) == CHUNK_NOT_FOUND
