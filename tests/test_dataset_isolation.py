"""Tenant isolation of datasets and documents: tenant A's ids are useless to tenant B.

`ROUTE_TABLE` holds an entry for every route of the four dataset and document routers
(`/api/v1/datasets`, `/api/v1/datasets/{dataset_id}/documents`, `/v1/kb`, `/v1/document`): how
to fill it with tenant A's ids and a body, and the exact envelope tenant B gets when it replays
that request with its own credentials (SDK spec §1.8, §4, §5; web spec §5, §6; docs/api.md,
"Deliberate differences"). Routes where B acts on its own tenant (create, list) have a check
instead: B succeeds, but only inside its own tenant. The three routes RAGFlow serves without a
login are exempt (their ids are unguessable uuid1 hex) and must still answer without credentials.

After every request, tenant A's datasets, documents (records, metadata) and bytes are exactly as
before, and B's own listings contain none of A's ids. `CROSS_TABLE` has B reach for A's
documents through B's *own* datasets. A route added to one of the four routers without an entry
here fails `test_every_route_has_an_isolation_entry`. Chunk routes have their isolation tests
beside their other tests (tests/test_sdk_chunks.py, tests/test_web_chunk.py, tests/test_retrieval.py).
"""

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute

from citeflow.api.routers import ROUTERS
from tests.conftest import RunningServer, Tenant, as_other_tenant, make_tenant
from tests.envelopes import NO_AUTHORIZATION, NOT_OWNER, SDK_NO_AUTHORIZATION
from tests.tenants import open_tenant

#: The prefixes of the four routers whose every route needs an entry.
ROUTER_PREFIXES = (
    "/api/v1/datasets",
    "/api/v1/datasets/{dataset_id}/documents",
    "/v1/kb",
    "/v1/document",
)
DATASETS = "/api/v1/datasets"
UNGUESSABLE = "served without login, as in RAGFlow: the id is unguessable uuid1 hex"

NOTHING_LISTED = {"code": 0, "data": {"kbs": [], "total": 0}, "message": "success"}
NOT_OWNED_DOCUMENT = {"code": 102, "message": "The dataset doesn't own the document."}
TEXT = b"Alice's private notes.\nNothing for Bob here.\n"


def tiny_pdf() -> bytes:
    """A one-page PDF that starts `%PDF-1.4` and renders, so it gets a thumbnail."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 72 72] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


PDF = tiny_pdf()


# the world: tenant A's datasets and documents, and tenant B's own ------------------------------
@dataclass
class World:
    server: RunningServer
    a: Tenant
    b: Tenant
    ds: str  # A's dataset made over the SDK API
    ds_name: str
    ds_pdf: str
    ds_txt: str  # carries meta
    kb: str  # A's dataset made over the web API
    kb_name: str
    kb_pdf: str
    kb_txt: str  # carries meta
    b_ds: str  # B's own datasets and documents
    b_ds_doc: str
    b_kb: str
    b_kb_doc: str

    @property
    def a_ids(self) -> list[str]:
        """Everything of A's that B must never see: dataset, document and tenant ids."""
        return [self.ds, self.ds_pdf, self.ds_txt, self.kb, self.kb_pdf, self.kb_txt, self.a.tenant_id]

    def image_id(self, dataset_id: str, doc_id: str) -> str:
        return f"{dataset_id}-thumbnail_{doc_id}.png"


def unique(label: str) -> str:
    return f"{label}-{uuid.uuid4().hex[:10]}"


def sdk_data(reply: httpx.Response) -> Any:
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["code"] == 0, body
    return body.get("data")


def web_data(reply: httpx.Response) -> Any:
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["code"] == 0, body
    return body["data"]


def docs_path(dataset_id: str) -> str:
    return f"{DATASETS}/{dataset_id}/documents"


def sdk_dataset(tenant: Tenant) -> tuple[str, str]:
    name = unique("isolation-sdk")
    return sdk_data(tenant.sdk.post(DATASETS, json={"name": name}))["id"], name


def web_dataset(tenant: Tenant) -> tuple[str, str]:
    name = unique("isolation-web")
    return web_data(tenant.web.post("/v1/kb/create", json={"name": name}))["kb_id"], name


def sdk_upload(tenant: Tenant, dataset_id: str, *files: tuple[str, bytes]) -> list[str]:
    docs = sdk_data(tenant.sdk.post(docs_path(dataset_id), files=[("file", f) for f in files]))
    assert [d["name"] for d in docs] == [name for name, _ in files], docs
    return [d["id"] for d in docs]


