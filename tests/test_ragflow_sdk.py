"""The official `ragflow-sdk==0.20.5` client against a real citeflow server (spec §19.4).

The SDK decides success only by `code == 0` and builds its objects from `data`, so these tests
show that the shapes it reads are there: datasets (create, list by name and id, update, delete) and
documents (upload, list, update, download, delete). Skipped when the SDK is not installed.
"""

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import SHARED, RunningServer, Tenant
from tests.tenants import open_tenant

ragflow_sdk = pytest.importorskip("ragflow_sdk")

CORPUS = SHARED / "corpus"


@pytest.fixture(scope="module")
def sdk_tenant(server: RunningServer) -> Iterator[Tenant]:
    """A tenant of its own: `delete_datasets()` without ids deletes all of the tenant's datasets."""
    with open_tenant(server, "sdk") as tenant:
        yield tenant


@pytest.fixture
def rag(server: RunningServer, sdk_tenant: Tenant) -> Any:
    return ragflow_sdk.RAGFlow(api_key=sdk_tenant.api_key, base_url=server.url)


@pytest.fixture
def dataset(rag: Any) -> Any:
    return rag.create_dataset(name=unique("sdk-docs"))


def unique(label: str) -> str:
    return f"{label}-{uuid.uuid4().hex[:10]}"


def exactly(message: str) -> str:
    """A `pytest.raises(match=...)` pattern for exactly this message."""
    return f"^{re.escape(message)}$"


def corpus_or(relative: str, fallback: bytes) -> bytes:
    path = CORPUS / relative
    return path.read_bytes() if path.is_file() else fallback


def test_dataset_lifecycle(rag, sdk_tenant):
    name = unique("sdk-lifecycle")
    ds = rag.create_dataset(name=name, description="made by the SDK")
    assert isinstance(ds, ragflow_sdk.DataSet)
    assert len(ds.id) == 32
    assert (ds.name, ds.description, ds.tenant_id) == (name, "made by the SDK", sdk_tenant.tenant_id)
    assert (ds.permission, ds.chunk_method, ds.document_count, ds.chunk_count) == ("me", "naive", 0, 0)
    assert ds.embedding_model
    assert ds.parser_config.chunk_token_num == 512

    assert [d.id for d in rag.list_datasets(name=name)] == [ds.id]
    assert [d.name for d in rag.list_datasets(id=ds.id)] == [name]
    assert rag.get_dataset(name=name).id == ds.id
    assert ds.id in [d.id for d in rag.list_datasets(page=1, page_size=100, desc=False)]

    renamed = unique("sdk-renamed")
    assert ds.update({"name": renamed, "description": "changed", "chunk_method": "qa"}) is ds
    assert (ds.name, ds.description, ds.chunk_method) == (renamed, "changed", "qa")
    (listed,) = rag.list_datasets(id=ds.id)
    assert (listed.name, listed.description, listed.chunk_method) == (renamed, "changed", "qa")
    with pytest.raises(Exception, match="lacks permission"):
        rag.list_datasets(name=name)

    rag.delete_datasets(ids=[ds.id])
    with pytest.raises(Exception, match="lacks permission"):
        rag.list_datasets(id=ds.id)


def test_create_dataset_refuses_a_taken_name(rag, dataset):
    with pytest.raises(Exception, match="already exists"):
        rag.create_dataset(name=dataset.name)


def test_documents_round_trip(rag, dataset):
    pdf = corpus_or("pdf/ragflow-test-acroform.pdf", b"%PDF-1.4 not a real pdf")
    text = corpus_or("txt/ragflow-test.txt", b"lorem ipsum\n")
    docs = dataset.upload_documents(
        [
            {"display_name": "paper.pdf", "blob": pdf},
            {"display_name": "notes.txt", "blob": text},
            {"display_name": "notes.txt", "blob": b"second copy"},
        ]
    )
    assert all(isinstance(d, ragflow_sdk.Document) for d in docs)
    assert [d.name for d in docs] == ["paper.pdf", "notes.txt", "notes(1).txt"]
    assert [d.size for d in docs] == [len(pdf), len(text), len(b"second copy")]
    assert {d.dataset_id for d in docs} == {dataset.id}
    assert {d.run for d in docs} == {"UNSTART"}
    assert [d.type for d in docs] == ["pdf", "doc", "doc"]
    pdf_doc, text_doc, copy_doc = docs

    assert pdf_doc.download() == pdf
    assert text_doc.download() == text
    assert copy_doc.download() == b"second copy"

    listed = dataset.list_documents()
    assert sorted(d.name for d in listed) == ["notes(1).txt", "notes.txt", "paper.pdf"]
    for doc in listed:
        assert (doc.run, doc.status, doc.progress, doc.chunk_count, doc.token_count) == (
            "UNSTART",
            "1",
            0,
            0,
            0,
        )
    assert [d.id for d in dataset.list_documents(id=pdf_doc.id)] == [pdf_doc.id]
    assert [d.id for d in dataset.list_documents(name="notes.txt")] == [text_doc.id]
    assert sorted(d.name for d in dataset.list_documents(keywords="NOTES")) == ["notes(1).txt", "notes.txt"]
    assert len(dataset.list_documents(page=2, page_size=2)) == 1
    assert dataset.list_documents(orderby="size", desc=False)[0].name == "notes(1).txt"
    assert rag.list_datasets(id=dataset.id)[0].document_count == 3

    assert text_doc.update({"name": "renamed.txt", "meta_fields": {"author": "sdk"}}) is text_doc
    assert text_doc.name == "renamed.txt"
    assert text_doc.meta_fields.to_json() == {"author": "sdk"}
    assert text_doc.update({"chunk_method": "qa"}).chunk_method == "qa"
    (again,) = dataset.list_documents(id=text_doc.id)
    assert (again.name, again.chunk_method, again.meta_fields.to_json()) == (
        "renamed.txt",
        "qa",
        {"author": "sdk"},
    )
    assert again.download() == text

    dataset.delete_documents(ids=[copy_doc.id])
    assert sorted(d.name for d in dataset.list_documents()) == ["paper.pdf", "renamed.txt"]
    assert rag.list_datasets(id=dataset.id)[0].document_count == 2
    dataset.delete_documents()
    assert dataset.list_documents() == []
    assert rag.list_datasets(id=dataset.id)[0].document_count == 0


