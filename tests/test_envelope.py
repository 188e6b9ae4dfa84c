"""Wire quirks shared by `/api/v1` and `/v1`: authentication headers, framework errors, slashes,
body limits, JSON rendering, request ids, CORS and the OpenAPI pages."""

import json

import httpx
from starlette.routing import Route

from citeflow.api import create_app
from citeflow.api.routers import ROUTERS
from citeflow.core.settings import Settings
from tests.conftest import register, unique_email
from tests.envelopes import NOT_ALLOWED, NOT_FOUND, TOO_LARGE

WHOAMI = "/api/v1/citeflow/whoami"


# --- `/api/v1` authentication (spec §1.5) -------------------------------------------------------


def test_missing_authorization_answers_code_0(server):
    with server.client() as anonymous:
        reply = anonymous.get(WHOAMI)
    assert reply.status_code == 200
    assert reply.json() == {"code": 0, "data": False, "message": "`Authorization` can't be empty"}


def test_empty_authorization_answers_code_0(server):
    with server.client(Authorization="") as client:
        body = client.get(WHOAMI).json()
    assert body == {"code": 0, "data": False, "message": "`Authorization` can't be empty"}


def test_scheme_without_key_answers_code_0_format_error(server):
    with server.client(Authorization="Bearer") as client:
        reply = client.get(WHOAMI)
    assert reply.status_code == 200
    assert reply.json() == {"code": 0, "data": False, "message": "Please check your authorization format."}


def test_key_without_scheme_is_a_format_error(server, tenant_a):
    with server.client(Authorization=tenant_a.api_key) as client:
        body = client.get(WHOAMI).json()
    assert body == {"code": 0, "data": False, "message": "Please check your authorization format."}


def test_any_scheme_word_is_accepted(server, tenant_a):
    for scheme in ("Token", "bearer", "Basic", "x"):
        with server.client(Authorization=f"{scheme} {tenant_a.api_key}") as client:
            body = client.get(WHOAMI).json()
        assert body["code"] == 0, (scheme, body)
        assert body["data"]["tenant_id"] == tenant_a.tenant_id


def test_words_after_the_key_are_ignored(server, tenant_a):
    with server.client(Authorization=f"Bearer {tenant_a.api_key} trailing words") as client:
        body = client.get(WHOAMI).json()
    assert body["code"] == 0, body
    assert body["data"]["tenant_id"] == tenant_a.tenant_id


def test_unknown_key_answers_109(server):
    with server.client(Authorization="Bearer ragflow-nosuchkey") as client:
        body = client.get(WHOAMI).json()
    assert body == {"code": 109, "data": False, "message": "Authentication error: API key is invalid!"}


def test_sdk_success_has_no_message_key(tenant_a):
    body = tenant_a.sdk.get(WHOAMI).json()
    assert set(body) == {"code", "data"}


def test_web_api_rejects_missing_session_with_code_401(server):
    with server.client() as anonymous:
        reply = anonymous.get("/v1/user/info")
    assert reply.status_code == 200
    assert reply.json() == {"code": 401, "data": None, "message": "<Unauthorized '401: Unauthorized'>"}


# --- Framework errors (spec §1.1) ---------------------------------------------------------------


def test_unknown_path_answers_http_200_with_not_found_repr(server, tenant_a):
    paths = ["/api/v1/nothing-here", "/api/v1/citeflow/nobody", "/v1/nothing-here", "/v1/system/nope"]
    with server.client() as anonymous:
        for path in paths:
            reply = anonymous.get(path)
            assert reply.status_code == 200, path
            assert reply.json() == NOT_FOUND, path
    assert tenant_a.sdk.get("/api/v1/nothing-here").json() == NOT_FOUND
    assert tenant_a.web.post("/v1/nothing-here", json={}).json() == NOT_FOUND


def test_wrong_method_answers_http_200_with_method_not_allowed_repr(server, tenant_a):
    with server.client() as anonymous:
        for method, path in [
            ("POST", "/v1/system/ping"),
            ("DELETE", WHOAMI),
            ("GET", "/v1/system/new_token"),
        ]:
            reply = anonymous.request(method, path)
            assert reply.status_code == 200, (method, path)
            assert reply.json() == NOT_ALLOWED, (method, path)
    assert tenant_a.sdk.put(WHOAMI).json() == NOT_ALLOWED


def test_repeated_slashes_are_merged_as_werkzeug_merges_them(server, tenant_a):
    reply = tenant_a.sdk.get("/api/v1/citeflow//whoami")
    assert reply.url.path == "/api/v1/citeflow//whoami"
    assert reply.json()["data"]["tenant_id"] == tenant_a.tenant_id
    assert tenant_a.web.get("/v1/system//version").json()["code"] == 0
    assert tenant_a.sdk.delete("/api/v1/datasets//documents").json() == NOT_ALLOWED


