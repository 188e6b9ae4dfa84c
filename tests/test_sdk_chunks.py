"""`/api/v1/datasets/{dataset_id}/documents/{document_id}/chunks` over real HTTP: list, add, delete, update.

The contract is RAGFlow v0.20.5's SDK API (spec §6-L, §6-A, §6-D, §6-U with §1.1 to §1.10, §3.3 (a)
and (b), §19.1; pipeline spec §1.3, §2.7, §6.7, §6.9). `POST /api/v1/retrieval` (§6-R) is only used
to see whether a chunk can be found. citeflow's decisions pinned here, from the spec's
Recommendations and the decisions of the chunk issue:

* chunks live in the dataset owner's storage (§1.8): another tenant's key is refused on every verb
  with `You don't own the dataset {id}.`, and an update of a chunk that exists in the dataset is
  refused by the access check (order of §6-U);
* DELETE with `chunk_ids` absent, `null` or `[]` deletes every chunk of the document and answers
  `{"code": 0}` (the official SDK's `Document.delete_chunks()` sends `null`);
* counters stay exact: chunk counts follow the chunks really stored or deleted, token counts drop by
  the deleted chunks' real token counts, so adding chunks and deleting them restores the counters;
  dataset counters are the sums over their documents.

Documents come from the SDK upload endpoint (nothing is parsed), chunks only from the add endpoint;
adding a chunk embeds it with the tenant's default (built-in) embedding model.
"""

import datetime
import json
import re
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.chunks import (
    SDK_CHUNK_KEYS,
    SDK_DOCUMENT_KEYS,
    chunks_path,
    dataset_record,
    documents_path,
    expected_id,
    new_dataset,
    new_document,
    unique,
)
from tests.conftest import RunningServer, Tenant, as_other_tenant
from tests.envelopes import BAD_KEY, EMPTY_AUTH, NOT_ALLOWED, data_error, envelope, exception
from tests.tenants import open_tenant

ADDED_KEYS = {
    "id",
    "content",
    "document_id",
    "dataset_id",
    "important_keywords",
    "questions",
    "create_time",
    "create_timestamp",
}
CHUNK_ID = re.compile(r"^[0-9a-f]{16}$")
CREATE_TIME = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")
CONTENT_REQUIRED = data_error("`content` is required")
QA_RULE = data_error("Q&A must be separated by TAB/ENTER key.")
#: The add route's refusals of keywords or questions that are not lists (spec §6-A).
KEYWORDS_NOT_A_LIST = data_error("`important_keywords` is required to be a list")
QUESTIONS_NOT_A_LIST = data_error("`questions` is required to be a list")
#: The update route's wording of the same refusals (spec §6-U).
UPDATE_KEYWORDS_NOT_A_LIST = data_error("`important_keywords` should be a list")
UPDATE_QUESTIONS_NOT_A_LIST = data_error("`questions` should be a list")
NOT_ITERABLE = exception("TypeError(\"argument of type 'NoneType' is not iterable\")")
NOT_A_STRING = exception("TypeError('expected string or bytes-like object')")
NEGATIVE_SLICING = exception("ValueError('Search does not support negative slicing.')")


def sequence_item(index: int, kind: str) -> dict[str, Any]:
    """Python's `str.join` refusing a non-string item, through the exception envelope."""
    return exception(f"TypeError('sequence item {index}: expected str instance, {kind} found')")


def int_error(value: str) -> dict[str, Any]:
    """Python's `int()` refusing a query parameter (spec §1.9)."""
    return exception(f"ValueError(\"invalid literal for int() with base 10: '{value}'\")")


# helpers -----------------------------------------------------------------------------------------
def dataset_not_owned(dataset_id: str) -> dict[str, Any]:
    return data_error(f"You don't own the dataset {dataset_id}.")


def document_not_owned(document_id: str) -> dict[str, Any]:
    return data_error(f"You don't own the document {document_id}.")


def chunk_not_found(chunk_id: str) -> dict[str, Any]:
    return data_error(f"Can't find this chunk {chunk_id}")


def chunk_path(dataset_id: str, document_id: str, chunk_id: str) -> str:
    return f"{chunks_path(dataset_id, document_id)}/{chunk_id}"


def add(tenant: Tenant, dataset_id: str, document_id: str, body: Any = None, **kwargs: Any) -> dict[str, Any]:
    if body is not None:
        kwargs["json"] = body
    return envelope(tenant.sdk.post(chunks_path(dataset_id, document_id), **kwargs))


def added(tenant: Tenant, dataset_id: str, document_id: str, content: str, **fields: Any) -> dict[str, Any]:
    body = add(tenant, dataset_id, document_id, {"content": content, **fields})
    assert body["code"] == 0, body
    assert set(body) == {"code", "data"}, body
    assert set(body["data"]) == {"chunk"}, body
    return body["data"]["chunk"]


def list_reply(tenant: Tenant, dataset_id: str, document_id: str, **params: Any) -> dict[str, Any]:
    return envelope(tenant.sdk.get(chunks_path(dataset_id, document_id), params=params))


def listing(tenant: Tenant, dataset_id: str, document_id: str, **params: Any) -> dict[str, Any]:
    body = list_reply(tenant, dataset_id, document_id, **params)
    assert body["code"] == 0, body
    assert set(body) == {"code", "data"}, body
    assert set(body["data"]) == {"total", "chunks", "doc"}, body
    for item in body["data"]["chunks"]:
        assert set(item) == SDK_CHUNK_KEYS, item
    return body["data"]


def listed(tenant: Tenant, dataset_id: str, document_id: str, **params: Any) -> list[dict[str, Any]]:
    return listing(tenant, dataset_id, document_id, page_size=1000, **params)["chunks"]


def listed_ids(tenant: Tenant, dataset_id: str, document_id: str, **params: Any) -> list[str]:
    return [c["id"] for c in listed(tenant, dataset_id, document_id, **params)]


def by_id(tenant: Tenant, dataset_id: str, document_id: str, chunk_id: str) -> dict[str, Any]:
    data = listing(tenant, dataset_id, document_id, id=chunk_id)
    assert data["total"] == 1, data
    (item,) = data["chunks"]
    return item


def remove(
    tenant: Tenant, dataset_id: str, document_id: str, body: Any = None, **kwargs: Any
) -> dict[str, Any]:
    if body is not None:
        kwargs["json"] = body
    return envelope(tenant.sdk.request("DELETE", chunks_path(dataset_id, document_id), **kwargs))


def change(tenant: Tenant, dataset_id: str, document_id: str, chunk_id: str, body: Any) -> dict[str, Any]:
    return envelope(tenant.sdk.put(chunk_path(dataset_id, document_id, chunk_id), json=body))


