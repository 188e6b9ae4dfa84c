"""`/v1/user/*` over real HTTP: registration, login, sessions, profile and tenant settings.

The contract is RAGFlow v0.20.5's user_app (spec §1.2-1.5 and §2). Where citeflow deliberately
differs (the password hash is never sent, sessions are independent, input rules are stricter) the
tests pin citeflow's behaviour and say so.
"""

import base64
import re
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tests.conftest import RunningServer, as_other_tenant, register, unique_email
from tests.envelopes import UNAUTHORIZED

MISSING_REGISTER = "required argument are missing: nickname,email,password; "
MISSING_TENANT_INFO = "required argument are missing: tenant_id,asr_id,embd_id,img2txt_id,llm_id; "
FAIL_TO_CRYPT = {"code": 500, "data": False, "message": "Fail to crypt password"}
HTTP_DATE = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"\d{4} \d{2}:\d{2}:\d{2} GMT$"
)
USER_FIELDS = {
    "id",
    "access_token",
    "nickname",
    "email",
    "avatar",
    "language",
    "color_schema",
    "timezone",
    "last_login_time",
    "is_authenticated",
    "is_active",
    "is_anonymous",
    "login_channel",
    "status",
    "is_superuser",
    "create_time",
    "create_date",
    "update_time",
    "update_date",
}
TENANT_FIELDS = {
    "tenant_id",
    "name",
    "llm_id",
    "embd_id",
    "rerank_id",
    "asr_id",
    "img2txt_id",
    "tts_id",
    "parser_ids",
    "role",
}
DEFAULT_PARSER_IDS = (
    "naive:General,qa:Q&A,resume:Resume,manual:Manual,table:Table,paper:Paper,book:Book,"
    "laws:Laws,presentation:Presentation,picture:Picture,one:One,audio:Audio,email:Email,tag:Tag"
)
RAGFLOW_FIXTURE_MODELS = {
    "llm_id": "glm-4-flash@ZHIPU-AI",
    "embd_id": "BAAI/bge-large-zh-v1.5@BAAI",
    "img2txt_id": "",
    "asr_id": "",
    "tts_id": None,
}
#: JSON bodies that are valid JSON but not an object, and bodies that are not JSON at all.
NON_OBJECT_BODIES = [
    pytest.param(b"[]", id="empty-array"),
    pytest.param(b'["email", "password", "nickname"]', id="array-of-keys"),
    pytest.param(b'[{"email": "a@example.com"}]', id="array-of-object"),
    pytest.param(b'"nickname email password"', id="string-naming-keys"),
    pytest.param(b'""', id="empty-string"),
    pytest.param(b"12345", id="number"),
    pytest.param(b"0", id="zero"),
    pytest.param(b"-1.5e300", id="float"),
    pytest.param(b"true", id="true"),
    pytest.param(b"false", id="false"),
    pytest.param(b"null", id="null"),
    pytest.param(b"{}", id="empty-object"),
    pytest.param(b"not json at all", id="not-json"),
    pytest.param(b'{"email": ', id="truncated-json"),
    pytest.param(b"\xff\xfe\x00garbage", id="binary"),
]


# --- helpers -------------------------------------------------------------------------------------


def ok(reply: httpx.Response) -> Any:
    """The `data` of a success envelope, failing with the body otherwise."""
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["code"] == 0, reply.text
    return body["data"]


def envelope(reply: httpx.Response) -> dict[str, Any]:
    """A `/v1` answer: always HTTP 200 with exactly code, data and message."""
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert set(body) == {"code", "data", "message"}, body
    return body


def login(client: httpx.Client, email: str, password: object) -> httpx.Response:
    return client.post("/v1/user/login", json={"email": email, "password": password})


def token_of(reply: httpx.Response) -> str:
    assert reply.json()["code"] == 0, reply.text
    return reply.headers["Authorization"]


def info(server: RunningServer, token: str) -> dict[str, Any]:
    with server.client(Authorization=token) as client:
        return client.get("/v1/user/info").json()


def new_user(
    server: RunningServer, nickname: str = "tester", label: str = "user"
) -> tuple[str, str, str, dict[str, Any]]:
    """Register a fresh user: (email, password, session token, user record)."""
    email, password = unique_email(label), "pw-" + uuid.uuid4().hex[:10]
    with server.client() as client:
        reply = register(client, email, password, nickname=nickname)
    return email, password, token_of(reply), ok(reply)


def public_key(server: RunningServer) -> rsa.RSAPublicKey:
    with server.client() as client:
        pem = ok(client.get("/v1/system/public_key"))["public_key"]
    assert pem.startswith("-----BEGIN PUBLIC KEY-----"), pem
    key = serialization.load_pem_public_key(pem.encode("ascii"))
    assert isinstance(key, rsa.RSAPublicKey)
    return key


def web_client_encrypt(key: rsa.RSAPublicKey, password: str) -> str:
    """What RAGFlow's web client sends: base64(RSA-PKCS#1-v1.5(base64(utf8(password))))."""
    inner = base64.b64encode(password.encode("utf-8"))
    return base64.b64encode(key.encrypt(inner, padding.PKCS1v15())).decode("ascii")


def wrapped(text: str, width: int = 64) -> str:
    """PEM-style line wrapping, as in RAGFlow's test-suite password constant."""
    return "\n".join(text[i : i + width] for i in range(0, len(text), width)) + "\n"


@pytest.fixture(scope="module")
def closed_server(start_server: Callable[..., RunningServer]) -> RunningServer:
    return start_server(auth={"register_enabled": False})


@pytest.fixture(scope="module")
def short_session_server(start_server: Callable[..., RunningServer]) -> RunningServer:
    return start_server(auth={"session_ttl_seconds": 1})


@pytest.fixture(scope="module")
def victim(server: RunningServer) -> tuple[str, str, str, dict[str, Any]]:
    """A user shared by the tests whose requests must all be refused: none may change it."""
    return new_user(server, nickname="Victim", label="victim")


# --- register ------------------------------------------------------------------------------------


def test_register_returns_the_user_and_a_working_session(server):
    email = unique_email("reg")
    with server.client() as client:
        reply = register(client, email, "s3cret!", nickname="Regina")
    body = envelope(reply)
    assert body["code"] == 0
    assert body["message"] == "Regina, welcome aboard!"
    user = body["data"]
    assert set(user) == USER_FIELDS
    assert not [k for k in user if "password" in k]
    assert user["email"] == email
    assert user["nickname"] == "Regina"
    assert user["login_channel"] == "password"
    assert user["is_superuser"] is False
    assert re.fullmatch(r"[0-9a-f]{32}", user["id"]), user["id"]
    assert reply.headers["Access-Control-Expose-Headers"] == "Authorization"
    token = reply.headers["Authorization"]
    assert token
    assert token not in reply.text, "the session token must only travel in the header"
    me = info(server, token)
    assert me["code"] == 0
    assert me["data"]["id"] == user["id"]
    assert me["data"]["email"] == email


