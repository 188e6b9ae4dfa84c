"""`/api/v1/datasets/{dataset_id}/documents` over real HTTP: upload, update, download, list, delete.

The contract is RAGFlow v0.20.5's SDK API (spec §5-UP, §5-U, §5-DL, §5-L, §5-D with §1.6 to §1.10,
§2.1 to §2.3, §2.5 and §3.2). citeflow's decisions pinned here, from the spec's Recommendations:
uploading needs access to the dataset (102 `You don't own the dataset {id}.`; an unknown dataset
is still RAGFlow's LookupError), delete treats another dataset's documents as not found, and the
dataset's counters always equal the sums over its documents. Files are limited per file
(`documents.max_file_size`, a per-file error) and per request (`http.max_content_length`,
RAGFlow's 413 envelope); a refused file leaves nothing behind. Parsing (§5-P, §5-S) is not here.
"""

import hashlib
import json
import re
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.chunks import SDK_DOCUMENT_KEYS, dataset_record, unique
from tests.conftest import SHARED, RunningServer, Tenant, as_other_tenant
from tests.envelopes import BAD_KEY, EMPTY_AUTH, NOT_ALLOWED, NOT_FOUND, TOO_LARGE
from tests.tenants import open_tenant

CORPUS = SHARED / "corpus"
NAIVE_CONFIG = {
    "chunk_token_num": 512,
    "delimiter": "\\n",
    "html4excel": False,
    "layout_recognize": "DeepDOC",
    "raptor": {"use_raptor": False},
    "graphrag": {"use_graphrag": False},
}
UPLOAD_KEYS = {
    "id",
    "name",
    "dataset_id",
    "chunk_method",
    "parser_config",
    "created_by",
    "type",
    "suffix",
    "location",
    "size",
    "thumbnail",
    "run",
}
UUID1_HEX = re.compile(r"^[0-9a-f]{12}1[0-9a-f]{19}$")
UNSUPPORTED = "This type of file has not been supported yet!"
NAME_TOO_LONG = {"code": 101, "message": "File name must be 255 bytes or less."}


# helpers -----------------------------------------------------------------------------------------
def new_dataset(tenant: Tenant, **fields: Any) -> dict[str, Any]:
    reply = tenant.sdk.post("/api/v1/datasets", json={"name": unique("docs"), **fields})
    body = reply.json()
    assert body["code"] == 0, body
    return body["data"]


def docs_path(dataset_id: str) -> str:
    return f"/api/v1/datasets/{dataset_id}/documents"


def doc_path(dataset_id: str, document_id: str) -> str:
    return f"/api/v1/datasets/{dataset_id}/documents/{document_id}"


def envelope(reply: httpx.Response) -> dict[str, Any]:
    assert reply.status_code == 200, (reply.status_code, reply.text)
    return reply.json()


def upload(tenant: Tenant, dataset_id: str, *files: tuple[str, bytes]) -> dict[str, Any]:
    reply = tenant.sdk.post(docs_path(dataset_id), files=[("file", (name, blob)) for name, blob in files])
    return envelope(reply)


def uploaded(tenant: Tenant, dataset_id: str, *files: tuple[str, bytes]) -> list[dict[str, Any]]:
    body = upload(tenant, dataset_id, *files)
    assert body["code"] == 0, body
    assert set(body) == {"code", "data"}, body
    return body["data"]


def one(tenant: Tenant, dataset_id: str, name: str = "a.txt", blob: bytes = b"hello") -> dict[str, Any]:
    (doc,) = uploaded(tenant, dataset_id, (name, blob))
    return doc


def listing(tenant: Tenant, dataset_id: str, **params: Any) -> dict[str, Any]:
    body = envelope(tenant.sdk.get(docs_path(dataset_id), params=params))
    assert body["code"] == 0, body
    assert set(body) == {"code", "data"}
    assert set(body["data"]) == {"total", "docs"}
    return body["data"]


def docs(tenant: Tenant, dataset_id: str, **params: Any) -> list[dict[str, Any]]:
    return listing(tenant, dataset_id, page_size=1000, **params)["docs"]


def names(tenant: Tenant, dataset_id: str) -> list[str]:
    return sorted(d["name"] for d in docs(tenant, dataset_id))


def by_id(tenant: Tenant, dataset_id: str, document_id: str) -> dict[str, Any]:
    (doc,) = listing(tenant, dataset_id, id=document_id)["docs"]
    return doc


def update(tenant: Tenant, dataset_id: str, document_id: str, body: Any) -> dict[str, Any]:
    return envelope(tenant.sdk.put(doc_path(dataset_id, document_id), json=body))


def download(tenant: Tenant, dataset_id: str, document_id: str) -> httpx.Response:
    reply = tenant.sdk.get(doc_path(dataset_id, document_id))
    assert reply.status_code == 200, reply.text
    return reply


def delete(tenant: Tenant, dataset_id: str, body: Any = None, **kwargs: Any) -> dict[str, Any]:
    if body is not None:
        kwargs["json"] = body
    return envelope(tenant.sdk.request("DELETE", docs_path(dataset_id), **kwargs))


def assert_counters(tenant: Tenant, dataset_id: str) -> dict[str, Any]:
    """The dataset's counters are the sums over its documents (the spec's Recommendation)."""
    record = dataset_record(tenant, dataset_id)
    everything = docs(tenant, dataset_id)
    assert record["document_count"] == len(everything), record
    assert record["chunk_count"] == sum(d["chunk_count"] for d in everything)
    assert record["token_num"] == sum(d["token_count"] for d in everything)
    return record


def raw_multipart(*parts: tuple[bytes, bytes]) -> tuple[bytes, str]:
    """A multipart body written by hand: (Content-Disposition parameters, content) per part."""
    boundary = "citeflow" + uuid.uuid4().hex
    body = b""
    for disposition, content in parts:
        body += b"--" + boundary.encode() + b"\r\n"
        body += b"Content-Disposition: form-data; " + disposition + b"\r\n"
        body += b"Content-Type: application/octet-stream\r\n\r\n" + content + b"\r\n"
    body += b"--" + boundary.encode() + b"--\r\n"
    return body, f"multipart/form-data; boundary={boundary}"


def post_raw(tenant: Tenant, dataset_id: str, *parts: tuple[bytes, bytes]) -> dict[str, Any]:
    body, content_type = raw_multipart(*parts)
    reply = tenant.sdk.post(docs_path(dataset_id), content=body, headers={"Content-Type": content_type})
    return envelope(reply)


def stored_anywhere(server: RunningServer, marker: bytes) -> list[Path]:
    """Files under the server's data dir whose bytes contain `marker`."""
    return [p for p in server.settings.data_dir.rglob("*") if p.is_file() and marker in p.read_bytes()]


def http_date(ms: int) -> str:
    return time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(ms // 1000))


def corpus_file(relative: str) -> bytes:
    path = CORPUS / relative
    if not path.is_file():
        pytest.skip(f"corpus file {relative} is absent")
    return path.read_bytes()


@pytest.fixture
def dataset(tenant_a: Tenant) -> str:
    """A fresh, empty dataset of tenant A."""
    return new_dataset(tenant_a)["id"]


@pytest.fixture(scope="module")
def limited(start_server) -> RunningServer:
    """A server refusing files over 1000 bytes, bodies over 200000 bytes, and a 4th document per tenant."""
    return start_server(
        documents={"max_file_size": 1000, "max_files_per_tenant": 3},
        http={"max_content_length": 200_000},
    )


@pytest.fixture(scope="module")
def limited_tenants(limited: RunningServer) -> Iterator[tuple[Tenant, Tenant]]:
    with open_tenant(limited, "sizes") as sizes, open_tenant(limited, "quota") as quota:
        yield sizes, quota


# authentication and routing ----------------------------------------------------------------------
def routes(dataset_id: str, document_id: str) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        ("POST", docs_path(dataset_id), {"files": [("file", ("a.txt", b"x"))]}),
        ("GET", docs_path(dataset_id), {}),
        ("DELETE", docs_path(dataset_id), {"json": {"ids": [document_id]}}),
        ("PUT", doc_path(dataset_id, document_id), {"json": {"name": "b.txt"}}),
        ("GET", doc_path(dataset_id, document_id), {}),
    ]