def changed(tenant: Tenant, dataset_id: str, document_id: str, chunk_id: str, body: Any) -> None:
    assert change(tenant, dataset_id, document_id, chunk_id, body) == {"code": 0}


def retrieved(tenant: Tenant, dataset_id: str, question: str) -> list[str]:
    """The ids `POST /api/v1/retrieval` finds for `question` in the dataset (default settings)."""
    body = envelope(
        tenant.sdk.post("/api/v1/retrieval", json={"dataset_ids": [dataset_id], "question": question})
    )
    assert body["code"] == 0, body
    return [c["id"] for c in body["data"]["chunks"]]


def document_record(tenant: Tenant, dataset_id: str, document_id: str) -> dict[str, Any]:
    body = envelope(tenant.sdk.get(documents_path(dataset_id), params={"id": document_id}))
    assert body["code"] == 0, body
    (doc,) = body["data"]["docs"]
    return doc


def doc_counts(tenant: Tenant, dataset_id: str, document_id: str) -> tuple[int, int]:
    """(chunk_count, token_count) of the document, as the document list shows them."""
    doc = document_record(tenant, dataset_id, document_id)
    return doc["chunk_count"], doc["token_count"]


def dataset_counts(tenant: Tenant, dataset_id: str) -> tuple[int, int]:
    """(chunk_count, token_num) of the dataset; they are the sums over its documents."""
    record = dataset_record(tenant, dataset_id)
    body = envelope(tenant.sdk.get(documents_path(dataset_id), params={"page_size": 1000}))
    docs = body["data"]["docs"]
    assert record["chunk_count"] == sum(d["chunk_count"] for d in docs), (record, docs)
    assert record["token_num"] == sum(d["token_count"] for d in docs), (record, docs)
    return record["chunk_count"], record["token_num"]


def snapshot(tenant: Tenant, dataset_id: str, document_id: str) -> tuple[Any, ...]:
    """Everything a refused request must leave alone: the chunks, the document, the dataset."""
    return (
        listed(tenant, dataset_id, document_id),
        doc_counts(tenant, dataset_id, document_id),
        dataset_counts(tenant, dataset_id),
    )


@pytest.fixture(scope="module")
def dataset(tenant_a: Tenant) -> str:
    """One dataset of tenant A for the module; tests add documents of their own to it."""
    return new_dataset(tenant_a)


@pytest.fixture
def document(tenant_a: Tenant, dataset: str) -> str:
    """A fresh document (no chunks yet) in the module's dataset."""
    return new_document(tenant_a, dataset)


@pytest.fixture(scope="module")
def steady(tenant_a: Tenant, dataset: str) -> tuple[str, str]:
    """A document with one chunk that refused updates must leave as it is: (document id, chunk id)."""
    document_id = new_document(tenant_a, dataset)
    chunk = added(
        tenant_a, dataset, document_id, "stays as it is", important_keywords=["k"], questions=["q?"]
    )
    return document_id, chunk["id"]


@pytest.fixture(scope="module")
def paged(tenant_a: Tenant, dataset: str) -> tuple[str, list[str]]:
    """A document with 31 chunks (one more than a default page), and their ids newest first."""
    document_id = new_document(tenant_a, dataset, "paged.txt")
    ids = [added(tenant_a, dataset, document_id, f"paging sample number {i}")["id"] for i in range(31)]
    return document_id, ids[::-1]


# authentication and routing ----------------------------------------------------------------------
def test_every_route_needs_an_api_key(server, tenant_a, dataset, document):
    chunk = added(tenant_a, dataset, document, "guarded content")
    before = snapshot(tenant_a, dataset, document)
    routes = [
        ("GET", chunks_path(dataset, document), {}),
        ("POST", chunks_path(dataset, document), {"json": {"content": "intruder"}}),
        ("DELETE", chunks_path(dataset, document), {"json": {"chunk_ids": [chunk["id"]]}}),
        ("DELETE", chunks_path(dataset, document), {"json": {"chunk_ids": None}}),
        ("PUT", chunk_path(dataset, document, chunk["id"]), {"json": {"content": "defaced"}}),
    ]
    with server.client() as anonymous, server.client(Authorization="Bearer ragflow-nope") as stranger:
        for method, path, kwargs in routes:
            assert envelope(anonymous.request(method, path, **kwargs)) == EMPTY_AUTH, (method, path)
            assert envelope(stranger.request(method, path, **kwargs)) == BAD_KEY, (method, path)
    assert snapshot(tenant_a, dataset, document) == before


def test_every_route_accepts_a_trailing_slash(tenant_a, dataset, document):
    body = envelope(tenant_a.sdk.post(chunks_path(dataset, document) + "/", json={"content": "slashed"}))
    assert body["code"] == 0, body
    chunk_id = body["data"]["chunk"]["id"]
    body = envelope(tenant_a.sdk.get(chunks_path(dataset, document) + "/"))
    assert [c["id"] for c in body["data"]["chunks"]] == [chunk_id]
    reply = tenant_a.sdk.put(chunk_path(dataset, document, chunk_id) + "/", json={"content": "slashed again"})
    assert envelope(reply) == {"code": 0}
    assert by_id(tenant_a, dataset, document, chunk_id)["content"] == "slashed again"
    reply = tenant_a.sdk.request(
        "DELETE", chunks_path(dataset, document) + "/", json={"chunk_ids": [chunk_id]}
    )
    assert envelope(reply) == {"code": 0}
    assert listed(tenant_a, dataset, document) == []


def test_update_without_a_chunk_id_is_405(tenant_a, dataset, document):
    """`…/chunks/` is `…/chunks`, which has no PUT: RAGFlow's tests assert this 405."""
    added(tenant_a, dataset, document, "untouched")
    assert (
        envelope(tenant_a.sdk.put(chunks_path(dataset, document) + "/", json={"content": "x"})) == NOT_ALLOWED
    )
    assert [c["content"] for c in listed(tenant_a, dataset, document)] == ["untouched"]


