"""Chunks follow their documents, over HTTP, on both databases: the documents' and datasets'
routes switch, forget and delete them, and retrieval follows.

Chunks are added through the SDK chunk API; a chunk with an image (which only parsing makes) is
written straight into the chunk table of record.
"""

import json
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from citeflow.core.clock import now_ms
from citeflow.db import Database
from citeflow.db.chunks import ChunkRepo
from citeflow.search import chunk_id
from citeflow.search.analysis import chunk_fields
from citeflow.storage import LocalBlobStore
from tests.conftest import RunningServer, Tenant, make_tenant


@pytest.fixture(scope="module")
def alice(server: RunningServer) -> Tenant:
    return make_tenant(server, "chunks-alice")


@pytest.fixture(scope="module")
def database(server: RunningServer) -> Iterator[Database]:
    db = Database(server.settings.database_url)
    yield db
    db.close()


def new_document(alice: Tenant, name: str = "notes.txt") -> tuple[str, str]:
    dataset = alice.sdk.post("/api/v1/datasets", json={"name": f"chunks-{uuid.uuid4().hex}"}).json()["data"]
    reply = alice.sdk.post(
        f"/api/v1/datasets/{dataset['id']}/documents", files=[("file", (name, b"some text"))]
    )
    return dataset["id"], reply.json()["data"][0]["id"]


def add_chunks(alice: Tenant, dataset_id: str, document_id: str, *texts: str) -> list[str]:
    url = f"/api/v1/datasets/{dataset_id}/documents/{document_id}/chunks"
    replies = [alice.sdk.post(url, json={"content": t}).json() for t in texts]
    assert all(r["code"] == 0 for r in replies), replies
    return [r["data"]["chunk"]["id"] for r in replies]


def add_image_chunk(db: Database, dataset_id: str, document_id: str, content: str) -> str:
    """A chunk carrying an image, as a parser would write it."""
    new_id = chunk_id(content, document_id)
    now = now_ms()
    row = {
        "id": new_id,
        "dataset_id": dataset_id,
        "document_id": document_id,
        "content": content,
        "available": True,
        "image_id": f"{dataset_id}-{new_id}",
        "fields": json.dumps(chunk_fields(content, "notes.txt")),
        "create_time": now,
        "update_time": now,
    }
    with db.transaction() as s:
        ChunkRepo(s).upsert([row])
    return new_id


def listed(alice: Tenant, dataset_id: str, document_id: str) -> list[dict]:
    url = f"/api/v1/datasets/{dataset_id}/documents/{document_id}/chunks"
    return alice.sdk.get(url).json()["data"]["chunks"]


def retrieved(alice: Tenant, dataset_id: str, question: str) -> list[str]:
    reply = alice.sdk.post("/api/v1/retrieval", json={"dataset_ids": [dataset_id], "question": question})
    return [c["content"] for c in reply.json()["data"]["chunks"]]


def set_counts(db: Database, table: str, row_id: str, chunks: int, tokens: int) -> None:
    """Stand-in for a finished parse: the counters a parse would leave."""
    with db.transaction() as s:
        s.execute(
            text(f"UPDATE {table} SET chunk_num = :c, token_num = :t WHERE id = :i"),
            {"c": chunks, "t": tokens, "i": row_id},
        )


def availability(alice: Tenant, dataset_id: str, document_id: str) -> list[bool]:
    return [c["available"] for c in listed(alice, dataset_id, document_id)]


def test_the_chunk_id_is_xxhash64_of_content_and_document():
    assert chunk_id("hello", "doc") == "b50e0dc05e716d33"
    assert len(chunk_id("", "x")) == 16