def test_every_route_needs_an_api_key(server, tenant_a, dataset):
    doc = one(tenant_a, dataset)
    with server.client() as anonymous, server.client(Authorization="Bearer ragflow-nope") as stranger:
        for method, path, kwargs in routes(dataset, doc["id"]):
            assert envelope(anonymous.request(method, path, **kwargs)) == EMPTY_AUTH, (method, path)
            assert envelope(stranger.request(method, path, **kwargs)) == BAD_KEY, (method, path)
        unknown = uuid.uuid1().hex
        assert envelope(anonymous.post(docs_path(unknown), files={"file": ("a.txt", b"x")})) == EMPTY_AUTH
    assert [d["id"] for d in docs(tenant_a, dataset)] == [doc["id"]], "nothing changed"
    assert download(tenant_a, dataset, doc["id"]).content == b"hello"


def uploaded_via(tenant: Tenant, path: str, *files: tuple[str, bytes]) -> list[dict[str, Any]]:
    body = envelope(tenant.sdk.post(path, files=[("file", f) for f in files]))
    assert body["code"] == 0, body
    return body["data"]


def test_every_route_accepts_a_trailing_slash(tenant_a, dataset):
    (doc,) = uploaded_via(tenant_a, docs_path(dataset) + "/", ("slash.txt", b"slashed"))
    assert listing(tenant_a, dataset)["total"] == 1
    assert envelope(tenant_a.sdk.get(docs_path(dataset) + "/"))["data"]["total"] == 1
    renamed = envelope(tenant_a.sdk.put(doc_path(dataset, doc["id"]) + "/", json={"name": "s.txt"}))
    assert renamed["data"]["name"] == "s.txt"
    assert tenant_a.sdk.get(doc_path(dataset, doc["id"]) + "/").content == b"slashed"
    reply = tenant_a.sdk.request("DELETE", docs_path(dataset) + "/", json={"ids": [doc["id"]]})
    assert envelope(reply) == {"code": 0}
    assert listing(tenant_a, dataset)["total"] == 0


def test_empty_path_segments_and_wrong_methods_get_werkzeug_envelopes(tenant_a, dataset):
    doc = one(tenant_a, dataset)
    assert envelope(tenant_a.sdk.get(f"/api/v1/datasets//documents/{doc['id']}")) == NOT_FOUND
    assert envelope(tenant_a.sdk.put(docs_path(dataset) + "/", json={"name": "b.txt"})) == NOT_ALLOWED
    assert envelope(tenant_a.sdk.patch(docs_path(dataset), json={})) == NOT_ALLOWED
    assert names(tenant_a, dataset) == ["a.txt"]


def test_delete_with_an_empty_dataset_segment_is_405(tenant_a, dataset):
    """Werkzeug merges `//`, and `/datasets/documents` only knows PUT: upstream asserts this 405."""
    one(tenant_a, dataset)
    assert envelope(tenant_a.sdk.request("DELETE", "/api/v1/datasets//documents", json={})) == NOT_ALLOWED
    assert names(tenant_a, dataset) == ["a.txt"]


# upload: the happy path --------------------------------------------------------------------------
def test_upload_returns_the_reduced_document_shape(tenant_a):
    ds = new_dataset(tenant_a)
    before_ms = int(time.time() * 1000)
    reply = tenant_a.sdk.post(docs_path(ds["id"]), files=[("file", ("notes.txt", b"some notes\n"))])
    body = envelope(reply)
    assert body["code"] == 0, body
    assert set(body) == {"code", "data"}
    (doc,) = body["data"]
    assert set(doc) == UPLOAD_KEYS
    assert UUID1_HEX.match(doc["id"]), doc["id"]
    assert doc == {
        "id": doc["id"],
        "name": "notes.txt",
        "dataset_id": ds["id"],
        "chunk_method": "naive",
        "parser_config": ds["parser_config"],
        "created_by": tenant_a.tenant_id,
        "type": "doc",
        "suffix": "txt",
        "location": "notes.txt",
        "size": 11,
        "thumbnail": "",
        "run": "UNSTART",
    }
    assert ds["parser_config"] == NAIVE_CONFIG
    expected_raw = json.dumps(body, sort_keys=True, separators=(",", ":")) + "\n"
    assert reply.text == expected_raw, "Flask's JSON: sorted keys, compact, trailing newline"

    listed = by_id(tenant_a, ds["id"], doc["id"])
    assert set(listed) == SDK_DOCUMENT_KEYS
    assert {k: listed[k] for k in UPLOAD_KEYS - {"run"}} == {k: doc[k] for k in UPLOAD_KEYS - {"run"}}
    assert listed["run"] == "UNSTART"
    assert listed["source_type"] == "local"
    assert listed["status"] == "1"
    assert (listed["token_count"], listed["chunk_count"]) == (0, 0)
    assert listed["progress"] == 0
    assert isinstance(listed["progress"], float)
    assert listed["process_duration"] == 0
    assert isinstance(listed["process_duration"], float)
    assert listed["progress_msg"] == ""
    assert listed["process_begin_at"] is None
    assert listed["meta_fields"] == {}
    for field in ("create_time", "update_time"):
        assert isinstance(listed[field], int)
        assert before_ms - 5_000 <= listed[field] <= int(time.time() * 1000) + 5_000
    assert listed["create_date"] == http_date(listed["create_time"])
    assert listed["update_date"] == http_date(listed["update_time"])
    assert assert_counters(tenant_a, ds["id"])["document_count"] == 1


def test_several_files_in_one_request_keep_their_order(tenant_a, dataset):
    files = [(f"part-{i}.md", f"# part {i}\n".encode() * (i + 1)) for i in range(5)]
    stored = uploaded(tenant_a, dataset, *files)
    assert [d["name"] for d in stored] == [name for name, _ in files]
    assert [d["size"] for d in stored] == [len(blob) for _, blob in files]
    assert len({d["id"] for d in stored}) == 5
    for doc, (_, blob) in zip(stored, files, strict=True):
        assert download(tenant_a, dataset, doc["id"]).content == blob
    assert assert_counters(tenant_a, dataset)["document_count"] == 5


@pytest.mark.parametrize(
    ("name", "kind", "suffix", "chunk_method"),
    [
        ("report.pdf", "pdf", "pdf", "naive"),
        ("Report.PDF", "pdf", "PDF", "naive"),
        ("letter.docx", "doc", "docx", "naive"),
        ("sheet.xlsx", "doc", "xlsx", "naive"),
        ("data.csv", "doc", "csv", "naive"),
        ("page.html", "doc", "html", "naive"),
        ("script.py", "doc", "py", "naive"),
        ("mail.eml", "doc", "eml", "email"),
        ("deck.pptx", "doc", "pptx", "presentation"),
        ("deck.ppt", "doc", "ppt", "presentation"),
        ("numbers.pages", "doc", "pages", "presentation"),
        ("SHOUTING.PPTX", "doc", "PPTX", "qa"),
        ("photo.jpg", "visual", "jpg", "picture"),
        ("Photo.JPEG", "visual", "JPEG", "picture"),
        ("clip.mp4", "visual", "mp4", "picture"),
        ("song.mp3", "aural", "mp3", "audio"),
        ("voice.WAV", "aural", "WAV", "audio"),
    ],
)
def test_type_suffix_and_chunk_method_follow_the_name(tenant_a, name, kind, suffix, chunk_method):
    ds = new_dataset(tenant_a, chunk_method="qa")
    doc = one(tenant_a, ds["id"], name, b"\x00\x01 not really a " + name.encode())
    expected_method = "qa" if chunk_method == "naive" else chunk_method
    assert (doc["type"], doc["suffix"], doc["chunk_method"]) == (kind, suffix, expected_method)
    assert doc["parser_config"] == ds["parser_config"], "copied from the dataset"
    assert doc["thumbnail"] in ("", f"thumbnail_{doc['id']}.png")