# add ---------------------------------------------------------------------------------------------
def test_add_answers_the_add_chunk_shape(tenant_a, dataset, document):
    content = "  The first chunk, with padding.  "
    before = time.time()
    reply = tenant_a.sdk.post(
        chunks_path(dataset, document),
        json={
            "content": content,
            "important_keywords": ["alpha", "alpha", ""],
            "questions": [" why? ", "", "  "],
        },
    )
    after = time.time()
    body = envelope(reply)
    assert body["code"] == 0, body
    assert set(body) == {"code", "data"}, "helper R: no message on success"
    assert reply.text == json.dumps(body, sort_keys=True, separators=(",", ":")) + "\n", "Flask's JSON"
    assert set(body["data"]) == {"chunk"}
    chunk = body["data"]["chunk"]
    assert set(chunk) == ADDED_KEYS, chunk
    assert chunk["id"] == expected_id(content, document), "the raw content is hashed, padding included"
    assert {k: v for k, v in chunk.items() if k not in ("create_time", "create_timestamp")} == {
        "id": chunk["id"],
        "content": content,
        "document_id": document,
        "dataset_id": dataset,
        "important_keywords": ["alpha", "alpha", ""],
        "questions": ["why?"],
    }
    assert isinstance(chunk["create_timestamp"], float)
    assert before - 2 <= chunk["create_timestamp"] <= after + 2
    assert CREATE_TIME.match(chunk["create_time"]), chunk["create_time"]
    local = datetime.datetime.strptime(chunk["create_time"], "%Y-%m-%d %H:%M:%S")
    stamped = datetime.datetime.fromtimestamp(chunk["create_timestamp"])
    assert abs((stamped - local).total_seconds()) < 2, "create_time is the local time of create_timestamp"


@pytest.mark.parametrize(
    "content",
    ["a", "\n!?\u3002\uff1b\uff01\uff1f\"'", "Ünïcödé 中文内容 and emoji 🚀", "line one\nline two\ttabbed"],
)
def test_content_is_stored_verbatim_under_its_hash(tenant_a, dataset, document, content):
    chunk = added(tenant_a, dataset, document, content)
    assert CHUNK_ID.match(chunk["id"]), chunk["id"]
    assert chunk["id"] == expected_id(content, document)
    assert (chunk["content"], chunk["important_keywords"], chunk["questions"]) == (content, [], [])
    item = by_id(tenant_a, dataset, document, chunk["id"])
    assert item["content"] == content
    reply = tenant_a.sdk.get(chunks_path(dataset, document), params={"id": chunk["id"]})
    assert reply.text == json.dumps(reply.json(), sort_keys=True, separators=(",", ":")) + "\n", (
        "Flask's JSON: sorted keys, compact, non-ASCII escaped"
    )


def test_the_same_content_twice_is_one_chunk(tenant_a, dataset, document):
    first = added(tenant_a, dataset, document, "Repeated words are stored once")
    second = added(
        tenant_a, dataset, document, "Repeated words are stored once", important_keywords=["again"]
    )
    assert first["id"] == second["id"] == expected_id("Repeated words are stored once", document)
    data = listing(tenant_a, dataset, document)
    assert data["total"] == 1
    (item,) = data["chunks"]
    assert (item["id"], item["important_keywords"]) == (first["id"], ["again"]), "the second write overwrote"
    assert data["doc"]["chunk_count"] == 1, "counters are exact: one chunk is stored"
    assert doc_counts(tenant_a, dataset, document)[0] == 1

    other = new_document(tenant_a, dataset)
    elsewhere = added(tenant_a, dataset, other, "Repeated words are stored once")
    assert elsewhere["id"] == expected_id("Repeated words are stored once", other) != first["id"]
    assert listed_ids(tenant_a, dataset, document) == [first["id"]]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param({}, CONTENT_REQUIRED, id="content-absent"),
        pytest.param({"important_keywords": ["a"], "questions": ["q"]}, CONTENT_REQUIRED, id="only-lists"),
        pytest.param({"content": ""}, CONTENT_REQUIRED, id="empty"),
        pytest.param({"content": " "}, CONTENT_REQUIRED, id="space"),
        pytest.param({"content": "\n\t  \r\n"}, CONTENT_REQUIRED, id="whitespace"),
        pytest.param({"content": "", "important_keywords": "abc"}, CONTENT_REQUIRED, id="content-first"),
        pytest.param({"content": "ok", "important_keywords": "abc"}, KEYWORDS_NOT_A_LIST, id="keywords-str"),
        pytest.param({"content": "ok", "important_keywords": 123}, KEYWORDS_NOT_A_LIST, id="keywords-int"),
        pytest.param(
            {"content": "ok", "important_keywords": {"a": 1}},
            KEYWORDS_NOT_A_LIST,
            id="keywords-object",
        ),
        pytest.param({"content": "ok", "important_keywords": None}, KEYWORDS_NOT_A_LIST, id="keywords-null"),
        pytest.param(
            {"content": "ok", "important_keywords": "abc", "questions": "abc"},
            KEYWORDS_NOT_A_LIST,
            id="keywords-before-questions",
        ),
        pytest.param({"content": "ok", "questions": "abc"}, QUESTIONS_NOT_A_LIST, id="questions-str"),
        pytest.param({"content": "ok", "questions": 123}, QUESTIONS_NOT_A_LIST, id="questions-int"),
        pytest.param({"content": "ok", "questions": None}, QUESTIONS_NOT_A_LIST, id="questions-null"),
        pytest.param({"content": "ok", "important_keywords": [1]}, sequence_item(0, "int"), id="keyword-int"),
        pytest.param(
            {"content": "ok", "important_keywords": ["a", None]},
            sequence_item(1, "NoneType"),
            id="keyword-null",
        ),
        pytest.param({"content": "ok", "questions": [1]}, sequence_item(0, "int"), id="question-int"),
        pytest.param(
            {"content": "ok", "questions": ["q", 1.5]}, sequence_item(1, "float"), id="question-float"
        ),
    ],
)
def test_add_refuses_bad_input_and_stores_nothing(tenant_a, dataset, document, body, expected):
    assert add(tenant_a, dataset, document, body) == expected
    assert listing(tenant_a, dataset, document)["total"] == 0
    assert doc_counts(tenant_a, dataset, document) == (0, 0)


@pytest.mark.parametrize("content", [1, 0, 1.5, True, [1], {"a": 1}], ids=repr)
def test_add_with_non_string_content_is_a_type_error(tenant_a, dataset, document, content):
    """`str(content).strip()` passes, then `content + document_id` fails (spec §6-A)."""
    body = add(tenant_a, dataset, document, {"content": content})
    assert (body["code"], body["data"]) == (100, None), body
    assert body["message"].startswith("TypeError("), body
    assert listing(tenant_a, dataset, document)["total"] == 0
    assert doc_counts(tenant_a, dataset, document) == (0, 0)


def test_add_with_null_content_or_no_object_stores_nothing(tenant_a, dataset, document):
    """Not pinned to one message: `null` content (str(None) is "None") and bodies that are not objects."""
    body = add(tenant_a, dataset, document, {"content": None})
    assert body["code"] in (100, 102), body
    for content in (b"null", b"", b"not json"):
        reply = tenant_a.sdk.post(
            chunks_path(dataset, document), content=content, headers={"Content-Type": "application/json"}
        )
        assert envelope(reply)["code"] == 100, content
    assert listing(tenant_a, dataset, document)["total"] == 0
    assert doc_counts(tenant_a, dataset, document) == (0, 0)


