"""A bug in a handler answers code 100 naming a request id, never a traceback; the log has the rest."""

import logging
import time
from collections.abc import Iterator

import httpx
import pytest
from fastapi import Depends

from citeflow.api import create_app
from citeflow.core.settings import Settings
from tests.conftest import serve_app

SECRET = "secret /etc/path"


def boom() -> None:
    raise RuntimeError(SECRET)


async def async_boom() -> None:
    raise RuntimeError(SECRET)


def failing_dependency() -> None:
    raise KeyError(SECRET)


def uses_failing_dependency(_: None = Depends(failing_dependency)) -> None:
    return None


def two_args() -> None:
    raise ValueError(SECRET, {"path": "/etc/path"})


ROUTES = {
    "/v1/boom": boom,
    "/v1/async_boom": async_boom,
    "/api/v1/boom": boom,
    "/v1/boom_in_dependency": uses_failing_dependency,
    "/v1/boom_with_args": two_args,
}


@pytest.fixture(scope="module")
def buggy_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    app = create_app(Settings(data_dir=tmp_path_factory.mktemp("data")))
    for path, handler in ROUTES.items():
        app.add_api_route(path, handler, methods=["GET", "POST"])
    url, stop = serve_app(app)
    yield url
    stop()


def expected(request_id: str) -> dict:
    return {
        "code": 100,
        "data": None,
        "message": f"Internal server error; see the server log for request id {request_id}.",
    }


def assert_no_internals(reply: httpx.Response) -> None:
    for leak in (
        "secret",
        "/etc/path",
        "Traceback",
        "RuntimeError",
        "KeyError",
        "ValueError",
        'File "',
        ".py",
    ):
        assert leak not in reply.text, leak


@pytest.mark.parametrize("path", list(ROUTES))
def test_unexpected_exception_answers_code_100_with_request_id(buggy_server, path):
    with httpx.Client(base_url=buggy_server, timeout=30) as client:
        reply = client.get(path)
    request_id = reply.headers["x-request-id"]
    assert request_id
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("application/json")
    assert reply.json() == expected(request_id)
    assert_no_internals(reply)


def test_unexpected_exception_on_post_with_body(buggy_server):
    with httpx.Client(base_url=buggy_server, timeout=30) as client:
        reply = client.post("/v1/boom/", json={"anything": "at all"})
    assert reply.json() == expected(reply.headers["x-request-id"])
    assert_no_internals(reply)


def test_each_failure_names_its_own_request_id(buggy_server):
    with httpx.Client(base_url=buggy_server, timeout=30) as client:
        first, second = client.get("/v1/boom"), client.get("/v1/boom")
    assert first.headers["x-request-id"] != second.headers["x-request-id"]
    assert first.json()["message"] != second.json()["message"]


def test_unexpected_exception_is_logged_with_its_request_id(buggy_server, caplog):
    caplog.set_level(logging.INFO, logger="citeflow.access")
    with httpx.Client(base_url=buggy_server, timeout=30) as client:
        reply = client.get("/v1/boom")
    request_id = reply.headers["x-request-id"]
    assert reply.json() == expected(request_id)

    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        errors = [
            r
            for r in caplog.records
            if r.name == "citeflow.access"
            and r.levelno >= logging.ERROR
            and getattr(r, "request_id", None) == request_id
        ]
        if errors:
            break
        time.sleep(0.01)
    assert len(errors) == 1, [(r.name, r.levelname, r.getMessage(), r.__dict__) for r in caplog.records]
    error = errors[0]
    assert error.exc_info is not None
    assert error.exc_info[0] is RuntimeError
    assert SECRET in str(error.exc_info[1])  # the details are in the log, not in the answer
    assert getattr(error, "path", None) == "/v1/boom"


def test_errors_do_not_break_the_server(buggy_server):
    with httpx.Client(base_url=buggy_server, timeout=30) as client:
        assert client.get("/v1/boom").json()["code"] == 100
        assert client.get("/v1/system/ping").text == "pong"
        assert client.get("/v1/system/healthz").json()["db"] == "ok"