def test_trailing_slash_is_accepted_on_every_route(server, tenant_a):
    with server.client() as anonymous:
        ping = anonymous.get("/v1/system/ping/")
        assert ping.status_code == 200
        assert ping.text == "pong"
        assert anonymous.get("/v1/system/healthz/").json()["db"] == "ok"
        assert anonymous.get("/v1/system/config/").json()["code"] == 0
        assert anonymous.get("/v1/system/public_key/").json()["code"] == 0

    whoami = tenant_a.sdk.get(WHOAMI + "/")
    assert whoami.status_code == 200
    assert whoami.json()["data"]["tenant_id"] == tenant_a.tenant_id
    assert tenant_a.web.get("/v1/system/version/").json()["code"] == 0
    assert tenant_a.web.get("/v1/system/status/").json()["code"] == 0
    assert tenant_a.web.get("/v1/system/token_list/").json()["code"] == 0
    assert tenant_a.web.get("/v1/user/info/").json()["data"]["email"] == tenant_a.email
    key = tenant_a.web.post("/v1/system/new_token/").json()["data"]["token"]
    assert tenant_a.web.delete(f"/v1/system/token/{key}/").json() == {
        "code": 0,
        "data": True,
        "message": "success",
    }
    with server.client(Authorization=f"Bearer {key}") as deleted:
        assert deleted.get(WHOAMI).json()["code"] == 109


def test_trailing_slash_is_not_a_redirect(server):
    with server.client() as anonymous:
        reply = anonymous.get("/v1/system/ping/", follow_redirects=False)
    assert reply.status_code == 200
    assert not reply.history


# --- Body limit (spec §1.1) ---------------------------------------------------------------------


def _oversized_registration(email: str) -> bytes:
    body = json.dumps({"email": email, "nickname": "n" * 4096, "password": "pw-oversized"}).encode()
    assert len(body) > 4096
    return body


def _not_registered(client: httpx.Client, email: str) -> None:
    body = client.post("/v1/user/login", json={"email": email, "password": "pw-oversized"}).json()
    assert body == {"code": 109, "data": False, "message": f"Email: {email} is not registered!"}


def test_body_over_limit_with_content_length_answers_413_repr(start_server):
    running = start_server(http={"max_content_length": 2048})
    email = unique_email("too-large")
    with running.client() as client:
        reply = client.post(
            "/v1/user/register",
            content=_oversized_registration(email),
            headers={"Content-Type": "application/json"},
        )
        assert reply.request.headers["content-length"] == str(len(_oversized_registration(email)))
        assert reply.status_code == 200
        assert reply.json() == TOO_LARGE
        assert reply.headers.get("x-request-id")
        _not_registered(client, email)


def test_body_over_limit_chunked_answers_413_repr(start_server):
    running = start_server(http={"max_content_length": 2048})
    email = unique_email("too-large-chunked")
    payload = _oversized_registration(email)

    def chunks():
        for start in range(0, len(payload), 512):
            yield payload[start : start + 512]

    with running.client() as client:
        reply = client.post(
            "/v1/user/register", content=chunks(), headers={"Content-Type": "application/json"}
        )
        assert reply.request.headers.get("transfer-encoding") == "chunked"
        assert "content-length" not in reply.request.headers
        assert reply.status_code == 200
        assert reply.json() == TOO_LARGE
        _not_registered(client, email)


def test_body_under_limit_is_accepted(start_server):
    running = start_server(http={"max_content_length": 2048})
    email = unique_email("small")
    with running.client() as client:
        reply = register(client, email)
        assert reply.json()["code"] == 0, reply.text
        assert client.post("/v1/user/login", json={"email": email, "password": "s3cret!"}).json()["code"] == 0


# --- JSON rendering (spec §1.3) -----------------------------------------------------------------


def _assert_sorted_keys(value: object) -> None:
    if isinstance(value, dict):
        assert list(value) == sorted(value), list(value)
        for item in value.values():
            _assert_sorted_keys(item)
    elif isinstance(value, list):
        for item in value:
            _assert_sorted_keys(item)


def test_json_is_rendered_like_flask(tenant_a):
    reply = tenant_a.web.get("/v1/user/tenant_info")
    assert reply.headers["content-type"].startswith("application/json")
    text = reply.content.decode("ascii")  # non-ASCII is escaped, so the body is pure ASCII
    assert text.endswith("}\n")
    assert "alice\\u2018s Kingdom" in text
    parsed = json.loads(text)  # dicts keep the order the keys had on the wire
    assert parsed["data"]["name"] == "alice\u2018s Kingdom"
    _assert_sorted_keys(parsed)
    assert text == json.dumps(parsed, sort_keys=True, ensure_ascii=True, separators=(",", ":")) + "\n"