def test_add_refuses_unknown_datasets_and_documents(tenant_a, dataset, document):
    other_dataset = new_dataset(tenant_a)
    elsewhere = new_document(tenant_a, other_dataset)
    unknown_ds, unknown_doc = uuid.uuid1().hex, uuid.uuid1().hex
    assert add(tenant_a, unknown_ds, document, {"content": "x"}) == dataset_not_owned(unknown_ds)
    assert add(tenant_a, dataset, unknown_doc, {"content": "x"}) == document_not_owned(unknown_doc)
    assert add(tenant_a, dataset, elsewhere, {"content": "x"}) == document_not_owned(elsewhere)
    assert add(tenant_a, other_dataset, document, {"content": "x"}) == document_not_owned(document)
    assert add(tenant_a, dataset, unknown_doc, {"content": ""}) == document_not_owned(unknown_doc), (
        "ids are checked before the body"
    )
    assert listing(tenant_a, dataset, document)["total"] == 0
    assert listing(tenant_a, other_dataset, elsewhere)["total"] == 0


# list --------------------------------------------------------------------------------------------
def test_list_answers_the_list_shape(tenant_a, dataset):
    name = unique("shape") + ".txt"
    document = new_document(tenant_a, dataset, name)
    empty = listing(tenant_a, dataset, document)
    assert (empty["total"], empty["chunks"]) == (0, [])
    chunk = added(
        tenant_a, dataset, document, "Shape of a listed chunk", important_keywords=["k1"], questions=["q1"]
    )
    data = listing(tenant_a, dataset, document)
    assert data["total"] == 1
    assert data["chunks"] == [
        {
            "id": chunk["id"],
            "content": "Shape of a listed chunk",
            "document_id": document,
            "docnm_kwd": name,
            "important_keywords": ["k1"],
            "questions": ["q1"],
            "dataset_id": dataset,
            "image_id": "",
            "available": True,
            "positions": [],
        }
    ]
    doc = data["doc"]
    assert set(doc) == SDK_DOCUMENT_KEYS, doc
    assert doc == document_record(tenant_a, dataset, document)
    assert (doc["id"], doc["name"], doc["dataset_id"], doc["chunk_count"]) == (document, name, dataset, 1)
    assert doc["token_count"] > 0


def test_list_orders_newest_first(tenant_a, dataset, document):
    ids = [
        added(tenant_a, dataset, document, f"ordered chunk {word}")["id"] for word in ("one", "two", "three")
    ]
    assert listed_ids(tenant_a, dataset, document) == ids[::-1]
    assert listed_ids(tenant_a, dataset, document, keywords="") == ids[::-1], "empty keywords: no filter"
    assert listed_ids(tenant_a, dataset, document, id="") == ids[::-1], (
        "empty id: no lookup (the SDK sends it)"
    )


def test_list_pages_by_thirty(tenant_a, dataset, paged):
    document, newest_first = paged
    data = listing(tenant_a, dataset, document)
    assert (data["total"], [c["id"] for c in data["chunks"]]) == (31, newest_first[:30])
    assert data["doc"]["chunk_count"] == 31
    second = listing(tenant_a, dataset, document, page=2)
    assert (second["total"], [c["id"] for c in second["chunks"]]) == (31, newest_first[30:])
    pages = [listing(tenant_a, dataset, document, page=p, page_size=7)["chunks"] for p in range(1, 6)]
    assert [len(p) for p in pages] == [7, 7, 7, 7, 3]
    assert [c["id"] for p in pages for c in p] == newest_first
    far = listing(tenant_a, dataset, document, page=99, page_size=10)
    assert (far["total"], far["chunks"]) == (31, [])
    assert len(listing(tenant_a, dataset, document, page_size=31)["chunks"]) == 31
    assert len(listing(tenant_a, dataset, document, page_size=1)["chunks"]) == 1


@pytest.mark.parametrize("raw", ["2", " 2 ", "+2", "02", "1_0"])
def test_paging_parameters_are_parsed_with_python_int(tenant_a, dataset, paged, raw):
    document, newest_first = paged
    n = int(raw)
    data = listing(tenant_a, dataset, document, page=raw, page_size=3)
    assert [c["id"] for c in data["chunks"]] == newest_first[(n - 1) * 3 : n * 3]
    data = listing(tenant_a, dataset, document, page=1, page_size=raw)
    assert [c["id"] for c in data["chunks"]] == newest_first[:n]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        pytest.param({"page": "a"}, int_error("a"), id="page-letter"),
        pytest.param({"page": ""}, int_error(""), id="page-empty"),
        pytest.param({"page": "1.5"}, int_error("1.5"), id="page-float"),
        pytest.param({"page_size": "x"}, int_error("x"), id="size-letter"),
        pytest.param({"page_size": "1e3"}, int_error("1e3"), id="size-exponent"),
        pytest.param({"page": "0"}, NEGATIVE_SLICING, id="page-zero"),
        pytest.param({"page": "-1"}, NEGATIVE_SLICING, id="page-negative"),
    ],
)
def test_bad_paging_parameters_are_exceptions(tenant_a, dataset, paged, params, expected):
    document, _ = paged
    assert list_reply(tenant_a, dataset, document, **params) == expected


def test_list_by_id(tenant_a, dataset, document):
    mine = added(tenant_a, dataset, document, "looked up by id", questions=["which one?"])
    added(tenant_a, dataset, document, "another chunk of the same document")
    data = listing(tenant_a, dataset, document, id=mine["id"])
    assert data["total"] == 1
    assert data["chunks"] == [c for c in listed(tenant_a, dataset, document) if c["id"] == mine["id"]]
    assert data["doc"]["id"] == document

    missing = "0123456789abcdef"
    assert list_reply(tenant_a, dataset, document, id=missing) == {
        "code": 404,
        "message": f"Chunk not found: {dataset}/{missing}",
    }
    # The chunk is looked up in the dataset; its document is not verified (QUIRK of §6-L).
    sibling = new_document(tenant_a, dataset)
    assert by_id(tenant_a, dataset, sibling, mine["id"])["document_id"] == document
    # Another dataset of the same tenant does not have it.
    other_dataset = new_dataset(tenant_a)
    other_doc = new_document(tenant_a, other_dataset)
    assert list_reply(tenant_a, other_dataset, other_doc, id=mine["id"]) == {
        "code": 404,
        "message": f"Chunk not found: {other_dataset}/{mine['id']}",
    }


