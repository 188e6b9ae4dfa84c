"""`/v1/document/*` over real HTTP: the documents of a dataset, through the web API.

The contract is RAGFlow v0.20.5's document_app (web spec §6, with the §1 conventions: envelopes,
§1.5 argument presence, §1.6 auto-rename, §1.7 Document record); RAGFlow's own web tests are the
acceptance criteria where they and its code disagree (§12). Parsing (`/run`, `/parse`,
`/upload_and_parse`) and `/web_crawl` are not covered here.

citeflow's decisions pinned here:
* an upload where some files are accepted and others refused answers code 500 with one
  `<name>: <error>` line per refused file and `data` = the accepted documents (the spec's
  recommendation; RAGFlow itself fails to serialise its answer);
* PDFs and images that render get a PNG thumbnail, stored as `thumbnail_<doc id>.png` in the
  dataset's bucket and shown by `/list` and `/thumbnails` as `/v1/document/image/<kb id>-<object>`;
  other files (slides included) have `thumbnail` `""`;
* `/v1/document/image/<id>` serves thumbnails (and chunk images) but not a dataset's original files,
  which RAGFlow also serves there (docs/api.md, deliberate differences);
* a PDF or image whose name has no extension RAGFlow accepts is recognised by its first bytes
  (RAGFlow refuses it);
* another tenant is refused on every route that takes a dataset or document id (upload: 109,
  list and filter: 103, infos/rm/rename/change_parser/set_meta: 109, change_status: a per-document
  `No authorization.`), and the owner's documents are unchanged afterwards;
* `GET /v1/document/get/<id>`, `/thumbnails` and `/image/<id>` need no session, as in RAGFlow;
* names are stored as sent (`../` included: blob names never become paths), except that NUL
  characters are refused.
"""

import json
import re
import string
import struct
import time
import uuid
import zlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.chunks import DOCUMENT_RECORD_KEYS, unique
from tests.conftest import SHARED, RunningServer, Tenant, as_other_tenant
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

LACK_KB_ID = {"code": 101, "data": False, "message": 'Lack of "KB ID"'}
NAME_TOO_LONG = {"code": 101, "data": False, "message": "File name must be 255 bytes or less."}
UNSUPPORTED = "This type of file has not been supported yet!"
DUPLICATED = "Duplicated document name in the same knowledgebase."
NO_SUCH_ID = uuid.uuid1().hex
DOC_ID = re.compile(r"^[0-9a-f]{32}$")
HTTP_DATE = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"\d{4} \d{2}:\d{2}:\d{2} GMT$"
)
DEFAULT_PARSER_CONFIG = {"pages": [[1, 1000000]]}
TEXT = b"RAGFlow is an open-source RAG engine based on deep document understanding.\n"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

#: What `/upload` returns for each accepted file (spec §6 upload).
UPLOAD_KEYS = {
    "id",
    "kb_id",
    "parser_id",
    "parser_config",
    "created_by",
    "type",
    "name",
    "suffix",
    "location",
    "size",
    "thumbnail",
}
#: What `/create` returns: the inserted fields plus column defaults, no times (spec §6 create).
CREATE_KEYS = {
    "id",
    "kb_id",
    "parser_id",
    "parser_config",
    "created_by",
    "type",
    "name",
    "suffix",
    "location",
    "size",
    "source_type",
    "token_num",
    "chunk_num",
    "progress",
    "progress_msg",
    "process_duration",
    "meta_fields",
    "run",
    "status",
}
CORPUS = SHARED / "corpus"
#: RAGFlow's p1 upload types (docx, excel, ppt, image, pdf, txt, md, json, eml, html) from the
#: shared corpus: (id, corpus path, expected type, expected chunk method in a `naive` dataset,
#: whether a thumbnail is made).
CORPUS_FILES = [
    ("docx", "docx/ragflow-test.docx", "doc", "naive", False),
    ("excel", "xlsx/ragflow-test.xlsx", "doc", "naive", False),
    ("ppt", "pptx/powerpoint_sample.pptx", "doc", "presentation", False),
    ("image", "image/linn.png", "visual", "picture", True),
    ("jpg", "image/ragflow-test.jpg", "visual", "picture", True),
    ("pdf", "pdf/ragflow-test-acroform.pdf", "pdf", "naive", True),
    ("txt", "txt/ragflow-test.txt", "doc", "naive", False),
    ("md", "md/ragflow-test.md", "doc", "naive", False),
    ("json", "json/ragflow-test.json", "doc", "naive", False),
    ("eml", "eml/fake-email-attachment.eml", "doc", "email", False),
    ("html", "html/ragflow-test.html", "doc", "naive", False),
]
#: Content types the spec pins whatever RAGFlow's map holds (mapping and fallback agree, or the
#: extension is in no map): `image/<ext>` for visual documents, `application/<ext>` otherwise.
CONTENT_TYPES = {
    "report.pdf": "application/pdf",
    "photo.png": "image/png",
    "data.json": "application/json",
    "scan.tga": "image/tga",
    "manual.hlp": "application/hlp",
}


@pytest.fixture(scope="module")
def alice(server: RunningServer) -> Iterator[Tenant]:
    """The owner in most tests; a tenant of this module."""
    with open_tenant(server, "doc-alice") as tenant:
        yield tenant


@pytest.fixture(scope="module")
def bob(server: RunningServer) -> Iterator[Tenant]:
    """Another tenant of this module, who tries alice's ids."""
    with open_tenant(server, "doc-bob") as tenant:
        yield tenant


@pytest.fixture
def kb(alice: Tenant) -> str:
    """A fresh empty dataset of alice's."""
    return create_kb(alice, unique("docs"))


@pytest.fixture(scope="module")
def five(alice: Tenant) -> tuple[str, list[dict[str, Any]]]:
    """A dataset with five text documents uploaded one by one (RAGFlow's `add_documents`), in order.

    Read-only: tests that change documents make their own.
    """
    kb_id = create_kb(alice, unique("five"))
    docs = []
    for i in range(5):
        (doc,) = uploaded(alice, kb_id, (f"ragflow_test_upload_{i}.txt", TEXT * (i + 1)))
        docs.append(doc)
        pause()
    return kb_id, docs


# helpers ----------------------------------------------------------------------------------------
def argument_error(message: str) -> dict[str, Any]:
    return {"code": 101, "data": False, "message": message}


def exception(message: str) -> dict[str, Any]:
    return {"code": 100, "data": None, "message": message}


def pause() -> None:
    """Let the millisecond clock move, so create and update times differ."""
    time.sleep(0.01)


def create_kb(tenant: Tenant, name: str, **fields: Any) -> str:
    return ok(tenant.web.post("/v1/kb/create", json={"name": name, **fields}))["kb_id"]


def kb_detail(tenant: Tenant, kb_id: str) -> dict[str, Any]:
    return ok(tenant.web.get("/v1/kb/detail", params={"kb_id": kb_id}))


def upload_request(tenant: Tenant, kb_id: str | None, *files: tuple[str, bytes]) -> httpx.Request:
    data = {} if kb_id is None else {"kb_id": kb_id}
    parts = [("file", (name, content, "application/octet-stream")) for name, content in files]
    return tenant.web.build_request("POST", "/v1/document/upload", data=data, files=parts)


def upload(tenant: Tenant, kb_id: str | None, *files: tuple[str, bytes]) -> dict[str, Any]:
    return envelope(tenant.web.send(upload_request(tenant, kb_id, *files)))


def uploaded(tenant: Tenant, kb_id: str, *files: tuple[str, bytes]) -> list[dict[str, Any]]:
    """Upload files that must all be accepted; the documents `/upload` returns."""
    docs = ok(tenant.web.send(upload_request(tenant, kb_id, *files)))
    assert isinstance(docs, list), docs
    assert len(docs) == len(files), docs
    for doc in docs:
        assert set(doc) == UPLOAD_KEYS, doc
    return docs


def multipart(fields: dict[str, str], files: list[tuple[bytes, bytes]]) -> tuple[bytes, dict[str, str]]:
    """A multipart body written byte by byte, for file names an HTTP client would escape."""
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    for filename, content in files:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="'.encode()
            + filename
            + b'"\r\nContent-Type: application/octet-stream\r\n\r\n'
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def raw_upload(tenant: Tenant, kb_id: str, *files: tuple[bytes, bytes]) -> dict[str, Any]:
    body, headers = multipart({"kb_id": kb_id}, list(files))
    return envelope(tenant.web.post("/v1/document/upload", content=body, headers=headers))


def create_doc(tenant: Tenant, kb_id: Any, name: Any) -> dict[str, Any]:
    return envelope(tenant.web.post("/v1/document/create", json={"name": name, "kb_id": kb_id}))


def listing(tenant: Tenant, kb_id: str, body: Any = None, **params: Any) -> dict[str, Any]:
    reply = tenant.web.post(
        "/v1/document/list", params={"kb_id": kb_id, **params}, json={} if body is None else body
    )
    data = ok(reply)
    assert set(data) == {"docs", "total"}, data
    return data


def listed(tenant: Tenant, kb_id: str, **params: Any) -> list[dict[str, Any]]:
    return listing(tenant, kb_id, **params)["docs"]


def names(docs: list[dict[str, Any]]) -> list[str]:
    return [doc["name"] for doc in docs]


def ids(docs: list[dict[str, Any]]) -> list[str]:
    return [doc["id"] for doc in docs]


def infos(tenant: Tenant, doc_ids: list[str]) -> list[dict[str, Any]]:
    return ok(tenant.web.post("/v1/document/infos", json={"doc_ids": doc_ids}))


def info(tenant: Tenant, doc_id: str) -> dict[str, Any]:
    (record,) = infos(tenant, [doc_id])
    assert set(record) == DOCUMENT_RECORD_KEYS, record
    return record


