"""`/v1/system/*`: version, status, healthz, ping, config and public key, over real HTTP."""

import re
import shutil

from tests.conftest import make_tenant
from tests.envelopes import UNAUTHORIZED

ELAPSED = re.compile(r"^\d+\.\d$")


def test_version_needs_a_session(server):
    with server.client() as anonymous:
        assert anonymous.get("/v1/system/version").json() == UNAUTHORIZED
    with server.client(Authorization="not-a-session") as stranger:
        assert stranger.get("/v1/system/version").json() == UNAUTHORIZED


def test_version_is_a_string_naming_the_api_version(tenant_a):
    body = tenant_a.web.get("/v1/system/version").json()
    assert body["code"] == 0
    assert body["message"] == "success"
    assert isinstance(body["data"], str)
    assert "v0.20.5" in body["data"]


def test_status_needs_a_session(server):
    with server.client() as anonymous:
        assert anonymous.get("/v1/system/status").json() == UNAUTHORIZED


def test_status_reports_database_and_storage_green(tenant_a, db_backend):
    reply = tenant_a.web.get("/v1/system/status")
    assert reply.status_code == 200
    body = reply.json()
    assert body["code"] == 0
    assert body["message"] == "success"
    data = body["data"]

    database = data["database"]
    assert database["database"] == db_backend
    assert database["database"] in ("sqlite", "postgresql")
    assert database["status"] == "green"
    assert isinstance(database["elapsed"], str)
    assert ELAPSED.match(database["elapsed"]), database
    assert "error" not in database

    storage = data["storage"]
    assert storage["storage"] == "local"
    assert storage["status"] == "green"
    assert ELAPSED.match(storage["elapsed"]), storage
    assert "error" not in storage

    assert data["task_executor_heartbeats"] == {}


def test_healthz_needs_no_auth_and_answers_raw_json(server):
    with server.client() as anonymous:
        reply = anonymous.get("/v1/system/healthz")
    assert reply.status_code == 200
    assert reply.json() == {"db": "ok", "storage": "ok", "_meta": {}}


def test_broken_storage_turns_status_red_and_healthz_500(start_server):
    running = start_server()
    tenant = make_tenant(running, "broken-storage")
    files = running.settings.data_dir / "files"
    assert files.is_dir()
    shutil.rmtree(files)
    files.write_bytes(b"not a directory")

    with running.client() as anonymous:
        health = anonymous.get("/v1/system/healthz")
    assert health.status_code == 500
    body = health.json()
    assert body["db"] == "ok"
    assert body["storage"] == "nok"
    assert set(body["_meta"]) == {"storage"}
    failure = body["_meta"]["storage"]
    assert ELAPSED.match(failure["elapsed"]), failure
    assert "storage" in failure["error"].lower(), failure
    assert "Traceback" not in health.text
    assert 'File "' not in health.text
    assert str(running.settings.data_dir) not in health.text

    status = tenant.web.get("/v1/system/status")
    assert status.status_code == 200
    data = status.json()["data"]
    assert status.json()["code"] == 0
    assert data["database"]["status"] == "green"
    storage = data["storage"]
    assert storage["storage"] == "local"
    assert storage["status"] == "red"
    assert ELAPSED.match(storage["elapsed"]), storage
    assert "storage" in storage["error"].lower(), storage
    assert "Traceback" not in status.text
    assert 'File "' not in status.text
    assert str(running.settings.data_dir) not in status.text


def test_ping_answers_plain_pong_without_auth(server):
    with server.client() as anonymous:
        reply = anonymous.get("/v1/system/ping")
    assert reply.status_code == 200
    assert reply.text == "pong"
    assert reply.headers["content-type"].startswith("text/plain")


def test_config_needs_no_auth(server):
    with server.client() as anonymous:
        body = anonymous.get("/v1/system/config").json()
    assert body == {"code": 0, "data": {"registerEnabled": 1}, "message": "success"}


def test_config_reports_registration_disabled(start_server):
    running = start_server(auth={"register_enabled": False})
    with running.client() as anonymous:
        body = anonymous.get("/v1/system/config").json()
    assert body == {"code": 0, "data": {"registerEnabled": 0}, "message": "success"}


def test_public_key_is_a_pem(server):
    with server.client() as anonymous:
        body = anonymous.get("/v1/system/public_key").json()
    assert body["code"] == 0
    pem = body["data"]["public_key"]
    assert pem.startswith("-----BEGIN PUBLIC KEY-----\n")
    assert pem.rstrip("\n").endswith("-----END PUBLIC KEY-----")