def test_list_by_keywords_is_full_text_with_highlights(tenant_a, dataset, document):
    fox = added(tenant_a, dataset, document, "The quick brown fox jumps over the fence")
    dog = added(tenant_a, dataset, document, "A lazy dog sleeps under the porch")
    barn = added(tenant_a, dataset, document, "Another fox hides behind the old barn door")
    elsewhere = new_document(tenant_a, dataset)
    added(tenant_a, dataset, elsewhere, "A fox from another document")

    data = listing(tenant_a, dataset, document, keywords="fox")
    assert data["total"] == 2
    assert {c["id"] for c in data["chunks"]} == {fox["id"], barn["id"]}, "restricted to the document"
    originals = {fox["id"]: fox["content"], barn["id"]: barn["content"]}
    for item in data["chunks"]:
        assert "<em>fox</em>" in item["content"], item
        assert re.sub(r"</?em>", "", item["content"]) == originals[item["id"]]
    assert {c["id"] for c in listed(tenant_a, dataset, document, keywords="FOX")} == {fox["id"], barn["id"]}
    assert listed_ids(tenant_a, dataset, document, keywords="foxes jumping")[0] == fox["id"], "stems match"
    assert listed_ids(tenant_a, dataset, document, keywords="fox barn")[0] == barn["id"], "relevance order"
    (porch,) = listed(tenant_a, dataset, document, keywords="porch")
    assert porch["id"] == dog["id"]
    assert "<em>porch</em>" in porch["content"] or porch["content"] == dog["content"]

    nothing = listing(tenant_a, dataset, document, keywords="zebra")
    assert (nothing["total"], nothing["chunks"]) == (0, []), "no vector fallback"
    one_page = listing(tenant_a, dataset, document, keywords="fox", page_size=1)
    assert (one_page["total"], len(one_page["chunks"])) == (2, 1)


def test_list_refuses_unknown_datasets_and_documents(tenant_a, dataset, document):
    other_dataset = new_dataset(tenant_a)
    elsewhere = new_document(tenant_a, other_dataset)
    unknown_ds, unknown_doc = uuid.uuid1().hex, uuid.uuid1().hex
    assert list_reply(tenant_a, unknown_ds, document) == dataset_not_owned(unknown_ds)
    assert list_reply(tenant_a, dataset, unknown_doc) == document_not_owned(unknown_doc)
    assert list_reply(tenant_a, dataset, elsewhere) == document_not_owned(elsewhere)
    assert list_reply(tenant_a, unknown_ds, unknown_doc, page="x") == dataset_not_owned(unknown_ds)


# delete ------------------------------------------------------------------------------------------
def test_delete_listed_chunks(tenant_a, dataset, document):
    a, b, c = (
        added(tenant_a, dataset, document, f"deletable {w}")["id"] for w in ("apple", "banana", "cherry")
    )
    assert remove(tenant_a, dataset, document, {"chunk_ids": [a, c]}) == {"code": 0}
    assert listed_ids(tenant_a, dataset, document) == [b]
    assert list_reply(tenant_a, dataset, document, id=a) == {
        "code": 404,
        "message": f"Chunk not found: {dataset}/{a}",
    }
    assert doc_counts(tenant_a, dataset, document)[0] == 1


def test_delete_with_unknown_ids_deletes_the_known_ones(tenant_a, dataset, document):
    a, b = (added(tenant_a, dataset, document, f"partly {w}")["id"] for w in ("kept", "gone"))
    assert remove(tenant_a, dataset, document, {"chunk_ids": [b, "invalid_id"]}) == {
        "code": 102,
        "message": "rm_chunk deleted chunks 1, expect 2",
    }
    assert listed_ids(tenant_a, dataset, document) == [a]
    assert remove(tenant_a, dataset, document, {"chunk_ids": [b]}) == {
        "code": 102,
        "message": "rm_chunk deleted chunks 0, expect 1",
    }, "deleting twice"
    assert listed_ids(tenant_a, dataset, document) == [a]
    assert doc_counts(tenant_a, dataset, document)[0] == 1


def test_delete_collapses_duplicates(tenant_a, dataset, document):
    a, b, c = (added(tenant_a, dataset, document, f"duplicated {w}")["id"] for w in ("x", "y", "z"))
    assert remove(tenant_a, dataset, document, {"chunk_ids": [a, a, b]}) == {
        "code": 0,
        "data": {"success_count": 2, "errors": [f"Duplicate chunk ids: {a}"]},
    }
    assert listed_ids(tenant_a, dataset, document) == [c]
    assert doc_counts(tenant_a, dataset, document)[0] == 1
    assert remove(tenant_a, dataset, document, {"chunk_ids": [c, c, "invalid_id"]}) == {
        "code": 102,
        "message": "rm_chunk deleted chunks 1, expect 2",
    }, "a miss wins over duplicates"
    assert listed(tenant_a, dataset, document) == []
    assert doc_counts(tenant_a, dataset, document) == (0, 0)


@pytest.mark.parametrize(
    "body",
    [{"chunk_ids": []}, {"chunk_ids": None}, {}, {"other": 1}],
    ids=["empty-list", "null", "absent", "absent-with-other-keys"],
)
def test_delete_without_chunk_ids_deletes_every_chunk_of_the_document(tenant_a, dataset, document, body):
    sibling = new_document(tenant_a, dataset)
    kept = added(tenant_a, dataset, sibling, "the sibling keeps this")["id"]
    sibling_counts = doc_counts(tenant_a, dataset, sibling)
    for word in ("one", "two", "three"):
        added(tenant_a, dataset, document, f"wiped {word}")
    assert remove(tenant_a, dataset, document, body) == {"code": 0}
    assert listing(tenant_a, dataset, document)["total"] == 0
    assert doc_counts(tenant_a, dataset, document) == (0, 0)
    assert listed_ids(tenant_a, dataset, sibling) == [kept]
    assert doc_counts(tenant_a, dataset, sibling) == sibling_counts
    assert remove(tenant_a, dataset, document, body) == {"code": 0}, "nothing left: still fine"


@pytest.mark.parametrize("content", [b"null", b"", b"not json"], ids=["null", "empty", "not-json"])
def test_delete_with_no_object_body_deletes_nothing(tenant_a, dataset, document, content):
    added(tenant_a, dataset, document, "survives a bad body")
    before = snapshot(tenant_a, dataset, document)
    reply = remove(tenant_a, dataset, document, content=content, headers={"Content-Type": "application/json"})
    assert reply == NOT_ITERABLE
    assert snapshot(tenant_a, dataset, document) == before