def test_register_then_login_with_the_same_password(server):
    email, password, _, user = new_user(server)
    with server.client() as client:
        reply = login(client, email, password)
    body = envelope(reply)
    assert (body["code"], body["message"]) == (0, "Welcome back!")
    assert body["data"]["id"] == user["id"]
    assert not [k for k in body["data"] if "password" in k]
    assert reply.headers["Access-Control-Expose-Headers"] == "Authorization"
    assert reply.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    ("fields", "missing"),
    [
        ({}, "nickname,email,password"),
        ({"email": "x@example.com"}, "nickname,password"),
        ({"nickname": "n"}, "email,password"),
        ({"password": "p"}, "nickname,email"),
        ({"nickname": "n", "email": "x@example.com"}, "password"),
        ({"nickname": "n", "password": "p"}, "email"),
        ({"email": "x@example.com", "password": "p"}, "nickname"),
        ({"Nickname": "n", "EMAIL": "x@example.com", "pass": "p"}, "nickname,email,password"),
    ],
)
def test_register_reports_missing_fields_in_route_order(server, fields, missing):
    with server.client() as client:
        reply = client.post("/v1/user/register", json=fields)
    assert envelope(reply) == {
        "code": 101,
        "data": None,
        "message": f"required argument are missing: {missing}; ",
    }


def test_register_null_values_count_as_present(server):
    """`validate_request` checks keys; a null value passes it and fails later, more precisely."""
    with server.client() as client:
        no_email = envelope(
            client.post("/v1/user/register", json={"nickname": "n", "email": None, "password": "p"})
        )
        no_nickname = envelope(
            client.post(
                "/v1/user/register", json={"nickname": None, "email": unique_email(), "password": "p"}
            )
        )
        no_password = envelope(
            client.post(
                "/v1/user/register", json={"nickname": "n", "email": unique_email(), "password": None}
            )
        )
    assert no_email == {"code": 103, "data": False, "message": "Invalid email address: None!"}
    assert no_nickname == {"code": 101, "data": None, "message": "`nickname` must be a string."}
    assert no_password == FAIL_TO_CRYPT


@pytest.mark.parametrize(
    "email",
    [
        "plainaddress",
        "no-at-sign.example.com",
        "@example.com",
        "user@",
        "user@example",
        "user@example.c",
        "user name@example.com",
        "user@exa mple.com",
        "user@@example.com",
        "user+tag@example.com",
        " user@example.com",
        "user@example.com ",
        "",
    ],
)
def test_register_rejects_an_invalid_email(server, email):
    with server.client() as client:
        reply = register(client, email)
    assert envelope(reply) == {"code": 103, "data": False, "message": f"Invalid email address: {email}!"}
    assert "Authorization" not in reply.headers


def test_register_rejects_an_overlong_email(server):
    email = "a" * 250 + "@example.com"
    with server.client() as client:
        body = envelope(register(client, email))
    assert body == {"code": 103, "data": False, "message": f"Invalid email address: {email}!"}


@pytest.mark.parametrize("email", [12345, ["a@example.com"], {"a": 1}, True])
def test_register_rejects_a_non_string_email(server, email):
    with server.client() as client:
        body = envelope(
            client.post("/v1/user/register", json={"nickname": "n", "email": email, "password": "p"})
        )
    assert body["code"] == 103
    assert body["data"] is False
    assert body["message"].startswith("Invalid email address: ")


def test_register_accepts_unusual_but_valid_emails(server):
    for email in (
        f"first.last_{uuid.uuid4().hex[:6]}@mail.example.co.uk",
        f"x-{uuid.uuid4().hex[:6]}@a-b.io",
    ):
        with server.client() as client:
            assert ok(register(client, email))["email"] == email


def test_register_refuses_a_registered_email(server):
    email, _, _, _ = new_user(server)
    with server.client() as client:
        reply = register(client, email, "other-password", nickname="imposter")
    assert envelope(reply) == {
        "code": 103,
        "data": False,
        "message": f"Email: {email} has already registered!",
    }


def test_register_refuses_an_email_differing_only_by_case(server):
    email, password, _, user = new_user(server)
    shouted = email.upper()
    with server.client() as client:
        reply = register(client, shouted, "other-password", nickname="imposter")
        assert envelope(reply) == {
            "code": 103,
            "data": False,
            "message": f"Email: {shouted} has already registered!",
        }
        # And the original account is untouched, reachable under either spelling.
        assert ok(login(client, email, password))["id"] == user["id"]
        assert ok(login(client, shouted, password))["id"] == user["id"]
        assert envelope(login(client, shouted, "other-password"))["code"] == 109


def test_register_keeps_the_email_as_given(server):
    email = "MixedCase-" + uuid.uuid4().hex[:8] + "@Example.COM"
    with server.client() as client:
        user = ok(register(client, email))
    assert user["email"] == email