@pytest.mark.parametrize(
    "relative",
    [
        "pdf/ragflow-test-acroform.pdf",
        "docx/ragflow-test.docx",
        "xlsx/ragflow-test.xlsx",
        "pptx/ragflow-test.ppt",
        "html/ragflow-test.html",
        "md/ragflow-README.md",
        "txt/norwich-city.txt",
        "json/ragflow-test.json",
        "csv/cp932-kanji.csv",
        "eml/real-gmail-iso-8859-1.eml",
        "image/ragflow-test.jpg",
    ],
)
def test_real_files_round_trip_byte_for_byte(tenant_a, dataset, relative):
    blob = corpus_file(relative)
    name = Path(relative).name
    doc = one(tenant_a, dataset, name, blob)
    assert (doc["name"], doc["size"]) == (name, len(blob))
    reply = download(tenant_a, dataset, doc["id"])
    assert hashlib.sha256(reply.content).hexdigest() == hashlib.sha256(blob).hexdigest()
    assert reply.headers["content-type"] == "application/octet-stream"
    assert reply.headers["content-disposition"] == f"attachment; filename={name}"


def test_the_parser_config_is_a_copy_taken_at_upload(tenant_a):
    ds = new_dataset(tenant_a, parser_config={"chunk_token_num": 1024})
    first = one(tenant_a, ds["id"], "first.txt")
    assert first["parser_config"] == ds["parser_config"]
    assert first["parser_config"]["chunk_token_num"] == 1024
    changed = envelope(
        tenant_a.sdk.put(f"/api/v1/datasets/{ds['id']}", json={"parser_config": {"chunk_token_num": 64}})
    )
    assert changed["code"] == 0, changed
    assert by_id(tenant_a, ds["id"], first["id"])["parser_config"]["chunk_token_num"] == 1024
    second = one(tenant_a, ds["id"], "second.txt")
    assert second["parser_config"] == changed["data"]["parser_config"]
    assert second["parser_config"]["chunk_token_num"] == 64


def test_other_form_parts_are_ignored(tenant_a, dataset):
    reply = tenant_a.sdk.post(
        docs_path(dataset), data={"parser_id": "qa", "name": "x.exe"}, files=[("file", ("kept.txt", b"k"))]
    )
    body = envelope(reply)
    assert body["code"] == 0, body
    assert [(d["name"], d["chunk_method"]) for d in body["data"]] == [("kept.txt", "naive")]


def test_an_empty_file_is_accepted_but_cannot_be_downloaded(tenant_a, dataset):
    doc = one(tenant_a, dataset, "empty.txt", b"")
    assert doc["size"] == 0
    assert by_id(tenant_a, dataset, doc["id"])["size"] == 0
    assert envelope(download(tenant_a, dataset, doc["id"])) == {"code": 102, "message": "This file is empty."}
    assert assert_counters(tenant_a, dataset)["document_count"] == 1


def test_names_are_kept_as_sent(tenant_a, dataset):
    sent = [
        "résumé.txt",
        "报告 2024.md",
        "emoji 😀.txt",
        "!#$%&'()+,-.;=@[]^_`{}~.txt",
        "  leading and trailing spaces  .txt",
        "dots.in.the.name.v2.csv",
    ]
    stored = uploaded(tenant_a, dataset, *[(name, name.encode()) for name in sent])
    assert [d["name"] for d in stored] == sent
    assert [d["location"] for d in stored] == sent
    assert names(tenant_a, dataset) == sorted(sent)
    for doc in stored:
        assert download(tenant_a, dataset, doc["id"]).content == doc["name"].encode()
    reply = tenant_a.sdk.get(docs_path(dataset))
    assert reply.text == json.dumps(reply.json(), sort_keys=True, separators=(",", ":")) + "\n"
    assert "\\u00e9" in reply.text, "non-ASCII is escaped"
    assert "\\ud83d\\ude00" in reply.text


def test_a_255_byte_name_is_accepted(tenant_a, dataset):
    ascii_name = "a" * 251 + ".txt"
    wide_name = "é" * 125 + ".txt"  # 254 bytes, 129 characters
    assert (len(ascii_name.encode()), len(wide_name.encode())) == (255, 254)
    stored = uploaded(tenant_a, dataset, (ascii_name, b"1"), (wide_name, b"2"))
    assert [d["name"] for d in stored] == [ascii_name, wide_name]


# upload: duplicate names -------------------------------------------------------------------------
def test_duplicate_names_get_a_counter(tenant_a, dataset):
    stored = uploaded(tenant_a, dataset, ("a.txt", b"1"), ("a.txt", b"2"), ("a.txt", b"3"))
    assert [d["name"] for d in stored] == ["a.txt", "a(1).txt", "a(2).txt"]
    assert [d["location"] for d in stored] == ["a.txt", "a(1).txt", "a(2).txt"]
    assert [d["name"] for d in uploaded(tenant_a, dataset, ("a.txt", b"4"))] == ["a(3).txt"]
    assert [d["name"] for d in uploaded(tenant_a, dataset, ("a(1).txt", b"5"))] == ["a(4).txt"]
    for doc, blob in zip(stored, (b"1", b"2", b"3"), strict=True):
        assert download(tenant_a, dataset, doc["id"]).content == blob, "each copy keeps its own bytes"
    assert assert_counters(tenant_a, dataset)["document_count"] == 5


def test_a_counter_after_spaces_is_incremented_and_the_spaces_trimmed(tenant_a, dataset):
    assert [d["name"] for d in uploaded(tenant_a, dataset, ("b (4).txt", b"1"))] == ["b (4).txt"]
    assert [d["name"] for d in uploaded(tenant_a, dataset, ("b (4).txt", b"2"))] == ["b(5).txt"]
    assert [d["name"] for d in uploaded(tenant_a, dataset, ("noext(2).md", b"1"), ("noext(2).md", b"2"))] == [
        "noext(2).md",
        "noext(3).md",
    ]


def test_names_are_unique_per_dataset_only(tenant_a, dataset):
    other = new_dataset(tenant_a)["id"]
    assert one(tenant_a, dataset, "same.txt")["name"] == "same.txt"
    assert one(tenant_a, other, "same.txt")["name"] == "same.txt"


def test_a_deleted_name_is_free_again_and_its_blob_is_gone(tenant_a, dataset):
    first = one(tenant_a, dataset, "again.txt", b"first")
    assert delete(tenant_a, dataset, {"ids": [first["id"]]}) == {"code": 0}
    second = one(tenant_a, dataset, "again.txt", b"second")
    assert (second["name"], second["location"]) == ("again.txt", "again.txt")
    assert download(tenant_a, dataset, second["id"]).content == b"second"


