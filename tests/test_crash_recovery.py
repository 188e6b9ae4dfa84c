"""Crash recovery of uploads and dataset deletion, over the public surface with real processes.

`citeflow serve` runs as a subprocess on its own data dir (SQLite). One test kills it with SIGKILL
while it copies an upload into storage and restarts it on the same data dir; another deletes a
dataset and restarts. The tests use no server fixture, so they run once, not once per metadata
database.
"""

import hashlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.chunks import chunks_path, documents_path

MIB = 1024 * 1024
#: Sizes of the big upload, tried in turn until the kill lands while the server copies it.
ATTEMPT_MIB = (150, 300, 450)
START_TIMEOUT_SECONDS = 60.0
TEMP_PREFIX = ".tmp-"


# --- a server subprocess ------------------------------------------------------------------------------


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def client(self, **headers: str) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers=headers, timeout=120)

    def kill(self) -> None:
        """SIGKILL: no clean-up, no shutdown hooks, as in a power cut or an OOM kill."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(data_dir: Path, settings: dict[str, str] | None = None) -> Server:
    """`citeflow serve` on a free port of 127.0.0.1 with a clean environment (plus `settings`, as
    `CITEFLOW_*` variables); waits for `pong`."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CITEFLOW_")}
    env["CITEFLOW_LOG__LEVEL"] = "WARNING"
    env.update(settings or {})
    command = [sys.executable, "-m", "citeflow", "serve", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--data-dir", str(data_dir)]
    log = data_dir.parent / f"serve-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=out, env=env)
    server = Server(process, url, log)
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while True:
        try:
            if httpx.get(f"{url}/v1/system/ping", timeout=1).text == "pong":
                return server
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            server.kill()
            pytest.fail(f"citeflow serve did not start:\n{log.read_text(errors='replace')}")
        time.sleep(0.02)


@contextmanager
def serving(data_dir: Path, settings: dict[str, str] | None = None) -> Iterator[Server]:
    server = start(data_dir, settings)
    try:
        yield server
    finally:
        server.stop()


# --- clients --------------------------------------------------------------------------------------------


def ok(reply: httpx.Response) -> dict:
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["code"] == 0, body
    return body


def new_api_key(server: Server) -> str:
    """Register, log in and create an API key over HTTP, as a client would."""
    email, password = f"crash-{uuid.uuid4().hex[:12]}@example.com", "pw-" + uuid.uuid4().hex
    with server.client() as client:
        ok(client.post("/v1/user/register", json={"email": email, "nickname": "crash", "password": password}))
        login = client.post("/v1/user/login", json={"email": email, "password": password})
        ok(login)
        reply = client.post("/v1/system/new_token", headers={"Authorization": login.headers["Authorization"]})
    return str(ok(reply)["data"]["token"])


def sdk(server: Server, key: str) -> httpx.Client:
    return server.client(Authorization=f"Bearer {key}")


def create_dataset(client: httpx.Client) -> str:
    return str(
        ok(client.post("/api/v1/datasets", json={"name": f"crash-{uuid.uuid4().hex[:8]}"}))["data"]["id"]
    )


def list_documents(client: httpx.Client, dataset_id: str) -> list[dict]:
    docs: list[dict] = []
    page = 1
    while True:
        params = {"page": page, "page_size": 100}
        data = ok(client.get(f"/api/v1/datasets/{dataset_id}/documents", params=params))["data"]
        docs += data["docs"]
        if len(docs) >= data["total"] or not data["docs"]:
            assert len(docs) == data["total"], data
            return docs
        page += 1


def download_digest(client: httpx.Client, dataset_id: str, doc_id: str) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    with client.stream("GET", f"/api/v1/datasets/{dataset_id}/documents/{doc_id}") as reply:
        assert reply.status_code == 200
        for piece in reply.iter_bytes():
            digest.update(piece)
            size += len(piece)
    return size, digest.hexdigest()


# --- files ----------------------------------------------------------------------------------------------


def make_file(path: Path, mebibytes: int) -> tuple[int, str]:
    """Write `mebibytes` MiB of random bytes; returns (size, sha256)."""
    digest = hashlib.sha256()
    with path.open("wb") as out:
        for _ in range(mebibytes):
            piece = os.urandom(MIB)
            digest.update(piece)
            out.write(piece)
    return path.stat().st_size, digest.hexdigest()


def temp_files(root: Path) -> list[Path]:
    return [p for p in root.rglob(f"{TEMP_PREFIX}*") if p.is_file()]


def blobs(bucket: Path) -> list[Path]:
    """The stored objects of a dataset (temp files of writes in flight left out)."""
    if not bucket.exists():
        return []
    return [p for p in bucket.iterdir() if p.is_file() and not p.name.startswith(TEMP_PREFIX)]


@dataclass
class Upload:
    """An upload running in a thread, so the test can watch the data dir meanwhile."""

    client: httpx.Client
    dataset_id: str
    path: Path
    reply: httpx.Response | None = None
    error: BaseException | None = None
    thread: threading.Thread = field(init=False)

    def __post_init__(self) -> None:
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            with self.path.open("rb") as handle:  # streamed from disk, never whole in memory
                self.reply = self.client.post(
                    f"/api/v1/datasets/{self.dataset_id}/documents",
                    files={"file": (self.path.name, handle, "text/plain")},
                )
        except BaseException as exc:  # the server died under it: expected
            self.error = exc

    @property
    def done(self) -> bool:
        return not self.thread.is_alive()


def kill_during_copy(server: Server, upload: Upload, bucket: Path, threshold: int) -> Path | None:
    """SIGKILL the server while it stores the upload in `bucket`: once its temp file holds
    `threshold` bytes, or at once when the temp file goes (renamed into place, the document not yet
    recorded). Returns the temp file, or None if the upload finished before one could be seen."""
    partial = None
    while partial is None:
        if upload.done:
            return None
        try:
            with os.scandir(bucket) as entries:
                partial = next((Path(e.path) for e in entries if e.name.startswith(TEMP_PREFIX)), None)
        except FileNotFoundError:
            pass
        time.sleep(0.0005)
    while not upload.done:
        try:
            if partial.stat().st_size >= threshold:
                break
        except FileNotFoundError:
            break
        time.sleep(0.0005)
    server.kill()
    upload.thread.join(timeout=30)
    return partial


# --- tests ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kill_at", ["mid-copy", "after-rename"])
def test_sigkill_while_storing_an_upload_leaves_a_consistent_dataset(tmp_path: Path, kill_at: str) -> None:
    data_dir = tmp_path / "data"
    server = start(data_dir)
    try:
        key = new_api_key(server)
        with sdk(server, key) as client:
            dataset_id = create_dataset(client)
        bucket = data_dir / "files" / dataset_id
        sources: dict[str, tuple[int, str]] = {}  # name -> (size, sha256) of every file sent
        caught: Path | None = None
        for mebibytes in ATTEMPT_MIB:
            path = tmp_path / f"big-{mebibytes}.txt"
            sources[path.name] = make_file(path, mebibytes)
            with sdk(server, key) as client:
                upload = Upload(client, dataset_id, path)
                size = sources[path.name][0]
                threshold = (
                    size // 2 if kill_at == "mid-copy" else size + 1
                )  # never reached: wait for the rename
                caught = kill_during_copy(server, upload, bucket, threshold)
                if caught is None:  # copied before the poll saw it: try a bigger file
                    assert upload.reply is not None, upload.error
                    ok(upload.reply)
            path.unlink()
            if caught is not None:
                break
        if caught is None:
            pytest.skip(f"every upload ({ATTEMPT_MIB} MiB) was stored before a temp file could be seen")
        # An answer can only have left before the kill if the document was recorded: it must survive.
        acknowledged = upload.reply is not None and upload.reply.json().get("code") == 0
    finally:
        server.stop()

    with serving(data_dir) as server, sdk(server, key) as client:
        docs = list_documents(client, dataset_id)
        if acknowledged:
            assert any(d["name"] == path.name for d in docs), "an acknowledged upload was lost"
        for doc in docs:
            assert doc["name"] in sources, doc
            expected_size, expected_digest = sources[doc["name"]]
            assert doc["size"] == expected_size, doc
            assert download_digest(client, dataset_id, doc["id"]) == (expected_size, expected_digest)
        assert temp_files(data_dir / "files") == [], "temp files of the killed write survived the restart"
        assert len(blobs(bucket)) == sum(1 for d in docs if d["size"] > 0), (blobs(bucket), docs)
        dataset = ok(client.get("/api/v1/datasets", params={"id": dataset_id}))["data"][0]
        assert dataset["document_count"] == len(docs)

        # The restarted server takes uploads into the same dataset.
        reply = client.post(
            f"/api/v1/datasets/{dataset_id}/documents", files={"file": ("after.txt", b"after the crash")}
        )
        after = ok(reply)["data"][0]
        assert download_digest(client, dataset_id, after["id"]) == (
            15,
            hashlib.sha256(b"after the crash").hexdigest(),
        )
        assert len(blobs(bucket)) == sum(1 for d in list_documents(client, dataset_id) if d["size"] > 0)


def test_deleted_dataset_loses_its_files_and_stays_deleted_after_restart(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with serving(data_dir) as server:
        key = new_api_key(server)
        with sdk(server, key) as client:
            doomed, kept = create_dataset(client), create_dataset(client)
            for dataset_id in (doomed, kept):
                parts = [("file", (f"note-{i}.txt", f"note {i} of {dataset_id}".encode())) for i in range(5)]
                ok(client.post(f"/api/v1/datasets/{dataset_id}/documents", files=parts))
                assert len(blobs(data_dir / "files" / dataset_id)) == 5

            ok(client.request("DELETE", "/api/v1/datasets", json={"ids": [doomed]}))

            assert not (data_dir / "files" / doomed).exists()
            assert len(blobs(data_dir / "files" / kept)) == 5
            listed = [d["id"] for d in ok(client.get("/api/v1/datasets"))["data"]]
            assert listed == [kept]

    with serving(data_dir) as server, sdk(server, key) as client:
        listed = [d["id"] for d in ok(client.get("/api/v1/datasets"))["data"]]
        assert listed == [kept]
        assert client.get(f"/api/v1/datasets/{doomed}/documents").json()["code"] != 0
        assert not (data_dir / "files" / doomed).exists()
        assert len(list_documents(client, kept)) == 5
        assert len(blobs(data_dir / "files" / kept)) == 5


# --- search indexes ---------------------------------------------------------------------------------

#: Vector indexes are saved this rarely here, so a kill always finds unsaved vectors to replay.
RARE_FLUSHES = {"CITEFLOW_SEARCH__VECTOR_FLUSH_SECONDS": "3600"}


def upload_text(client: httpx.Client, dataset_id: str) -> str:
    reply = client.post(documents_path(dataset_id), files={"file": ("notes.txt", b"notes")})
    return str(ok(reply)["data"][0]["id"])


def listed_chunks(client: httpx.Client, dataset_id: str, doc_id: str) -> set[str]:
    url = chunks_path(dataset_id, doc_id)
    data = ok(client.get(url, params={"page_size": 1000}))["data"]
    assert data["doc"]["chunk_count"] == data["total"] == len(data["chunks"])
    return {c["id"] for c in data["chunks"]}


def retrieved_chunks(client: httpx.Client, dataset_id: str, question: str, weight: float) -> set[str]:
    body = {
        "dataset_ids": [dataset_id],
        "question": question,
        "page_size": 1000,
        "similarity_threshold": -1,
        "vector_similarity_weight": weight,
    }
    return {c["id"] for c in ok(client.post("/api/v1/retrieval", json=body))["data"]["chunks"]}


def add_chunks_until_killed(server: Server, client: httpx.Client, dataset_id: str, doc_id: str) -> int:
    """Add chunks one after another while the server is killed under them; how many were acknowledged."""
    acknowledged = 0
    url = chunks_path(dataset_id, doc_id)

    def add() -> None:
        nonlocal acknowledged
        for i in range(1000):
            try:
                reply = client.post(url, json={"content": f"marker note number {i} about walruses"})
            except httpx.TransportError:
                return
            if reply.json().get("code") == 0:
                acknowledged += 1

    writer = threading.Thread(target=add, daemon=True)
    writer.start()
    deadline = time.monotonic() + 60
    while acknowledged < 12 and time.monotonic() < deadline:
        time.sleep(0.01)
    server.kill()
    writer.join(timeout=30)
    return acknowledged


def test_killed_while_adding_chunks_the_indexes_agree_with_the_chunks_after_restart(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    server = start(data_dir, RARE_FLUSHES)
    key = new_api_key(server)
    with sdk(server, key) as client:
        dataset_id = create_dataset(client)
        doc_id = upload_text(client, dataset_id)
        acknowledged = add_chunks_until_killed(server, client, dataset_id, doc_id)
    assert acknowledged >= 12
    with serving(data_dir, RARE_FLUSHES) as again, sdk(again, key) as client:
        stored = listed_chunks(client, dataset_id, doc_id)
        assert len(stored) >= acknowledged, "an acknowledged chunk was lost"
        assert retrieved_chunks(client, dataset_id, "marker walruses", 0.0) == stored
        assert retrieved_chunks(client, dataset_id, "zzqqxx", 1.0) == stored, "vectors were not replayed"


def test_lost_or_damaged_indexes_are_rebuilt_from_the_chunks_at_start(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with serving(data_dir) as server:
        key = new_api_key(server)
        with sdk(server, key) as client:
            dataset_id = create_dataset(client)
            doc_id = upload_text(client, dataset_id)
            url = chunks_path(dataset_id, doc_id)
            for word in ("alpha", "beta", "gamma"):
                ok(client.post(url, json={"content": f"the {word} walrus"}))
            stored = listed_chunks(client, dataset_id, doc_id)
    index_dir = data_dir / "search" / dataset_id
    (index_dir / "vectors.usearch").write_bytes(b"not an index")
    for path in (index_dir / "text").iterdir():
        if path.suffix in {".idx", ".pos", ".term"}:
            path.unlink()
    with serving(data_dir) as server, sdk(server, key) as client:
        assert retrieved_chunks(client, dataset_id, "walrus", 0.0) == stored
        assert retrieved_chunks(client, dataset_id, "zzqqxx", 1.0) == stored