def test_error_json_is_rendered_like_flask(server):
    with server.client() as anonymous:
        raw = anonymous.get("/api/v1/nothing-here").content
        assert raw == b'{"code":100,"data":null,"message":"<NotFound \'404: Not Found\'>"}\n'
        raw = anonymous.get(WHOAMI).content
        assert raw == b'{"code":0,"data":false,"message":"`Authorization` can\'t be empty"}\n'


# --- Request ids, CORS ---------------------------------------------------------------------------


def test_every_response_carries_a_request_id(server, tenant_a):
    with server.client() as anonymous:
        replies = [
            anonymous.get("/v1/system/ping"),
            anonymous.get("/v1/system/healthz"),
            anonymous.get("/v1/system/config"),
            anonymous.get("/v1/nothing-here"),
            anonymous.post("/v1/system/ping"),
            anonymous.get(WHOAMI),
            anonymous.get("/v1/user/info"),
            anonymous.get("/openapi.json"),
            anonymous.options(
                "/v1/system/config",
                headers={"Origin": "http://example.com", "Access-Control-Request-Method": "GET"},
            ),
        ]
    replies += [tenant_a.sdk.get(WHOAMI), tenant_a.web.get("/v1/system/status")]
    ids = [reply.headers.get("x-request-id") for reply in replies]
    assert all(ids), [(r.request.method, r.request.url.path, r.headers) for r in replies]
    assert len(set(ids)) == len(ids)


def test_cors_preflight_is_answered(server):
    with server.client() as anonymous:
        reply = anonymous.options(
            "/v1/system/new_token",
            headers={
                "Origin": "http://example.com",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "Authorization, Content-Type",
            },
        )
    assert reply.status_code == 200
    assert reply.headers["access-control-allow-origin"] in ("*", "http://example.com")
    assert reply.headers["access-control-allow-credentials"] == "true"
    assert "POST" in reply.headers["access-control-allow-methods"]
    assert "authorization" in reply.headers["access-control-allow-headers"].lower()
    assert reply.headers["access-control-max-age"] == str(30 * 24 * 3600)


def test_cors_exposes_authorization(server, tenant_a):
    origin = {"Origin": "http://example.com"}
    with server.client() as anonymous:
        ping = anonymous.get("/v1/system/config", headers=origin)
        login = anonymous.post(
            "/v1/user/login", json={"email": tenant_a.email, "password": tenant_a.password}, headers=origin
        )
    for reply in (ping, login):
        assert reply.headers["access-control-allow-origin"] in ("*", "http://example.com")
        exposed = [h.strip().lower() for h in reply.headers["access-control-expose-headers"].split(",")]
        assert "authorization" in exposed
    assert login.json()["code"] == 0
    assert login.headers["authorization"]


# --- OpenAPI -----------------------------------------------------------------------------------

DOC_ROUTES = {"/docs", "/openapi.json", "/docs/oauth2-redirect"}


def test_openapi_ui_and_schema_exist(server):
    with server.client() as anonymous:
        docs = anonymous.get("/docs")
        assert docs.status_code == 200
        assert docs.headers["content-type"].startswith("text/html")
        assert "/openapi.json" in docs.text
        assert anonymous.get("/docs/oauth2-redirect").status_code == 200
        schema = anonymous.get("/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/v1/system/ping" in paths
    assert "/api/v1/citeflow/whoami" in paths


def test_openapi_paths_stay_inside_the_api_prefixes(server):
    with server.client() as anonymous:
        paths = anonymous.get("/openapi.json").json()["paths"]
    outside = [p for p in paths if not p.startswith(("/v1/", "/api/v1/"))]
    assert outside == []


def test_only_the_doc_routes_live_outside_the_api_prefixes(tmp_path):
    app = create_app(Settings(data_dir=tmp_path))
    for router in ROUTERS:
        for route in router.routes:
            full = router.prefix + route.path  # type: ignore[attr-defined]
            assert full.startswith(("/v1/", "/api/v1/")), full
    top_level = {route.path for route in app.routes if isinstance(route, Route)}
    assert {p for p in top_level if not p.startswith(("/v1/", "/api/v1/"))} == DOC_ROUTES


def test_root_is_not_a_route(server):
    with server.client() as anonymous:
        for path in ("/", "/index.html", "/v1", "/api/v1", "/docs/nothing"):
            reply = anonymous.get(path)
            assert reply.status_code == 200, path
            assert reply.json() == NOT_FOUND, path