def test_concurrent_uploads_of_one_name_get_distinct_names(tenant_a, dataset):
    results: list[dict[str, Any]] = []

    def send(i: int) -> None:
        with httpx.Client(base_url=str(tenant_a.sdk.base_url), headers=dict(tenant_a.sdk.headers)) as client:
            results.append(envelope(client.post(docs_path(dataset), files={"file": ("race.txt", b"%d" % i)})))

    threads = [threading.Thread(target=send, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r["code"] for r in results] == [0] * 6, results
    stored = [d["name"] for r in results for d in r["data"]]
    assert len(set(stored)) == 6, stored
    assert set(stored) == {"race.txt"} | {f"race({i}).txt" for i in range(1, 6)}
    assert assert_counters(tenant_a, dataset)["document_count"] == 6


# upload: refusals --------------------------------------------------------------------------------
def test_without_a_file_part_the_upload_is_refused(tenant_a, dataset):
    no_file = {"code": 101, "message": "No file part!"}
    assert envelope(tenant_a.sdk.post(docs_path(dataset))) == no_file
    assert envelope(tenant_a.sdk.post(docs_path(dataset), json={"file": "a.txt"})) == no_file
    assert envelope(tenant_a.sdk.post(docs_path(dataset), files={"document": ("a.txt", b"x")})) == no_file
    assert envelope(tenant_a.sdk.post(docs_path(dataset), data={"file": "a.txt"})) == no_file
    assert envelope(tenant_a.sdk.post(docs_path(uuid.uuid1().hex))) == no_file, "checked before the dataset"
    assert docs(tenant_a, dataset) == []


def test_an_empty_file_name_is_refused(tenant_a, dataset):
    no_name = {"code": 101, "message": "No file selected!"}
    assert post_raw(tenant_a, dataset, (b'name="file"; filename=""', b"data")) == no_name
    mixed = post_raw(
        tenant_a, dataset, (b'name="file"; filename="ok.txt"', b"ok"), (b'name="file"; filename=""', b"x")
    )
    assert mixed == no_name
    assert docs(tenant_a, dataset) == [], "nothing of a refused request is stored"


def test_names_over_255_bytes_are_refused_before_anything_is_stored(server, tenant_a, dataset):
    marker = uuid.uuid4().hex.encode()
    long_ascii = "a" * 252 + ".txt"
    long_wide = "é" * 126 + ".txt"  # 256 bytes, 130 characters
    three_hundred = "x" * 296 + ".txt"
    for name in (long_ascii, long_wide, three_hundred):
        assert upload(tenant_a, dataset, (name, marker)) == NAME_TOO_LONG, len(name.encode())
    assert upload(tenant_a, dataset, ("fine.txt", marker), (three_hundred, b"x")) == NAME_TOO_LONG
    assert docs(tenant_a, dataset) == []
    assert stored_anywhere(server, marker) == []
    assert upload(tenant_a, uuid.uuid1().hex, (three_hundred, b"x")) == NAME_TOO_LONG, "before the dataset"


def test_an_unknown_dataset_is_a_lookup_error(tenant_a):
    unknown = uuid.uuid1().hex
    assert upload(tenant_a, unknown, ("a.txt", b"x")) == {
        "code": 100,
        "data": None,
        "message": f'LookupError("Can\'t find the dataset with ID {unknown}!")',
    }
    assert upload(tenant_a, "not-even-an-id", ("a.txt", b"x"))["message"] == (
        'LookupError("Can\'t find the dataset with ID not-even-an-id!")'
    )


def test_unsupported_types_are_refused_per_file(server, tenant_a, dataset):
    marker = uuid.uuid4().hex.encode()
    body = upload(
        tenant_a,
        dataset,
        ("name.exe", marker),
        ("kept.txt", b"kept"),
        ("README", marker),
        ("archive.tar.gz", marker),
        ("also-kept.pdf", b"%PDF-1.4"),
    )
    assert body == {
        "code": 500,
        "message": f"name.exe: {UNSUPPORTED}\nREADME: {UNSUPPORTED}\narchive.tar.gz: {UNSUPPORTED}",
    }
    assert names(tenant_a, dataset) == ["also-kept.pdf", "kept.txt"], "the other files were stored"
    assert stored_anywhere(server, marker) == []
    assert assert_counters(tenant_a, dataset)["document_count"] == 2


def test_another_tenants_dataset_refuses_uploads(tenant_a, tenant_b):
    theirs = new_dataset(tenant_b)["id"]
    body = upload(tenant_a, theirs, ("intruder.txt", b"x"))
    assert body == {"code": 102, "message": f"You don't own the dataset {theirs}."}
    assert docs(tenant_b, theirs) == []
    assert assert_counters(tenant_b, theirs)["document_count"] == 0


# upload: names that could escape or inject --------------------------------------------------------
def test_path_like_names_stay_inside_the_data_dir(server, tenant_a, dataset):
    tag = uuid.uuid4().hex[:12]
    sent = [
        f"../../../../escape-{tag}.txt",
        f"../escape-{tag}.txt",
        f"/tmp/escape-abs-{tag}.txt",
        f"sub/dir/escape-{tag}.txt",
        f"escape-{tag}.txt",
        "..txt",
    ]
    stored = uploaded(tenant_a, dataset, *[(name, f"content of {name}".encode()) for name in sent])
    assert [d["name"] for d in stored] == sent
    for doc in stored:
        assert download(tenant_a, dataset, doc["id"]).content == f"content of {doc['name']}".encode()
    data_dir = server.settings.data_dir
    for ancestor in data_dir.parents:
        assert not (ancestor / f"escape-{tag}.txt").exists(), ancestor
    assert not Path(f"/tmp/escape-abs-{tag}.txt").exists()
    strays = [p for p in data_dir.parent.rglob(f"*{tag}*") if data_dir not in p.parents]
    assert strays == [], "nothing is written beside the data dir"
    assert names(tenant_a, dataset) == sorted(sent)


def test_control_characters_in_names_are_either_refused_or_kept_exactly(tenant_a, dataset):
    for raw in (b"tab\there.txt", b"bell\x07.txt", b"del\x7f.txt", b"esc\x1b[31m.txt"):
        body = post_raw(tenant_a, dataset, (b'name="file"; filename="' + raw + b'"', b"ctl"))
        name = raw.decode()
        if body["code"] == 0:
            assert [d["name"] for d in body["data"]] == [name]
            doc = body["data"][0]
            assert by_id(tenant_a, dataset, doc["id"])["name"] == name
            reply = download(tenant_a, dataset, doc["id"])
            assert reply.content == b"ctl" or reply.json()["code"] != 0
        else:
            assert body["code"] in (101, 500), body
            assert name not in names(tenant_a, dataset)
    assert_counters(tenant_a, dataset)


def test_a_nul_in_a_name_is_refused(tenant_a, dataset):
    body = post_raw(tenant_a, dataset, (b'name="file"; filename="nul\x00byte.txt"', b"nul"))
    assert body["code"] != 0, body
    assert docs(tenant_a, dataset) == []


def test_a_name_with_a_line_break_never_injects_a_header(tenant_a, dataset):
    doc = one(tenant_a, dataset, "plain.txt", b"body")
    reply = update(tenant_a, dataset, doc["id"], {"name": "evil\r\nX-Injected: yes\r\n.txt"})
    if reply["code"] == 0:
        downloaded = download(tenant_a, dataset, doc["id"])
        assert "x-injected" not in downloaded.headers
        for value in downloaded.headers.values():
            assert "\r" not in value
            assert "\n" not in value
        if downloaded.headers["content-type"] == "application/octet-stream":
            assert downloaded.content == b"body"
        else:
            assert downloaded.json()["code"] != 0
    else:
        assert by_id(tenant_a, dataset, doc["id"])["name"] == "plain.txt"


# upload: size limits and quota (their own server) ------------------------------------------------
def test_a_file_over_max_file_size_is_refused_per_file(limited, limited_tenants):
    sizes, _ = limited_tenants
    ds = new_dataset(sizes)["id"]
    marker = uuid.uuid4().hex.encode()
    exactly = b"e" * 1000
    too_big = marker + b"b" * (1001 - len(marker))
    body = upload(sizes, ds, ("exactly.txt", exactly), ("too-big.txt", too_big))
    assert body["code"] == 500, body
    assert set(body) == {"code", "message"}
    assert body["message"].startswith("too-big.txt: "), body
    assert "\n" not in body["message"]
    assert "1000" in body["message"], "the message names the limit"
    assert names(sizes, ds) == ["exactly.txt"]
    assert stored_anywhere(limited, marker) == []
    assert assert_counters(sizes, ds)["document_count"] == 1
    (stored,) = docs(sizes, ds)
    assert download(sizes, ds, stored["id"]).content == exactly
    assert delete(sizes, ds) == {"code": 0}


def test_a_body_over_max_content_length_is_refused_whole(limited, limited_tenants):
    sizes, _ = limited_tenants
    ds = new_dataset(sizes)["id"]
    marker = uuid.uuid4().hex.encode()
    big = marker * (300_000 // len(marker))
    assert upload(sizes, ds, ("small.txt", b"s"), ("big.txt", big)) == TOO_LARGE

    body, content_type = raw_multipart((b'name="file"; filename="streamed.txt"', big))
    pieces = (body[start : start + 16_384] for start in range(0, len(body), 16_384))
    reply = sizes.sdk.post(docs_path(ds), content=pieces, headers={"Content-Type": content_type})
    assert envelope(reply) == TOO_LARGE, "a chunked body without Content-Length is bounded too"
    assert docs(sizes, ds) == []
    assert stored_anywhere(limited, marker) == []
    assert assert_counters(sizes, ds)["document_count"] == 0


def test_the_tenant_quota_refuses_further_files(limited_tenants):
    _, quota = limited_tenants
    first, second = new_dataset(quota)["id"], new_dataset(quota)["id"]
    assert len(uploaded(quota, first, ("1.txt", b"1"), ("2.txt", b"2"))) == 2
    body = upload(quota, second, ("3.txt", b"3"), ("4.txt", b"4"), ("5.txt", b"5"))
    full = "Exceed the maximum file number of a free user!"
    assert body == {"code": 500, "message": f"4.txt: {full}\n5.txt: {full}"}
    assert names(quota, second) == ["3.txt"]
    assert upload(quota, first, ("6.txt", b"6")) == {"code": 500, "message": f"6.txt: {full}"}
    (three,) = docs(quota, second)
    assert delete(quota, second, {"ids": [three["id"]]}) == {"code": 0}
    assert [d["name"] for d in uploaded(quota, first, ("6.txt", b"6"))] == ["6.txt"]
    assert assert_counters(quota, first)["document_count"] == 3
    assert assert_counters(quota, second)["document_count"] == 0


# download ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "disposition"),
    [
        ("a.txt", "attachment; filename=a.txt"),
        ("my report.txt", 'attachment; filename="my report.txt"'),
        ("it's (1).txt", 'attachment; filename="it\'s (1).txt"'),
        ("100%.txt", "attachment; filename=100%.txt"),
        ("résumé.txt", "attachment; filename=resume.txt; filename*=UTF-8''r%C3%A9sum%C3%A9.txt"),
        (
            "报告 2024.txt",
            "attachment; filename=\" 2024.txt\"; filename*=UTF-8''%E6%8A%A5%E5%91%8A%202024.txt",
        ),
        ("emoji 😀.txt", "attachment; filename=\"emoji .txt\"; filename*=UTF-8''emoji%20%F0%9F%98%80.txt"),
    ],
)
def test_download_headers_are_werkzeugs(tenant_a, dataset, name, disposition):
    blob = bytes(range(256)) * 3
    doc = one(tenant_a, dataset, name, blob)
    reply = download(tenant_a, dataset, doc["id"])
    assert reply.content == blob
    assert reply.headers["content-type"] == "application/octet-stream"
    assert reply.headers["content-disposition"] == disposition


def test_download_quotes_renamed_names_like_werkzeug(tenant_a, dataset):
    doc = one(tenant_a, dataset, "plain.txt", b"q")
    for name, disposition in [
        ('say "hi".txt', 'attachment; filename="say \\"hi\\".txt"'),
        ("back\\slash.txt", 'attachment; filename="back\\\\slash.txt"'),
        ("semi;colon.txt", 'attachment; filename="semi;colon.txt"'),
    ]:
        assert update(tenant_a, dataset, doc["id"], {"name": name})["code"] == 0
        reply = download(tenant_a, dataset, doc["id"])
        assert reply.headers["content-disposition"] == disposition, name
        assert reply.content == b"q"


def test_a_large_file_streams_back_intact(tenant_a, dataset):
    line = b"%09d the quick brown fox jumps over the lazy dog, again and again\n"
    blob = b"".join(line % i for i in range(300_000))  # about 22 MB
    digest = hashlib.sha256(blob).hexdigest()
    doc = one(tenant_a, dataset, "large.txt", blob)
    assert doc["size"] == len(blob)
    del blob
    hasher, received = hashlib.sha256(), 0
    with tenant_a.sdk.stream("GET", doc_path(dataset, doc["id"])) as reply:
        assert reply.status_code == 200
        assert reply.headers["content-type"] == "application/octet-stream"
        for chunk in reply.iter_bytes():
            hasher.update(chunk)
            received += len(chunk)
    assert (received, hasher.hexdigest()) == (doc["size"], digest)


def test_download_refusals(tenant_a, dataset):
    doc = one(tenant_a, dataset)
    other = new_dataset(tenant_a)["id"]
    unknown_ds, unknown_doc = uuid.uuid1().hex, uuid.uuid1().hex
    assert envelope(download(tenant_a, unknown_ds, doc["id"])) == {
        "code": 102,
        "message": f"You do not own the dataset {unknown_ds}.",
    }
    assert envelope(download(tenant_a, dataset, unknown_doc)) == {
        "code": 102,
        "message": f"The dataset not own the document {unknown_doc}.",
    }
    assert envelope(download(tenant_a, other, doc["id"])) == {
        "code": 102,
        "message": f"The dataset not own the document {doc['id']}.",
    }


# list --------------------------------------------------------------------------------------------
@pytest.fixture
def five(tenant_a: Tenant, dataset: str) -> list[dict[str, Any]]:
    """Five documents uploaded one by one (distinct create_time), sizes 5, 1, 4, 2, 3."""
    stored = []
    for name, size in [
        ("delta.txt", 5),
        ("Alpha.md", 1),
        ("echo.txt", 4),
        ("bravo.pdf", 2),
        ("charlie.txt", 3),
    ]:
        stored.append(one(tenant_a, dataset, name, b"x" * size))
        time.sleep(0.01)
    return stored


def listed_names(tenant: Tenant, dataset_id: str, **params: Any) -> list[str]:
    return [d["name"] for d in listing(tenant, dataset_id, **params)["docs"]]


def test_list_defaults_to_newest_first_with_total(tenant_a, dataset, five):
    data = listing(tenant_a, dataset)
    assert data["total"] == 5
    assert [d["id"] for d in data["docs"]] == [d["id"] for d in reversed(five)]
    for doc in data["docs"]:
        assert set(doc) == SDK_DOCUMENT_KEYS
        assert doc["dataset_id"] == dataset
    times = [d["create_time"] for d in data["docs"]]
    assert times == sorted(times, reverse=True)


def test_list_pages(tenant_a, dataset, five):
    newest_first = [d["name"] for d in reversed(five)]
    assert listed_names(tenant_a, dataset, page=1, page_size=2) == newest_first[:2]
    assert listed_names(tenant_a, dataset, page=2, page_size=2) == newest_first[2:4]
    assert listed_names(tenant_a, dataset, page=3, page_size=2) == newest_first[4:]
    assert listed_names(tenant_a, dataset, page=4, page_size=2) == []
    assert listing(tenant_a, dataset, page=4, page_size=2)["total"] == 5
    assert listed_names(tenant_a, dataset, page=0, page_size=2) == newest_first[:2], "page 0 is page 1"
    assert listing(tenant_a, dataset, page_size=0) == {"total": 5, "docs": []}


@pytest.mark.parametrize(("param", "value"), [("page", "a"), ("page_size", "x"), ("page", "1.5")])
def test_list_page_parameters_must_be_integers(tenant_a, dataset, param, value):
    body = envelope(tenant_a.sdk.get(docs_path(dataset), params={param: value}))
    assert body == {
        "code": 100,
        "data": None,
        "message": f"ValueError(\"invalid literal for int() with base 10: '{value}'\")",
    }


def test_list_order(tenant_a, dataset, five):
    oldest_first = [d["name"] for d in five]
    assert listed_names(tenant_a, dataset, desc="False") == oldest_first
    assert listed_names(tenant_a, dataset, desc="false") == oldest_first[::-1], "only `False` is ascending"
    assert listed_names(tenant_a, dataset, desc="0") == oldest_first[::-1]
    assert listed_names(tenant_a, dataset, desc="True") == oldest_first[::-1]
    by_size = ["Alpha.md", "bravo.pdf", "charlie.txt", "echo.txt", "delta.txt"]
    assert listed_names(tenant_a, dataset, orderby="size", desc="False") == by_size
    assert listed_names(tenant_a, dataset, orderby="size") == by_size[::-1]
    assert listed_names(tenant_a, dataset, orderby="update_time", desc="False") == oldest_first
    body = envelope(tenant_a.sdk.get(docs_path(dataset), params={"orderby": "no_such_column"}))
    assert (body["code"], body["data"]) == (100, None), body
    assert body["message"].startswith("AttributeError("), body


def test_list_filters(tenant_a, dataset, five):
    target = five[2]
    assert listing(tenant_a, dataset, id=target["id"]) == {
        "total": 1,
        "docs": [by_id(tenant_a, dataset, target["id"])],
    }
    assert listed_names(tenant_a, dataset, name="Alpha.md") == ["Alpha.md"]
    assert sorted(listed_names(tenant_a, dataset, keywords="A")) == [
        "Alpha.md",
        "bravo.pdf",
        "charlie.txt",
        "delta.txt",
    ]
    assert listed_names(tenant_a, dataset, keywords="ALPHA") == ["Alpha.md"], "case-insensitive"
    assert listed_names(tenant_a, dataset, keywords=".txt", desc="False") == [
        "delta.txt",
        "echo.txt",
        "charlie.txt",
    ]
    assert listing(tenant_a, dataset, keywords="zulu") == {"total": 0, "docs": []}
    assert listing(tenant_a, dataset, keywords="")["total"] == 5


def test_list_refuses_unknown_id_and_name(tenant_a, dataset, five):
    unknown = uuid.uuid1().hex
    for params, message in [
        ({"id": unknown}, f"You don't own the document {unknown}."),
        ({"name": "nope.txt"}, "You don't own the document nope.txt."),
    ]:
        body = envelope(tenant_a.sdk.get(docs_path(dataset), params=params))
        assert body == {"code": 102, "message": message}, params
    elsewhere = one(tenant_a, new_dataset(tenant_a)["id"], "elsewhere.txt")
    body = envelope(tenant_a.sdk.get(docs_path(dataset), params={"id": elsewhere["id"]}))
    assert body == {"code": 102, "message": f"You don't own the document {elsewhere['id']}."}


def test_list_time_filter_applies_after_pagination(tenant_a, dataset, five):
    times = [by_id(tenant_a, dataset, d["id"])["create_time"] for d in five]
    assert len(set(times)) == 5, "uploads are at least 10 ms apart"
    since_third = listing(tenant_a, dataset, create_time_from=times[2], desc="False")
    assert [d["name"] for d in since_third["docs"]] == [d["name"] for d in five[2:]]
    assert since_third["total"] == 5, "total is counted before the time filter"
    until_second = listing(tenant_a, dataset, create_time_to=times[1], desc="False")
    assert [d["name"] for d in until_second["docs"]] == [d["name"] for d in five[:2]]
    window = listing(tenant_a, dataset, create_time_from=times[1], create_time_to=times[3], desc="False")
    assert [d["name"] for d in window["docs"]] == [d["name"] for d in five[1:4]], "bounds are inclusive"
    first_page = listing(tenant_a, dataset, page_size=2, desc="False", create_time_from=times[1])
    assert [d["name"] for d in first_page["docs"]] == [five[1]["name"]], "the page shrinks"
    assert first_page["total"] == 5
    assert listing(tenant_a, dataset, create_time_from=0, create_time_to=0)["total"] == 5
    body = envelope(tenant_a.sdk.get(docs_path(dataset), params={"create_time_from": "soon"}))
    assert body == {
        "code": 100,
        "data": None,
        "message": "ValueError(\"invalid literal for int() with base 10: 'soon'\")",
    }


def test_list_refuses_unknown_datasets(tenant_a):
    unknown = uuid.uuid1().hex
    assert envelope(tenant_a.sdk.get(docs_path(unknown))) == {
        "code": 102,
        "message": f"You don't own the dataset {unknown}. ",
    }


# update ------------------------------------------------------------------------------------------
def test_rename_returns_the_full_document(tenant_a, dataset):
    doc = one(tenant_a, dataset, "old.txt", b"renamed bytes")
    before = by_id(tenant_a, dataset, doc["id"])
    time.sleep(0.01)
    body = update(tenant_a, dataset, doc["id"], {"name": "new.txt"})
    assert body["code"] == 0, body
    assert set(body) == {"code", "data"}
    after = body["data"]
    assert set(after) == SDK_DOCUMENT_KEYS
    assert after["name"] == "new.txt"
    assert after["update_time"] > before["update_time"]
    assert after["update_date"] == http_date(after["update_time"])
    unchanged = SDK_DOCUMENT_KEYS - {"name", "update_time", "update_date"}
    assert {k: after[k] for k in unchanged} == {k: before[k] for k in unchanged}
    assert by_id(tenant_a, dataset, doc["id"]) == after
    reply = download(tenant_a, dataset, doc["id"])
    assert reply.content == b"renamed bytes"
    assert reply.headers["content-disposition"] == "attachment; filename=new.txt"
    assert update(tenant_a, dataset, doc["id"], {"name": "new.txt"})["code"] == 0, "same name: no-op"
    assert update(tenant_a, dataset, doc["id"], {"name": "NEW.TXT"})["data"]["name"] == "NEW.TXT"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("new.pdf", {"code": 101, "message": "The extension of file can't be changed"}),
        ("noextension", {"code": 101, "message": "The extension of file can't be changed"}),
        ("", {"code": 101, "message": "The extension of file can't be changed"}),
        ("a" * 252 + ".txt", {"code": 101, "message": "File name must be 255 bytes or less."}),
        ("taken.txt", {"code": 102, "message": "Duplicated document name in the same dataset."}),
        (
            1,
            {
                "code": 100,
                "data": None,
                "message": "AttributeError(\"'int' object has no attribute 'encode'\")",
            },
        ),
        (
            None,
            {
                "code": 100,
                "data": None,
                "message": "AttributeError(\"'NoneType' object has no attribute 'encode'\")",
            },
        ),
    ],
)
def test_rename_refusals(tenant_a, dataset, name, expected):
    doc = one(tenant_a, dataset, "mine.txt")
    one(tenant_a, dataset, "taken.txt")
    assert update(tenant_a, dataset, doc["id"], {"name": name}) == expected
    assert names(tenant_a, dataset) == ["mine.txt", "taken.txt"]