def web_upload(tenant: Tenant, kb_id: str, *files: tuple[str, bytes]) -> list[str]:
    reply = tenant.web.post("/v1/document/upload", data={"kb_id": kb_id}, files=[("file", f) for f in files])
    docs = web_data(reply)
    assert [d["name"] for d in docs] == [name for name, _ in files], docs
    return [d["id"] for d in docs]


@pytest.fixture(scope="module")
def world(server: RunningServer) -> Iterator[World]:
    a, b = make_tenant(server, "alice-iso"), make_tenant(server, "bob-iso")
    ds, ds_name = sdk_dataset(a)
    ds_pdf, ds_txt = sdk_upload(a, ds, ("a.pdf", PDF), ("notes.txt", TEXT))
    meta = {"author": "alice", "year": 2024}
    assert sdk_data(a.sdk.put(f"{docs_path(ds)}/{ds_txt}", json={"meta_fields": meta}))["meta_fields"] == meta
    kb, kb_name = web_dataset(a)
    kb_pdf, kb_txt = web_upload(a, kb, ("a.pdf", PDF), ("notes.txt", TEXT))
    assert web_data(a.web.post("/v1/document/set_meta", json={"doc_id": kb_txt, "meta": '{"project": "x"}'}))
    b_ds, _ = sdk_dataset(b)
    (b_ds_doc,) = sdk_upload(b, b_ds, ("mine.txt", b"bob's"))
    b_kb, _ = web_dataset(b)
    (b_kb_doc,) = web_upload(b, b_kb, ("mine.txt", b"bob's"))
    w = World(
        server, a, b, ds, ds_name, ds_pdf, ds_txt, kb, kb_name, kb_pdf, kb_txt, b_ds, b_ds_doc, b_kb, b_kb_doc
    )

    state = snapshot(w)
    for dataset_id, txt in ((ds, ds_txt), (kb, kb_txt)):
        docs = {d["name"]: d for d in state[f"sdk documents {dataset_id}"]["docs"]}
        assert set(docs) == {"a.pdf", "notes.txt"}
        assert docs["a.pdf"]["thumbnail"], "the PDF has a thumbnail, so the image route has something"
        assert docs["notes.txt"]["id"] == txt
        assert docs["notes.txt"]["meta_fields"]
    for pdf in (ds_pdf, kb_pdf):
        assert state[f"thumbnail {pdf}"][0] == 200
    yield w
    for client in (a.web, a.sdk, b.web, b.sdk):
        client.close()


def snapshot(w: World) -> dict[str, Any]:
    """Everything tenant A can observe of its datasets: records, documents, metadata, bytes."""
    a = w.a
    state: dict[str, Any] = {
        "sdk datasets": sdk_data(a.sdk.get(DATASETS, params={"page_size": 1000})),
        "web datasets": web_data(a.web.post("/v1/kb/list", json={})),
        "meta": web_data(a.web.get("/v1/kb/get_meta", params={"kb_ids": f"{w.ds},{w.kb}"})),
    }
    with w.server.client() as anonymous:
        for dataset_id in (w.ds, w.kb):
            state[f"detail {dataset_id}"] = web_data(a.web.get("/v1/kb/detail", params={"kb_id": dataset_id}))
            docs = sdk_data(a.sdk.get(docs_path(dataset_id)))
            state[f"sdk documents {dataset_id}"] = docs
            listing = a.web.post("/v1/document/list", params={"kb_id": dataset_id}, json={})
            state[f"web documents {dataset_id}"] = web_data(listing)
            for doc in docs["docs"]:
                download = a.sdk.get(f"{docs_path(dataset_id)}/{doc['id']}")
                assert download.headers["content-type"] == "application/octet-stream", download.text
                state[f"bytes {doc['id']}"] = download.content
        for dataset_id, pdf in ((w.ds, w.ds_pdf), (w.kb, w.kb_pdf)):
            image = anonymous.get(f"/v1/document/image/{w.image_id(dataset_id, pdf)}")
            state[f"thumbnail {pdf}"] = (image.status_code, image.content)
    return state


def assert_b_sees_none_of_a(w: World) -> None:
    """B's own listings: only B's datasets, and not one of A's ids anywhere in the answers."""
    b = w.b
    sdk_list = b.sdk.get(DATASETS, params={"page_size": 1000})
    web_list = b.web.post("/v1/kb/list", json={})
    replies = [
        sdk_list,
        web_list,
        b.sdk.get(docs_path(w.b_ds)),
        b.web.post("/v1/document/list", params={"kb_id": w.b_kb}, json={}),
        b.web.get("/v1/kb/get_meta", params={"kb_ids": f"{w.b_ds},{w.b_kb}"}),
    ]
    for reply in replies:
        assert reply.json()["code"] == 0, reply.text
        leaked = [i for i in w.a_ids if i in reply.text]
        assert not leaked, (reply.request.method, str(reply.request.url), leaked)
    assert {d["tenant_id"] for d in sdk_data(sdk_list)} == {b.tenant_id}
    assert {kb["tenant_id"] for kb in web_data(web_list)["kbs"]} == {b.tenant_id}