def post(tenant: Tenant, route: str, body: Any) -> dict[str, Any]:
    return envelope(tenant.web.post(f"/v1/document/{route}", json=body))


def download(server: RunningServer, doc_id: str) -> httpx.Response:
    """`GET /v1/document/get/<id>` without a session."""
    with server.client() as anonymous:
        return anonymous.get(f"/v1/document/get/{doc_id}")


def png_image(width: int = 64, height: int = 48) -> bytes:
    """A valid RGB PNG (a gradient), written with zlib alone."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = bytes(value for x in range(width) for value in (x * 4 % 256, 90, 200))
    pixels = b"".join(b"\x00" + row for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        PNG_SIGNATURE + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(pixels)) + chunk(b"IEND", b"")
    )


def corpus_file(path: str) -> Path:
    file = CORPUS / path
    if not file.is_file():
        pytest.skip(f"corpus file {path} is absent")
    return file


# authentication ---------------------------------------------------------------------------------
SESSION_ROUTES = [
    ("POST", "/v1/document/upload", {"data": {"kb_id": NO_SUCH_ID}, "files": [("file", ("a.txt", b"x"))]}),
    ("POST", "/v1/document/create", {"json": {"name": "a.txt", "kb_id": NO_SUCH_ID}}),
    ("POST", "/v1/document/list", {"params": {"kb_id": NO_SUCH_ID}, "json": {}}),
    ("POST", "/v1/document/filter", {"json": {"kb_id": NO_SUCH_ID}}),
    ("POST", "/v1/document/infos", {"json": {"doc_ids": [NO_SUCH_ID]}}),
    ("POST", "/v1/document/change_status", {"json": {"doc_ids": [NO_SUCH_ID], "status": "0"}}),
    ("POST", "/v1/document/rm", {"json": {"doc_id": NO_SUCH_ID}}),
    ("POST", "/v1/document/rename", {"json": {"doc_id": NO_SUCH_ID, "name": "b.txt"}}),
    ("POST", "/v1/document/change_parser", {"json": {"doc_id": NO_SUCH_ID, "parser_id": "qa"}}),
    ("POST", "/v1/document/set_meta", {"json": {"doc_id": NO_SUCH_ID, "meta": "{}"}}),
]


def test_document_routes_need_a_session(server, alice, kb):
    (doc,) = uploaded(alice, kb, ("guarded.txt", TEXT))
    for authorization in (None, "not-a-session", alice.api_key, f"Bearer {alice.api_key}"):
        headers = {} if authorization is None else {"Authorization": authorization}
        with server.client(**headers) as client:
            for method, path, kwargs in SESSION_ROUTES:
                assert envelope(client.request(method, path, **kwargs)) == UNAUTHORIZED, (authorization, path)
            assert envelope(client.post("/v1/document/rm", json={"doc_id": doc["id"]})) == UNAUTHORIZED
            assert envelope(client.post("/v1/document/upload")) == UNAUTHORIZED, "auth comes first"
            assert envelope(client.post("/v1/document/rename", json={})) == UNAUTHORIZED
    assert ids(listed(alice, kb)) == [doc["id"]], "nothing was changed"
    assert kb_detail(alice, kb)["doc_num"] == 1


def test_document_routes_accept_a_trailing_slash(server, alice, kb):
    (doc,) = ok(alice.web.post("/v1/document/upload/", data={"kb_id": kb}, files=[("file", ("s.txt", TEXT))]))
    assert ids(ok(alice.web.post("/v1/document/list/", params={"kb_id": kb}, json={}))["docs"]) == [doc["id"]]
    assert ids(ok(alice.web.post("/v1/document/infos/", json={"doc_ids": [doc["id"]]}))) == [doc["id"]]
    with server.client() as anonymous:
        assert anonymous.get(f"/v1/document/get/{doc['id']}/").content == TEXT
    assert ok(alice.web.post("/v1/document/rm/", json={"doc_id": doc["id"]})) is True


# upload -------------------------------------------------------------------------------------------
def test_upload_returns_the_new_document(server, alice):
    kb_id = create_kb(alice, unique("upload"))
    reply = upload(alice, kb_id, ("ragflow_test.txt", TEXT))
    assert reply["code"] == 0, reply
    assert reply["message"] == "success"
    (doc,) = reply["data"]
    assert doc == {
        "id": doc["id"],
        "kb_id": kb_id,
        "parser_id": "naive",
        "parser_config": DEFAULT_PARSER_CONFIG,
        "created_by": alice.user_id,
        "type": "doc",
        "name": "ragflow_test.txt",
        "suffix": "txt",
        "location": "ragflow_test.txt",
        "size": len(TEXT),
        "thumbnail": "",
    }
    assert DOC_ID.match(doc["id"]), doc
    assert download(server, doc["id"]).content == TEXT
    detail = kb_detail(alice, kb_id)
    assert (detail["doc_num"], detail["size"]) == (1, len(TEXT))


@pytest.mark.parametrize(
    ("label", "path", "kind", "parser_id", "has_thumbnail"), CORPUS_FILES, ids=[f[0] for f in CORPUS_FILES]
)
def test_upload_accepts_ragflows_p1_file_types(
    server, alice, kb, label, path, kind, parser_id, has_thumbnail
):
    file = corpus_file(path)
    content = file.read_bytes()
    (doc,) = uploaded(alice, kb, (file.name, content))
    assert doc["name"] == file.name
    assert doc["kb_id"] == kb
    assert doc["type"] == kind, label
    assert doc["parser_id"] == parser_id, label
    assert doc["suffix"] == file.suffix[1:]
    assert doc["size"] == len(content)
    assert doc["location"] == file.name
    reply = download(server, doc["id"])
    assert reply.status_code == 200
    assert reply.content == content, "the stored bytes are the uploaded bytes"
    (record,) = listed(alice, kb)
    assert record["id"] == doc["id"]
    assert kb_detail(alice, kb)["size"] == len(content)
    if not has_thumbnail:
        assert doc["thumbnail"] == record["thumbnail"] == "", label
        return
    assert doc["thumbnail"] == f"thumbnail_{doc['id']}.png", label
    assert record["thumbnail"] == f"/v1/document/image/{kb}-thumbnail_{doc['id']}.png"
    with server.client() as anonymous:
        preview = anonymous.get(record["thumbnail"])
    assert preview.status_code == 200
    assert preview.content.startswith(PNG_SIGNATURE), preview.content[:100]
    assert preview.headers["content-type"] == "image/JPEG"


def test_upload_takes_the_datasets_chunk_method_and_config(alice):
    config = {"chunk_token_num": 256, "delimiter": "\n", "raptor": {"use_raptor": False}}
    kb_id = create_kb(alice, unique("qa"), parser_id="qa", parser_config=config)
    docs = uploaded(
        alice,
        kb_id,
        ("faq.txt", TEXT),
        ("paper.PDF", b"%PDF-1.4\n%%EOF\n"),
        ("slides.pptx", b"PK\x03\x04"),
        ("slides.ppt", b"ppt"),
        ("notes.pages", b"pages"),
        ("mail.eml", b"Subject: hi\r\n\r\nhello\r\n"),
        ("photo.JPG", b"\xff\xd8\xff"),
        ("clip.mp4", b"mp4"),
        ("talk.mp3", b"ID3"),
        ("voice.WAV", b"RIFF"),
        ("rows.csv", b"a,b\n1,2\n"),
    )
    found = {doc["name"]: (doc["type"], doc["parser_id"], doc["suffix"]) for doc in docs}
    assert found == {
        "faq.txt": ("doc", "qa", "txt"),
        "paper.PDF": ("pdf", "qa", "PDF"),
        "slides.pptx": ("doc", "presentation", "pptx"),
        "slides.ppt": ("doc", "presentation", "ppt"),
        "notes.pages": ("doc", "presentation", "pages"),
        "mail.eml": ("doc", "email", "eml"),
        "photo.JPG": ("visual", "picture", "JPG"),
        "clip.mp4": ("visual", "picture", "mp4"),
        "talk.mp3": ("aural", "audio", "mp3"),
        "voice.WAV": ("aural", "audio", "WAV"),
        "rows.csv": ("doc", "qa", "csv"),
    }
    for doc in docs:
        assert doc["parser_config"] == config, doc["name"]
    assert kb_detail(alice, kb_id)["doc_num"] == len(docs)


def test_upload_keeps_the_config_the_dataset_had_then(alice):
    kb_id = create_kb(alice, unique("then"), parser_config={"chunk_token_num": 128})
    (before,) = uploaded(alice, kb_id, ("before.txt", TEXT))
    name = kb_detail(alice, kb_id)["name"]
    body = {"kb_id": kb_id, "name": name, "description": "", "parser_id": "naive"}
    assert ok(alice.web.post("/v1/kb/update", json={**body, "parser_config": {"chunk_token_num": 512}}))
    (after,) = uploaded(alice, kb_id, ("after.txt", TEXT))
    assert before["parser_config"] == {"chunk_token_num": 128}
    assert after["parser_config"] == {"chunk_token_num": 512}
    assert info(alice, before["id"])["parser_config"] == {"chunk_token_num": 128}


def test_upload_of_many_files_counts_them_all(alice, kb):
    files = [(f"ragflow_test_{i}.txt", TEXT) for i in range(20)]
    docs = uploaded(alice, kb, *files)
    assert names(docs) == [name for name, _ in files]
    assert len(set(ids(docs))) == 20
    detail = kb_detail(alice, kb)
    assert (detail["doc_num"], detail["size"]) == (20, 20 * len(TEXT))
    (item,) = [k for k in ok(alice.web.post("/v1/kb/list", json={}))["kbs"] if k["id"] == kb]
    assert item["doc_num"] == 20
    assert listing(alice, kb)["total"] == 20


def test_upload_renames_duplicates_like_ragflow(alice, kb):
    """§1.6: `x.txt`, `x(1).txt`, `x(2).txt`…, case-insensitively, counting up an existing `(N)`."""
    first = uploaded(alice, kb, ("ragflow_test.txt", TEXT), ("ragflow_test.txt", TEXT))
    assert names(first) == ["ragflow_test.txt", "ragflow_test(1).txt"]
    (again,) = uploaded(alice, kb, ("ragflow_test.txt", TEXT))
    assert again["name"] == "ragflow_test(2).txt"
    assert again["location"] == "ragflow_test(2).txt"
    (shouted,) = uploaded(alice, kb, ("RAGFLOW_TEST.TXT", TEXT))
    assert shouted["name"] == "RAGFLOW_TEST(3).TXT", "names that differ only by case are equal"
    counted = uploaded(alice, kb, ("report(3).txt", TEXT), ("report(3).txt", TEXT))
    assert names(counted) == ["report(3).txt", "report(4).txt"]
    assert sorted(names(listed(alice, kb))) == sorted(
        [
            "ragflow_test.txt",
            "ragflow_test(1).txt",
            "ragflow_test(2).txt",
            "RAGFLOW_TEST(3).TXT",
            "report(3).txt",
            "report(4).txt",
        ]
    )


def test_upload_renames_within_the_dataset_only(alice, kb):
    other = create_kb(alice, unique("other"))
    (mine,) = uploaded(alice, kb, ("same.txt", TEXT))
    (theirs,) = uploaded(alice, other, ("same.txt", TEXT))
    assert mine["name"] == theirs["name"] == "same.txt"
    assert names(listed(alice, kb)) == ["same.txt"]


def test_upload_never_overwrites_a_stored_blob(server, alice, kb):
    """The blob name is the file name with `_` appended until it is free (spec §6 upload)."""
    (first,) = uploaded(alice, kb, ("blob.txt", b"first"))
    assert (
        ok(alice.web.post("/v1/document/rename", json={"doc_id": first["id"], "name": "moved.txt"})) is True
    )
    (second,) = uploaded(alice, kb, ("blob.txt", b"second"))
    assert second["name"] == "blob.txt", "the name is free again"
    assert second["location"] == "blob.txt_", "but its blob name is not"
    assert download(server, first["id"]).content == b"first"
    assert download(server, second["id"]).content == b"second"


def test_upload_accepts_an_empty_file(server, alice, kb):
    (doc,) = uploaded(alice, kb, ("empty.txt", b""))
    assert doc["size"] == 0
    assert download(server, doc["id"]).content == b""
    assert kb_detail(alice, kb)["doc_num"] == 1


@pytest.mark.parametrize("name", ["a" * 251 + ".txt", "é" * 125 + ".txt", "数" * 83 + "ab.txt"])
def test_upload_accepts_names_up_to_255_bytes(alice, kb, name):
    assert len(name.encode()) <= 255
    (doc,) = uploaded(alice, kb, (name, TEXT))
    assert doc["name"] == name
    assert names(listed(alice, kb)) == [name]


def test_upload_keeps_punctuation_and_unicode_names(server, alice, kb):
    punctuation = string.punctuation.translate(str.maketrans(dict.fromkeys('<>:"/\\|?*', "_")))
    names_sent = [f"{punctuation}.txt", "Zoë's résumé (final) #2.md", "数据 集.json"]
    docs = uploaded(alice, kb, *[(name, TEXT) for name in names_sent])
    assert names(docs) == names_sent
    assert sorted(names(listed(alice, kb))) == sorted(names_sent)
    raw = alice.web.post("/v1/document/list", params={"kb_id": kb}, json={}).text
    assert raw.isascii(), "non-ASCII is escaped (spec §1.2)"
    assert "Zo\\u00eb" in raw


def test_upload_keeps_path_like_names_without_writing_outside_storage(server, alice, kb):
    """RAGFlow stores `../` in a name as given; the bytes must still stay inside the data directory."""
    marker = f"citeflow-escape-{uuid.uuid4().hex}"
    name = f"../../../../../../tmp/{marker}.txt"
    doc, _ = uploaded(alice, kb, (name, b"contained"), ("dir/sub/file.md", TEXT))
    assert doc["name"] == name
    assert doc["suffix"] == "txt"
    assert doc["type"] == "doc"
    assert download(server, doc["id"]).content == b"contained"
    assert not Path("/tmp", f"{marker}.txt").exists()
    assert not list(server.settings.data_dir.parents[1].rglob(f"{marker}*"))
    assert sorted(names(listed(alice, kb))) == sorted([name, "dir/sub/file.md"])


def test_upload_keeps_control_characters_other_than_nul(server, alice, kb):
    sent = [b"tab\there.txt", b"bell\x07.txt", b"esc\x1b[31m.md", b"del\x7f.txt", b"unit\x1fsep.csv"]
    reply = raw_upload(alice, kb, *[(name, TEXT) for name in sent])
    assert reply["code"] == 0, reply
    assert names(reply["data"]) == [name.decode() for name in sent]
    assert sorted(names(listed(alice, kb))) == sorted(name.decode() for name in sent)
    for doc in reply["data"]:
        assert download(server, doc["id"]).content == TEXT


def test_upload_refuses_a_name_with_nul(alice, kb):
    """A NUL cannot be stored (PostgreSQL refuses it): the file is refused, nothing is stored."""
    reply = raw_upload(alice, kb, (b"nul\x00byte.txt", TEXT))
    assert reply["code"] in (101, 500), reply
    if reply["code"] == 500:
        assert reply["data"] == [], reply
        assert reply["message"].startswith("nul\x00byte.txt: "), reply
    else:
        assert reply["data"] is False, reply
    assert listing(alice, kb) == {"docs": [], "total": 0}
    assert kb_detail(alice, kb)["doc_num"] == 0


def test_upload_refuses_a_newline_before_the_extension_as_unsupported(alice, kb):
    """RAGFlow's type regexes (`.*\\.txt$`) do not cross a newline, so the type is `other`."""
    reply = raw_upload(alice, kb, (b"line\nbreak.txt", TEXT))
    assert reply == {"code": 500, "data": [], "message": f"line\nbreak.txt: {UNSUPPORTED}"}
    assert listing(alice, kb)["total"] == 0