def test_rename_duplicates_are_case_sensitive(tenant_a, dataset):
    doc = one(tenant_a, dataset, "mine.txt")
    one(tenant_a, dataset, "taken.txt")
    assert update(tenant_a, dataset, doc["id"], {"name": "TAKEN.txt"})["code"] == 0
    assert names(tenant_a, dataset) == ["TAKEN.txt", "taken.txt"]


@pytest.mark.parametrize(("field", "stored"), [("chunk_count", 0), ("token_count", 0), ("progress", 0.0)])
def test_counters_and_progress_cannot_change(tenant_a, dataset, field, stored):
    doc = one(tenant_a, dataset)
    assert update(tenant_a, dataset, doc["id"], {field: 5}) == {
        "code": 102,
        "message": f"Can't change `{field}`.",
    }
    body = update(tenant_a, dataset, doc["id"], {field: stored, "name": "b.txt"})
    assert body["code"] == 0, "sending the stored value is allowed"
    assert body["data"]["name"] == "b.txt"
    assert body["data"][field] == stored


def test_meta_fields_replace_the_stored_ones(tenant_a, dataset):
    doc = one(tenant_a, dataset)
    assert update(tenant_a, dataset, doc["id"], {"meta_fields": {"author": "Tolstoy", "year": 1869}})["data"][
        "meta_fields"
    ] == {"author": "Tolstoy", "year": 1869}
    assert update(tenant_a, dataset, doc["id"], {"meta_fields": {"lang": "ru"}})["data"]["meta_fields"] == {
        "lang": "ru"
    }
    for bad in ("text", ["a"], 3):
        assert update(tenant_a, dataset, doc["id"], {"meta_fields": bad}) == {
            "code": 102,
            "message": "meta_fields must be a dictionary",
        }
    assert by_id(tenant_a, dataset, doc["id"])["meta_fields"] == {"lang": "ru"}


