"""The `citeflow` command, run as a user would: subprocesses on a temp data dir, no server fixtures."""

import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def citeflow(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `citeflow ARGS` with a clean environment (no inherited `CITEFLOW_*`) plus `env`."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CITEFLOW_")}
    return subprocess.run(
        [sys.executable, "-m", "citeflow", *args],
        env={**clean, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(data_dir: Path) -> Iterator[str]:
    """`citeflow serve` on a free port of 127.0.0.1 until the block ends; yields its URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = ["serve", "--host", "127.0.0.1", "--port", str(port), "--data-dir", str(data_dir)]
    log = data_dir.parent / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "citeflow", *command], stdout=out, stderr=out)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/v1/system/ping", timeout=1).text == "pong":
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, f"citeflow serve exited:\n{log.read_text()}"
            assert time.monotonic() < deadline, f"citeflow serve did not answer:\n{log.read_text()}"
            time.sleep(0.02)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_config_masks_secrets(tmp_path):
    url = "postgresql+psycopg://u:topsecret@h/db"
    result = citeflow("config", "--data-dir", str(tmp_path), env={"CITEFLOW_DATABASE__URL": url})
    assert result.returncode == 0, result.stderr
    assert "topsecret" not in result.stdout
    assert "**********" in result.stdout
    shown = json.loads(result.stdout)
    assert shown["database"]["effective_url"] == "postgresql+psycopg://u:**********@h/db"
    assert shown["data_dir"] == str(tmp_path.resolve())


def test_config_reference_is_the_docs_page():
    result = citeflow("config", "--reference")
    assert result.returncode == 0, result.stderr
    assert result.stdout == (ROOT / "docs" / "configuration.md").read_text()


def test_settings_file_is_read_and_the_environment_wins_over_it(tmp_path):
    settings_file = tmp_path / "citeflow.toml"
    settings_file.write_text("port = 1234\n[auth]\nregister_enabled = false\n")
    from_file = citeflow("config", env={"CITEFLOW_CONFIG_FILE": str(settings_file)})
    assert from_file.returncode == 0, from_file.stderr
    shown = json.loads(from_file.stdout)
    assert shown["port"] == 1234
    assert shown["auth"]["register_enabled"] is False

    env = {"CITEFLOW_CONFIG_FILE": str(settings_file), "CITEFLOW_PORT": "4321"}
    overridden = json.loads(citeflow("config", env=env).stdout)
    assert overridden["port"] == 4321
    assert overridden["auth"]["register_enabled"] is False

    flagged = json.loads(citeflow("config", "--config", str(settings_file)).stdout)
    assert flagged["port"] == 1234


def test_a_missing_settings_file_is_an_error(tmp_path):
    result = citeflow("config", env={"CITEFLOW_CONFIG_FILE": str(tmp_path / "nope.toml")})
    assert result.returncode == 1
    assert "nope.toml does not exist" in result.stderr


def test_an_invalid_setting_is_reported_without_a_traceback():
    result = citeflow("config", env={"CITEFLOW_PORT": "not-a-port"})
    assert result.returncode == 1
    assert result.stderr.startswith("error: invalid settings: port:")
    assert "Traceback" not in result.stderr


def test_cli_user_and_key_work_on_the_served_data_dir(tmp_path):
    data_dir = tmp_path / "data"
    email, password = "cli-user@example.com", "a long cli password"
    created = citeflow(
        "user", "create", "--email", email, "--nickname", "cli", "--password", password,
        "--data-dir", str(data_dir),
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    user = json.loads(created.stdout)
    assert user["email"] == email

    keyed = citeflow("token", "create", "--email", email, "--data-dir", str(data_dir))
    assert keyed.returncode == 0, keyed.stderr
    key = keyed.stdout.strip()
    assert key.startswith("ragflow-")

    with serving(data_dir) as url, httpx.Client(base_url=url, timeout=30) as client:
        whoami = client.get("/api/v1/citeflow/whoami", headers={"Authorization": f"Bearer {key}"})
        assert whoami.json() == {
            "code": 0,
            "data": {"tenant_id": user["tenant_id"], "user_id": user["user_id"]},
        }
        login = client.post("/v1/user/login", json={"email": email, "password": password})
        assert login.json()["code"] == 0, login.text
        assert login.json()["data"]["id"] == user["user_id"]
        assert login.headers["Authorization"]


def test_token_for_an_unknown_email_fails_clearly(tmp_path):
    result = citeflow("token", "create", "--email", "nobody@example.com", "--data-dir", str(tmp_path))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip() == "error: Email: nobody@example.com is not registered!"


def test_creating_a_user_twice_fails(tmp_path):
    args = ("user", "create", "--email", "twice@example.com", "--nickname", "t", "--password", "pw")
    assert citeflow(*args, "--data-dir", str(tmp_path)).returncode == 0
    again = citeflow(*args, "--data-dir", str(tmp_path))
    assert again.returncode == 1
    assert "has already registered" in again.stderr


def create_user(data_dir: Path, email: str) -> None:
    created = citeflow(
        "user", "create", "--email", email, "--nickname", "m", "--password", "pw-123456",
        "--data-dir", str(data_dir),
    )  # fmt: skip
    assert created.returncode == 0, created.stderr


def test_model_add_points_a_tenant_at_providers_in_one_command_each(tmp_path, fake_provider):
    data_dir = tmp_path / "data"
    email = "models@example.com"
    create_user(data_dir, email)
    ollama = citeflow(
        "model",
        "add",
        "--email",
        email,
        "--factory",
        "Ollama",
        "--name",
        "qwen2.5",
        "--base-url",
        fake_provider.url,
        "--default",
        "--data-dir",
        str(data_dir),
    )
    assert ollama.returncode == 0, ollama.stderr
    assert ollama.stdout.strip() == "qwen2.5@Ollama"
    openai = citeflow(
        "model",
        "add",
        "--email",
        email,
        "--factory",
        "OpenAI",
        "--name",
        "text-embedding-3-small",
        "--type",
        "embedding",
        "--api-key",
        "sk-good",
        "--base-url",
        f"{fake_provider.url}/v1",
        "--default",
        "--data-dir",
        str(data_dir),
    )
    assert openai.returncode == 0, openai.stderr
    assert openai.stdout.strip() == "text-embedding-3-small@OpenAI"
    vllm = citeflow(
        "model",
        "add",
        "--email",
        email,
        "--factory",
        "VLLM",
        "--name",
        "Qwen/Qwen2.5-7B-Instruct",
        "--api-key",
        "sk-good",
        "--base-url",
        f"{fake_provider.url}/v1",
        "--data-dir",
        str(data_dir),
    )
    assert vllm.returncode == 0, vllm.stderr
    assert vllm.stdout.strip() == "Qwen/Qwen2.5-7B-Instruct___VLLM@VLLM"

    with serving(data_dir) as url:
        login = httpx.post(f"{url}/v1/user/login", json={"email": email, "password": "pw-123456"})
        headers = {"Authorization": login.headers["Authorization"]}
        tenant = httpx.get(f"{url}/v1/user/tenant_info", headers=headers).json()["data"]
        mine = httpx.get(f"{url}/v1/llm/my_llms", headers=headers).json()["data"]
    assert tenant["llm_id"] == "qwen2.5@Ollama"
    assert tenant["embd_id"] == "text-embedding-3-small@OpenAI"
    assert {"Ollama", "OpenAI", "VLLM"} <= set(mine)
    assert "sk-good" not in json.dumps(mine)


def test_model_add_with_a_wrong_key_fails_clearly(tmp_path, fake_provider):
    data_dir = tmp_path / "data"
    email = "badkey@example.com"
    create_user(data_dir, email)
    result = citeflow(
        "model",
        "add",
        "--email",
        email,
        "--factory",
        "OpenAI",
        "--name",
        "gpt-4o-mini",
        "--api-key",
        "sk-wrong-key",
        "--base-url",
        f"{fake_provider.url}/v1",
        "--data-dir",
        str(data_dir),
    )
    assert result.returncode == 1
    assert "Fail to access model(OpenAI/gpt-4o-mini)" in result.stderr
    assert "sk-wrong-key" not in result.stderr
    assert "Traceback" not in result.stderr


def test_retokenize_rewrites_stale_tokens_and_a_running_server_finds_them(tmp_path):
    """Chunks whose stored tokens came from another tokenizer (here: made stale by hand, with the
    search indexes rebuilt from them) are found again once `citeflow retokenize` rewrites them,
    by a server that is running meanwhile."""
    data_dir = tmp_path / "data"
    email = "retokenize@example.com"
    created = citeflow(
        "user", "create", "--email", email, "--nickname", "cli", "--password", "a long password",
        "--data-dir", str(data_dir),
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    key = citeflow("token", "create", "--email", email, "--data-dir", str(data_dir)).stdout.strip()
    headers = {"Authorization": f"Bearer {key}"}
    with serving(data_dir) as url, httpx.Client(base_url=url, headers=headers, timeout=60) as client:
        dataset_id = client.post("/api/v1/datasets", json={"name": "retokenize"}).json()["data"]["id"]
        upload = client.post(f"/api/v1/datasets/{dataset_id}/documents", files=[("file", ("a.txt", b"a"))])
        document_id = upload.json()["data"][0]["id"]
        chunks = f"/api/v1/datasets/{dataset_id}/documents/{document_id}/chunks"
        chunk_id = client.post(chunks, json={"content": "the zorblax nests here"}).json()["data"]["chunk"][
            "id"
        ]
        assert found(client, dataset_id, "zorblax") == [chunk_id]

    with sqlite3.connect(data_dir / "citeflow.db") as db:
        (fields,) = db.execute("SELECT fields FROM chunk WHERE id = ?", (chunk_id,)).fetchone()
        stale = {**json.loads(fields), "content_ltks": "stale", "content_sm_ltks": "stale"}
        db.execute("UPDATE chunk SET fields = ? WHERE id = ?", (json.dumps(stale), chunk_id))
    shutil.rmtree(data_dir / "search")

    with serving(data_dir) as url, httpx.Client(base_url=url, headers=headers, timeout=60) as client:
        assert found(client, dataset_id, "zorblax") == []
        result = citeflow("retokenize", "--data-dir", str(data_dir))
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout) == {"chunks": 1}
        assert found(client, dataset_id, "zorblax") == [chunk_id]


def found(client: httpx.Client, dataset_id: str, question: str) -> list[str]:
    """Chunk ids a full-text-only retrieval returns (vector-only candidates score 0 and are cut)."""
    body = {
        "dataset_ids": [dataset_id],
        "question": question,
        "vector_similarity_weight": 0.0,
        "similarity_threshold": 0.1,
    }
    answer = client.post("/api/v1/retrieval", json=body).json()
    assert answer["code"] == 0, answer
    return [c["id"] for c in answer["data"]["chunks"]]