@pytest.mark.parametrize("name", ["ragflow_test.exe", "ragflow_test.unknown", "README", "archive.tar.gz"])
def test_upload_refuses_an_unsupported_type(alice, kb, name):
    assert upload(alice, kb, (name, b"")) == {"code": 500, "data": [], "message": f"{name}: {UNSUPPORTED}"}
    assert upload(alice, kb, (name, b"MZ\x90\x00")) == {
        "code": 500,
        "data": [],
        "message": f"{name}: {UNSUPPORTED}",
    }
    assert listing(alice, kb) == {"docs": [], "total": 0}
    assert kb_detail(alice, kb)["doc_num"] == 0


def test_upload_recognises_a_pdf_or_image_without_its_extension(server, alice, kb):
    """citeflow's decision (docs/api.md): RAGFlow refuses these as `other`."""
    pdf = b"%PDF-1.4\n%%EOF\n"
    scan, photo = uploaded(alice, kb, ("scan", pdf), ("photo.unknown", png_image()))
    assert (scan["name"], scan["type"], scan["suffix"], scan["parser_id"]) == ("scan", "pdf", "pdf", "naive")
    assert (photo["name"], photo["type"], photo["suffix"], photo["parser_id"]) == (
        "photo.unknown",
        "visual",
        "png",
        "picture",
    )
    assert download(server, scan["id"]).content == pdf


def test_upload_with_some_files_refused_keeps_the_others(server, alice, kb):
    """citeflow's decision: code 500, one line per refused file, `data` = the accepted documents."""
    reply = upload(
        alice, kb, ("bad.exe", b"MZ"), ("good.txt", TEXT), ("worse.unknown", b"?"), ("fine.md", TEXT)
    )
    assert reply["code"] == 500, reply
    assert reply["message"] == f"bad.exe: {UNSUPPORTED}\nworse.unknown: {UNSUPPORTED}"
    accepted = reply["data"]
    assert names(accepted) == ["good.txt", "fine.md"]
    for doc in accepted:
        assert set(doc) == UPLOAD_KEYS, doc
        assert doc["kb_id"] == kb
        assert download(server, doc["id"]).content == TEXT
    assert sorted(ids(listed(alice, kb))) == sorted(ids(accepted))
    assert kb_detail(alice, kb)["doc_num"] == 2


def test_upload_needs_kb_id(alice, kb):
    assert upload(alice, None, ("a.txt", TEXT)) == missing("kb_id")
    assert upload(alice, "", ("a.txt", TEXT)) == LACK_KB_ID
    body, headers = multipart({"name": "x"}, [(b"a.txt", TEXT)])
    assert envelope(alice.web.post("/v1/document/upload", content=body, headers=headers)) == missing("kb_id")
    assert listing(alice, kb)["total"] == 0


@pytest.mark.parametrize(
    "shape", ["form-without-files", "file-as-a-form-field", "file-as-a-multipart-field", "other-part-name"]
)
def test_upload_needs_a_file_part(alice, kb, shape):
    url = "/v1/document/upload"
    if shape == "form-without-files":
        reply = alice.web.post(url, data={"kb_id": kb})
    elif shape == "file-as-a-form-field":
        reply = alice.web.post(url, data={"kb_id": kb, "file": "not a file"})
    elif shape == "file-as-a-multipart-field":
        body, headers = multipart({"kb_id": kb, "file": "not a file"}, [])
        reply = alice.web.post(url, content=body, headers=headers)
    else:
        reply = alice.web.post(url, data={"kb_id": kb}, files=[("document", ("a.txt", TEXT))])
    assert envelope(reply) == {"code": 101, "data": False, "message": "No file part!"}
    assert listing(alice, kb)["total"] == 0