def test_delete_refuses_unknown_datasets_and_documents(tenant_a, dataset, document):
    chunk = added(tenant_a, dataset, document, "not deleted by mistakes")["id"]
    before = snapshot(tenant_a, dataset, document)
    unknown_ds, unknown_doc = uuid.uuid1().hex, uuid.uuid1().hex
    assert remove(tenant_a, unknown_ds, document, {"chunk_ids": [chunk]}) == dataset_not_owned(unknown_ds)
    assert remove(tenant_a, dataset, unknown_doc, {"chunk_ids": [chunk]}) == {
        "code": 100,
        "data": None,
        "message": f'LookupError("Can\'t find the document with ID {unknown_doc}!")',
    }
    assert remove(tenant_a, dataset, unknown_doc, {"chunk_ids": []})["code"] == 100
    assert snapshot(tenant_a, dataset, document) == before


# update ------------------------------------------------------------------------------------------
def test_update_re_tokenizes_and_re_embeds_the_content(tenant_a, dataset, document):
    chunk = added(tenant_a, dataset, document, "The lighthouse keeper polished the brass telescope")["id"]
    assert chunk in retrieved(tenant_a, dataset, "lighthouse telescope")
    counts = doc_counts(tenant_a, dataset, document), dataset_counts(tenant_a, dataset)
    changed(
        tenant_a, dataset, document, chunk, {"content": "Quarterly invoices were reconciled by accounting"}
    )
    item = by_id(tenant_a, dataset, document, chunk)
    assert (item["id"], item["content"]) == (chunk, "Quarterly invoices were reconciled by accounting")
    assert chunk not in retrieved(tenant_a, dataset, "lighthouse telescope"), "the old words are gone"
    assert chunk in retrieved(tenant_a, dataset, "invoices reconciled"), "the new words find it"
    assert listed_ids(tenant_a, dataset, document, keywords="invoices") == [chunk]
    body = envelope(
        tenant_a.sdk.post(
            "/api/v1/retrieval",
            json={
                "dataset_ids": [dataset],
                "question": "Quarterly invoices were reconciled by accounting",
                "vector_similarity_weight": 1,
                "similarity_threshold": 0,
            },
        )
    )
    (hit,) = (c for c in body["data"]["chunks"] if c["id"] == chunk)
    assert hit["vector_similarity"] > 0.5, "re-embedded: the vector follows the new content"
    assert listed_ids(tenant_a, dataset, document, keywords="lighthouse") == []
    assert (doc_counts(tenant_a, dataset, document), dataset_counts(tenant_a, dataset)) == counts


def test_update_keywords_questions_and_nothing(tenant_a, dataset, document):
    chunk = added(
        tenant_a, dataset, document, "fields get replaced", important_keywords=["old"], questions=["old?"]
    )["id"]
    changed(tenant_a, dataset, document, chunk, {"important_keywords": ["new", "new", ""]})
    item = by_id(tenant_a, dataset, document, chunk)
    assert (item["important_keywords"], item["questions"]) == (["new", "new", ""], ["old?"])
    changed(tenant_a, dataset, document, chunk, {"questions": ["  trimmed?  ", "", " "]})
    item = by_id(tenant_a, dataset, document, chunk)
    assert (item["content"], item["important_keywords"], item["questions"]) == (
        "fields get replaced",
        ["new", "new", ""],
        ["trimmed?"],
    )
    assert chunk not in retrieved(tenant_a, dataset, "xylophone marmots")
    changed(tenant_a, dataset, document, chunk, {"important_keywords": ["xylophone"]})
    assert chunk in retrieved(tenant_a, dataset, "xylophone"), "new keywords are indexed"
    changed(tenant_a, dataset, document, chunk, {"questions": ["Where do marmots hibernate?"]})
    assert chunk in retrieved(tenant_a, dataset, "marmots hibernate"), "new questions are indexed"
    item = by_id(tenant_a, dataset, document, chunk)
    assert (item["important_keywords"], item["questions"]) == (["xylophone"], ["Where do marmots hibernate?"])
    before = listed(tenant_a, dataset, document)
    changed(tenant_a, dataset, document, chunk, {})
    changed(tenant_a, dataset, document, chunk, {"unknown_key": "ignored", "id": "ffffffffffffffff"})
    assert listed(tenant_a, dataset, document) == before


def test_unavailable_chunks_are_listed_but_not_retrieved(tenant_a, dataset, document):
    chunk = added(tenant_a, dataset, document, "Penguins waddle across the frozen Antarctic shelf")["id"]
    assert chunk in retrieved(tenant_a, dataset, "penguins antarctic")
    changed(tenant_a, dataset, document, chunk, {"available": False})
    assert by_id(tenant_a, dataset, document, chunk)["available"] is False
    assert listing(tenant_a, dataset, document)["total"] == 1, "the list shows every chunk"
    assert chunk not in retrieved(tenant_a, dataset, "penguins antarctic")
    changed(tenant_a, dataset, document, chunk, {"available": True})
    assert by_id(tenant_a, dataset, document, chunk)["available"] is True
    assert chunk in retrieved(tenant_a, dataset, "penguins antarctic")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param({"content": None}, NOT_A_STRING, id="content-null"),
        pytest.param({"content": 1}, NOT_A_STRING, id="content-int"),
        pytest.param({"content": ["a"]}, NOT_A_STRING, id="content-list"),
        pytest.param({"important_keywords": "abc"}, UPDATE_KEYWORDS_NOT_A_LIST, id="keywords-str"),
        pytest.param({"important_keywords": 123}, UPDATE_KEYWORDS_NOT_A_LIST, id="keywords-int"),
        pytest.param({"important_keywords": [1]}, sequence_item(0, "int"), id="keyword-int"),
        pytest.param({"important_keywords": ["a", 2]}, sequence_item(1, "int"), id="keyword-second"),
        pytest.param({"questions": "abc"}, UPDATE_QUESTIONS_NOT_A_LIST, id="questions-str"),
        pytest.param({"questions": {"q": 1}}, UPDATE_QUESTIONS_NOT_A_LIST, id="questions-object"),
        pytest.param({"questions": [1]}, sequence_item(0, "int"), id="question-int"),
    ],
)
def test_update_refuses_bad_input_and_changes_nothing(tenant_a, dataset, steady, body, expected):
    document, chunk = steady
    before = snapshot(tenant_a, dataset, document)
    assert change(tenant_a, dataset, document, chunk, body) == expected
    assert snapshot(tenant_a, dataset, document) == before