# the table ---------------------------------------------------------------------------------------
Expected = dict[str, Any] | Callable[[World], dict[str, Any]]
Check = Callable[[World, httpx.Response], None]


@dataclass(frozen=True)
class Entry:
    """One request against one route.

    `fill` gives httpx keyword arguments, plus `path` for path parameters other than A's
    defaults (`a_path`). `refusal` is the exact envelope the request gets; `check` runs on the
    reply instead or as well. `exempt` is why the route needs no credentials.
    """

    method: str
    route: str
    label: str
    fill: Callable[[World], dict[str, Any]]
    refusal: Expected | None = None
    check: Check | None = None
    exempt: str | None = None

    @property
    def id(self) -> str:
        return f"{self.method} {self.route} [{self.label}]"

    def expected(self, w: World) -> dict[str, Any] | None:
        return self.refusal(w) if callable(self.refusal) else self.refusal

    def request(self, w: World, sender: Tenant) -> httpx.Request:
        kwargs = dict(self.fill(w))
        path = self.route.format(**{**a_path(w), **kwargs.pop("path", {})})
        client = sender.sdk if path.startswith("/api/v1") else sender.web
        return client.build_request(self.method, path, **kwargs)


def a_path(w: World) -> dict[str, str]:
    """Path parameters filled with tenant A's ids."""
    return {
        "dataset_id": w.ds,
        "document_id": w.ds_pdf,
        "kb_id": w.kb,
        "doc_id": w.kb_pdf,
        "image_id": w.image_id(w.kb, w.kb_pdf),
    }


def lacks(dataset: str) -> Callable[[World], dict[str, Any]]:
    """SDK 108 for one dataset (update, list pre-check); `dataset` names a World attribute."""
    return lambda w: {
        "code": 108,
        "message": f"User '{w.b.tenant_id}' lacks permission for dataset '{getattr(w, dataset)}'",
    }


def lacks_all(*datasets: str) -> Callable[[World], dict[str, Any]]:
    """SDK 108 of `DELETE /api/v1/datasets`, every unowned id listed."""
    return lambda w: {
        "code": 108,
        "message": f"User '{w.b.tenant_id}' lacks permission for datasets: "
        f"'{', '.join(getattr(w, d) for d in datasets)}'",
    }


def sdk_error(template: str) -> Callable[[World], dict[str, Any]]:
    """An SDK code-102 envelope; `template` is formatted with the World's attributes."""
    return lambda w: {"code": 102, "message": template.format(**vars(w))}


def no_args(_w: World) -> dict[str, Any]:
    return {}


# checks for routes where B acts on its own tenant ------------------------------------------------
def b_created_sdk_dataset(w: World, reply: httpx.Response) -> None:
    body = reply.json()
    created = body.get("data") or {}
    if created.get("id"):
        w.b.sdk.request("DELETE", DATASETS, json={"ids": [created["id"]]})
    assert body["code"] == 0, body
    assert created["tenant_id"] == created["created_by"] == w.b.tenant_id, created
    assert created["name"] == w.ds_name, "dataset names are unique per tenant, not across tenants"
    assert created["id"] not in w.a_ids


def b_created_web_dataset(w: World, reply: httpx.Response) -> None:
    body = reply.json()
    kb_id = (body.get("data") or {}).get("kb_id")
    try:
        assert body["code"] == 0, body
        assert kb_id not in w.a_ids
        mine = {kb["id"]: kb for kb in web_data(w.b.web.post("/v1/kb/list", json={}))["kbs"]}
        assert mine[kb_id]["tenant_id"] == w.b.tenant_id
        assert mine[kb_id]["name"] == w.kb_name, "a name A uses is free for B: no `(1)` suffix"
    finally:
        if kb_id:
            w.b.web.post("/v1/kb/rm", json={"kb_id": kb_id})


def only_b_datasets(w: World, reply: httpx.Response) -> None:
    listed = sdk_data(reply)
    assert {d["tenant_id"] for d in listed} == {w.b.tenant_id}
    assert {w.b_ds, w.b_kb} <= {d["id"] for d in listed}