def test_upload_checks_files_before_the_dataset(alice):
    body, headers = multipart({"kb_id": NO_SUCH_ID}, [])
    reply = envelope(alice.web.post("/v1/document/upload", content=body, headers=headers))
    assert reply == {"code": 101, "data": False, "message": "No file part!"}
    body, headers = multipart({"kb_id": NO_SUCH_ID}, [(b"", TEXT)])
    reply = envelope(alice.web.post("/v1/document/upload", content=body, headers=headers))
    assert reply == {"code": 101, "data": False, "message": "No file selected!"}
    assert upload(alice, NO_SUCH_ID, ("a" * 256 + ".txt", TEXT)) == NAME_TOO_LONG


def test_upload_with_an_empty_file_name_stores_nothing(alice, kb):
    body, headers = multipart({"kb_id": kb}, [(b"good.txt", TEXT), (b"", TEXT)])
    reply = envelope(alice.web.post("/v1/document/upload", content=body, headers=headers))
    assert reply == {"code": 101, "data": False, "message": "No file selected!"}
    assert listing(alice, kb)["total"] == 0


@pytest.mark.parametrize("name", ["a" * 252 + ".txt", "é" * 126 + ".txt", "数" * 84 + ".txt"])
def test_upload_refuses_names_over_255_bytes_and_stores_nothing(alice, kb, name):
    assert len(name.encode()) > 255
    assert upload(alice, kb, (name, TEXT)) == NAME_TOO_LONG
    assert upload(alice, kb, ("fine.txt", TEXT), (name, TEXT)) == NAME_TOO_LONG
    assert listing(alice, kb) == {"docs": [], "total": 0}
    assert kb_detail(alice, kb)["doc_num"] == 0


@pytest.mark.parametrize("kb_id", [NO_SUCH_ID, "invalid_kb_id"])
def test_upload_to_an_unknown_dataset_is_an_exception(alice, kb_id):
    reply = upload(alice, kb_id, ("ragflow_test.txt", TEXT))
    assert reply == exception('LookupError("Can\'t find this knowledgebase!")')


def test_concurrent_uploads_count_every_document(alice, kb):
    def one(i: int) -> dict[str, Any]:
        return upload(alice, kb, (f"ragflow_test_{i}.txt", TEXT))

    with ThreadPoolExecutor(max_workers=5) as pool:
        replies = list(pool.map(one, range(10)))
    assert all(reply["code"] == 0 for reply in replies), replies
    assert kb_detail(alice, kb)["doc_num"] == 10
    assert listing(alice, kb)["total"] == 10


def test_concurrent_uploads_of_one_name_get_distinct_names(alice, kb):
    def one(_: int) -> dict[str, Any]:
        return upload(alice, kb, ("same.txt", TEXT))

    with ThreadPoolExecutor(max_workers=5) as pool:
        replies = list(pool.map(one, range(5)))
    assert all(reply["code"] == 0 for reply in replies), replies
    got = sorted(reply["data"][0]["name"] for reply in replies)
    assert got == sorted(["same.txt", "same(1).txt", "same(2).txt", "same(3).txt", "same(4).txt"]), got
    assert sorted(names(listed(alice, kb))) == got
    assert kb_detail(alice, kb)["doc_num"] == 5


# create -------------------------------------------------------------------------------------------
def test_create_makes_an_empty_virtual_document(alice):
    config = {"chunk_token_num": 64}
    kb_id = create_kb(alice, unique("virtual"), parser_id="book", parser_config=config)
    reply = envelope(alice.web.post("/v1/document/create", json={"name": "notes.txt", "kb_id": kb_id}))
    assert reply["code"] == 0, reply
    assert reply["message"] == "success"
    doc = reply["data"]
    assert set(doc) == CREATE_KEYS, doc
    assert DOC_ID.match(doc["id"]), doc
    assert doc == {
        "id": doc["id"],
        "kb_id": kb_id,
        "parser_id": "book",
        "parser_config": config,
        "created_by": alice.user_id,
        "type": "virtual",
        "name": "notes.txt",
        "suffix": "txt",
        "location": "",
        "size": 0,
        "source_type": "local",
        "token_num": 0,
        "chunk_num": 0,
        "progress": 0,
        "progress_msg": "",
        "process_duration": 0,
        "meta_fields": {},
        "run": "0",
        "status": "1",
    }
    (record,) = listed(alice, kb_id)
    assert record["id"] == doc["id"]
    assert (record["type"], record["size"], record["location"], record["name"]) == (
        "virtual",
        0,
        "",
        "notes.txt",
    )
    detail = kb_detail(alice, kb_id)
    assert (detail["doc_num"], detail["size"]) == (1, 0)


def test_create_strips_the_name(alice, kb):
    doc = create_doc(alice, kb, "  spaced.md \t")
    assert doc["code"] == 0, doc
    assert doc["data"]["name"] == "spaced.md"
    assert doc["data"]["suffix"] == "md"
    assert create_doc(alice, kb, "no-extension")["data"]["suffix"] == ""


@pytest.mark.parametrize(
    "name",
    [
        "a" * 251 + ".txt",
        "é" * 125 + ".txt",
        string.punctuation.translate(str.maketrans(dict.fromkeys('<>:"/\\|?*', "_"))) + ".txt",
    ],
)
def test_create_echoes_names_up_to_255_bytes(alice, kb, name):
    reply = create_doc(alice, kb, name)
    assert reply["code"] == 0, reply
    assert reply["data"]["name"] == name
    assert names(listed(alice, kb)) == [name]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param("", argument_error("File name can't be empty."), id="empty"),
        pytest.param("   ", argument_error("File name can't be empty."), id="spaces"),
        pytest.param("a" * 252 + ".txt", NAME_TOO_LONG, id="256-bytes"),
        pytest.param("é" * 126 + ".txt", NAME_TOO_LONG, id="256-bytes-accented"),
        pytest.param(" " + "a" * 251 + ".txt", NAME_TOO_LONG, id="counted-before-strip"),
    ],
)
def test_create_refuses_a_bad_name(alice, kb, name, expected):
    assert create_doc(alice, kb, name) == expected
    assert listing(alice, kb)["total"] == 0


def test_create_needs_name_and_kb_id(alice, kb):
    assert post(alice, "create", {}) == missing("name", "kb_id")
    assert post(alice, "create", {"kb_id": kb}) == missing("name")
    assert post(alice, "create", {"name": "a.txt"}) == missing("kb_id")
    assert envelope(alice.web.post("/v1/document/create", content=b"not json")) == missing("name", "kb_id")
    assert create_doc(alice, "", "a.txt") == LACK_KB_ID
    assert create_doc(alice, "", "") == LACK_KB_ID, "kb_id is checked before the name"
    assert listing(alice, kb)["total"] == 0


@pytest.mark.parametrize("kb_id", [NO_SUCH_ID, "invalid_kb_id"])
def test_create_in_an_unknown_dataset(alice, kb_id):
    assert create_doc(alice, kb_id, "ragflow_test.txt") == data_error("Can't find this knowledgebase!")


def test_create_refuses_a_duplicate_name(alice, kb):
    assert create_doc(alice, kb, "ragflow_test.txt")["code"] == 0
    assert create_doc(alice, kb, "ragflow_test.txt") == data_error(DUPLICATED)
    assert create_doc(alice, kb, "RAGFlow_Test.TXT") == data_error(DUPLICATED), "case-insensitive (§1.6)"
    assert create_doc(alice, kb, " ragflow_test.txt ") == data_error(DUPLICATED), "after stripping"
    uploaded(alice, kb, ("uploaded.txt", TEXT))
    assert create_doc(alice, kb, "uploaded.txt") == data_error(DUPLICATED)
    assert listing(alice, kb)["total"] == 2
    assert kb_detail(alice, kb)["doc_num"] == 2


def test_concurrent_creates_count_every_document(alice, kb):
    def one(i: int) -> dict[str, Any]:
        return create_doc(alice, kb, f"ragflow_test_{i}.txt")

    with ThreadPoolExecutor(max_workers=5) as pool:
        replies = list(pool.map(one, range(20)))
    assert all(reply["code"] == 0 for reply in replies), replies
    assert kb_detail(alice, kb)["doc_num"] == 20


# list ---------------------------------------------------------------------------------------------
def test_list_returns_every_column_of_each_document(alice, five):
    kb_id, docs = five
    data = listing(alice, kb_id)
    assert data["total"] == 5
    assert len(data["docs"]) == 5
    by_id = {doc["id"]: doc for doc in data["docs"]}
    assert set(by_id) == set(ids(docs))
    for sent in docs:
        record = by_id[sent["id"]]
        assert set(record) == DOCUMENT_RECORD_KEYS, record
        for key in UPLOAD_KEYS:
            assert record[key] == sent[key], key
        assert record["source_type"] == "local"
        assert (record["token_num"], record["chunk_num"]) == (0, 0)
        assert record["progress"] == 0
        assert record["progress_msg"] == ""
        assert record["process_begin_at"] is None
        assert record["process_duration"] == 0
        assert record["meta_fields"] == {}
        assert record["run"] == "0"
        assert record["status"] == "1"
        for key in ("create_time", "update_time"):
            assert isinstance(record[key], int), key
            assert abs(record[key] - time.time() * 1000) < 600_000, key
        for key in ("create_date", "update_date"):
            assert HTTP_DATE.match(record[key]), record[key]