def test_update_with_a_body_that_is_not_an_object(tenant_a, dataset, document):
    chunk = added(tenant_a, dataset, document, "bodies must be objects")["id"]
    before = snapshot(tenant_a, dataset, document)
    for content in (b"null", b"", b"not json"):
        reply = tenant_a.sdk.put(
            chunk_path(dataset, document, chunk),
            content=content,
            headers={"Content-Type": "application/json"},
        )
        body = envelope(reply)
        assert (body["code"], body["data"]) == (100, None), body
        assert body["message"].startswith("TypeError("), body
    assert snapshot(tenant_a, dataset, document) == before


def test_update_refusals(tenant_a, dataset, document):
    chunk = added(tenant_a, dataset, document, "refusals leave me alone")["id"]
    before = snapshot(tenant_a, dataset, document)
    unknown_ds, unknown_doc, unknown_chunk = uuid.uuid1().hex, uuid.uuid1().hex, "0123456789abcdef"
    assert change(tenant_a, dataset, document, unknown_chunk, {"content": "x"}) == chunk_not_found(
        unknown_chunk
    )
    assert change(tenant_a, dataset, document, "invalid_id", {"content": None}) == chunk_not_found(
        "invalid_id"
    ), "the chunk is looked up before the body is read"
    assert change(tenant_a, unknown_ds, document, chunk, {"content": "x"}) == chunk_not_found(chunk), (
        "the chunk is looked up in the dataset of the path"
    )
    other_dataset = new_dataset(tenant_a)
    assert change(tenant_a, other_dataset, document, chunk, {"content": "x"}) == chunk_not_found(chunk)
    assert change(tenant_a, dataset, unknown_doc, chunk, {"content": "x"}) == document_not_owned(unknown_doc)
    assert snapshot(tenant_a, dataset, document) == before

    assert remove(tenant_a, dataset, document, {"chunk_ids": [chunk]}) == {"code": 0}
    assert change(tenant_a, dataset, document, chunk, {"content": "x"}) == chunk_not_found(chunk)
    assert listed(tenant_a, dataset, document) == []


def test_qa_documents_need_a_question_and_an_answer(tenant_a, dataset, document):
    reply = envelope(
        tenant_a.sdk.put(f"/api/v1/datasets/{dataset}/documents/{document}", json={"chunk_method": "qa"})
    )
    assert reply["code"] == 0, reply
    assert reply["data"]["chunk_method"] == "qa"
    chunk = added(tenant_a, dataset, document, "What does citeflow copy?\tRAGFlow's API.")["id"]
    before = snapshot(tenant_a, dataset, document)
    for content in (
        "a single line without separator",
        "one\ttwo\tthree",
        "first line\nsecond line\nthird line",
        "Q\tA",
        "What?\tA",
        "",
    ):
        assert change(tenant_a, dataset, document, chunk, {"content": content}) == QA_RULE, content
    assert snapshot(tenant_a, dataset, document) == before

    changed(
        tenant_a, dataset, document, chunk, {"content": "Which ocean is largest?\t\tThe Pacific Ocean.\n"}
    )
    content = by_id(tenant_a, dataset, document, chunk)["content"]
    assert "Which ocean is largest?" in content
    assert "The Pacific Ocean." in content
    changed(tenant_a, dataset, document, chunk, {"content": "Which river is longest?\nThe Nile, probably."})
    content = by_id(tenant_a, dataset, document, chunk)["content"]
    assert "Which river is longest?" in content
    assert "The Nile, probably." in content


# counters ----------------------------------------------------------------------------------------
def test_counters_follow_adds_and_deletes_exactly(tenant_a):
    dataset = new_dataset(tenant_a)
    first, second = new_document(tenant_a, dataset), new_document(tenant_a, dataset)
    assert doc_counts(tenant_a, dataset, first) == (0, 0)
    assert dataset_counts(tenant_a, dataset) == (0, 0)

    short = "Counting tokens of a short chunk"
    long = " ".join(["A much longer chunk makes the embedding model count many more tokens."] * 5)
    x = added(tenant_a, dataset, first, short)["id"]
    chunks, tx = doc_counts(tenant_a, dataset, first)
    assert chunks == 1
    assert tx > 0, "token_count grows by the embedding call's token count"
    assert dataset_counts(tenant_a, dataset) == (1, tx)
    y = added(tenant_a, dataset, first, long)["id"]
    chunks, tokens = doc_counts(tenant_a, dataset, first)
    ty = tokens - tx
    assert (chunks, ty > tx) == (2, True)
    z = added(tenant_a, dataset, second, "A chunk of the second document")["id"]
    tz = doc_counts(tenant_a, dataset, second)[1]
    assert tz > 0
    assert dataset_counts(tenant_a, dataset) == (3, tx + ty + tz)
    assert listing(tenant_a, dataset, first)["doc"]["chunk_count"] == 2

    changed(tenant_a, dataset, first, x, {"content": short + " edited"})
    changed(tenant_a, dataset, first, x, {"content": short, "available": False})
    changed(tenant_a, dataset, first, x, {"available": True})
    assert doc_counts(tenant_a, dataset, first) == (2, tx + ty), "updates change no counter"

    assert remove(tenant_a, dataset, first, {"chunk_ids": [x]}) == {"code": 0}
    assert doc_counts(tenant_a, dataset, first) == (1, ty), "the deleted chunk's real tokens are subtracted"
    assert dataset_counts(tenant_a, dataset) == (2, ty + tz)

    assert added(tenant_a, dataset, first, short)["id"] == x
    assert doc_counts(tenant_a, dataset, first) == (2, tx + ty), "the same text costs the same tokens"
    added(tenant_a, dataset, first, short)
    assert doc_counts(tenant_a, dataset, first)[0] == 2 == listing(tenant_a, dataset, first)["total"]

    assert remove(tenant_a, dataset, first, {"chunk_ids": [x, y, "invalid_id"]})["code"] == 102
    assert doc_counts(tenant_a, dataset, first) == (0, 0), "a partial delete counts what it deleted"
    added(tenant_a, dataset, first, short)
    added(tenant_a, dataset, first, long)
    added(tenant_a, dataset, first, long)
    assert remove(tenant_a, dataset, first, {"chunk_ids": None}) == {"code": 0}
    assert doc_counts(tenant_a, dataset, first) == (0, 0), "adding and deleting everything restores them"
    assert dataset_counts(tenant_a, dataset) == (1, tz)
    assert remove(tenant_a, dataset, second, {}) == {"code": 0}
    assert listed_ids(tenant_a, dataset, second) == []
    assert dataset_counts(tenant_a, dataset) == (0, 0)
    assert z not in retrieved(tenant_a, dataset, "second document chunk")