def test_concurrent_registrations_of_one_email_create_one_user(server):
    email = unique_email("race")
    replies: list[dict[str, Any]] = []

    def attempt() -> None:
        with server.client() as client:
            replies.append(envelope(register(client, email, "pw-race")))

    threads = [threading.Thread(target=attempt) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    codes = sorted(r["code"] for r in replies)
    assert codes == [0, 103, 103, 103, 103, 103], replies
    for refused in (r for r in replies if r["code"] == 103):
        assert refused == {"code": 103, "data": False, "message": f"Email: {email} has already registered!"}


def test_registration_can_be_switched_off(closed_server):
    email = unique_email("closed")
    with closed_server.client() as client:
        reply = register(client, email)
        assert envelope(reply) == {"code": 103, "data": False, "message": "User registration is disabled!"}
        assert "Authorization" not in reply.headers
        assert envelope(client.get("/v1/system/config")) == {
            "code": 0,
            "data": {"registerEnabled": 0},
            "message": "success",
        }
        # Nothing was created.
        assert envelope(login(client, email, "s3cret!"))["message"] == f"Email: {email} is not registered!"


def test_closed_registration_checks_presence_first_then_switch_before_email(closed_server):
    """Spec §2 order: presence (101), then the switch (103) before the email format (103)."""
    with closed_server.client() as client:
        missing = envelope(client.post("/v1/user/register", json={"email": "x@example.com"}))
        bad_email = envelope(register(client, "not-an-email"))
    assert missing == {
        "code": 101,
        "data": None,
        "message": "required argument are missing: nickname,password; ",
    }
    assert bad_email == {"code": 103, "data": False, "message": "User registration is disabled!"}


def test_system_config_reports_registration_open_by_default(server):
    with server.client() as client:
        assert envelope(client.get("/v1/system/config")) == {
            "code": 0,
            "data": {"registerEnabled": 1},
            "message": "success",
        }


# --- password transport --------------------------------------------------------------------------


def test_public_key_is_a_stable_2048_bit_rsa_key(server):
    key = public_key(server)
    assert key.key_size == 2048
    again = public_key(server)
    assert again.public_numbers() == key.public_numbers()


def test_public_key_needs_no_session(server):
    with server.client(Authorization="garbage") as client:
        assert "public_key" in ok(client.get("/v1/system/public_key"))


def test_register_encrypted_then_login_plain(server):
    key = public_key(server)
    email, password = unique_email("enc"), "Pässwörd-" + uuid.uuid4().hex[:6]
    with server.client() as client:
        user = ok(register(client, email, web_client_encrypt(key, password)))
        assert ok(login(client, email, password))["id"] == user["id"]
        # A fresh encryption (new random padding) of the same password works as well.
        assert ok(login(client, email, web_client_encrypt(key, password)))["id"] == user["id"]
        assert envelope(login(client, email, web_client_encrypt(key, password + "x")))["code"] == 109


def test_register_plain_then_login_encrypted(server):
    key = public_key(server)
    email, password, _, user = new_user(server)
    with server.client() as client:
        assert ok(login(client, email, web_client_encrypt(key, password)))["id"] == user["id"]
        wrong = envelope(login(client, email, web_client_encrypt(key, "not-" + password)))
    assert wrong == {"code": 109, "data": False, "message": "Email and password do not match!"}


def test_ciphertext_with_embedded_newlines_is_accepted(server):
    key = public_key(server)
    email, password = unique_email("wrap"), "wrapped-" + uuid.uuid4().hex[:6]
    with server.client() as client:
        ok(register(client, email, wrapped(web_client_encrypt(key, password))))
        ok(login(client, email, password))
        ok(login(client, email, wrapped(web_client_encrypt(key, password), width=76)))
        ok(login(client, email, "\r\n".join(web_client_encrypt(key, password))))


def test_ciphertext_under_a_foreign_key_is_a_plain_password(server):
    """Like RAGFlow's test-suite constant (encrypted under RAGFlow's own key): citeflow cannot
    decrypt it, so the string itself is the password, and the same string logs in again."""
    foreign = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    constant = wrapped(web_client_encrypt(foreign.public_key(), "123"))
    email = unique_email("foreign")
    with server.client() as client:
        user = ok(register(client, email, constant))
        assert ok(login(client, email, constant))["id"] == user["id"]
        # Only the exact string: neither what it hides nor the same text unwrapped.
        assert envelope(login(client, email, "123"))["code"] == 109
        assert envelope(login(client, email, "".join(constant.split())))["code"] == 109


@pytest.mark.parametrize("password", [None, 12345, 1.5, True, ["pw"], {"pw": 1}])
def test_login_with_a_non_string_password_fails_to_crypt(server, victim, password):
    email, _, _, _ = victim
    with server.client() as client:
        reply = login(client, email, password)
    assert envelope(reply) == FAIL_TO_CRYPT
    assert "Authorization" not in reply.headers


def test_login_without_a_password_key_fails_to_crypt(server, victim):
    email, _, _, _ = victim
    with server.client() as client:
        assert envelope(client.post("/v1/user/login", json={"email": email})) == FAIL_TO_CRYPT


def test_register_with_a_non_string_password_fails_to_crypt_and_creates_nothing(server):
    email = unique_email("nopw")
    with server.client() as client:
        reply = client.post("/v1/user/register", json={"nickname": "n", "email": email, "password": 42})
        assert envelope(reply) == FAIL_TO_CRYPT
        assert ok(register(client, email))["email"] == email


# --- login ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"", None),
        (b"", "application/json"),
        (b"{}", "application/json"),
        (b"null", "application/json"),
        (b"not json", "application/json"),
        (b"not json", "text/plain"),
        (b"", "application/x-www-form-urlencoded"),
    ],
)
def test_login_without_input_is_unauthorized(server, content, content_type):
    headers = {} if content_type is None else {"Content-Type": content_type}
    with server.client() as client:
        reply = client.post("/v1/user/login", content=content, headers=headers)
    assert envelope(reply) == {"code": 109, "data": False, "message": "Unauthorized!"}
    assert "Authorization" not in reply.headers


def test_login_with_an_unknown_email(server):
    email = unique_email("ghost")
    with server.client() as client:
        body = envelope(login(client, email, "whatever"))
    assert body == {"code": 109, "data": False, "message": f"Email: {email} is not registered!"}


def test_login_with_a_wrong_password(server, victim):
    email, password, _, _ = victim
    with server.client() as client:
        for wrong in ("wrong", password.upper(), password + " ", ""):
            reply = login(client, email, wrong)
            assert envelope(reply) == {
                "code": 109,
                "data": False,
                "message": "Email and password do not match!",
            }
            assert "Authorization" not in reply.headers


def test_login_with_get_and_a_json_body(server):
    email, password, _, user = new_user(server)
    with server.client() as client:
        reply = client.request("GET", "/v1/user/login", json={"email": email, "password": password})
    assert ok(reply)["id"] == user["id"]
    assert info(server, reply.headers["Authorization"])["data"]["id"] == user["id"]


def test_login_with_a_form_body(server):
    email, password, _, user = new_user(server)
    with server.client() as client:
        reply = client.post("/v1/user/login", data={"email": email, "password": password})
    assert ok(reply)["id"] == user["id"]
    assert info(server, reply.headers["Authorization"])["code"] == 0


def test_login_with_a_json_body_under_another_content_type(server):
    """RAGFlow forces JSON parsing whatever the Content-Type says."""
    email, password, _, user = new_user(server)
    with server.client() as client:
        reply = client.post(
            "/v1/user/login",
            content=f'{{"email": "{email}", "password": "{password}"}}'.encode(),
            headers={"Content-Type": "text/plain"},
        )
    assert ok(reply)["id"] == user["id"]


def test_login_trailing_slash_is_accepted(server):
    email, password, _, _ = new_user(server)
    with server.client() as client:
        ok(client.post("/v1/user/login/", json={"email": email, "password": password}))


def test_every_login_opens_an_independent_session(server):
    email, password, register_token, _ = new_user(server)
    with server.client() as client:
        tokens = [register_token] + [token_of(login(client, email, password)) for _ in range(3)]
    assert len(set(tokens)) == len(tokens)
    # citeflow keeps sessions independent: a new login does not log out the old ones.
    for token in tokens:
        assert info(server, token)["data"]["email"] == email


def test_login_updates_last_login_time(server):
    email, password, token, user = new_user(server)
    time.sleep(1.1)  # the HTTP date has one-second resolution
    with server.client() as client:
        again = ok(login(client, email, password))
    assert parsedate_to_datetime(again["last_login_time"]) > parsedate_to_datetime(user["last_login_time"])
    assert info(server, token)["data"]["last_login_time"] == again["last_login_time"]