def test_list_is_newest_first_by_default(alice, five):
    kb_id, docs = five
    newest_first = list(reversed(ids(docs)))
    assert ids(listed(alice, kb_id)) == newest_first
    for params in ({"orderby": "create_time"}, {"desc": "true"}, {"desc": "True"}, {"desc": "yes"}):
        assert ids(listed(alice, kb_id, **params)) == newest_first, params
    for value in ("false", "False", "FALSE"):
        assert ids(listed(alice, kb_id, desc=value)) == ids(docs), value


@pytest.mark.parametrize(
    ("params", "window"),
    [
        pytest.param({}, slice(0, 5), id="no-paging"),
        pytest.param({"page": 0, "page_size": 5}, slice(0, 5), id="page-0"),
        pytest.param({"page_size": 5}, slice(0, 5), id="size-only"),
        pytest.param({"page_size": 1}, slice(0, 5), id="size-1-without-page"),
        pytest.param({"page": 2}, slice(0, 5), id="page-only"),
        pytest.param({"page": 1, "page_size": 2}, slice(0, 2), id="page-1"),
        pytest.param({"page": 2, "page_size": 2}, slice(2, 4), id="page-2"),
        pytest.param({"page": 3, "page_size": 2}, slice(4, 5), id="page-3"),
        pytest.param({"page": "3", "page_size": "2"}, slice(4, 5), id="strings"),
        pytest.param({"page": 4, "page_size": 2}, slice(0, 0), id="past-the-end"),
        pytest.param({"page": 1, "page_size": 6}, slice(0, 5), id="size-6"),
    ],
)
def test_list_pages_only_with_page_and_page_size(alice, five, params, window):
    kb_id, docs = five
    data = listing(alice, kb_id, **params)
    assert ids(data["docs"]) == list(reversed(ids(docs)))[window]
    assert data["total"] == 5


@pytest.mark.parametrize(
    ("keywords", "expected"),
    [("", 5), ("0", 1), ("ragflow_test_upload", 5), ("RAGFLOW_Test", 5), ("upload_3.txt", 1), ("unknown", 0)],
)
def test_list_filters_by_keywords(alice, five, keywords, expected):
    kb_id, _ = five
    data = listing(alice, kb_id, keywords=keywords)
    assert len(data["docs"]) == expected
    assert data["total"] == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"run_status": ["0"]}, 5),
        ({"run_status": ["1", "2", "3", "4"]}, 0),
        ({"run_status": []}, 5),
        ({"types": ["doc"]}, 5),
        ({"types": ["pdf", "visual"]}, 0),
        ({"suffix": ["txt"]}, 5),
        ({"suffix": ["pdf"]}, 0),
        ({"run_status": ["0"], "types": ["doc"], "suffix": ["txt", "md"]}, 5),
        ({"unknown": "ignored"}, 5),
    ],
)
def test_list_filters_by_the_body(alice, five, body, expected):
    kb_id, _ = five
    data = listing(alice, kb_id, body)
    assert data["total"] == expected
    assert len(data["docs"]) == expected


def test_list_filters_mixed_documents(alice, kb):
    uploaded(alice, kb, ("a.txt", TEXT), ("b.pdf", b"%PDF-1.4\n"), ("c.png", b"\x89PNG\r\n\x1a\n"))
    create_doc(alice, kb, "d.md")
    assert names(listed(alice, kb, orderby="create_time", desc="false")) == [
        "a.txt",
        "b.pdf",
        "c.png",
        "d.md",
    ]
    assert sorted(names(listing(alice, kb, {"types": ["pdf", "visual"]})["docs"])) == ["b.pdf", "c.png"]
    assert names(listing(alice, kb, {"types": ["virtual"]})["docs"]) == ["d.md"]
    assert sorted(names(listing(alice, kb, {"suffix": ["txt", "md"]})["docs"])) == ["a.txt", "d.md"]


def test_list_applies_the_create_time_window_after_paging(alice, five):
    kb_id, _ = five
    records = listed(alice, kb_id, orderby="create_time", desc="false")
    times = [doc["create_time"] for doc in records]
    assert times == sorted(times)
    middle = times[2]
    later = listing(alice, kb_id, create_time_from=middle)
    assert sorted(doc["create_time"] for doc in later["docs"]) == [t for t in times if t >= middle]
    assert later["total"] == 5, "total counts the matches before the window"
    earlier = listing(alice, kb_id, create_time_to=middle)
    assert sorted(doc["create_time"] for doc in earlier["docs"]) == [t for t in times if t <= middle]
    assert (
        listing(alice, kb_id, create_time_from=times[-1] + 1000, create_time_to=times[-1] + 2000)["docs"]
        == []
    )
    everything = listing(alice, kb_id, create_time_from=0, create_time_to=times[-1] + 1000)
    assert len(everything["docs"]) == 5
    paged = listing(alice, kb_id, page=1, page_size=2, create_time_to=middle)
    assert paged["docs"] == [], "the two newest documents are outside the window"
    assert paged["total"] == 5


def test_list_orders_by_update_time(alice, kb):
    docs = []
    for i in range(3):
        docs.extend(uploaded(alice, kb, (f"u{i}.txt", TEXT)))
        pause()
    assert ok(alice.web.post("/v1/document/rename", json={"doc_id": docs[0]["id"], "name": "touched.txt"}))
    order = ids(listed(alice, kb, orderby="update_time"))
    assert order[0] == docs[0]["id"]
    assert ids(listed(alice, kb, orderby="update_time", desc="false"))[-1] == docs[0]["id"]
    records = listed(alice, kb, orderby="update_time")
    assert [d["update_time"] for d in records] == sorted((d["update_time"] for d in records), reverse=True)


def test_list_shows_only_the_datasets_documents(alice, five, kb):
    kb_id, docs = five
    uploaded(alice, kb, ("elsewhere.txt", TEXT))
    assert set(ids(listed(alice, kb_id))) == set(ids(docs))
    assert names(listed(alice, kb)) == ["elsewhere.txt"]


@pytest.mark.parametrize("params", [{}, {"kb_id": ""}])
def test_list_needs_kb_id(alice, params):
    assert envelope(alice.web.post("/v1/document/list", params=params, json={})) == LACK_KB_ID


@pytest.mark.parametrize("kb_id", [NO_SUCH_ID, "invalid_kb_id"])
def test_list_of_an_unknown_dataset_is_refused(alice, kb_id):
    assert envelope(alice.web.post("/v1/document/list", params={"kb_id": kb_id}, json={})) == NOT_OWNER


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"run_status": ["5"]}, "Invalid filter run status conditions: 5"),
        ({"run_status": ["0", "DONE"]}, "Invalid filter run status conditions: DONE"),
        ({"types": ["nope"]}, "Invalid filter conditions: nope type"),
        ({"types": ["doc", "PDF"]}, "Invalid filter conditions: PDF type"),
    ],
)
def test_list_refuses_unknown_filters(alice, five, body, message):
    kb_id, _ = five
    reply = envelope(alice.web.post("/v1/document/list", params={"kb_id": kb_id}, json=body))
    assert reply == data_error(message)


def test_list_names_several_unknown_types(alice, five):
    kb_id, _ = five
    reply = envelope(alice.web.post("/v1/document/list", params={"kb_id": kb_id}, json={"types": ["x", "y"]}))
    assert reply["code"] == 102
    assert reply["message"] in (
        "Invalid filter conditions: x, y types",
        "Invalid filter conditions: y, x types",
    )


@pytest.mark.parametrize(("param", "value"), [("page", "a"), ("page_size", "x"), ("create_time_from", "1.5")])
def test_list_refuses_a_non_integer_query(alice, five, param, value):
    kb_id, _ = five
    reply = alice.web.post("/v1/document/list", params={"kb_id": kb_id, param: value}, json={})
    assert envelope(reply) == exception(f"ValueError(\"invalid literal for int() with base 10: '{value}'\")")


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [*NOT_JSON_BODIES, pytest.param({"data": {"run_status": "0"}}, UNSUPPORTED_MEDIA_TYPE, id="form")],
)
def test_list_needs_a_json_body(alice, five, kwargs, expected):
    kb_id, _ = five
    reply = alice.web.post("/v1/document/list", params={"kb_id": kb_id}, **kwargs)
    assert envelope(reply) == expected


# filter -------------------------------------------------------------------------------------------
def test_filter_counts_suffixes_and_run_status(alice, kb):
    uploaded(alice, kb, ("a.txt", TEXT), ("b.txt", TEXT), ("c.pdf", b"%PDF-1.4\n"), ("D.PDF", b"%PDF-1.4\n"))
    data = ok(alice.web.post("/v1/document/filter", json={"kb_id": kb}))
    assert data == {"total": 4, "filter": {"suffix": {"txt": 2, "pdf": 1, "PDF": 1}, "run_status": {"0": 4}}}
    narrowed = ok(alice.web.post("/v1/document/filter", json={"kb_id": kb, "keywords": "A."}))
    assert narrowed == {"total": 1, "filter": {"suffix": {"txt": 1}, "run_status": {"0": 1}}}
    by_suffix = ok(alice.web.post("/v1/document/filter", json={"kb_id": kb, "suffix": ["pdf"]}))
    assert by_suffix == {"total": 1, "filter": {"suffix": {"pdf": 1}, "run_status": {"0": 1}}}
    by_type = ok(alice.web.post("/v1/document/filter", json={"kb_id": kb, "types": ["pdf"]}))
    assert by_type["total"] == 2
    none = ok(alice.web.post("/v1/document/filter", json={"kb_id": kb, "run_status": ["3"]}))
    assert none == {"total": 0, "filter": {"suffix": {}, "run_status": {}}}


def test_filter_of_an_empty_dataset(alice, kb):
    assert ok(alice.web.post("/v1/document/filter", json={"kb_id": kb})) == {
        "total": 0,
        "filter": {"suffix": {}, "run_status": {}},
    }