# tenant isolation --------------------------------------------------------------------------------
def test_another_tenant_can_do_nothing_with_my_chunks(tenant_a, tenant_b, dataset, document):
    chunk = added(tenant_a, dataset, document, "Confidential merger plans for Zanzibar")["id"]
    before = snapshot(tenant_a, dataset, document)
    refused = dataset_not_owned(dataset)
    attempts: list[tuple[str, str, dict[str, Any]]] = [
        ("GET", chunks_path(dataset, document), {}),
        ("GET", chunks_path(dataset, document), {"params": {"id": chunk}}),
        ("GET", chunks_path(dataset, document), {"params": {"keywords": "merger"}}),
        ("POST", chunks_path(dataset, document), {"json": {"content": "planted by bob"}}),
        ("POST", chunks_path(dataset, document), {"json": {"content": ""}}),
        ("DELETE", chunks_path(dataset, document), {"json": {"chunk_ids": [chunk]}}),
        ("DELETE", chunks_path(dataset, document), {"json": {"chunk_ids": []}}),
        ("DELETE", chunks_path(dataset, document), {"json": {"chunk_ids": None}}),
        ("DELETE", chunks_path(dataset, document), {"json": {}}),
        ("PUT", chunk_path(dataset, document, chunk), {"json": {"content": "defaced"}}),
        ("PUT", chunk_path(dataset, document, chunk), {"json": {"available": False}}),
        ("PUT", chunk_path(dataset, document, chunk), {"json": {"important_keywords": ["pwned"]}}),
    ]
    for method, path, kwargs in attempts:
        replayed = as_other_tenant(tenant_a.sdk.build_request(method, path, **kwargs), tenant_b)
        assert envelope(replayed) == refused, (method, path, kwargs)
    reply = tenant_b.sdk.post(
        "/api/v1/retrieval", json={"dataset_ids": [dataset], "question": "merger Zanzibar"}
    )
    assert envelope(reply) == refused

    # Tenant B's own dataset and document, with tenant A's ids.
    theirs = new_dataset(tenant_b)
    their_doc = new_document(tenant_b, theirs)
    assert list_reply(tenant_b, theirs, document) == document_not_owned(document)
    assert add(tenant_b, theirs, document, {"content": "planted"}) == document_not_owned(document)
    assert list_reply(tenant_b, theirs, their_doc, id=chunk) == {
        "code": 404,
        "message": f"Chunk not found: {theirs}/{chunk}",
    }
    assert change(tenant_b, theirs, their_doc, chunk, {"content": "defaced"}) == chunk_not_found(chunk)
    assert change(tenant_b, theirs, document, chunk, {"content": "defaced"}) == chunk_not_found(chunk)
    assert remove(tenant_b, theirs, document, {"chunk_ids": [chunk]}) == {
        "code": 102,
        "message": "rm_chunk deleted chunks 0, expect 1",
    }
    assert remove(tenant_b, theirs, document, {"chunk_ids": None}) == {"code": 0}
    assert listed(tenant_b, theirs, their_doc) == []
    assert listed(tenant_b, theirs, their_doc, keywords="merger") == []
    assert retrieved(tenant_b, theirs, "merger Zanzibar") == []
    assert dataset_counts(tenant_b, theirs) == (0, 0)

    assert snapshot(tenant_a, dataset, document) == before, "nothing of mine changed"
    assert chunk in retrieved(tenant_a, dataset, "merger Zanzibar")


# the official SDK --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sdk_tenant(server: RunningServer) -> Iterator[Tenant]:
    with open_tenant(server, "sdk-chunks") as tenant:
        yield tenant


def test_the_official_sdk_manages_chunks(server, sdk_tenant):
    ragflow_sdk = pytest.importorskip("ragflow_sdk")
    rag = ragflow_sdk.RAGFlow(api_key=sdk_tenant.api_key, base_url=server.url)
    ds = rag.create_dataset(name=unique("sdk-chunks"))
    (doc,) = ds.upload_documents([{"display_name": "sdk.txt", "blob": b"sdk text"}])

    first = doc.add_chunk(
        "Volcanoes erupt molten basalt near Iceland", important_keywords=["lava"], questions=["Where?"]
    )
    assert isinstance(first, ragflow_sdk.Chunk)
    assert first.id == expected_id("Volcanoes erupt molten basalt near Iceland", doc.id)
    assert (first.content, first.important_keywords, first.questions) == (
        "Volcanoes erupt molten basalt near Iceland",
        ["lava"],
        ["Where?"],
    )
    assert (first.document_id, first.dataset_id) == (doc.id, ds.id)
    second = doc.add_chunk("Glaciers carve deep fjords in Norway")

    assert [c.id for c in doc.list_chunks()] == [second.id, first.id]
    (found,) = doc.list_chunks(keywords="fjords")
    assert found.id == second.id
    assert "<em>fjords</em>" in found.content
    (looked_up,) = doc.list_chunks(id=first.id)
    assert (looked_up.id, looked_up.available, looked_up.document_id) == (first.id, True, doc.id)
    assert [c.id for c in doc.list_chunks(page=2, page_size=1)] == [first.id]

    assert first.id in [c.id for c in rag.retrieve(dataset_ids=[ds.id], question="volcanoes basalt")]
    first.update({"content": "Rainforests shelter colourful toucans"})
    (looked_up,) = doc.list_chunks(id=first.id)
    assert looked_up.content == "Rainforests shelter colourful toucans"
    assert first.id not in [c.id for c in rag.retrieve(dataset_ids=[ds.id], question="volcanoes basalt")]
    hits = rag.retrieve(dataset_ids=[ds.id], question="rainforests toucans")
    assert first.id in [c.id for c in hits]
    assert all(isinstance(c, ragflow_sdk.Chunk) for c in hits)
    first.update({"available": False})
    assert first.id not in [c.id for c in rag.retrieve(dataset_ids=[ds.id], question="rainforests toucans")]
    assert doc.list_chunks(id=first.id)[0].available is False
    with pytest.raises(ragflow_sdk.modules.chunk.ChunkUpdateError) as refused:
        first.update({"important_keywords": "not a list"})
    assert (refused.value.code, refused.value.message) == (102, "`important_keywords` should be a list")

    (listed_doc,) = ds.list_documents(id=doc.id)
    assert listed_doc.chunk_count == 2
    assert listed_doc.token_count > 0
    doc.delete_chunks()
    assert doc.list_chunks() == []
    (listed_doc,) = ds.list_documents(id=doc.id)
    assert (listed_doc.chunk_count, listed_doc.token_count) == (0, 0)
    (record,) = rag.list_datasets(id=ds.id)
    assert record.chunk_count == 0
    assert rag.retrieve(dataset_ids=[ds.id], question="glaciers fjords") == []
