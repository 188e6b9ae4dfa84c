"""`citeflow serve --workers 2`: two processes answer requests on one data directory, with SQLite
and with PostgreSQL.

Chunks written through either process are found at once through both: one process writes the
search indexes, the other keeps its vectors up to date itself and waits for the writer's text
index. Requests go over fresh connections, so the kernel hands them to both processes. When the
writing process is killed (SIGKILL), the server replaces it and indexing goes on.
"""

import os
import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.chunks import chunks_path, documents_path
from tests.postgres import create_database
from tests.test_crash_recovery import Server, create_dataset, new_api_key, ok, serving

WORKERS = {"CITEFLOW_WORKERS": "2"}
#: Fresh connections per check: enough for both processes to answer some.
ROUNDS = 8


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def two_workers(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Server, str, Path]]:
    """Two workers on SQLite (which tells commits apart by its data version) and on PostgreSQL
    (where the index writer looks for other processes' chunks by query)."""
    data_dir = tmp_path_factory.mktemp("workers") / "data"
    settings = dict(WORKERS)
    if request.param == "postgresql":
        database = create_database(
            request.getfixturevalue("postgres"), f"citeflow_workers_{uuid.uuid4().hex[:8]}"
        )
        settings["CITEFLOW_DATABASE__URL"] = database
    with serving(data_dir, settings) as server:
        yield server, new_api_key(server), data_dir


def worker_pids(server: Server) -> list[int]:
    """The server's worker processes: children the supervising process spawned (not its
    multiprocessing resource tracker)."""
    parent = server.process.pid
    children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
    pids = []
    for pid in children:
        try:
            if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes():
                pids.append(int(pid))
        except OSError:  # exited meanwhile
            continue
    return pids


def cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def writer_pid(data_dir: Path) -> int:
    """The process holding the search index writer lock, from /proc/locks."""
    inode = (data_dir / "search" / "writer.lock").stat().st_ino
    for line in Path("/proc/locks").read_text().splitlines():
        parts = line.split()
        if "FLOCK" in parts and parts[-3].rsplit(":", 1)[-1] == str(inode):
            return int(parts[-4])
    raise AssertionError("no process holds the search index writer lock")


def fresh(server: Server, key: str) -> httpx.Client:
    """A client on a new connection, so either worker may answer it."""
    return httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {key}"}, timeout=60)


def new_document(server: Server, key: str, dataset_id: str) -> str:
    with fresh(server, key) as client:
        reply = client.post(documents_path(dataset_id), files=[("file", ("notes.txt", b"notes"))])
    return str(ok(reply)["data"][0]["id"])


def add_chunk(server: Server, key: str, dataset_id: str, document_id: str, content: str) -> str:
    with fresh(server, key) as client:
        reply = client.post(chunks_path(dataset_id, document_id), json={"content": content})
    return str(ok(reply)["data"]["chunk"]["id"])


def found(server: Server, key: str, dataset_id: str, word: str) -> list[str]:
    """Ids of the chunks a retrieval for `word` returns, over a fresh connection."""
    body = {"question": word, "dataset_ids": [dataset_id], "vector_similarity_weight": 0.0}
    with fresh(server, key) as client:
        chunks = ok(client.post("/api/v1/retrieval", json=body))["data"]["chunks"]
    return [c["id"] for c in chunks]


def marker() -> str:
    return "zq" + uuid.uuid4().hex[:10]


def test_both_workers_answer_and_find_what_either_wrote(two_workers: tuple[Server, str, Path]) -> None:
    server, key, _ = two_workers
    pids = worker_pids(server)
    assert len(pids) == 2
    before = {pid: cpu_ticks(pid) for pid in pids}
    with fresh(server, key) as client:
        dataset_id = create_dataset(client)
    document_id = new_document(server, key, dataset_id)
    for _ in range(ROUNDS):
        word = marker()
        chunk_id = add_chunk(server, key, dataset_id, document_id, f"{word} written through some worker")
        for _ in range(ROUNDS):
            assert found(server, key, dataset_id, word) == [chunk_id]
    assert all(cpu_ticks(pid) > before[pid] for pid in pids), "one worker answered nothing"


def test_removed_and_switched_off_chunks_vanish_from_both_workers(
    two_workers: tuple[Server, str, Path],
) -> None:
    server, key, _ = two_workers
    with fresh(server, key) as client:
        dataset_id = create_dataset(client)
    document_id = new_document(server, key, dataset_id)
    removed, switched, kept = marker(), marker(), marker()
    removed_id = add_chunk(server, key, dataset_id, document_id, f"{removed} soon removed")
    switched_id = add_chunk(server, key, dataset_id, document_id, f"{switched} soon switched off")
    kept_id = add_chunk(server, key, dataset_id, document_id, f"{kept} stays")
    for _ in range(ROUNDS):
        assert found(server, key, dataset_id, removed) == [removed_id]
        assert found(server, key, dataset_id, switched) == [switched_id]
    with fresh(server, key) as client:
        path = chunks_path(dataset_id, document_id)
        ok(client.request("DELETE", path, json={"chunk_ids": [removed_id]}))
        ok(client.put(f"{path}/{switched_id}", json={"available": False}))
    for _ in range(ROUNDS):
        assert found(server, key, dataset_id, removed) == []
        assert found(server, key, dataset_id, switched) == []
        assert found(server, key, dataset_id, kept) == [kept_id]


def test_indexing_goes_on_after_the_writing_worker_is_killed(two_workers: tuple[Server, str, Path]) -> None:
    server, key, data_dir = two_workers
    with fresh(server, key) as client:
        dataset_id = create_dataset(client)
    document_id = new_document(server, key, dataset_id)
    first = marker()
    first_id = add_chunk(server, key, dataset_id, document_id, f"{first} before the kill")
    assert found(server, key, dataset_id, first) == [first_id]
    killed = writer_pid(data_dir)
    os.kill(killed, signal.SIGKILL)
    deadline = time.monotonic() + 60
    while len(worker_pids(server)) < 2 or killed in worker_pids(server):
        assert time.monotonic() < deadline, "the killed worker was not replaced"
        time.sleep(0.1)
    second = marker()
    second_id = add_chunk(server, key, dataset_id, document_id, f"{second} after the kill")
    for _ in range(ROUNDS):
        assert found(server, key, dataset_id, second) == [second_id]
        assert found(server, key, dataset_id, first) == [first_id]
    assert writer_pid(data_dir) != killed


def test_sigterm_stops_every_worker(tmp_path: Path) -> None:
    with serving(tmp_path / "data", WORKERS) as server:
        pids = worker_pids(server)
        assert len(pids) == 2
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=30) == 0
    for pid in pids:
        assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text()