def only_b_kbs(w: World, reply: httpx.Response) -> None:
    data = web_data(reply)
    assert {kb["tenant_id"] for kb in data["kbs"]} == {w.b.tenant_id}
    assert {w.b_ds, w.b_kb} <= {kb["id"] for kb in data["kbs"]}
    assert data["total"] == len(data["kbs"])


# checks for the exempt routes (run on the answer without credentials and on B's) -----------------
def serves_the_pdf(_w: World, reply: httpx.Response) -> None:
    assert reply.status_code == 200
    assert reply.headers["content-type"] == "application/pdf"
    assert reply.content == PDF


def serves_the_thumbnail_url(w: World, reply: httpx.Response) -> None:
    url = f"/v1/document/image/{w.image_id(w.kb, w.kb_pdf)}"
    assert reply.json() == {"code": 0, "data": {w.kb_pdf: url}, "message": "success"}


def serves_the_png(_w: World, reply: httpx.Response) -> None:
    assert reply.status_code == 200
    assert reply.headers["content-type"].lower() == "image/jpeg"  # RAGFlow's `image/JPEG`
    assert reply.content.startswith(b"\x89PNG\r\n\x1a\n")


# B still owns what it owned -----------------------------------------------------------------------
def b_keeps_its_dataset(w: World, _reply: httpx.Response) -> None:
    assert [d["id"] for d in sdk_data(w.b.sdk.get(DATASETS, params={"id": w.b_ds}))] == [w.b_ds]


def b_keeps_its_document(w: World, _reply: httpx.Response) -> None:
    listing = web_data(w.b.web.post("/v1/document/list", params={"kb_id": w.b_kb}, json={}))
    assert [d["id"] for d in listing["docs"]] == [w.b_kb_doc]


def b_renamed_its_dataset_to_as_name(w: World, reply: httpx.Response) -> None:
    body = reply.json()
    original = w.b.sdk.put(f"{DATASETS}/{w.b_ds}", json={"name": unique("isolation-sdk")})
    assert original.json()["code"] == 0, original.text
    assert body["code"] == 0, body
    assert body["data"]["name"] == w.ds_name


def b_renamed_its_kb_to_as_name(w: World, reply: httpx.Response) -> None:
    body = reply.json()
    restore = {"kb_id": w.b_kb, "name": unique("isolation-web"), "description": None, "parser_id": "naive"}
    assert w.b.web.post("/v1/kb/update", json=restore).json()["code"] == 0
    assert body["code"] == 0, body
    assert body["data"]["name"] == w.kb_name