def test_parser_config_is_merged_and_an_unsent_raptor_dropped(tenant_a, dataset):
    doc = one(tenant_a, dataset)
    assert doc["parser_config"] == NAIVE_CONFIG
    body = update(
        tenant_a,
        dataset,
        doc["id"],
        {"parser_config": {"chunk_token_num": 1024, "graphrag": {"use_graphrag": True}}},
    )
    expected = {k: v for k, v in NAIVE_CONFIG.items() if k != "raptor"}
    expected |= {"chunk_token_num": 1024, "graphrag": {"use_graphrag": True}}
    assert body["data"]["parser_config"] == expected
    body = update(tenant_a, dataset, doc["id"], {"parser_config": {"raptor": {"use_raptor": True}}})
    assert body["data"]["parser_config"] == expected | {"raptor": {"use_raptor": True}}
    assert by_id(tenant_a, dataset, doc["id"])["parser_config"] == expected | {"raptor": {"use_raptor": True}}


def test_chunk_method_change_resets_the_run_and_merges_the_default(tenant_a, dataset):
    doc = one(tenant_a, dataset)
    body = update(tenant_a, dataset, doc["id"], {"chunk_method": "qa"})
    assert body["code"] == 0, body
    data = body["data"]
    assert (data["chunk_method"], data["run"], data["progress"], data["progress_msg"]) == (
        "qa",
        "UNSTART",
        0,
        "",
    )
    assert data["parser_config"] == NAIVE_CONFIG, "qa's default adds nothing new"
    body = update(tenant_a, dataset, doc["id"], {"chunk_method": "knowledge_graph"})
    assert body["data"]["chunk_method"] == "knowledge_graph"
    assert body["data"]["parser_config"] == NAIVE_CONFIG | {
        "chunk_token_num": 8192,
        "entity_types": ["organization", "person", "location", "event", "time"],
    }
    for method in (
        "naive",
        "manual",
        "table",
        "paper",
        "book",
        "laws",
        "presentation",
        "picture",
        "one",
        "email",
        "tag",
    ):
        assert (
            update(tenant_a, dataset, doc["id"], {"chunk_method": method})["data"]["chunk_method"] == method
        )
    assert_counters(tenant_a, dataset)