# --- logout and session lifetime -----------------------------------------------------------------


def test_logout_ends_only_its_own_session(server):
    email, password, first, _ = new_user(server)
    with server.client() as client:
        second = token_of(login(client, email, password))
    with server.client(Authorization=first) as client:
        assert envelope(client.get("/v1/user/logout")) == {"code": 0, "data": True, "message": "success"}
        assert envelope(client.get("/v1/user/info")) == UNAUTHORIZED
        assert envelope(client.get("/v1/user/logout")) == UNAUTHORIZED
        assert envelope(client.get("/v1/user/tenant_info")) == UNAUTHORIZED
    assert info(server, second)["data"]["email"] == email
    # The user can still log in again.
    with server.client() as client:
        assert info(server, token_of(login(client, email, password)))["code"] == 0


def test_dead_sessions_are_forgotten_at_the_next_login(server, db_backend):
    if db_backend != "sqlite":
        pytest.skip("reads the SQLite database file")
    email, password, first, user = new_user(server)
    with server.client(Authorization=first) as client:
        assert ok(client.get("/v1/user/logout")) is True
    with server.client() as client:
        token_of(login(client, email, password))
    database = server.settings.data_dir / "citeflow.db"
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        (rows,) = conn.execute(
            "SELECT count(*) FROM user_session WHERE user_id = ?", (user["id"],)
        ).fetchone()
    assert rows == 1


def test_logout_with_bearer_prefix(server):
    _, _, token, _ = new_user(server)
    with server.client(Authorization=f"Bearer {token}") as client:
        assert ok(client.get("/v1/user/logout")) is True
    assert info(server, token) == UNAUTHORIZED


def test_session_expires_after_its_ttl(short_session_server):
    email, password, register_token, _ = new_user(short_session_server)
    with short_session_server.client() as client:
        token = token_of(login(client, email, password))
    assert info(short_session_server, token)["code"] == 0
    time.sleep(1.5)
    assert info(short_session_server, token) == UNAUTHORIZED
    assert info(short_session_server, register_token) == UNAUTHORIZED
    # Logging in again gives a fresh, working session.
    with short_session_server.client() as client:
        assert info(short_session_server, token_of(login(client, email, password)))["code"] == 0


# --- authentication of session endpoints ---------------------------------------------------------

SESSION_ENDPOINTS = [
    ("GET", "/v1/user/info"),
    ("GET", "/v1/user/logout"),
    ("POST", "/v1/user/setting"),
    ("GET", "/v1/user/tenant_info"),
    ("POST", "/v1/user/set_tenant_info"),
    ("GET", "/v1/system/version"),
    ("GET", "/v1/system/status"),
    ("POST", "/v1/system/new_token"),
    ("GET", "/v1/system/token_list"),
]


@pytest.mark.parametrize(("method", "path"), SESSION_ENDPOINTS)
@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "garbage",
        "Bearer garbage",
        "x" * 4000,
        "INVALID_" + "0" * 32,
        "ragflow-" + "A" * 32,
    ],
    ids=["none", "empty", "bearer-word", "garbage", "bearer-garbage", "long", "invalid", "api-key-shape"],
)
def test_session_endpoints_refuse_anonymous_callers(server, method, path, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}
    with server.client(**headers) as client:
        reply = client.request(method, path, json={"nickname": "hacker", "tenant_id": "x"})
    assert envelope(reply) == UNAUTHORIZED
    assert reply.text == ('{"code":401,"data":null,"message":"<Unauthorized \'401: Unauthorized\'>"}\n')


def test_api_key_is_not_a_session_token(server, tenant_a):
    for header in (tenant_a.api_key, f"Bearer {tenant_a.api_key}"):
        assert info(server, header) == UNAUTHORIZED


def test_tampered_token_is_refused(server, victim):
    _, _, token, _ = victim
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert info(server, flipped) == UNAUTHORIZED
    assert info(server, token[:-1]) == UNAUTHORIZED
    assert info(server, token + "x") == UNAUTHORIZED
    assert info(server, token)["code"] == 0


def test_access_token_field_is_not_a_credential(server, victim):
    _, _, token, user = victim
    assert user["access_token"]
    assert user["access_token"] != token
    assert info(server, user["access_token"]) == UNAUTHORIZED


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "Token"])
def test_session_token_with_a_scheme_prefix_is_accepted(server, victim, scheme):
    _, _, token, user = victim
    assert info(server, f"{scheme} {token}")["data"]["id"] == user["id"]


def test_unauthenticated_answer_is_http_200(server):
    with server.client() as client:
        reply = client.get("/v1/user/info")
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("application/json")


# --- info ----------------------------------------------------------------------------------------