def test_filter_checks_like_list(alice, kb):
    assert post(alice, "filter", {"kb_id": ""}) == LACK_KB_ID
    assert post(alice, "filter", {"kb_id": NO_SUCH_ID}) == NOT_OWNER
    assert post(alice, "filter", {"kb_id": kb, "run_status": ["9"]}) == data_error(
        "Invalid filter run status conditions: 9"
    )
    assert post(alice, "filter", {"kb_id": kb, "types": ["nope"]}) == data_error(
        "Invalid filter conditions: nope type"
    )
    reply = alice.web.post("/v1/document/filter", data={"kb_id": kb})
    assert envelope(reply) == UNSUPPORTED_MEDIA_TYPE


# infos --------------------------------------------------------------------------------------------
def test_infos_returns_the_records(alice, five):
    kb_id, docs = five
    wanted = [docs[3]["id"], docs[1]["id"]]
    records = infos(alice, wanted)
    assert sorted(ids(records)) == sorted(wanted)
    listed_by_id = {doc["id"]: doc for doc in listed(alice, kb_id)}
    for record in records:
        assert set(record) == DOCUMENT_RECORD_KEYS, record
        assert record == listed_by_id[record["id"]]
    assert infos(alice, []) == []


@pytest.mark.parametrize("unknown", [NO_SUCH_ID, "invalid_id", ""])
def test_infos_refuses_an_unknown_id(alice, five, unknown):
    _, docs = five
    assert post(alice, "infos", {"doc_ids": [unknown]}) == NO_AUTHORIZATION
    assert post(alice, "infos", {"doc_ids": [docs[0]["id"], unknown]}) == NO_AUTHORIZATION


# thumbnails ---------------------------------------------------------------------------------------
def test_thumbnails_need_no_session(server, alice, kb):
    first, second = uploaded(alice, kb, ("a.txt", TEXT), ("b.png", b"\x89PNG\r\n\x1a\n"))
    virtual = create_doc(alice, kb, "c.txt")["data"]
    with server.client() as anonymous:
        reply = anonymous.get(
            "/v1/document/thumbnails", params=[("doc_ids", first["id"]), ("doc_ids", second["id"])]
        )
        assert ok(reply) == {first["id"]: "", second["id"]: ""}
        one = anonymous.get("/v1/document/thumbnails", params={"doc_ids": first["id"]})
        assert ok(one) == {first["id"]: ""}
        unknown = anonymous.get(
            "/v1/document/thumbnails", params=[("doc_ids", NO_SUCH_ID), ("doc_ids", first["id"])]
        )
        assert ok(unknown) == {first["id"]: ""}, "unknown ids are left out"
        with_virtual = ok(anonymous.get("/v1/document/thumbnails", params={"doc_ids": virtual["id"]}))
        assert list(with_virtual) == [virtual["id"]]
        assert not with_virtual[virtual["id"]], "a virtual document has no thumbnail"


def test_thumbnails_need_ids(server):
    with server.client() as anonymous:
        reply = anonymous.get("/v1/document/thumbnails")
        assert envelope(reply) == {"code": 101, "data": False, "message": 'Lack of "Document ID"'}


def test_thumbnails_are_shown_as_image_urls(server, alice, kb):
    """`/list` and `/thumbnails` rewrite a stored thumbnail to `/v1/document/image/<kb id>-<object>`;
    `/upload` and `/infos` show the object name itself."""
    picture, text = uploaded(alice, kb, ("picture.png", png_image()), ("notes.txt", TEXT))
    stored = f"thumbnail_{picture['id']}.png"
    url = f"/v1/document/image/{kb}-{stored}"
    assert (picture["thumbnail"], text["thumbnail"]) == (stored, "")
    assert {d["id"]: d["thumbnail"] for d in listed(alice, kb)} == {picture["id"]: url, text["id"]: ""}
    assert info(alice, picture["id"])["thumbnail"] == stored
    with server.client() as anonymous:
        pair = [("doc_ids", picture["id"]), ("doc_ids", text["id"])]
        assert ok(anonymous.get("/v1/document/thumbnails", params=pair)) == {
            picture["id"]: url,
            text["id"]: "",
        }
        assert anonymous.get(url).content.startswith(PNG_SIGNATURE)
    assert ok(alice.web.post("/v1/document/rm", json={"doc_id": picture["id"]})) is True
    with server.client() as anonymous:
        gone = anonymous.get(url)
    assert not gone.content.startswith(PNG_SIGNATURE), "the thumbnail goes with its document"
    assert envelope(gone)["code"] != 0


def test_a_picture_that_does_not_render_has_no_thumbnail(alice, kb):
    (doc,) = uploaded(alice, kb, ("broken.png", PNG_SIGNATURE + b"not really"))
    assert doc["thumbnail"] == ""
    assert listed(alice, kb)[0]["thumbnail"] == ""


# change_status ------------------------------------------------------------------------------------
def test_change_status_disables_and_enables(alice, kb):
    first, second = uploaded(alice, kb, ("a.txt", TEXT), ("b.txt", TEXT))
    reply = post(alice, "change_status", {"doc_ids": [first["id"], second["id"]], "status": "0"})
    assert reply == {
        "code": 0,
        "data": {first["id"]: {"status": "0"}, second["id"]: {"status": "0"}},
        "message": "success",
    }
    assert {doc["status"] for doc in listed(alice, kb)} == {"0"}, "disabled documents are still listed"
    assert ok(alice.web.post("/v1/document/change_status", json={"doc_ids": [first["id"]], "status": 1})) == {
        first["id"]: {"status": "1"}
    }
    assert info(alice, first["id"])["status"] == "1"
    assert info(alice, second["id"])["status"] == "0"
    assert ok(
        alice.web.post("/v1/document/change_status", json={"doc_ids": [second["id"]], "status": 1})
    ) == {second["id"]: {"status": "1"}}
    assert ok(alice.web.post("/v1/document/change_status", json={"doc_ids": [], "status": "1"})) == {}


def test_change_status_reports_unknown_documents_per_id(alice, kb):
    (doc,) = uploaded(alice, kb, ("a.txt", TEXT))
    reply = post(alice, "change_status", {"doc_ids": [NO_SUCH_ID, doc["id"], "invalid_id"], "status": "0"})
    assert reply == {
        "code": 0,
        "data": {
            NO_SUCH_ID: {"error": "No authorization."},
            doc["id"]: {"status": "0"},
            "invalid_id": {"error": "No authorization."},
        },
        "message": "success",
    }
    assert info(alice, doc["id"])["status"] == "0"


@pytest.mark.parametrize("status", ["2", 2, "", None, True, "on", "01"])
def test_change_status_takes_only_0_or_1(alice, kb, status):
    (doc,) = uploaded(alice, kb, ("a.txt", TEXT))
    reply = post(alice, "change_status", {"doc_ids": [doc["id"]], "status": status})
    assert reply == argument_error('"Status" must be either 0 or 1!')
    assert info(alice, doc["id"])["status"] == "1"


def test_change_status_needs_doc_ids_and_status(alice, kb):
    assert post(alice, "change_status", {}) == missing("doc_ids", "status")
    assert post(alice, "change_status", {"doc_ids": []}) == missing("status")
    assert post(alice, "change_status", {"status": "1"}) == missing("doc_ids")
    reply = alice.web.post("/v1/document/change_status", data={"doc_ids": "x", "status": "1"})
    assert envelope(reply) == UNSUPPORTED_MEDIA_TYPE


# rm -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        pytest.param({}, missing("doc_id"), id="no-body"),
        pytest.param({"json": "not json"}, missing("doc_id"), id="json-string"),
        pytest.param({"json": {"id": "x"}}, missing("doc_id"), id="other-key"),
        pytest.param({"json": {"doc_id": ""}}, NO_AUTHORIZATION, id="empty"),
        pytest.param({"json": {"doc_id": "invalid_id"}}, NO_AUTHORIZATION, id="invalid"),
        pytest.param({"json": {"doc_id": NO_SUCH_ID}}, NO_AUTHORIZATION, id="unknown"),
        pytest.param(
            {"json": {"doc_id": "\n!?\u3002\uff1b\uff01\uff1f\"'"}}, NO_AUTHORIZATION, id="punctuation"
        ),
        pytest.param({"json": {"doc_id": [NO_SUCH_ID]}}, NO_AUTHORIZATION, id="unknown-in-list"),
    ],
)
def test_rm_refusals_keep_every_document(alice, kb, kwargs, expected):
    uploaded(alice, kb, ("a.txt", TEXT), ("b.txt", TEXT), ("c.txt", TEXT))
    assert envelope(alice.web.post("/v1/document/rm", **kwargs)) == expected
    data = listing(alice, kb)
    assert (len(data["docs"]), data["total"]) == (3, 3)


def test_rm_deletes_one_document(server, alice, kb):
    docs = uploaded(alice, kb, ("a.txt", TEXT), ("b.txt", b"bb"), ("c.txt", TEXT))
    assert post(alice, "rm", {"doc_id": docs[1]["id"]}) == {"code": 0, "data": True, "message": "success"}
    data = listing(alice, kb)
    assert (len(data["docs"]), data["total"]) == (2, 2)
    assert sorted(names(data["docs"])) == ["a.txt", "c.txt"]
    detail = kb_detail(alice, kb)
    assert (detail["doc_num"], detail["size"]) == (2, 2 * len(TEXT))
    assert envelope(download(server, docs[1]["id"])) == data_error("Document not found!")
    assert post(alice, "infos", {"doc_ids": [docs[1]["id"]]}) == NO_AUTHORIZATION
    assert post(alice, "rm", {"doc_id": docs[1]["id"]}) == NO_AUTHORIZATION, "a second rm is refused"
    (again,) = uploaded(alice, kb, ("b.txt", b"new"))
    assert again["name"] == "b.txt", "the name is free again"
    assert download(server, again["id"]).content == b"new"