ROUTE_TABLE: list[Entry] = [
    # /api/v1/datasets (SDK spec §4) ----------------------------------------------------------
    Entry(
        "POST",
        "/api/v1/datasets",
        "create with A's dataset name: B's own",
        lambda w: {"json": {"name": w.ds_name}},
        check=b_created_sdk_dataset,
    ),
    Entry(
        "PUT",
        "/api/v1/datasets/{dataset_id}",
        "rename",
        lambda w: {"json": {"name": "hijacked", "description": "bob was here"}},
        lacks("ds"),
    ),
    Entry(
        "PUT",
        "/api/v1/datasets/{dataset_id}",
        "web-made dataset, settings",
        lambda w: {"path": {"dataset_id": w.kb}, "json": {"permission": "team", "chunk_method": "qa"}},
        lacks("kb"),
    ),
    Entry("GET", "/api/v1/datasets", "plain list: only B's", no_args, check=only_b_datasets),
    Entry("GET", "/api/v1/datasets", "id=A's", lambda w: {"params": {"id": w.ds}}, lacks("ds")),
    Entry("GET", "/api/v1/datasets", "id=A's web-made", lambda w: {"params": {"id": w.kb}}, lacks("kb")),
    Entry("GET", "/api/v1/datasets", "name=A's", lambda w: {"params": {"name": w.ds_name}}, lacks("ds_name")),
    Entry("DELETE", "/api/v1/datasets", "ids=[A's]", lambda w: {"json": {"ids": [w.ds]}}, lacks_all("ds")),
    Entry(
        "DELETE",
        "/api/v1/datasets",
        "ids=[both of A's]",
        lambda w: {"json": {"ids": [w.ds, w.kb]}},
        lacks_all("ds", "kb"),
    ),
    Entry(
        "DELETE",
        "/api/v1/datasets",
        "ids=[A's, dashed]",
        lambda w: {"json": {"ids": [str(uuid.UUID(w.ds))]}},
        lacks_all("ds"),
    ),
    Entry("GET", "/api/v1/datasets/{dataset_id}/knowledge_graph", "read", no_args, SDK_NO_AUTHORIZATION),
    Entry("DELETE", "/api/v1/datasets/{dataset_id}/knowledge_graph", "wipe", no_args, SDK_NO_AUTHORIZATION),
    # /api/v1/datasets/{dataset_id}/documents (SDK spec §5) -------------------------------------
    Entry(
        "POST",
        "/api/v1/datasets/{dataset_id}/documents",
        "upload",
        lambda w: {"files": [("file", ("evil.txt", b"evil"))]},
        sdk_error("You don't own the dataset {ds}."),
    ),
    Entry(
        "GET",
        "/api/v1/datasets/{dataset_id}/documents",
        "list",
        no_args,
        sdk_error("You don't own the dataset {ds}. "),
    ),
    Entry(
        "GET",
        "/api/v1/datasets/{dataset_id}/documents",
        "list id=A's document",
        lambda w: {"params": {"id": w.ds_txt}},
        sdk_error("You don't own the dataset {ds}. "),
    ),
    Entry(
        "GET",
        "/api/v1/datasets/{dataset_id}/documents",
        "list name=a.pdf",
        lambda w: {"params": {"name": "a.pdf"}},
        sdk_error("You don't own the dataset {ds}. "),
    ),
    Entry(
        "PUT",
        "/api/v1/datasets/{dataset_id}/documents/{document_id}",
        "rename",
        lambda w: {"json": {"name": "pwned.pdf"}},
        sdk_error("You don't own the dataset."),
    ),
    Entry(
        "PUT",
        "/api/v1/datasets/{dataset_id}/documents/{document_id}",
        "meta_fields",
        lambda w: {"path": {"document_id": w.ds_txt}, "json": {"meta_fields": {"author": "bob"}}},
        sdk_error("You don't own the dataset."),
    ),
    Entry(
        "PUT",
        "/api/v1/datasets/{dataset_id}/documents/{document_id}",
        "enabled=false",
        lambda w: {"json": {"enabled": False}},
        sdk_error("You don't own the dataset."),
    ),
    Entry(
        "PUT",
        "/api/v1/datasets/{dataset_id}/documents/{document_id}",
        "chunk_method, web-made",
        lambda w: {
            "path": {"dataset_id": w.kb, "document_id": w.kb_txt},
            "json": {"chunk_method": "qa", "parser_config": {"chunk_token_num": 1}},
        },
        sdk_error("You don't own the dataset."),
    ),
    Entry(
        "GET",
        "/api/v1/datasets/{dataset_id}/documents/{document_id}",
        "download",
        no_args,
        sdk_error("You do not own the dataset {ds}."),
    ),
    Entry(
        "DELETE",
        "/api/v1/datasets/{dataset_id}/documents",
        "ids=[A's]",
        lambda w: {"json": {"ids": [w.ds_pdf]}},
        sdk_error("You don't own the dataset {ds}. "),
    ),
    Entry(
        "DELETE",
        "/api/v1/datasets/{dataset_id}/documents",
        "no body: all",
        no_args,
        sdk_error("You don't own the dataset {ds}. "),
    ),
    Entry(
        "DELETE",
        "/api/v1/datasets/{dataset_id}/documents",
        "ids=null: all",
        lambda w: {"json": {"ids": None}},
        sdk_error("You don't own the dataset {ds}. "),
    ),
    # /v1/kb (web spec §5) -----------------------------------------------------------------------
    Entry(
        "POST",
        "/v1/kb/create",
        "create with A's name: B's own",
        lambda w: {"json": {"name": w.kb_name}},
        check=b_created_web_dataset,
    ),
    Entry(
        "POST",
        "/v1/kb/update",
        "rename",
        lambda w: {"json": {"kb_id": w.kb, "name": "hijacked", "description": "x", "parser_id": "naive"}},
        NO_AUTHORIZATION,
    ),
    Entry(
        "POST",
        "/v1/kb/update",
        "SDK-made dataset",
        lambda w: {"json": {"kb_id": w.ds, "name": w.ds_name, "description": None, "parser_id": "qa"}},
        NO_AUTHORIZATION,
    ),
    Entry("GET", "/v1/kb/detail", "detail", lambda w: {"params": {"kb_id": w.kb}}, NOT_OWNER),
    Entry("GET", "/v1/kb/detail", "SDK-made dataset", lambda w: {"params": {"kb_id": w.ds}}, NOT_OWNER),
    Entry("POST", "/v1/kb/list", "plain list: only B's", lambda w: {"json": {}}, check=only_b_kbs),
    Entry(
        "POST",
        "/v1/kb/list",
        "owner_ids=[A]",
        lambda w: {"json": {"owner_ids": [w.a.tenant_id]}},
        NOTHING_LISTED,
    ),
    Entry(
        "POST",
        "/v1/kb/list",
        "keywords=A's name",
        lambda w: {"params": {"keywords": w.kb_name}, "json": {}},
        NOTHING_LISTED,
    ),
    Entry("POST", "/v1/kb/rm", "remove", lambda w: {"json": {"kb_id": w.kb}}, NO_AUTHORIZATION),
    Entry("POST", "/v1/kb/rm", "SDK-made dataset", lambda w: {"json": {"kb_id": w.ds}}, NO_AUTHORIZATION),
    Entry("GET", "/v1/kb/tags", "kb_ids=A's", lambda w: {"params": {"kb_ids": w.kb}}, NO_AUTHORIZATION),
    Entry(
        "GET",
        "/v1/kb/tags",
        "kb_ids=B's,A's",
        lambda w: {"params": {"kb_ids": f"{w.b_kb},{w.kb}"}},
        NO_AUTHORIZATION,
    ),
    Entry("GET", "/v1/kb/get_meta", "kb_ids=A's", lambda w: {"params": {"kb_ids": w.kb}}, NO_AUTHORIZATION),
    Entry(
        "GET",
        "/v1/kb/get_meta",
        "kb_ids=B's,A's SDK-made",
        lambda w: {"params": {"kb_ids": f"{w.b_kb},{w.ds}"}},
        NO_AUTHORIZATION,
    ),
    Entry("GET", "/v1/kb/{kb_id}/tags", "tags", no_args, NO_AUTHORIZATION),
    Entry(
        "POST", "/v1/kb/{kb_id}/rm_tags", "remove tags", lambda w: {"json": {"tags": ["x"]}}, NO_AUTHORIZATION
    ),
    Entry(
        "POST",
        "/v1/kb/{kb_id}/rename_tag",
        "rename tag",
        lambda w: {"json": {"from_tag": "x", "to_tag": "y"}},
        NO_AUTHORIZATION,
    ),
    Entry("GET", "/v1/kb/{kb_id}/knowledge_graph", "read", no_args, NO_AUTHORIZATION),
    Entry("DELETE", "/v1/kb/{kb_id}/knowledge_graph", "wipe", no_args, NO_AUTHORIZATION),
    # /v1/document (web spec §6) -------------------------------------------------------------------
    Entry(
        "POST",
        "/v1/document/upload",
        "upload",
        lambda w: {"data": {"kb_id": w.kb}, "files": [("file", ("evil.txt", b"evil", "text/plain"))]},
        NO_AUTHORIZATION,
    ),
    Entry(
        "POST",
        "/v1/document/create",
        "virtual document",
        lambda w: {"json": {"kb_id": w.kb, "name": "evil.txt"}},
        NO_AUTHORIZATION,
    ),
    Entry("POST", "/v1/document/list", "list", lambda w: {"params": {"kb_id": w.kb}, "json": {}}, NOT_OWNER),
    Entry(
        "POST",
        "/v1/document/list",
        "SDK-made dataset",
        lambda w: {"params": {"kb_id": w.ds, "keywords": "a"}, "json": {}},
        NOT_OWNER,
    ),
    Entry("POST", "/v1/document/filter", "facets", lambda w: {"json": {"kb_id": w.kb}}, NOT_OWNER),
    Entry(
        "POST",
        "/v1/document/infos",
        "records",
        lambda w: {"json": {"doc_ids": [w.kb_txt, w.ds_txt]}},
        NO_AUTHORIZATION,
    ),
    Entry(
        "GET",
        "/v1/document/thumbnails",
        "exempt",
        lambda w: {"params": {"doc_ids": [w.kb_pdf]}},
        check=serves_the_thumbnail_url,
        exempt=UNGUESSABLE,
    ),
    Entry(
        "POST",
        "/v1/document/change_status",
        "disable: per-document error",
        lambda w: {"json": {"doc_ids": [w.kb_txt], "status": "0"}},
        lambda w: {"code": 0, "data": {w.kb_txt: {"error": "No authorization."}}, "message": "success"},
    ),
    Entry("POST", "/v1/document/rm", "one id", lambda w: {"json": {"doc_id": w.kb_txt}}, NO_AUTHORIZATION),
    Entry(
        "POST",
        "/v1/document/rm",
        "list incl. SDK-made",
        lambda w: {"json": {"doc_id": [w.kb_pdf, w.ds_txt]}},
        NO_AUTHORIZATION,
    ),
    Entry(
        "POST",
        "/v1/document/rename",
        "rename",
        lambda w: {"json": {"doc_id": w.kb_txt, "name": "pwned.txt"}},
        NO_AUTHORIZATION,
    ),
    Entry("GET", "/v1/document/get/{doc_id}", "exempt", no_args, check=serves_the_pdf, exempt=UNGUESSABLE),
    Entry(
        "POST",
        "/v1/document/change_parser",
        "to qa",
        lambda w: {"json": {"doc_id": w.kb_txt, "parser_id": "qa"}},
        NO_AUTHORIZATION,
    ),
    Entry(
        "POST",
        "/v1/document/set_meta",
        "replace meta",
        lambda w: {"json": {"doc_id": w.kb_txt, "meta": '{"owner": "bob"}'}},
        NO_AUTHORIZATION,
    ),
    Entry(
        "POST",
        "/v1/document/set_meta",
        "SDK-made document",
        lambda w: {"json": {"doc_id": w.ds_txt, "meta": "{}"}},
        NO_AUTHORIZATION,
    ),
    Entry(
        "GET", "/v1/document/image/{image_id}", "exempt", no_args, check=serves_the_png, exempt=UNGUESSABLE
    ),
]

