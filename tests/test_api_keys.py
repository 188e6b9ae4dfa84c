"""Tenant API keys: `/v1/system/new_token`, `token_list`, `token/<token>`, and using the key on `/api/v1`."""

import re

import pytest

from tests.conftest import as_other_tenant

KEY = re.compile(r"^ragflow-[A-Za-z0-9_-]{32}$")
BETA = re.compile(r"^[A-Za-z0-9_-]{32}$")
HTTP_DATE = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} "
    r"\d{2}:\d{2}:\d{2} GMT$"
)
INVALID_KEY = {"code": 109, "data": False, "message": "Authentication error: API key is invalid!"}
DELETED = {"code": 0, "data": True, "message": "success"}


def new_key(tenant) -> dict:
    body = tenant.web.post("/v1/system/new_token").json()
    assert body["code"] == 0, body
    return body["data"]


def whoami(server, key: str) -> dict:
    with server.client(Authorization=f"Bearer {key}") as sdk:
        return sdk.get("/api/v1/citeflow/whoami").json()


def listed(tenant) -> list[dict]:
    body = tenant.web.get("/v1/system/token_list").json()
    assert body["code"] == 0, body
    assert body["message"] == "success"
    return body["data"]


def shows(record: dict, key: str) -> bool:
    """Whether a listed record is `key`, in the masked form (`ragflow-AbCd****wxyz`)."""
    return record["token"].startswith(key[:12]) and record["token"].endswith(key[-4:])


def test_new_token_shape(tenant_a):
    body = tenant_a.web.post("/v1/system/new_token").json()
    assert body["code"] == 0
    assert body["message"] == "success"
    data = body["data"]
    assert set(data) == {
        "tenant_id",
        "token",
        "beta",
        "create_time",
        "create_date",
        "update_time",
        "update_date",
    }
    assert data["tenant_id"] == tenant_a.tenant_id
    assert KEY.match(data["token"]), data["token"]
    assert BETA.match(data["beta"]), data["beta"]
    assert isinstance(data["create_time"], int)
    assert not isinstance(data["create_time"], bool)
    assert data["create_time"] > 1_600_000_000_000  # milliseconds
    assert HTTP_DATE.match(data["create_date"]), data["create_date"]
    assert data["update_time"] is None
    assert data["update_date"] is None


def test_new_token_needs_a_session(server):
    with server.client() as anonymous:
        body = anonymous.post("/v1/system/new_token").json()
    assert body == {"code": 401, "data": None, "message": "<Unauthorized '401: Unauthorized'>"}


def test_every_new_token_is_different(tenant_a):
    first, second = new_key(tenant_a), new_key(tenant_a)
    assert first["token"] != second["token"]
    assert first["beta"] != second["beta"]


def test_new_key_works_on_the_sdk_api(server, tenant_a):
    key = new_key(tenant_a)["token"]
    body = whoami(server, key)
    assert body["code"] == 0, body
    assert body["data"]["tenant_id"] == tenant_a.tenant_id


def test_token_list_shows_keys_only_masked(tenant_a):
    created = new_key(tenant_a)
    key, beta = created["token"], created["beta"]
    reply = tenant_a.web.get("/v1/system/token_list")
    assert key not in reply.text
    assert beta not in reply.text
    assert key[len("ragflow-") + 4 : -4] not in reply.text

    records = reply.json()["data"]
    mine = [r for r in records if shows(r, key)]
    assert len(mine) == 1, records
    record = mine[0]
    assert record["token"] != key
    assert "*" in record["token"]
    assert record["tenant_id"] == tenant_a.tenant_id
    assert record["beta"] != beta
    assert isinstance(record["create_time"], int)
    assert record["create_time"] == created["create_time"]
    assert HTTP_DATE.match(record["create_date"]), record
    assert record["create_date"] == created["create_date"]
    assert isinstance(record["update_time"], int)
    assert record["update_time"] >= record["create_time"]
    assert HTTP_DATE.match(record["update_date"]), record


def test_token_list_never_shows_a_full_key(tenant_a):
    for record in listed(tenant_a):
        assert not KEY.match(record["token"]), record
        assert record["token"] != tenant_a.api_key
    assert tenant_a.api_key not in tenant_a.web.get("/v1/system/token_list").text


def test_token_list_needs_a_session(server):
    with server.client() as anonymous:
        body = anonymous.get("/v1/system/token_list").json()
    assert body == {"code": 401, "data": None, "message": "<Unauthorized '401: Unauthorized'>"}


def test_delete_by_full_key(server, tenant_a):
    key = new_key(tenant_a)["token"]
    assert whoami(server, key)["code"] == 0
    assert tenant_a.web.delete(f"/v1/system/token/{key}").json() == DELETED
    assert whoami(server, key) == INVALID_KEY
    assert not [r for r in listed(tenant_a) if shows(r, key)]


