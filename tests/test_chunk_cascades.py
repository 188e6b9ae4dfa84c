"""Chunks follow their documents: through the chunk store of record, over HTTP, on both databases.

Chunks are written with the real `SqlChunkStore` on the server's own database (no endpoint makes
them yet); the documents' and datasets' routes must then switch, forget and delete them.
"""

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from citeflow.db import Database
from citeflow.search import ChunkRecord, SqlChunkStore, chunk_id
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


def add_chunks(
    db: Database, dataset_id: str, document_id: str, *texts: str, image: bool = False
) -> list[str]:
    records = [
        ChunkRecord(
            id=chunk_id(t, document_id),
            dataset_id=dataset_id,
            document_id=document_id,
            content=t,
            image_id=f"{dataset_id}-{chunk_id(t, document_id)}" if image else "",
            fields={"important_kwd": ["k"]},
        )
        for t in texts
    ]
    SqlChunkStore(db).upsert(records)
    return [r.id for r in records]


def set_counts(db: Database, table: str, row_id: str, chunks: int, tokens: int) -> None:
    """Stand-in for a finished parse: the counters a parse would leave."""
    with db.transaction() as s:
        s.execute(
            text(f"UPDATE {table} SET chunk_num = :c, token_num = :t WHERE id = :i"),
            {"c": chunks, "t": tokens, "i": row_id},
        )


def availability(db: Database, document_id: str) -> list[bool]:
    chunks, _ = SqlChunkStore(db).list_for_document(document_id)
    return [c.available for c in chunks]


def test_the_chunk_id_is_xxhash64_of_content_and_document():
    assert chunk_id("hello", "doc") == "b50e0dc05e716d33"
    assert len(chunk_id("", "x")) == 16


def test_upserting_the_same_content_overwrites_one_chunk(alice, database):
    dataset_id, doc_id = new_document(alice)
    store = SqlChunkStore(database)
    (first,) = add_chunks(database, dataset_id, doc_id, "same words")
    store.upsert([ChunkRecord(first, dataset_id, doc_id, "same words", fields={"important_kwd": ["z"]})])
    chunks, total = store.list_for_document(doc_id)
    assert total == 1
    assert chunks[0].fields == {"important_kwd": ["z"]}
    assert store.get(dataset_id, first) == chunks[0]
    assert store.get("another-dataset", first) is None


def test_listing_pages_and_filters_by_keyword(alice, database):
    dataset_id, doc_id = new_document(alice)
    add_chunks(database, dataset_id, doc_id, "Alpha one", "beta two", "ALPHA three")
    store = SqlChunkStore(database)
    found, total = store.list_for_document(doc_id, keywords="alpha")
    assert (total, sorted(c.content for c in found)) == (2, ["ALPHA three", "Alpha one"])
    page, total = store.list_for_document(doc_id, offset=1, limit=1)
    assert (total, len(page)) == (3, 1)
    assert store.delete(dataset_id, [found[0].id]) == 1
    assert store.list_for_document(doc_id)[1] == 2


def test_disabling_a_document_switches_its_chunks_off_and_on(alice, database):
    dataset_id, doc_id = new_document(alice)
    add_chunks(database, dataset_id, doc_id, "one", "two")
    reply = alice.web.post("/v1/document/change_status", json={"doc_ids": [doc_id], "status": "0"})
    assert reply.json()["data"] == {doc_id: {"status": "0"}}
    assert availability(database, doc_id) == [False, False]
    reply = alice.sdk.put(f"/api/v1/datasets/{dataset_id}/documents/{doc_id}", json={"enabled": True})
    assert reply.json() == {"code": 0, "data": True}
    assert availability(database, doc_id) == [True, True]


def test_deleting_a_document_deletes_its_chunks_and_their_images(alice, database, server):
    dataset_id, doc_id = new_document(alice)
    (image_chunk,) = add_chunks(database, dataset_id, doc_id, "a figure", image=True)
    keep_id = new_document(alice, "other.txt")
    add_chunks(database, keep_id[0], keep_id[1], "kept")
    blobs = server.settings.data_dir / "files" / dataset_id
    before = set(blobs.iterdir())
    LocalBlobStore(server.settings.data_dir / "files").put(dataset_id, image_chunk, b"\x89PNG image")
    assert len(set(blobs.iterdir())) == len(before) + 1
    reply = alice.sdk.request("DELETE", f"/api/v1/datasets/{dataset_id}/documents", json={"ids": [doc_id]})
    assert reply.json() == {"code": 0}
    assert SqlChunkStore(database).list_for_document(doc_id) == ([], 0)
    assert list(blobs.iterdir()) == []
    assert SqlChunkStore(database).list_for_document(keep_id[1])[1] == 1


def test_deleting_a_dataset_deletes_every_chunk_of_it(alice, database):
    dataset_id, doc_id = new_document(alice)
    add_chunks(database, dataset_id, doc_id, "one", "two", "three")
    reply = alice.sdk.request("DELETE", "/api/v1/datasets", json={"ids": [dataset_id]})
    assert reply.json() == {"code": 0}
    with database.read() as s:
        left = s.execute(text("SELECT count(*) FROM chunk WHERE dataset_id = :d"), {"d": dataset_id}).scalar()
    assert left == 0


def test_a_new_chunk_method_forgets_parsed_chunks_and_counters(alice, database):
    dataset_id, doc_id = new_document(alice)
    add_chunks(database, dataset_id, doc_id, "one", "two")
    set_counts(database, "document", doc_id, 2, 40)
    set_counts(database, "dataset", dataset_id, 2, 40)
    reply = alice.web.post("/v1/document/change_parser", json={"doc_id": doc_id, "parser_id": "qa"})
    assert reply.json()["code"] == 0, reply.text
    assert SqlChunkStore(database).list_for_document(doc_id) == ([], 0)
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