#: B reaching for A's documents through B's *own* datasets; sent by B as B would send them.
CROSS_TABLE: list[Entry] = [
    *(
        Entry(
            "PUT",
            "/api/v1/datasets/{dataset_id}/documents/{document_id}",
            f"B's dataset, A's document: {label}",
            lambda w, body=body: {"path": {"dataset_id": w.b_ds, "document_id": w.ds_txt}, "json": body},
            NOT_OWNED_DOCUMENT,
        )
        for label, body in (
            ("rename", {"name": "pwned.txt"}),
            ("meta_fields", {"meta_fields": {"author": "bob"}}),
            ("enabled=false", {"enabled": False}),
            ("chunk_method", {"chunk_method": "qa"}),
        )
    ),
    Entry(
        "PUT",
        "/api/v1/datasets/{dataset_id}/documents/{document_id}",
        "B's dataset, A's web-made document",
        lambda w: {"path": {"dataset_id": w.b_ds, "document_id": w.kb_txt}, "json": {"name": "pwned.txt"}},
        NOT_OWNED_DOCUMENT,
    ),
    Entry(
        "GET",
        "/api/v1/datasets/{dataset_id}/documents/{document_id}",
        "B's dataset, A's document: download",
        lambda w: {"path": {"dataset_id": w.b_ds, "document_id": w.ds_pdf}},
        sdk_error("The dataset not own the document {ds_pdf}."),
    ),
    Entry(
        "GET",
        "/api/v1/datasets/{dataset_id}/documents",
        "B's dataset, id=A's document",
        lambda w: {"path": {"dataset_id": w.b_ds}, "params": {"id": w.ds_pdf}},
        sdk_error("You don't own the document {ds_pdf}."),
    ),
    Entry(
        "DELETE",
        "/api/v1/datasets/{dataset_id}/documents",
        "B's dataset, ids=[A's document]",
        lambda w: {"path": {"dataset_id": w.b_ds}, "json": {"ids": [w.ds_pdf]}},
        sdk_error("Documents not found: ['{ds_pdf}']"),
    ),
    Entry(
        "DELETE",
        "/api/v1/datasets/{dataset_id}/documents",
        "B's dataset, ids=[A's, A's web-made]",
        lambda w: {"path": {"dataset_id": w.b_ds}, "json": {"ids": [w.ds_txt, w.kb_pdf]}},
        sdk_error("Documents not found: ['{ds_txt}', '{kb_pdf}']"),
    ),
    Entry(
        "DELETE",
        "/api/v1/datasets",
        "ids=[B's, A's]: nothing deleted",
        lambda w: {"json": {"ids": [w.b_ds, w.ds]}},
        lacks_all("ds"),
        check=b_keeps_its_dataset,
    ),
    Entry(
        "PUT",
        "/api/v1/datasets/{dataset_id}",
        "B's dataset takes A's name",
        lambda w: {"path": {"dataset_id": w.b_ds}, "json": {"name": w.ds_name}},
        check=b_renamed_its_dataset_to_as_name,
    ),
    Entry(
        "POST",
        "/v1/kb/update",
        "B's dataset takes A's name",
        lambda w: {"json": {"kb_id": w.b_kb, "name": w.kb_name, "description": None, "parser_id": "naive"}},
        check=b_renamed_its_kb_to_as_name,
    ),
    Entry(
        "POST",
        "/v1/document/rm",
        "[B's, A's]: nothing deleted",
        lambda w: {"json": {"doc_id": [w.b_kb_doc, w.kb_txt]}},
        NO_AUTHORIZATION,
        check=b_keeps_its_document,
    ),
    Entry(
        "POST",
        "/v1/document/infos",
        "[B's, A's]",
        lambda w: {"json": {"doc_ids": [w.b_kb_doc, w.kb_pdf]}},
        NO_AUTHORIZATION,
    ),
    Entry(
        "POST",
        "/v1/document/change_status",
        "[B's, A's]",
        lambda w: {"json": {"doc_ids": [w.b_kb_doc, w.kb_txt], "status": "1"}},
        lambda w: {
            "code": 0,
            "data": {w.b_kb_doc: {"status": "1"}, w.kb_txt: {"error": "No authorization."}},
            "message": "success",
        },
    ),
]