@pytest.mark.parametrize(
    ("method", "message"),
    [
        ("resume", "`chunk_method` resume doesn't exist"),
        ("audio", "`chunk_method` audio doesn't exist"),
        ("Naive", "`chunk_method` Naive doesn't exist"),
        ("", "`chunk_method`  doesn't exist"),
    ],
)
def test_unknown_chunk_methods_are_refused(tenant_a, dataset, method, message):
    doc = one(tenant_a, dataset)
    assert update(tenant_a, dataset, doc["id"], {"chunk_method": method}) == {"code": 102, "message": message}
    assert by_id(tenant_a, dataset, doc["id"])["chunk_method"] == "naive"


@pytest.mark.parametrize("name", ["photo.png", "deck.pptx", "deck.ppt", "doc.pages"])
def test_pictures_and_slides_keep_their_chunk_method(tenant_a, dataset, name):
    doc = one(tenant_a, dataset, name)
    assert update(tenant_a, dataset, doc["id"], {"chunk_method": "naive"}) == {
        "code": 102,
        "message": "Not supported yet!",
    }
    assert update(tenant_a, dataset, doc["id"], {"chunk_method": "bogus"}) == {
        "code": 102,
        "message": "`chunk_method` bogus doesn't exist",
    }, "the method is checked before the file type"
    assert by_id(tenant_a, dataset, doc["id"])["chunk_method"] == doc["chunk_method"]


def test_enabled_flips_the_status_and_answers_true(tenant_a, dataset):
    doc = one(tenant_a, dataset)
    assert update(tenant_a, dataset, doc["id"], {"enabled": False}) == {"code": 0, "data": True}
    assert by_id(tenant_a, dataset, doc["id"])["status"] == "0"
    assert update(tenant_a, dataset, doc["id"], {"enabled": 1}) == {"code": 0, "data": True}
    assert by_id(tenant_a, dataset, doc["id"])["status"] == "1"
    assert update(tenant_a, dataset, doc["id"], {"name": "both.txt", "enabled": 0}) == {
        "code": 0,
        "data": True,
    }
    record = by_id(tenant_a, dataset, doc["id"])
    assert (record["name"], record["status"]) == ("both.txt", "0"), "the rename happened first"


def test_enabled_as_the_current_status_string_is_skipped(tenant_a, dataset):
    """RAGFlow compares the stored status with the sent value: `"1"` on an enabled document is no change."""
    doc = one(tenant_a, dataset)
    body = update(tenant_a, dataset, doc["id"], {"enabled": "1"})
    assert body["code"] == 0, body
    assert isinstance(body["data"], dict), "not `true`: the branch was skipped and the document returned"
    assert (set(body["data"]), body["data"]["status"]) == (SDK_DOCUMENT_KEYS, "1")
    assert update(tenant_a, dataset, doc["id"], {"enabled": "0"}) == {"code": 0, "data": True}
    assert by_id(tenant_a, dataset, doc["id"])["status"] == "0"
    body = update(tenant_a, dataset, doc["id"], {"enabled": "0"})
    assert body["code"] == 0, body
    assert body["data"]["status"] == "0"


def test_unknown_keys_are_ignored_and_a_null_body_fails(tenant_a, dataset):
    doc = one(tenant_a, dataset)
    before = by_id(tenant_a, dataset, doc["id"])
    body = update(tenant_a, dataset, doc["id"], {"display_name": "x.txt", "foo": "bar", "size": 1})
    assert body["code"] == 0, body
    assert {k: body["data"][k] for k in ("id", "name", "size", "dataset_id")} == {
        k: before[k] for k in ("id", "name", "size", "dataset_id")
    }
    null_body = {
        "code": 100,
        "data": None,
        "message": "TypeError(\"argument of type 'NoneType' is not iterable\")",
    }
    for content in (b"null", b"", b"not json"):
        reply = tenant_a.sdk.put(
            doc_path(dataset, doc["id"]), content=content, headers={"Content-Type": "application/json"}
        )
        assert envelope(reply) == null_body, content


def test_update_refusals(tenant_a, dataset):
    doc = one(tenant_a, dataset)
    other = new_dataset(tenant_a)["id"]
    unknown_ds, unknown_doc = uuid.uuid1().hex, uuid.uuid1().hex
    assert update(tenant_a, unknown_ds, doc["id"], {"name": "b.txt"}) == {
        "code": 102,
        "message": "You don't own the dataset.",
    }
    not_in = {"code": 102, "message": "The dataset doesn't own the document."}
    assert update(tenant_a, dataset, unknown_doc, {"name": "b.txt"}) == not_in
    assert update(tenant_a, other, doc["id"], {"name": "b.txt"}) == not_in
    assert update(tenant_a, other, doc["id"], None) == not_in, "ids are checked before the body"
    assert by_id(tenant_a, dataset, doc["id"])["name"] == "a.txt"


# delete ------------------------------------------------------------------------------------------
def test_delete_listed_documents(server, tenant_a, dataset):
    marker = uuid.uuid4().hex.encode()
    stored = uploaded(tenant_a, dataset, ("a.txt", marker), ("b.txt", b"b"), ("c.txt", b"c"))
    assert stored_anywhere(server, marker) != []
    assert delete(tenant_a, dataset, {"ids": [stored[0]["id"], stored[2]["id"]]}) == {"code": 0}
    assert names(tenant_a, dataset) == ["b.txt"]
    assert stored_anywhere(server, marker) == [], "the blob went with the document"
    assert envelope(download(tenant_a, dataset, stored[0]["id"])) == {
        "code": 102,
        "message": f"The dataset not own the document {stored[0]['id']}.",
    }
    assert update(tenant_a, dataset, stored[0]["id"], {"name": "z.txt"}) == {
        "code": 102,
        "message": "The dataset doesn't own the document.",
    }
    assert assert_counters(tenant_a, dataset)["document_count"] == 1


@pytest.mark.parametrize("body", ["absent", "null", {}, {"ids": None}, {"ids": []}, {"other": 1}])
def test_delete_without_ids_deletes_every_document_of_the_dataset(tenant_a, dataset, body):
    other = new_dataset(tenant_a)["id"]
    uploaded(tenant_a, dataset, ("a.txt", b"a"), ("b.txt", b"b"))
    kept = one(tenant_a, other, "kept.txt")
    if body == "absent":
        answer = delete(tenant_a, dataset)
    elif body == "null":
        answer = delete(tenant_a, dataset, content=b"null", headers={"Content-Type": "application/json"})
    else:
        answer = delete(tenant_a, dataset, body)
    assert answer == {"code": 0}
    assert docs(tenant_a, dataset) == []
    assert [d["id"] for d in docs(tenant_a, other)] == [kept["id"]]
    assert assert_counters(tenant_a, dataset)["document_count"] == 0
    assert assert_counters(tenant_a, other)["document_count"] == 1
    assert delete(tenant_a, dataset) == {"code": 0}, "an empty dataset: nothing to do"