def test_sdk_errors_carry_the_server_messages(rag, dataset):
    with pytest.raises(Exception, match=exactly("x.exe: This type of file has not been supported yet!")):
        dataset.upload_documents([{"display_name": "x.exe", "blob": b"MZ"}])
    assert dataset.list_documents() == []
    (doc,) = dataset.upload_documents([{"display_name": "a.txt", "blob": b"a"}])
    with pytest.raises(Exception, match=exactly("You don't own the document nope.")):
        dataset.list_documents(id="nope")
    with pytest.raises(Exception, match=exactly("The extension of file can't be changed")):
        doc.update({"name": "a.pdf"})
    with pytest.raises(Exception, match=exactly("Documents not found: ['missing']")):
        dataset.delete_documents(ids=["missing"])
    assert [d.name for d in dataset.list_documents()] == ["a.txt"]


def test_an_empty_document_downloads_as_an_error(dataset):
    (doc,) = dataset.upload_documents([{"display_name": "empty.txt", "blob": b""}])
    assert doc.size == 0
    # The answer is {"code": 102, "message": "This file is empty."}: the SDK sees exactly the keys
    # {code, message} and raises (its own `res.get` then fails, so the exception type varies).
    with pytest.raises(Exception):  # noqa: B017, PT011
        doc.download()


def test_another_tenants_key_gets_nothing(server, rag, dataset, tenant_b):
    (doc,) = dataset.upload_documents([{"display_name": "private.txt", "blob": b"private"}])
    intruder = ragflow_sdk.RAGFlow(api_key=tenant_b.api_key, base_url=server.url)
    with pytest.raises(Exception, match="lacks permission"):
        intruder.list_datasets(id=dataset.id)
    borrowed = ragflow_sdk.DataSet(intruder, {"id": dataset.id, "name": dataset.name})
    with pytest.raises(Exception, match=exactly(f"You don't own the dataset {dataset.id}. ")):
        borrowed.list_documents()
    with pytest.raises(Exception, match=exactly(f"You don't own the dataset {dataset.id}.")):
        borrowed.upload_documents([{"display_name": "evil.txt", "blob": b"evil"}])
    with pytest.raises(Exception, match=exactly(f"You don't own the dataset {dataset.id}. ")):
        borrowed.delete_documents()
    stolen = ragflow_sdk.Document(intruder, {"id": doc.id, "dataset_id": dataset.id, "name": doc.name})
    with pytest.raises(Exception, match=exactly("You don't own the dataset.")):
        stolen.update({"name": "pwned.txt"})
    with pytest.raises(Exception):  # noqa: B017, PT011
        stolen.download()
    with pytest.raises(Exception, match="lacks permission"):
        intruder.delete_datasets(ids=[dataset.id])

    (still,) = dataset.list_documents()
    assert (still.id, still.name) == (doc.id, "private.txt")
    assert still.download() == b"private"


def test_delete_datasets_without_ids_deletes_all_of_mine(rag, tenant_b):
    mine = [rag.create_dataset(name=unique("sdk-all")) for _ in range(2)]
    mine[0].upload_documents([{"display_name": "a.txt", "blob": b"a"}])
    other = tenant_b.sdk.post("/api/v1/datasets", json={"name": unique("kept")}).json()["data"]["id"]
    rag.delete_datasets()
    assert rag.list_datasets() == []
    assert [d["id"] for d in tenant_b.sdk.get("/api/v1/datasets", params={"id": other}).json()["data"]] == [
        other
    ]