# tests -------------------------------------------------------------------------------------------
def served_routes() -> set[tuple[str, str]]:
    """(method, path) of every route of the four routers, as mounted."""
    found = set()
    for router in ROUTERS:
        if router.prefix not in ROUTER_PREFIXES:
            continue
        for route in router.routes:
            if isinstance(route, APIRoute):
                found |= {(method, route.path) for method in route.methods}
    return found


def test_every_route_has_an_isolation_entry():
    assert set(ROUTER_PREFIXES) <= {router.prefix for router in ROUTERS}, "a router moved: update the table"
    served = served_routes()
    covered = {(e.method, e.route) for e in ROUTE_TABLE}
    assert sorted(served - covered) == [], "routes without a tenant-isolation entry"
    assert sorted(covered - served) == [], "entries for routes that are not served"
    exempt = {(e.method, e.route) for e in ROUTE_TABLE if e.exempt}
    assert exempt == {
        ("GET", "/v1/document/get/{doc_id}"),
        ("GET", "/v1/document/thumbnails"),
        ("GET", "/v1/document/image/{image_id}"),
    }
    for entry in ROUTE_TABLE:
        assert (entry.refusal is not None) or (entry.check is not None), entry.id
        assert not (entry.exempt and entry.refusal is not None), entry.id


