"""Fixtures: real citeflow servers on free ports, once per metadata database, and tenants on them.

Every `api` test runs against SQLite and against PostgreSQL (see tests/postgres.py).
"""

import itertools
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from citeflow.api import create_app
from citeflow.core.settings import Settings
from tests.fake_providers import FakeProvider
from tests.postgres import create_database, pg_cluster

SHARED = Path(__file__).resolve().parents[2] / "shared"
REQUIRE_POSTGRES = os.environ.get("CITEFLOW_TEST_REQUIRE_POSTGRES") == "1"
_db_names = itertools.count(1)


@dataclass
class RunningServer:
    url: str
    settings: Settings

    def client(self, **headers: str) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)


@pytest.fixture(scope="session")
def postgres() -> Iterator[str]:
    try:
        with pg_cluster() as url:
            yield url
    except FileNotFoundError as exc:
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL is required here: {exc}")
        pytest.skip(f"PostgreSQL runs skipped: {exc}")


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def db_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def start_server(
    db_backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[..., RunningServer]]:
    """Start a server with a fresh data dir and database; keyword arguments override settings."""
    stops: list[Callable[[], None]] = []
    pg_url = request.getfixturevalue("postgres") if db_backend == "postgresql" else None

    def start(**overrides: Any) -> RunningServer:
        data_dir = tmp_path_factory.mktemp("data")
        database: dict[str, Any] = dict(overrides.pop("database", {}))
        if pg_url is not None:
            database["url"] = create_database(pg_url, f"citeflow_test_{next(_db_names)}")
        settings = Settings(data_dir=data_dir, database=database, **overrides)
        url, stop = serve_in_thread(settings)
        stops.append(stop)
        return RunningServer(url, settings)

    yield start
    for stop in reversed(stops):
        stop()


def serve_in_thread(settings: Settings) -> tuple[str, Callable[[], None]]:
    """Run uvicorn with citeflow's app on a kernel-chosen port; returns its URL and a stop function."""
    return serve_app(create_app(settings))


def serve_app(app: Any) -> tuple[str, Callable[[], None]]:
    """Run `app` under uvicorn in a thread; for tests that build (and extend) the app themselves."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("citeflow server failed to start")
        time.sleep(0.01)

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()

    return f"http://127.0.0.1:{sock.getsockname()[1]}", stop


@pytest.fixture(scope="session")
def server(start_server: Callable[..., RunningServer]) -> RunningServer:
    """The shared server of the session (per database backend), default settings."""
    return start_server()


@pytest.fixture(scope="session")
def fake_provider() -> Iterator[FakeProvider]:
    """Fake OpenAI, Ollama and TEI endpoints on one port (tests/fake_providers.py); `reset()` it per test."""
    fake = FakeProvider()
    fake.url, stop = serve_app(fake.app)
    yield fake
    stop()


@dataclass
class Tenant:
    """A registered user with a web session (`web`) and an API key (`sdk`) on one server."""

    email: str
    password: str
    user_id: str
    session_token: str
    api_key: str
    web: httpx.Client
    sdk: httpx.Client

    @property
    def tenant_id(self) -> str:
        return self.user_id


def unique_email(label: str = "user") -> str:
    return f"{label}-{uuid.uuid4().hex[:12]}@example.com"


def register(
    client: httpx.Client, email: str, password: str = "s3cret!", nickname: str = "tester"
) -> httpx.Response:
    return client.post("/v1/user/register", json={"email": email, "nickname": nickname, "password": password})


def make_tenant(server: RunningServer, label: str = "tenant") -> Tenant:
    """Register, log in and create an API key, all over HTTP as a client would."""
    email, password = unique_email(label), "pw-" + uuid.uuid4().hex[:8]
    with server.client() as anonymous:
        reply = register(anonymous, email, password, nickname=label)
        assert reply.json()["code"] == 0, reply.text
        user_id = reply.json()["data"]["id"]
        login = anonymous.post("/v1/user/login", json={"email": email, "password": password})
        assert login.json()["code"] == 0, login.text
    token = login.headers["Authorization"]
    web = server.client(Authorization=token)
    key = web.post("/v1/system/new_token").json()["data"]["token"]
    sdk = server.client(Authorization=f"Bearer {key}")
    return Tenant(email, password, user_id, token, key, web, sdk)


@pytest.fixture(scope="session")
def tenant_a(server: RunningServer) -> Tenant:
    return make_tenant(server, "alice")


@pytest.fixture(scope="session")
def tenant_b(server: RunningServer) -> Tenant:
    return make_tenant(server, "bob")


def as_other_tenant(request: httpx.Request, other: Tenant) -> httpx.Response:
    """Replay `request` (method, URL, headers, body) with `other`'s credentials instead.

    `/api/v1` requests get `other`'s API key, `/v1` requests `other`'s session token. Use it to
    show that tenant A's ids are useless to tenant B: the replay must fail, or see nothing.
    """
    credentials = f"Bearer {other.api_key}" if request.url.path.startswith("/api/v1") else other.session_token
    headers = {
        k: v for k, v in request.headers.items() if k.lower() not in ("authorization", "content-length")
    }
    headers["Authorization"] = credentials
    with httpx.Client(timeout=30) as client:
        return client.request(request.method, request.url, headers=headers, content=request.read())


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that use a server are marked `api` (they run once per database backend)."""
    for item in items:
        if "db_backend" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.api)