def test_info_returns_the_full_user_record(server):
    before = int(time.time() * 1000)
    email, _, token, registered = new_user(server, nickname="Ingrid")
    after = int(time.time() * 1000)
    body = info(server, token)
    assert (body["code"], body["message"]) == (0, "success")
    user = body["data"]
    assert set(user) == USER_FIELDS
    assert not [k for k in user if "password" in k]
    assert user["id"] == registered["id"]
    assert user["email"] == email
    assert user["nickname"] == "Ingrid"
    assert user["avatar"] is None
    assert user["language"] == "English"
    assert user["color_schema"] == "Bright"
    assert user["timezone"] == "UTC+8\tAsia/Shanghai"
    assert user["is_superuser"] is False
    assert user["status"] == "1"
    assert user["login_channel"] == "password"
    assert (user["is_authenticated"], user["is_active"], user["is_anonymous"]) == ("1", "1", "0")
    for field in ("create_time", "update_time"):
        assert isinstance(user[field], int), user[field]
        assert not isinstance(user[field], bool)
        assert before - 1000 <= user[field] <= after + 1000
    for field in ("create_date", "update_date", "last_login_time"):
        assert HTTP_DATE.match(user[field]), user[field]
    stamp = datetime.fromtimestamp(user["create_time"] // 1000, tz=UTC)
    assert parsedate_to_datetime(user["create_date"]) == stamp


def test_info_with_bearer_prefix(server, victim):
    _, _, token, user = victim
    with server.client(Authorization=f"Bearer {token}") as client:
        assert ok(client.get("/v1/user/info"))["id"] == user["id"]


def test_info_is_per_user(server, tenant_a, tenant_b):
    assert ok(tenant_a.web.get("/v1/user/info"))["email"] == tenant_a.email
    assert ok(tenant_b.web.get("/v1/user/info"))["email"] == tenant_b.email


def test_info_is_rendered_like_flask(server):
    """Keys sorted, compact, ASCII-only, a trailing newline (spec §1.2)."""
    _, _, token, _ = new_user(server, nickname="Zoë")
    with server.client(Authorization=token) as client:
        raw = client.get("/v1/user/info").text
    assert raw.endswith("}\n")
    assert raw.isascii()
    assert "\\u00eb" in raw
    assert raw.startswith('{"code":0,"data":{"access_token":')


# --- setting -------------------------------------------------------------------------------------


def setting(server: RunningServer, token: str, payload: Any) -> dict[str, Any]:
    with server.client(Authorization=token) as client:
        return envelope(client.post("/v1/user/setting", json=payload))


def test_setting_updates_the_profile(server):
    _, _, token, user = new_user(server)
    time.sleep(0.01)
    changes = {
        "nickname": "Renamed",
        "avatar": "data:image/png;base64,iVBORw0KGgo=",
        "language": "Chinese",
        "color_schema": "Dark",
        "timezone": "UTC+1\tEurope/Paris",
    }
    assert setting(server, token, changes) == {"code": 0, "data": True, "message": "success"}
    after = info(server, token)["data"]
    for key, value in changes.items():
        assert after[key] == value
    assert after["update_time"] > user["update_time"]
    assert after["create_time"] == user["create_time"]


def test_setting_one_field_leaves_the_others(server):
    _, _, token, _ = new_user(server, nickname="Keep")
    assert setting(server, token, {"language": "Chinese"})["code"] == 0
    after = info(server, token)["data"]
    assert after["language"] == "Chinese"
    assert after["nickname"] == "Keep"
    assert after["color_schema"] == "Bright"


def test_setting_with_an_empty_or_non_object_body_changes_nothing(server):
    _, _, token, _ = new_user(server, nickname="Same")
    for payload in ({}, [], ["nickname"], "nickname", 5):
        assert setting(server, token, payload) == {"code": 0, "data": True, "message": "success"}
    assert info(server, token)["data"]["nickname"] == "Same"


def test_setting_ignores_read_only_fields(server):
    email, password, token, user = new_user(server, nickname="Ro")
    payload = {
        "nickname": "Ro2",
        "email": unique_email("stolen"),
        "status": "0",
        "is_superuser": True,
        "id": uuid.uuid4().hex,
        "login_channel": "github",
        "is_active": "0",
        "is_anonymous": "1",
        "is_authenticated": "0",
        "last_login_time": "yesterday",
        "access_token": "mine",
        "create_time": 1,
        "create_date": "Thu, 01 Jan 1970 00:00:00 GMT",
        "update_time": 1,
        "update_date": "Thu, 01 Jan 1970 00:00:00 GMT",
    }
    assert setting(server, token, payload) == {"code": 0, "data": True, "message": "success"}
    after = info(server, token)["data"]
    assert after["nickname"] == "Ro2"
    for key in ("id", "email", "status", "is_superuser", "login_channel", "create_time", "create_date"):
        assert after[key] == user[key], key
    assert after["update_time"] >= user["update_time"]
    with server.client() as client:
        assert ok(login(client, email, password))["id"] == user["id"]
        assert envelope(login(client, payload["email"], password))["code"] == 109


@pytest.mark.parametrize("key", ["foo", "password_hash", "email_key", "credit", "tenant_id", "Nickname"])
def test_setting_refuses_unknown_keys(server, victim, key):
    _, _, token, _ = victim
    before = info(server, token)["data"]
    body = setting(server, token, {"nickname": "changed", key: "x"})
    assert body == {"code": 101, "data": None, "message": f"Parameter {key} isn't allowed"}
    assert info(server, token)["data"] == before


def test_setting_changes_the_password(server):
    email, password, token, _ = new_user(server)
    new_password = "new-" + uuid.uuid4().hex[:8]
    body = setting(server, token, {"password": password, "new_password": new_password})
    assert body == {"code": 0, "data": True, "message": "success"}
    with server.client() as client:
        assert envelope(login(client, email, password)) == {
            "code": 109,
            "data": False,
            "message": "Email and password do not match!",
        }
        assert ok(login(client, email, new_password))["email"] == email


def test_setting_changes_the_password_sent_encrypted(server):
    key = public_key(server)
    email, password, token, _ = new_user(server)
    new_password = "nëw-" + uuid.uuid4().hex[:8]
    body = setting(
        server,
        token,
        {
            "password": web_client_encrypt(key, password),
            "new_password": web_client_encrypt(key, new_password),
        },
    )
    assert body["code"] == 0
    with server.client() as client:
        assert envelope(login(client, email, password))["code"] == 109
        ok(login(client, email, new_password))
        ok(login(client, email, web_client_encrypt(key, new_password)))


def test_setting_refuses_a_wrong_current_password(server):
    email, password, token, _ = new_user(server, nickname="Pw")
    body = setting(server, token, {"password": "wrong", "new_password": "hijacked", "nickname": "Pwned"})
    assert body == {"code": 109, "data": False, "message": "Password error!"}
    assert info(server, token)["data"]["nickname"] == "Pw"
    with server.client() as client:
        ok(login(client, email, password))
        assert envelope(login(client, email, "hijacked"))["code"] == 109


def test_setting_password_without_new_password_keeps_it(server):
    email, password, token, _ = new_user(server)
    assert setting(server, token, {"password": password})["code"] == 0
    assert setting(server, token, {"password": password, "new_password": ""})["code"] == 0
    with server.client() as client:
        ok(login(client, email, password))


def test_setting_new_password_without_current_is_ignored(server):
    email, password, token, _ = new_user(server)
    assert setting(server, token, {"new_password": "sneaky"})["code"] == 0
    with server.client() as client:
        ok(login(client, email, password))
        assert envelope(login(client, email, "sneaky"))["code"] == 109


def test_setting_with_a_non_string_password_fails_to_crypt(server):
    email, password, token, _ = new_user(server)
    assert setting(server, token, {"password": 123, "new_password": "x"}) == FAIL_TO_CRYPT
    with server.client() as client:
        ok(login(client, email, password))


def test_setting_refuses_an_overlong_new_password(server):
    email, password, token, _ = new_user(server)
    body = setting(server, token, {"password": password, "new_password": "p" * 513})
    assert body == {"code": 101, "data": None, "message": "`password` is longer than 512 characters."}
    with server.client() as client:
        ok(login(client, email, password))


def test_setting_accepts_a_nickname_of_exactly_100_characters(server):
    _, _, token, _ = new_user(server)
    assert setting(server, token, {"nickname": "n" * 100})["code"] == 0
    assert info(server, token)["data"]["nickname"] == "n" * 100


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"nickname": "n" * 101}, "`nickname` is 101 characters long; the limit is 100."),
        ({"nickname": ""}, "`nickname` can't be empty."),
        ({"nickname": "   "}, "`nickname` can't be empty."),
        ({"nickname": None}, "`nickname` must be a string."),
        ({"nickname": 42}, "`nickname` must be a string."),
        ({"nickname": ["a"]}, "`nickname` must be a string."),
        ({"avatar": {"url": "x"}}, "`avatar` must be a string."),
        ({"language": True}, "`language` must be a string."),
        ({"color_schema": 1.5}, "`color_schema` must be a string."),
        ({"timezone": ["UTC"]}, "`timezone` must be a string."),
        ({"language": "L" * 33}, "`language` is 33 characters long; the limit is 32."),
        ({"nickname": "a\x00b"}, "`nickname` must not contain NUL characters."),
        ({"timezone": "\x00"}, "`timezone` must not contain NUL characters."),
        ({"nickname": "ok", "avatar": 7}, "`avatar` must be a string."),
    ],
)
def test_setting_refuses_bad_values_and_changes_nothing(server, victim, payload, message):
    _, _, token, _ = victim
    before = info(server, token)["data"]
    assert setting(server, token, payload) == {"code": 101, "data": None, "message": message}
    after = info(server, token)["data"]
    for key in ("nickname", "avatar", "language", "color_schema", "timezone", "update_time"):
        assert after[key] == before[key], key