def run_entry(w: World, entry: Entry, reply: httpx.Response) -> None:
    assert reply.status_code == 200, (reply.status_code, reply.text)
    expected = entry.expected(w)
    if expected is not None:
        assert reply.json() == expected
    if entry.check is not None:
        entry.check(w, reply)


@pytest.mark.parametrize("entry", ROUTE_TABLE, ids=lambda e: e.id)
def test_tenant_b_replaying_as_request_is_refused(world, entry):
    before = snapshot(world)
    request = entry.request(world, world.a)
    if entry.exempt:
        with world.server.client() as anonymous:
            run_entry(world, entry, anonymous.request(request.method, request.url))
    run_entry(world, entry, as_other_tenant(request, world.b))
    assert snapshot(world) == before, "tenant A's datasets, documents or bytes changed"
    assert_b_sees_none_of_a(world)


@pytest.mark.parametrize("entry", CROSS_TABLE, ids=lambda e: e.id)
def test_tenant_b_reaching_through_its_own_datasets_touches_nothing_of_as(world, entry):
    before = snapshot(world)
    request = entry.request(world, world.b)
    with httpx.Client(timeout=30) as client:
        run_entry(world, entry, client.send(request))
    assert snapshot(world) == before, "tenant A's datasets, documents or bytes changed"
    assert_b_sees_none_of_a(world)


def test_another_tenant_deleting_everything_of_its_own_spares_a(world, server):
    """`ids: null` (every dataset of the caller) and an id-less document delete stay in C's tenant."""
    before = snapshot(world)
    with open_tenant(server, "carol-iso") as c:
        c_ds, _ = sdk_dataset(c)
        sdk_upload(c, c_ds, ("a.pdf", PDF), ("notes.txt", TEXT))
        c_kb, _ = web_dataset(c)
        web_upload(c, c_kb, ("a.pdf", PDF))
        assert c.sdk.request("DELETE", docs_path(c_ds)).json() == {"code": 0}
        assert sdk_data(c.sdk.get(docs_path(c_ds)))["total"] == 0
        assert c.sdk.request("DELETE", DATASETS, json={"ids": None}).json() == {"code": 0}
        assert sdk_data(c.sdk.get(DATASETS)) == []
        assert web_data(c.web.post("/v1/kb/list", json={})) == {"kbs": [], "total": 0}
    assert snapshot(world) == before, "tenant A's datasets, documents or bytes changed"