def test_disabling_a_document_switches_its_chunks_off_and_on(alice, database):
    dataset_id, doc_id = new_document(alice)
    add_chunks(alice, dataset_id, doc_id, "one zebra", "two zebras")
    assert len(retrieved(alice, dataset_id, "zebra")) == 2
    reply = alice.web.post("/v1/document/change_status", json={"doc_ids": [doc_id], "status": "0"})
    assert reply.json()["data"] == {doc_id: {"status": "0"}}
    assert availability(alice, dataset_id, doc_id) == [False, False]
    assert retrieved(alice, dataset_id, "zebra") == []
    reply = alice.sdk.put(f"/api/v1/datasets/{dataset_id}/documents/{doc_id}", json={"enabled": True})
    assert reply.json() == {"code": 0, "data": True}
    assert availability(alice, dataset_id, doc_id) == [True, True]
    assert len(retrieved(alice, dataset_id, "zebra")) == 2


def test_deleting_a_document_deletes_its_chunks_and_their_images(alice, database, server):
    dataset_id, doc_id = new_document(alice)
    image_chunk = add_image_chunk(database, dataset_id, doc_id, "a figure of a walrus")
    keep_id = new_document(alice, "other.txt")
    add_chunks(alice, keep_id[0], keep_id[1], "kept walrus")
    assert retrieved(alice, dataset_id, "walrus") == ["a figure of a walrus"]
    blobs = server.settings.data_dir / "files" / dataset_id
    before = set(blobs.iterdir())
    LocalBlobStore(server.settings.data_dir / "files").put(dataset_id, image_chunk, b"\x89PNG image")
    assert len(set(blobs.iterdir())) == len(before) + 1
    reply = alice.sdk.request("DELETE", f"/api/v1/datasets/{dataset_id}/documents", json={"ids": [doc_id]})
    assert reply.json() == {"code": 0}
    with database.read() as s:
        assert ChunkRepo(s).of_document(doc_id) == ([], 0)
    assert list(blobs.iterdir()) == []
    assert retrieved(alice, dataset_id, "walrus") == []
    assert retrieved(alice, keep_id[0], "walrus") == ["kept walrus"]


def test_deleting_a_dataset_deletes_every_chunk_of_it(alice, database):
    dataset_id, doc_id = new_document(alice)
    add_chunks(alice, dataset_id, doc_id, "one", "two", "three")
    reply = alice.sdk.request("DELETE", "/api/v1/datasets", json={"ids": [dataset_id]})
    assert reply.json() == {"code": 0}
    with database.read() as s:
        left = s.execute(text("SELECT count(*) FROM chunk WHERE dataset_id = :d"), {"d": dataset_id}).scalar()
    assert left == 0


def test_a_new_chunk_method_forgets_parsed_chunks_and_counters(alice, database):
    dataset_id, doc_id = new_document(alice)
    add_chunks(alice, dataset_id, doc_id, "one", "two")
    set_counts(database, "document", doc_id, 2, 40)
    set_counts(database, "dataset", dataset_id, 2, 40)
    reply = alice.web.post("/v1/document/change_parser", json={"doc_id": doc_id, "parser_id": "qa"})
    assert reply.json()["code"] == 0, reply.text
    assert listed(alice, dataset_id, doc_id) == []
    doc = alice.sdk.get(f"/api/v1/datasets/{dataset_id}/documents", params={"id": doc_id}).json()["data"]
    assert (doc["docs"][0]["chunk_count"], doc["docs"][0]["token_count"], doc["docs"][0]["run"]) == (
        0,
        0,
        "UNSTART",
    )
    dataset = alice.sdk.get("/api/v1/datasets", params={"id": dataset_id}).json()["data"][0]
    assert (dataset["chunk_count"], dataset["token_num"]) == (0, 0)


def test_the_embedding_model_is_fixed_once_a_dataset_has_chunks(alice, database):
    dataset_id, _doc_id = new_document(alice)
    set_counts(database, "dataset", dataset_id, 3, 30)
    reply = alice.sdk.put(f"/api/v1/datasets/{dataset_id}", json={"embedding_model": "other@OpenAI"})
    assert reply.json() == {
        "code": 102,
        "message": "When chunk_num (3) > 0, embedding_model must remain all-MiniLM-L6-v2@Builtin",
    }
    same = alice.sdk.put(
        f"/api/v1/datasets/{dataset_id}", json={"embedding_model": "all-MiniLM-L6-v2@Builtin"}
    )
    assert same.json()["code"] == 0