@pytest.mark.parametrize(
    "raw",
    [
        b'{"nickname": "\\ud800"}',
        b'{"nickname": "ok\\udfff"}',
        b'{"avatar": "\\udc00x"}',
        b'{"nickname": "fine", "timezone": "\\ud83d"}',
    ],
)
def test_setting_refuses_lone_surrogates(server, victim, raw):
    _, _, token, _ = victim
    before = info(server, token)["data"]
    with server.client(Authorization=token) as client:
        body = envelope(
            client.post("/v1/user/setting", content=raw, headers={"Content-Type": "application/json"})
        )
    assert body["code"] == 101
    assert body["data"] is None
    assert "is not valid Unicode text." in body["message"]
    after = info(server, token)["data"]
    for key in ("nickname", "avatar", "timezone", "update_time"):
        assert after[key] == before[key], key


def test_setting_with_a_form_body(server):
    _, _, token, _ = new_user(server)
    with server.client(Authorization=token) as client:
        assert ok(client.post("/v1/user/setting", data={"nickname": "FromForm"})) is True
    assert info(server, token)["data"]["nickname"] == "FromForm"


def test_setting_only_touches_the_callers_row(server, tenant_a, tenant_b):
    nickname_b = ok(tenant_b.web.get("/v1/user/info"))["nickname"]
    _, _, token, _ = new_user(server)
    assert setting(server, token, {"nickname": "Someone", "id": tenant_b.user_id})["code"] == 0
    assert ok(tenant_b.web.get("/v1/user/info"))["nickname"] == nickname_b


# --- tenant_info ---------------------------------------------------------------------------------


def test_tenant_info_shape(server):
    _, _, token, user = new_user(server, nickname="Tina")
    with server.client(Authorization=token) as client:
        body = envelope(client.get("/v1/user/tenant_info"))
    assert (body["code"], body["message"]) == (0, "success")
    tenant = body["data"]
    assert set(tenant) == TENANT_FIELDS
    assert tenant["tenant_id"] == user["id"]
    assert tenant["name"] == "Tina\u2018s Kingdom"
    assert tenant["role"] == "owner"
    assert tenant["parser_ids"] == DEFAULT_PARSER_IDS
    for field in ("llm_id", "embd_id", "rerank_id", "asr_id", "img2txt_id", "tts_id"):
        assert tenant[field] is None or isinstance(tenant[field], str), field


def test_tenant_info_is_per_user(tenant_a, tenant_b):
    assert ok(tenant_a.web.get("/v1/user/tenant_info"))["tenant_id"] == tenant_a.tenant_id
    assert ok(tenant_b.web.get("/v1/user/tenant_info"))["tenant_id"] == tenant_b.tenant_id


def test_tenant_name_keeps_the_nickname_from_registration(server):
    _, _, token, _ = new_user(server, nickname="Before")
    assert setting(server, token, {"nickname": "After"})["code"] == 0
    with server.client(Authorization=token) as client:
        assert ok(client.get("/v1/user/tenant_info"))["name"] == "Before\u2018s Kingdom"


# --- set_tenant_info -----------------------------------------------------------------------------


def tenant_of(server: RunningServer, token: str) -> dict[str, Any]:
    with server.client(Authorization=token) as client:
        return ok(client.get("/v1/user/tenant_info"))


def set_tenant(server: RunningServer, token: str, payload: Any) -> dict[str, Any]:
    with server.client(Authorization=token) as client:
        return envelope(client.post("/v1/user/set_tenant_info", json=payload))


def test_set_tenant_info_with_ragflows_fixture_payload(server):
    _, _, token, user = new_user(server)
    payload = {"tenant_id": user["id"], **RAGFLOW_FIXTURE_MODELS}
    assert set_tenant(server, token, payload) == {"code": 0, "data": True, "message": "success"}
    tenant = tenant_of(server, token)
    for key, value in RAGFLOW_FIXTURE_MODELS.items():
        assert tenant[key] == value, key
    assert tenant["tenant_id"] == user["id"]
    assert tenant["role"] == "owner"
    assert tenant["parser_ids"] == DEFAULT_PARSER_IDS


def test_set_tenant_info_accepts_null_required_values_and_optional_ones(server):
    _, _, token, user = new_user(server)
    payload = {
        "tenant_id": user["id"],
        "llm_id": None,
        "embd_id": None,
        "asr_id": None,
        "img2txt_id": None,
        "rerank_id": "bge-reranker@BAAI",
        "tts_id": "tts-1@OpenAI",
        "name": "My Realm",
        "role": "owner",
    }
    assert set_tenant(server, token, payload)["code"] == 0
    tenant = tenant_of(server, token)
    assert tenant["llm_id"] is None
    assert tenant["embd_id"] is None
    assert tenant["rerank_id"] == "bge-reranker@BAAI"
    assert tenant["tts_id"] == "tts-1@OpenAI"
    assert tenant["name"] == "My Realm"
    assert tenant["role"] == "owner"


@pytest.mark.parametrize(
    ("fields", "missing"),
    [
        ([], "tenant_id,asr_id,embd_id,img2txt_id,llm_id"),
        (["tenant_id"], "asr_id,embd_id,img2txt_id,llm_id"),
        (["tenant_id", "llm_id"], "asr_id,embd_id,img2txt_id"),
        (["asr_id", "embd_id", "img2txt_id", "llm_id"], "tenant_id"),
        (["tenant_id", "asr_id", "embd_id", "img2txt_id"], "llm_id"),
        (["tenant_id", "asr_id", "embd_id", "llm_id", "tts_id"], "img2txt_id"),
    ],
)
def test_set_tenant_info_reports_missing_fields(server, victim, fields, missing):
    _, _, token, user = victim
    before = tenant_of(server, token)
    payload = {name: (user["id"] if name == "tenant_id" else "m@F") for name in fields}
    body = set_tenant(server, token, payload)
    assert body == {"code": 101, "data": None, "message": f"required argument are missing: {missing}; "}
    assert tenant_of(server, token) == before


