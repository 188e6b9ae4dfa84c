"""The parse-task queue on the server's own database (SQLite and PostgreSQL): claims are
exclusive, leases expire, the third claim of one task abandons it, progress and cancellation
follow RAGFlow's rules, and tasks go with their document."""

import re
import threading
import time
from collections.abc import Iterator

import pytest

from citeflow.db import Database
from citeflow.ingest.planning import PageRange
from citeflow.ingest.tasks import ABANDONED, TaskQueue
from tests.chunks import documents_path, new_dataset, new_document
from tests.conftest import RunningServer, Tenant
from tests.envelopes import sdk_ok


@pytest.fixture(scope="module")
def database(server: RunningServer) -> Iterator[Database]:
    db = Database(server.settings.database_url)
    yield db
    db.close()


@pytest.fixture
def document(tenant_a: Tenant, database: Database) -> Iterator[tuple[str, str]]:
    """A fresh document; its tasks are cancelled afterwards, so that no other test (the queue is
    shared) claims them when their leases run out."""
    dataset_id = new_dataset(tenant_a, "tasks")
    document_id = new_document(tenant_a, dataset_id)
    yield dataset_id, document_id
    TaskQueue(database).cancel(document_id)


def pages(*starts: int) -> list[tuple[PageRange, str]]:
    return [(PageRange(start, start + 12), f"digest{start}") for start in starts]


def test_concurrent_claims_take_every_task_exactly_once(database, document):
    _, document_id = document
    queue = TaskQueue(database)
    added = queue.add(document_id, pages(*range(0, 120, 12)))
    claimed: list[str] = []
    lock = threading.Lock()

    def worker(name: str) -> None:
        while (task := queue.claim(name)) is not None:
            with lock:
                claimed.append(task.id)

    threads = [threading.Thread(target=worker, args=(f"worker-{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(claimed) == sorted(added)


def test_a_task_is_claimed_again_once_its_lease_runs_out(database, document):
    _, document_id = document
    queue = TaskQueue(database, lease_ms=200)
    (task_id,) = queue.add(document_id, pages(0))
    first = queue.claim("a")
    assert first is not None
    assert (first.id, first.attempt, first.pages, first.digest) == (task_id, 1, PageRange(0, 12), "digest0")
    assert queue.claim("b") is None
    time.sleep(0.3)
    second = queue.claim("b")
    assert second is not None
    assert (second.id, second.attempt) == (task_id, 2)
    assert not queue.report(task_id, "a", 0.5, "from the worker that lost its lease")
    assert queue.report(task_id, "b", 0.5, "still mine")


def test_the_third_lost_lease_abandons_the_task(database, document):
    _, document_id = document
    queue = TaskQueue(database, lease_ms=50)
    queue.add(document_id, pages(0))
    for attempt in (1, 2, 3):
        task = queue.claim(f"crashing-{attempt}")
        assert task is not None
        assert task.attempt == attempt
        time.sleep(0.1)
    assert queue.claim("another") is None
    (task,) = queue.of_document(document_id)
    assert task.progress == -1
    assert task.progress_msg.split("\n")[-1] == ABANDONED
    assert task.progress_msg.count("Task has been received.") == 3


def test_progress_moves_forward_with_page_stamped_lines_and_a_finished_task_is_released(database, document):
    _, document_id = document
    queue = TaskQueue(database)
    (task_id,) = queue.add(document_id, pages(12))
    assert queue.claim("w") is not None
    assert queue.report(task_id, "w", 0.6, "Generate 3 chunks")
    assert queue.report(task_id, "w", 0.4, "Embedding chunks (0.10s)")
    (task,) = queue.of_document(document_id)
    assert task.progress == 0.6
    assert re.search(r"\d\d:\d\d:\d\d Page\(13~25\): Embedding chunks \(0\.10s\)$", task.progress_msg)
    assert queue.report(task_id, "w", 1.0, "Task done (0.20s)")
    (task,) = queue.of_document(document_id)
    assert (task.progress, task.lease_owner) == (1.0, None)
    assert task.process_duration >= 0
    assert not queue.report(task_id, "w", 0.9, "too late")
    assert queue.claim("w") is None


def test_a_cancelled_task_stops_its_worker_and_is_not_claimed(database, document):
    _, document_id = document
    queue = TaskQueue(database)
    running, waiting = queue.add(document_id, pages(0, 12))
    claimed = queue.claim("w")
    assert claimed is not None
    assert claimed.id == running
    assert queue.cancel(document_id) == 2
    assert not queue.report(running, "w", 0.5, "Generate 3 chunks")
    assert queue.claim("w") is None
    first, second = queue.of_document(document_id)
    assert first.progress == -1
    assert first.progress_msg.endswith("[ERROR]Generate 3 chunks [Canceled]")
    assert (second.id, second.progress) == (waiting, 0)


def test_tasks_go_with_their_document(database, document, tenant_a):
    dataset_id, document_id = document
    queue = TaskQueue(database)
    queue.add(document_id, pages(0, 12))
    sdk_ok(tenant_a.sdk.request("DELETE", documents_path(dataset_id), json={"ids": [document_id]}))
    assert queue.of_document(document_id) == []