def test_delete_by_listed_masked_form(server, tenant_a):
    key = new_key(tenant_a)["token"]
    masked = [r["token"] for r in listed(tenant_a) if shows(r, key)]
    assert len(masked) == 1
    assert tenant_a.web.delete(f"/v1/system/token/{masked[0]}").json() == DELETED
    assert whoami(server, key) == INVALID_KEY
    assert masked[0] not in [r["token"] for r in listed(tenant_a)]


def test_delete_one_key_leaves_the_others(server, tenant_a):
    doomed, kept = new_key(tenant_a)["token"], new_key(tenant_a)["token"]
    assert tenant_a.web.delete(f"/v1/system/token/{doomed}").json() == DELETED
    assert whoami(server, doomed) == INVALID_KEY
    assert whoami(server, kept)["data"]["tenant_id"] == tenant_a.tenant_id
    assert whoami(server, tenant_a.api_key)["data"]["tenant_id"] == tenant_a.tenant_id


def test_delete_unknown_token_still_answers_true(tenant_a):
    assert tenant_a.web.delete("/v1/system/token/ragflow-doesnotexist").json() == DELETED
    assert tenant_a.web.delete("/v1/system/token/ragflow-XXXX****YYYY").json() == DELETED


@pytest.mark.parametrize(
    "token", ["%00", "ragflow-%00abc", "%ED%A0%80", "%F0%9F%98%80", "x" * 4000, "ragflow-****"]
)
def test_delete_odd_token_still_answers_true(server, tenant_a, token):
    assert tenant_a.web.delete(f"/v1/system/token/{token}").json() == DELETED
    assert whoami(server, tenant_a.api_key)["data"]["tenant_id"] == tenant_a.tenant_id


def test_delete_needs_a_session(server, tenant_a):
    key = new_key(tenant_a)["token"]
    with server.client() as anonymous:
        body = anonymous.delete(f"/v1/system/token/{key}").json()
    assert body == {"code": 401, "data": None, "message": "<Unauthorized '401: Unauthorized'>"}
    assert whoami(server, key)["code"] == 0


def test_other_tenant_cannot_list_my_keys(tenant_a, tenant_b):
    key = new_key(tenant_a)["token"]
    mine = {r["token"] for r in listed(tenant_a)}
    reply = tenant_b.web.get("/v1/system/token_list")
    theirs = reply.json()["data"]
    assert all(r["tenant_id"] == tenant_b.tenant_id for r in theirs)
    assert not mine & {r["token"] for r in theirs}
    assert key not in reply.text
    assert tenant_a.tenant_id not in reply.text


def test_other_tenant_cannot_delete_my_key(server, tenant_a, tenant_b):
    key = new_key(tenant_a)["token"]
    masked = next(r["token"] for r in listed(tenant_a) if shows(r, key))
    for token in (key, masked):
        request = tenant_a.web.build_request("DELETE", f"/v1/system/token/{token}")
        replayed = as_other_tenant(request, tenant_b)
        assert replayed.json() == DELETED  # RAGFlow always answers true…
        assert whoami(server, key)["data"]["tenant_id"] == tenant_a.tenant_id  # …but nothing was deleted
    assert masked in {r["token"] for r in listed(tenant_a)}


def test_key_resolves_only_to_its_own_tenant(server, tenant_a, tenant_b):
    assert tenant_a.tenant_id != tenant_b.tenant_id
    a = whoami(server, tenant_a.api_key)
    b = whoami(server, tenant_b.api_key)
    assert a == {"code": 0, "data": {"tenant_id": tenant_a.tenant_id, "user_id": tenant_a.user_id}}
    assert b == {"code": 0, "data": {"tenant_id": tenant_b.tenant_id, "user_id": tenant_b.user_id}}


def test_unknown_key_is_rejected(server):
    assert whoami(server, "ragflow-" + "A" * 32) == INVALID_KEY


def test_beta_is_not_an_api_key(server, tenant_a):
    beta = new_key(tenant_a)["beta"]
    assert whoami(server, beta) == INVALID_KEY


def test_keys_are_stored_hashed(server, tenant_a, db_backend):
    if db_backend != "sqlite":
        pytest.skip("reads the SQLite database file")
    created = new_key(tenant_a)
    key, beta = created["token"], created["beta"]
    assert whoami(server, key)["code"] == 0
    masked = next(r["token"] for r in listed(tenant_a) if shows(r, key))
    database = server.settings.data_dir / "citeflow.db"
    assert database.is_file()
    files = [database] + [p for p in (database.with_name("citeflow.db-wal"),) if p.exists()]
    stored = b"".join(path.read_bytes() for path in files)
    # Control: the listed form is in these files, so the key row was written where we look.
    assert masked.encode() in stored
    for secret in (key, beta, key[len("ragflow-") :], tenant_a.api_key):
        assert secret.encode() not in stored, f"{secret!r} is stored in clear"