def test_set_tenant_info_refuses_another_tenants_id(server, tenant_a, tenant_b):
    before = ok(tenant_a.web.get("/v1/user/tenant_info"))
    payload = {
        "tenant_id": tenant_a.tenant_id,
        "llm_id": "evil@X",
        "embd_id": "evil@X",
        "asr_id": "",
        "img2txt_id": "",
    }
    request = tenant_a.web.build_request("POST", "/v1/user/set_tenant_info", json=payload)
    reply = as_other_tenant(request, tenant_b)
    assert envelope(reply) == {"code": 109, "data": False, "message": "No authorization."}
    assert ok(tenant_a.web.get("/v1/user/tenant_info")) == before
    assert ok(tenant_b.web.get("/v1/user/tenant_info"))["llm_id"] != "evil@X"


def test_set_tenant_info_refuses_unknown_and_foreign_tenant_ids(server):
    _, _, token, user = new_user(server)
    _, _, other_token, other = new_user(server)
    before = tenant_of(server, other_token)
    for tenant_id in (other["id"], uuid.uuid4().hex, "", None, 7, user["id"].upper()):
        payload = {"tenant_id": tenant_id, **RAGFLOW_FIXTURE_MODELS}
        assert set_tenant(server, token, payload) == {
            "code": 109,
            "data": False,
            "message": "No authorization.",
        }
    assert tenant_of(server, other_token) == before


@pytest.mark.parametrize("key", ["credit", "parser_ids", "status", "public_key", "id", "foo"])
def test_set_tenant_info_refuses_unknown_keys(server, victim, key):
    _, _, token, user = victim
    before = tenant_of(server, token)
    payload = {"tenant_id": user["id"], **RAGFLOW_FIXTURE_MODELS, key: "x"}
    assert set_tenant(server, token, payload) == {
        "code": 101,
        "data": None,
        "message": f"Parameter {key} isn't allowed",
    }
    assert tenant_of(server, token) == before


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"llm_id": 5}, "`llm_id` must be a string."),
        ({"embd_id": ["a"]}, "`embd_id` must be a string."),
        ({"llm_id": "m" * 129}, "`llm_id` is 129 characters long; the limit is 128."),
        ({"asr_id": "a\x00b"}, "`asr_id` must not contain NUL characters."),
        ({"name": ""}, "`name` can't be empty."),
        ({"name": None}, "`name` must be a string."),
    ],
)
def test_set_tenant_info_refuses_bad_values(server, victim, changes, message):
    _, _, token, user = victim
    before = tenant_of(server, token)
    payload = {"tenant_id": user["id"], **RAGFLOW_FIXTURE_MODELS, **changes}
    assert set_tenant(server, token, payload) == {"code": 101, "data": None, "message": message}
    assert tenant_of(server, token) == before


def test_set_tenant_info_refuses_a_lone_surrogate(server, victim):
    _, _, token, user = victim
    before = tenant_of(server, token)
    raw = (
        '{"tenant_id": "'
        + user["id"]
        + '", "llm_id": "\\ud800", "embd_id": "", "asr_id": "", "img2txt_id": ""}'
    ).encode()
    with server.client(Authorization=token) as client:
        body = envelope(
            client.post("/v1/user/set_tenant_info", content=raw, headers={"Content-Type": "application/json"})
        )
    assert body == {"code": 101, "data": None, "message": "`llm_id` is not valid Unicode text."}
    assert tenant_of(server, token) == before


# --- bad input robustness ------------------------------------------------------------------------


@pytest.mark.parametrize("raw", NON_OBJECT_BODIES)
@pytest.mark.parametrize("content_type", ["application/json", "text/plain"])
def test_register_with_a_non_object_body(server, raw, content_type):
    with server.client() as client:
        reply = client.post("/v1/user/register", content=raw, headers={"Content-Type": content_type})
    assert envelope(reply) == {"code": 101, "data": None, "message": MISSING_REGISTER}


@pytest.mark.parametrize("raw", NON_OBJECT_BODIES)
@pytest.mark.parametrize("content_type", ["application/json", "text/plain"])
def test_login_with_a_non_object_body(server, raw, content_type):
    with server.client() as client:
        reply = client.post("/v1/user/login", content=raw, headers={"Content-Type": content_type})
    assert envelope(reply) == {"code": 109, "data": False, "message": "Unauthorized!"}


@pytest.mark.parametrize("raw", NON_OBJECT_BODIES)
def test_set_tenant_info_with_a_non_object_body(server, tenant_a, raw):
    reply = tenant_a.web.post(
        "/v1/user/set_tenant_info", content=raw, headers={"Content-Type": "application/json"}
    )
    assert envelope(reply) == {"code": 101, "data": None, "message": MISSING_TENANT_INFO}


@pytest.mark.parametrize("length", [101, 10_000, 1_000_000])
def test_register_refuses_a_very_large_nickname(server, length):
    email = unique_email("big")
    with server.client() as client:
        body = envelope(register(client, email, nickname="N" * length))
        assert body == {
            "code": 101,
            "data": None,
            "message": f"`nickname` is {length} characters long; the limit is 100.",
        }
        assert envelope(login(client, email, "s3cret!"))["message"] == f"Email: {email} is not registered!"


@pytest.mark.parametrize(
    ("nickname", "message"),
    [
        ("", "`nickname` can't be empty."),
        ("  \t ", "`nickname` can't be empty."),
        ("a\x00b", "`nickname` must not contain NUL characters."),
        (123, "`nickname` must be a string."),
        ({"first": "x"}, "`nickname` must be a string."),
    ],
)
def test_register_refuses_bad_nicknames(server, nickname, message):
    email = unique_email("badnick")
    with server.client() as client:
        reply = client.post(
            "/v1/user/register", json={"nickname": nickname, "email": email, "password": "pw"}
        )
        assert envelope(reply) == {"code": 101, "data": None, "message": message}
        assert envelope(login(client, email, "pw"))["message"] == f"Email: {email} is not registered!"


@pytest.mark.parametrize(
    "nickname",
    [
        "\U0001f98a Zo\u00eb \u2728",
        "\u4e2d\u6587\u540d\u5b57",
        "\U0001d518\U0001d52b\U0001d526",
        "\u00d1and\u00fa",
        "\U0001f469\u200d\U0001f469\u200d\U0001f467",
        'O\'Brien "quoted" <b>&amp;</b>',
    ],
)
def test_unicode_nicknames_round_trip(server, nickname):
    email = unique_email("uni")
    with server.client() as client:
        reply = register(client, email, nickname=nickname)
    assert reply.content.isascii()
    body = envelope(reply)
    assert body["code"] == 0
    assert body["message"] == f"{nickname}, welcome aboard!"
    assert body["data"]["nickname"] == nickname
    token = reply.headers["Authorization"]
    assert info(server, token)["data"]["nickname"] == nickname
    assert tenant_of(server, token)["name"] == f"{nickname}\u2018s Kingdom"