def test_rm_deletes_a_list_of_documents(alice, kb):
    docs = uploaded(alice, kb, ("a.txt", TEXT), ("b.txt", TEXT), ("c.txt", TEXT))
    virtual = create_doc(alice, kb, "d.txt")["data"]
    assert ok(alice.web.post("/v1/document/rm", json={"doc_id": [docs[0]["id"], virtual["id"]]})) is True
    assert sorted(names(listed(alice, kb))) == ["b.txt", "c.txt"]
    assert ok(alice.web.post("/v1/document/rm", json={"doc_id": ids(docs[1:])})) is True
    assert listing(alice, kb) == {"docs": [], "total": 0}
    detail = kb_detail(alice, kb)
    assert (detail["doc_num"], detail["size"]) == (0, 0)


def test_rm_checks_every_id_before_deleting_any(alice, kb):
    docs = uploaded(alice, kb, ("a.txt", TEXT), ("b.txt", TEXT))
    reply = post(alice, "rm", {"doc_id": [docs[0]["id"], NO_SUCH_ID, docs[1]["id"]]})
    assert reply == NO_AUTHORIZATION
    assert sorted(names(listed(alice, kb))) == ["a.txt", "b.txt"]
    assert kb_detail(alice, kb)["doc_num"] == 2


def test_rm_one_by_one_then_again(alice, kb):
    docs = uploaded(alice, kb, ("a.txt", TEXT), ("b.txt", TEXT), ("c.txt", TEXT))
    for doc in docs:
        assert post(alice, "rm", {"doc_id": doc["id"]})["code"] == 0
    for doc in docs:
        assert post(alice, "rm", {"doc_id": doc["id"]}) == NO_AUTHORIZATION
    assert listing(alice, kb)["total"] == 0


def test_rm_of_a_dataset_removes_its_documents(server, alice):
    kb_id = create_kb(alice, unique("doomed"))
    (doc,) = uploaded(alice, kb_id, ("a.txt", TEXT))
    assert ok(alice.web.post("/v1/kb/rm", json={"kb_id": kb_id})) is True
    assert envelope(download(server, doc["id"])) == data_error("Document not found!")
    assert post(alice, "infos", {"doc_ids": [doc["id"]]}) == NO_AUTHORIZATION


# rename -------------------------------------------------------------------------------------------
def test_rename_changes_the_name_only(server, alice, kb):
    (doc,) = uploaded(alice, kb, ("old.txt", TEXT))
    before = info(alice, doc["id"])
    pause()
    assert post(alice, "rename", {"doc_id": doc["id"], "name": "new name.TXT"}) == {
        "code": 0,
        "data": True,
        "message": "success",
    }
    after = info(alice, doc["id"])
    assert after["name"] == "new name.TXT"
    assert after["location"] == before["location"] == "old.txt", "the blob keeps its name"
    assert after["suffix"] == before["suffix"]
    assert after["update_time"] > before["update_time"]
    assert names(listed(alice, kb)) == ["new name.TXT"]
    assert download(server, doc["id"]).content == TEXT


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("a.txt", "a.pdf"),
        ("a.txt", "a"),
        ("a.txt", "a.txt.pdf"),
        ("a.tar.gz", "a.tar.zip"),
        ("a.md", "a.md "),
    ],
)
def test_rename_keeps_the_extension(alice, kb, old, new):
    doc = create_doc(alice, kb, old)["data"]
    reply = post(alice, "rename", {"doc_id": doc["id"], "name": new})
    assert reply == argument_error("The extension of file can't be changed")
    assert info(alice, doc["id"])["name"] == old


def test_rename_refuses_a_name_over_255_bytes(alice, kb):
    (doc,) = uploaded(alice, kb, ("a.txt", TEXT))
    assert post(alice, "rename", {"doc_id": doc["id"], "name": "é" * 126 + ".txt"}) == NAME_TOO_LONG
    assert post(alice, "rename", {"doc_id": doc["id"], "name": "a" * 251 + ".txt"})["code"] == 0
    assert info(alice, doc["id"])["name"] == "a" * 251 + ".txt"


def test_rename_refuses_an_exact_duplicate(alice, kb):
    first, _ = uploaded(alice, kb, ("first.txt", TEXT), ("Second.txt", TEXT))
    assert post(alice, "rename", {"doc_id": first["id"], "name": "Second.txt"}) == data_error(DUPLICATED)
    assert post(alice, "rename", {"doc_id": first["id"], "name": "first.txt"}) == data_error(DUPLICATED), (
        "its own name counts as taken"
    )
    assert post(alice, "rename", {"doc_id": first["id"], "name": "second.txt"})["code"] == 0, (
        "only an exact match is a duplicate on rename"
    )
    assert sorted(names(listed(alice, kb))) == ["Second.txt", "second.txt"]
    other_kb = create_kb(alice, unique("other"))
    (elsewhere,) = uploaded(alice, other_kb, ("x.txt", TEXT))
    assert post(alice, "rename", {"doc_id": elsewhere["id"], "name": "Second.txt"})["code"] == 0


def test_rename_needs_doc_id_and_name(alice, kb):
    assert post(alice, "rename", {}) == missing("doc_id", "name")
    assert post(alice, "rename", {"name": "a.txt"}) == missing("doc_id")
    assert post(alice, "rename", {"doc_id": NO_SUCH_ID}) == missing("name")
    for unknown in (NO_SUCH_ID, "invalid_id", ""):
        assert post(alice, "rename", {"doc_id": unknown, "name": "a.txt"}) == NO_AUTHORIZATION


# get ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "content_type"), list(CONTENT_TYPES.items()))
def test_get_streams_the_bytes_without_a_session(server, alice, kb, name, content_type):
    content = bytes(range(256)) * 64
    (doc,) = uploaded(alice, kb, (name, content))
    reply = download(server, doc["id"])
    assert reply.status_code == 200
    assert reply.content == content
    assert reply.headers["content-type"] == content_type


def test_get_of_an_unknown_document(server):
    for doc_id in (NO_SUCH_ID, "invalid_id"):
        assert envelope(download(server, doc_id)) == data_error("Document not found!")


def test_get_follows_a_rename(server, alice, kb):
    (doc,) = uploaded(alice, kb, ("scan.PNG", b"\x89PNG\r\n\x1a\nrest"))
    assert download(server, doc["id"]).headers["content-type"] == "image/png"
    assert ok(alice.web.post("/v1/document/rename", json={"doc_id": doc["id"], "name": "renamed.png"}))
    reply = download(server, doc["id"])
    assert reply.content == b"\x89PNG\r\n\x1a\nrest"
    assert reply.headers["content-type"] == "image/png"


def test_get_serves_a_large_file_whole(server, alice, kb):
    content = (uuid.uuid4().bytes * 4096) * 64  # 4 MiB
    (doc,) = uploaded(alice, kb, ("big.pdf", content))
    assert doc["size"] == len(content)
    reply = download(server, doc["id"])
    assert len(reply.content) == len(content)
    assert reply.content == content


# change_parser ------------------------------------------------------------------------------------
def test_change_parser_sets_the_method_and_resets_the_run(alice, kb):
    (doc,) = uploaded(alice, kb, ("a.txt", TEXT))
    pause()
    assert post(alice, "change_parser", {"doc_id": doc["id"], "parser_id": "qa"}) == {
        "code": 0,
        "data": True,
        "message": "success",
    }
    record = info(alice, doc["id"])
    assert record["parser_id"] == "qa"
    assert (record["run"], record["progress"], record["progress_msg"]) == ("0", 0, "")
    assert record["parser_config"] == DEFAULT_PARSER_CONFIG, "no config sent: the stored one stays"
    assert listed(alice, kb)[0]["parser_id"] == "qa"


def test_change_parser_without_a_change_touches_nothing(alice, kb):
    (doc,) = uploaded(alice, kb, ("a.txt", TEXT))
    before = info(alice, doc["id"])
    pause()
    for body in (
        {"parser_id": "naive"},
        {"parser_id": "NAIVE"},
        {"parser_id": "naive", "parser_config": DEFAULT_PARSER_CONFIG},
    ):
        assert post(alice, "change_parser", {"doc_id": doc["id"], **body})["data"] is True, body
        assert info(alice, doc["id"]) == before, body


def test_change_parser_merges_the_config(alice):
    config = {
        "pages": [[1, 1000000]],
        "chunk_token_num": 128,
        "raptor": {"use_raptor": True, "max_token": 256},
        "graphrag": {"use_graphrag": False, "method": "light"},
    }
    kb_id = create_kb(alice, unique("merge"), parser_config=config)
    (doc,) = uploaded(alice, kb_id, ("a.txt", TEXT))
    assert doc["parser_config"] == config
    sent = {"graphrag": {"use_graphrag": True}, "pages": [[2, 3]], "delimiter": "\n"}
    assert post(alice, "change_parser", {"doc_id": doc["id"], "parser_id": "naive", "parser_config": sent})[
        "data"
    ]
    assert info(alice, doc["id"])["parser_config"] == {
        "pages": [[2, 3]],
        "chunk_token_num": 128,
        "graphrag": {"use_graphrag": True, "method": "light"},
        "delimiter": "\n",
    }, "dicts merged, other values replaced, raptor dropped when not sent"
    again = {"raptor": {"max_token": 512}}
    assert post(alice, "change_parser", {"doc_id": doc["id"], "parser_id": "book", "parser_config": again})[
        "data"
    ]
    record = info(alice, doc["id"])
    assert record["parser_id"] == "book"
    assert record["parser_config"]["raptor"] == {"max_token": 512}
    assert record["parser_config"]["graphrag"] == {"use_graphrag": True, "method": "light"}
    assert kb_detail(alice, kb_id)["parser_config"] == config, "the dataset's config is untouched"