@pytest.mark.parametrize(
    ("body", "type_name"), [(b'"not json"', "str"), (b"[1, 2]", "list"), (b"123", "int")]
)
def test_delete_with_a_body_that_is_not_an_object_deletes_nothing(tenant_a, dataset, body, type_name):
    uploaded(tenant_a, dataset, ("a.txt", b"a"), ("b.txt", b"b"))
    answer = delete(tenant_a, dataset, content=body, headers={"Content-Type": "application/json"})
    assert answer == {
        "code": 100,
        "data": None,
        "message": f"AttributeError(\"'{type_name}' object has no attribute 'get'\")",
    }
    assert sorted(names(tenant_a, dataset)) == ["a.txt", "b.txt"]


def test_delete_reports_unknown_ids_but_deletes_the_others(tenant_a, dataset):
    a, b = uploaded(tenant_a, dataset, ("a.txt", b"a"), ("b.txt", b"b"))
    unknown = "invalid_id"
    assert delete(tenant_a, dataset, {"ids": [a["id"], unknown]}) == {
        "code": 102,
        "message": f"Documents not found: ['{unknown}']",
    }
    assert [d["id"] for d in docs(tenant_a, dataset)] == [b["id"]]
    assert assert_counters(tenant_a, dataset)["document_count"] == 1


def test_delete_treats_another_datasets_documents_as_not_found(tenant_a, dataset):
    other = new_dataset(tenant_a)["id"]
    theirs = one(tenant_a, other, "theirs.txt", b"still here")
    mine = one(tenant_a, dataset, "mine.txt")
    assert delete(tenant_a, dataset, {"ids": [theirs["id"], mine["id"]]}) == {
        "code": 102,
        "message": f"Documents not found: ['{theirs['id']}']",
    }
    assert docs(tenant_a, dataset) == []
    assert [d["id"] for d in docs(tenant_a, other)] == [theirs["id"]]
    assert download(tenant_a, other, theirs["id"]).content == b"still here"
    assert assert_counters(tenant_a, other)["document_count"] == 1


def test_delete_collapses_duplicates(tenant_a, dataset):
    a, b = uploaded(tenant_a, dataset, ("a.txt", b"a"), ("b.txt", b"b"))
    assert delete(tenant_a, dataset, {"ids": [a["id"], a["id"]]}) == {
        "code": 0,
        "data": {"success_count": 1, "errors": [f"Duplicate document ids: {a['id']}"]},
    }
    assert [d["id"] for d in docs(tenant_a, dataset)] == [b["id"]]
    assert delete(tenant_a, dataset, {"ids": [a["id"], a["id"]]}) == {
        "code": 102,
        "message": f"Documents not found: ['{a['id']}']",
    }, "not found wins over duplicates"


def test_delete_refuses_unknown_datasets(tenant_a):
    unknown = uuid.uuid1().hex
    assert delete(tenant_a, unknown, {"ids": None}) == {
        "code": 102,
        "message": f"You don't own the dataset {unknown}. ",
    }


# counters ----------------------------------------------------------------------------------------
def test_dataset_counters_follow_every_change(tenant_a, dataset):
    assert assert_counters(tenant_a, dataset)["document_count"] == 0
    stored = uploaded(tenant_a, dataset, ("1.txt", b"1"), ("2.txt", b"2"), ("3.txt", b"3"))
    assert assert_counters(tenant_a, dataset)["document_count"] == 3
    assert upload(tenant_a, dataset, ("bad.exe", b"x"), ("4.txt", b"4"))["code"] == 500
    assert assert_counters(tenant_a, dataset)["document_count"] == 4
    assert upload(tenant_a, dataset, ("5.txt", b"5"), ("x" * 300 + ".txt", b"x")) == NAME_TOO_LONG
    assert assert_counters(tenant_a, dataset)["document_count"] == 4
    assert update(tenant_a, dataset, stored[0]["id"], {"chunk_method": "qa"})["code"] == 0
    assert assert_counters(tenant_a, dataset)["document_count"] == 4
    assert delete(tenant_a, dataset, {"ids": [stored[1]["id"], "missing"]})["code"] == 102
    record = assert_counters(tenant_a, dataset)
    assert (record["document_count"], record["chunk_count"], record["token_num"]) == (3, 0, 0)
    assert delete(tenant_a, dataset) == {"code": 0}
    assert assert_counters(tenant_a, dataset)["document_count"] == 0


# tenant isolation --------------------------------------------------------------------------------
def test_another_tenant_can_do_nothing_with_my_documents(tenant_a, tenant_b, dataset):
    mine = uploaded(tenant_a, dataset, ("secret.txt", b"secret bytes"), ("plan.md", b"# plan"))
    doc_id = mine[0]["id"]
    before = docs(tenant_a, dataset)
    record_before = dataset_record(tenant_a, dataset)
    theirs = new_dataset(tenant_b)["id"]

    not_owner_list = {"code": 102, "message": f"You don't own the dataset {dataset}. "}
    attempts: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = [
        (
            "POST",
            docs_path(dataset),
            {"files": [("file", ("evil.txt", b"evil"))]},
            {"code": 102, "message": f"You don't own the dataset {dataset}."},
        ),
        ("GET", docs_path(dataset), {}, not_owner_list),
        ("GET", docs_path(dataset), {"params": {"id": doc_id}}, not_owner_list),
        ("GET", docs_path(dataset), {"params": {"name": "secret.txt"}}, not_owner_list),
        ("DELETE", docs_path(dataset), {"json": {"ids": [doc_id]}}, not_owner_list),
        ("DELETE", docs_path(dataset), {"json": {"ids": None}}, not_owner_list),
        ("DELETE", docs_path(dataset), {}, not_owner_list),
        (
            "GET",
            doc_path(dataset, doc_id),
            {},
            {"code": 102, "message": f"You do not own the dataset {dataset}."},
        ),
    ]
    for body in (
        {"name": "pwned.txt"},
        {"enabled": False},
        {"meta_fields": {"x": 1}},
        {"chunk_method": "qa"},
        {"parser_config": {"chunk_token_num": 1}},
    ):
        attempts.append(
            (
                "PUT",
                doc_path(dataset, doc_id),
                {"json": body},
                {"code": 102, "message": "You don't own the dataset."},
            )
        )
    for method, path, kwargs, refusal in attempts:
        replayed = as_other_tenant(tenant_a.sdk.build_request(method, path, **kwargs), tenant_b)
        assert envelope(replayed) == refusal, (method, path, kwargs)

    # Tenant B's own dataset with tenant A's document id.
    assert envelope(download(tenant_b, theirs, doc_id)) == {
        "code": 102,
        "message": f"The dataset not own the document {doc_id}.",
    }
    assert update(tenant_b, theirs, doc_id, {"name": "pwned.txt"}) == {
        "code": 102,
        "message": "The dataset doesn't own the document.",
    }
    assert delete(tenant_b, theirs, {"ids": [doc_id]}) == {
        "code": 102,
        "message": f"Documents not found: ['{doc_id}']",
    }
    assert envelope(tenant_b.sdk.get(docs_path(theirs), params={"id": doc_id})) == {
        "code": 102,
        "message": f"You don't own the document {doc_id}.",
    }
    assert envelope(tenant_b.sdk.get(docs_path(theirs), params={"name": "secret.txt"})) == {
        "code": 102,
        "message": "You don't own the document secret.txt.",
    }
    assert docs(tenant_b, theirs) == []

    assert docs(tenant_a, dataset) == before, "nothing of mine changed"
    assert dataset_record(tenant_a, dataset) == record_before
    assert download(tenant_a, dataset, doc_id).content == b"secret bytes"