def test_a_100_character_nickname_is_accepted_and_the_tenant_name_fits(server):
    """The tenant name column holds 100 characters: a long nickname is cut, the suffix kept."""
    nickname = "\U0001f98a" + "n" * 99
    _, _, token, user = new_user(server, nickname=nickname)
    assert user["nickname"] == nickname
    assert info(server, token)["data"]["nickname"] == nickname
    name = tenant_of(server, token)["name"]
    assert name == nickname[:90] + "\u2018s Kingdom"
    assert len(name) == 100


def test_unicode_password_round_trips(server):
    key = public_key(server)
    email, password = unique_email("unipw"), "пароль-🔑-密码"
    with server.client() as client:
        ok(register(client, email, password))
        ok(login(client, email, password))
        ok(login(client, email, web_client_encrypt(key, password)))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(
            b'{"nickname": "\\ud800", "email": "%s", "password": "pw"}',
            {"code": 101, "data": None, "message": "`nickname` is not valid Unicode text."},
            id="nickname",
        ),
        pytest.param(
            b'{"nickname": "ok", "email": "%s", "password": "\\udfff"}',
            {"code": 101, "data": None, "message": "`password` is not valid Unicode text."},
            id="password",
        ),
        pytest.param(
            b'{"nickname": "ok", "email": "\\ud800%s", "password": "pw"}',
            {"code": 103, "data": False, "message": "Invalid email address: \ud800%s!"},
            id="email",
        ),
    ],
)
def test_register_with_lone_surrogates(server, raw, expected):
    email = unique_email("surrogate")
    with server.client() as client:
        reply = client.post(
            "/v1/user/register",
            content=raw.replace(b"%s", email.encode()),
            headers={"Content-Type": "application/json"},
        )
        assert envelope(reply) == {**expected, "message": expected["message"].replace("%s", email)}
        assert envelope(login(client, email, "pw"))["message"] == f"Email: {email} is not registered!"


def test_register_with_a_nul_in_the_password_works(server):
    email = unique_email("nulpw")
    with server.client() as client:
        ok(register(client, email, "a\x00b"))
        ok(login(client, email, "a\x00b"))
        assert envelope(login(client, email, "a"))["code"] == 109


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        pytest.param(
            b'{"email": "\\ud800@example.com", "password": "pw"}',
            "Email: \ud800@example.com is not registered!",
            id="surrogate-email",
        ),
        pytest.param(
            b'{"email": "a\\u0000b@example.com", "password": "pw"}',
            "Email: a\x00b@example.com is not registered!",
            id="nul-email",
        ),
        pytest.param(
            b'{"email": "%s", "password": "\\ud800"}',
            "Email and password do not match!",
            id="surrogate-password",
        ),
        pytest.param(
            b'{"email": "%s", "password": "a\\u0000"}', "Email and password do not match!", id="nul-password"
        ),
    ],
)
def test_login_with_unstorable_characters(server, victim, raw, message):
    """Text no database column can hold is simply not a known email or password."""
    email, _, _, _ = victim
    with server.client() as client:
        reply = client.post(
            "/v1/user/login",
            content=raw.replace(b"%s", email.encode()),
            headers={"Content-Type": "application/json"},
        )
    assert envelope(reply) == {"code": 109, "data": False, "message": message}
    assert "Authorization" not in reply.headers


@pytest.mark.parametrize(
    ("email", "shown"),
    [
        (12345, "12345"),
        (None, "None"),
        (True, "True"),
        (["a@example.com"], "['a@example.com']"),
        ({"a": 1}, "{'a': 1}"),
    ],
)
def test_login_with_a_non_string_email_is_not_registered(server, email, shown):
    """As in RAGFlow, whatever was sent is looked up (and shown) as an email."""
    with server.client() as client:
        body = envelope(client.post("/v1/user/login", json={"email": email, "password": "pw"}))
    assert body == {"code": 109, "data": False, "message": f"Email: {shown} is not registered!"}


def test_login_without_an_email_key_is_not_registered(server):
    with server.client() as client:
        body = envelope(client.post("/v1/user/login", json={"password": "pw"}))
    assert body == {"code": 109, "data": False, "message": "Email:  is not registered!"}


def test_login_with_a_huge_email_and_password(server, victim):
    email, _, _, _ = victim
    with server.client() as client:
        huge_email = envelope(login(client, "a" * 100_000 + "@example.com", "pw"))
        huge_password = envelope(login(client, email, "p" * 1_000_000))
    assert huge_email["code"] == 109
    assert huge_email["message"].endswith("is not registered!")
    assert huge_password == {"code": 109, "data": False, "message": "Email and password do not match!"}


def test_register_refuses_empty_and_overlong_passwords(server):
    with server.client() as client:
        empty = envelope(register(client, unique_email(), ""))
        long = envelope(register(client, unique_email(), "p" * 513))
        assert ok(register(client, unique_email(), "p" * 512))
    assert empty == {"code": 101, "data": None, "message": "`password` can't be empty."}
    assert long == {"code": 101, "data": None, "message": "`password` is longer than 512 characters."}


def test_register_ignores_extra_fields(server):
    email = unique_email("extra")
    payload = {
        "nickname": "Extra",
        "email": email,
        "password": "pw",
        "is_superuser": True,
        "status": "0",
        "id": "0" * 32,
        "login_channel": "github",
    }
    with server.client() as client:
        user = ok(client.post("/v1/user/register", json=payload))
        assert user["is_superuser"] is False
        assert user["status"] == "1"
        assert user["id"] != "0" * 32
        assert user["login_channel"] == "password"
        ok(login(client, email, "pw"))


def test_register_with_a_form_body(server):
    email = unique_email("form")
    with server.client() as client:
        user = ok(
            client.post("/v1/user/register", data={"nickname": "Form", "email": email, "password": "pw"})
        )
        assert user["nickname"] == "Form"
        ok(login(client, email, "pw"))


# --- login channels ------------------------------------------------------------------------------


def test_login_channels_is_an_empty_list_without_auth(server):
    with server.client() as client:
        reply = client.get("/v1/user/login/channels")
    assert reply.status_code == 200
    assert reply.json() == {"code": 0, "data": [], "message": "success"}
    assert reply.text == '{"code":0,"data":[],"message":"success"}\n'
    with server.client(Authorization="garbage") as client:
        assert client.get("/v1/user/login/channels").json() == {"code": 0, "data": [], "message": "success"}