def test_change_parser_keeps_pictures_and_presentations(alice, kb):
    picture, deck = uploaded(alice, kb, ("photo.png", b"\x89PNG\r\n\x1a\n"), ("deck.pptx", b"PK\x03\x04"))
    assert (picture["parser_id"], deck["parser_id"]) == ("picture", "presentation")
    for doc, refused in ((picture, "naive"), (picture, "presentation"), (deck, "naive"), (deck, "picture")):
        reply = post(alice, "change_parser", {"doc_id": doc["id"], "parser_id": refused})
        assert reply == data_error("Not supported yet!"), (doc["name"], refused)
    assert post(alice, "change_parser", {"doc_id": picture["id"], "parser_id": "picture"})["data"] is True
    assert info(alice, picture["id"])["parser_id"] == "picture"
    assert info(alice, deck["id"])["parser_id"] == "presentation"


def test_change_parser_needs_doc_id_and_parser_id(alice):
    assert post(alice, "change_parser", {}) == missing("doc_id", "parser_id")
    assert post(alice, "change_parser", {"doc_id": NO_SUCH_ID}) == missing("parser_id")
    for unknown in (NO_SUCH_ID, "invalid_id", ""):
        assert post(alice, "change_parser", {"doc_id": unknown, "parser_id": "qa"}) == NO_AUTHORIZATION


# set_meta -----------------------------------------------------------------------------------------
def test_set_meta_stores_the_fields(alice, kb):
    (doc,) = uploaded(alice, kb, ("a.txt", TEXT))
    meta = {"author": "Zoë", "year": 2024, "score": 0.5, "negative": -1}
    assert post(alice, "set_meta", {"doc_id": doc["id"], "meta": json.dumps(meta)}) == {
        "code": 0,
        "data": True,
        "message": "success",
    }
    assert info(alice, doc["id"])["meta_fields"] == meta
    assert listed(alice, kb)[0]["meta_fields"] == meta
    assert post(alice, "set_meta", {"doc_id": doc["id"], "meta": '{"only": "this"}'})["data"] is True
    assert info(alice, doc["id"])["meta_fields"] == {"only": "this"}, "replaced, not merged"
    assert post(alice, "set_meta", {"doc_id": doc["id"], "meta": "{}"})["data"] is True
    assert info(alice, doc["id"])["meta_fields"] == {}


def test_set_meta_takes_booleans_as_numbers(alice, kb):
    """RAGFlow checks `isinstance(v, int)`, which a JSON true/false passes."""
    (doc,) = uploaded(alice, kb, ("a.txt", TEXT))
    assert (
        post(alice, "set_meta", {"doc_id": doc["id"], "meta": '{"draft": true, "final": false}'})["data"]
        is True
    )
    assert info(alice, doc["id"])["meta_fields"] == {"draft": True, "final": False}


@pytest.mark.parametrize(
    ("meta", "message"),
    [
        ("not json", "Json syntax error: Expecting value: line 1 column 1 (char 0)"),
        ("", "Json syntax error: Expecting value: line 1 column 1 (char 0)"),
        ("[1, 2]", "Only dictionary type supported."),
        ('"text"', "Only dictionary type supported."),
        ("42", "Only dictionary type supported."),
        ('{"tags": [1, 2]}', "The type is not supported: [1, 2]"),
        ('{"nested": {"a": 1}}', "The type is not supported: {'a': 1}"),
        ('{"none": null}', "The type is not supported: None"),
    ],
)
def test_set_meta_refuses_what_is_not_a_flat_object(alice, kb, meta, message):
    (doc,) = uploaded(alice, kb, ("a.txt", TEXT))
    assert post(alice, "set_meta", {"doc_id": doc["id"], "meta": meta}) == argument_error(message)
    assert info(alice, doc["id"])["meta_fields"] == {}


def test_set_meta_needs_doc_id_and_meta(alice):
    assert post(alice, "set_meta", {}) == missing("doc_id", "meta")
    assert post(alice, "set_meta", {"doc_id": NO_SUCH_ID}) == missing("meta")
    for unknown in (NO_SUCH_ID, "invalid_id", ""):
        assert post(alice, "set_meta", {"doc_id": unknown, "meta": "{}"}) == NO_AUTHORIZATION


# image --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("image_id", ["nodash", "a-b-c", f"{NO_SUCH_ID}-thumbnail-x.png"])
def test_image_needs_exactly_one_dash(server, image_id):
    with server.client() as anonymous:
        assert envelope(anonymous.get(f"/v1/document/image/{image_id}")) == data_error("Image not found.")


def test_image_serves_thumbnails_without_a_session(server, alice, kb):
    """`<bucket>-<object>`: a thumbnail is `thumbnail_<doc id>.png` in the dataset's bucket (spec §6)."""
    (doc,) = uploaded(alice, kb, ("picture.png", png_image()))
    assert doc["thumbnail"] == f"thumbnail_{doc['id']}.png"
    with server.client() as anonymous:
        reply = anonymous.get(f"/v1/document/image/{kb}-{doc['thumbnail']}")
        assert reply.status_code == 200
        assert reply.content.startswith(PNG_SIGNATURE)
        assert reply.headers["content-type"] == "image/JPEG"
        assert envelope(anonymous.get(f"/v1/document/image/{kb}-thumbnail_{NO_SUCH_ID}.png"))["code"] != 0


def test_image_does_not_serve_the_original_files(server, alice, kb):
    """citeflow's decision (docs/api.md): RAGFlow also serves `<kb id>-<location>` here, unauthenticated."""
    content = png_image()
    (doc,) = uploaded(
        alice,
        kb,
        ("picture.png", content),
    )
    with server.client() as anonymous:
        reply = anonymous.get(f"/v1/document/image/{kb}-{doc['location']}")
    assert reply.content != content
    assert envelope(reply)["code"] != 0


# another tenant -----------------------------------------------------------------------------------
def test_another_tenant_is_refused_on_every_route(server, alice, bob, kb):
    doc, picture = uploaded(alice, kb, ("secret.txt", TEXT), ("photo.png", b"\x89PNG\r\n\x1a\n"))
    assert ok(alice.web.post("/v1/document/set_meta", json={"doc_id": doc["id"], "meta": '{"k": "v"}'}))
    before = listing(alice, kb)
    detail = kb_detail(alice, kb)

    def request(route: str, **kwargs: Any) -> httpx.Request:
        return alice.web.build_request("POST", f"/v1/document/{route}", **kwargs)

    refusals = [
        (upload_request(alice, kb, ("intruder.txt", TEXT)), NO_AUTHORIZATION),
        (request("list", params={"kb_id": kb}, json={}), NOT_OWNER),
        (request("filter", json={"kb_id": kb}), NOT_OWNER),
        (request("infos", json={"doc_ids": [doc["id"]]}), NO_AUTHORIZATION),
        (request("rm", json={"doc_id": doc["id"]}), NO_AUTHORIZATION),
        (request("rm", json={"doc_id": ids(before["docs"])}), NO_AUTHORIZATION),
        (request("rename", json={"doc_id": doc["id"], "name": "x.txt"}), NO_AUTHORIZATION),
        (request("change_parser", json={"doc_id": doc["id"], "parser_id": "qa"}), NO_AUTHORIZATION),
        (request("change_parser", json={"doc_id": picture["id"], "parser_id": "naive"}), NO_AUTHORIZATION),
        (request("set_meta", json={"doc_id": doc["id"], "meta": "{}"}), NO_AUTHORIZATION),
    ]
    for refused, refusal in refusals:
        replayed = as_other_tenant(refused, bob)
        assert envelope(replayed) == refusal, (refused.url.path, replayed.text)

    status = as_other_tenant(request("change_status", json={"doc_ids": [doc["id"]], "status": "0"}), bob)
    assert envelope(status) == {
        "code": 0,
        "data": {doc["id"]: {"error": "No authorization."}},
        "message": "success",
    }

    created = as_other_tenant(request("create", json={"name": "intruder.txt", "kb_id": kb}), bob)
    assert envelope(created) == NO_AUTHORIZATION, "like upload: no writing into another tenant's dataset"

    assert listing(alice, kb) == before, "alice's documents are unchanged"
    after = kb_detail(alice, kb)
    assert (after["doc_num"], after["size"]) == (detail["doc_num"], detail["size"])
    assert info(alice, doc["id"])["meta_fields"] == {"k": "v"}


def test_another_tenant_does_not_see_or_rename_into_the_dataset(alice, bob, kb):
    (doc,) = uploaded(alice, kb, ("shared-name.txt", TEXT))
    bobs_kb = create_kb(bob, unique("bobs"))
    (theirs,) = uploaded(bob, bobs_kb, ("shared-name.txt", TEXT))
    assert theirs["name"] == "shared-name.txt"
    assert ids(listed(bob, bobs_kb)) == [theirs["id"]]
    assert ids(listed(alice, kb)) == [doc["id"]]
    assert post(alice, "infos", {"doc_ids": [doc["id"], theirs["id"]]}) == NO_AUTHORIZATION
    assert post(alice, "rm", {"doc_id": [doc["id"], theirs["id"]]}) == NO_AUTHORIZATION
    assert ids(listed(bob, bobs_kb)) == [theirs["id"]]
    assert ids(listed(alice, kb)) == [doc["id"]]


def test_another_tenant_can_download_by_id_as_in_ragflow(server, alice, bob, kb):
    """`/get/<id>` has no session check in RAGFlow; ids are unguessable uuid1 hex."""
    (doc,) = uploaded(alice, kb, ("report.pdf", b"%PDF-1.4\nsecret\n"))
    reply = bob.web.get(f"/v1/document/get/{doc['id']}")
    assert reply.content == b"%PDF-1.4\nsecret\n"
    assert reply.headers["content-type"] == "application/pdf"
