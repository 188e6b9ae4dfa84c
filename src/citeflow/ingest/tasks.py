"""The durable parse-task queue: tasks are rows of the metadata database, and a worker holds the
one it runs by a lease it renews with every progress report (pipeline spec §2.4).

A claim takes the task that waited longest among those no live lease holds. On PostgreSQL
concurrent claims skip each other's rows (`FOR UPDATE SKIP LOCKED`); on SQLite a claim is a write
transaction and they take turns. A worker that dies stops renewing its lease, so its task is
claimed again once the lease runs out; the third claim of one task abandons it.
"""

import random
from collections.abc import Sequence
from dataclasses import dataclass

from citeflow.core.clock import clock_time, now_ms
from citeflow.core.ids import new_id
from citeflow.db import Database
from citeflow.db.models import Task
from citeflow.db.tasks import TaskRepo
from citeflow.ingest.planning import PageRange
from citeflow.ingest.progress import FAILED, advanced, appended, progress_line

LEASE_MS = 60_000
#: A task claimed this many times already is abandoned at the next claim.
MAX_ATTEMPTS = 3
ABANDONED = f"ERROR: Task is abandoned after {MAX_ATTEMPTS} times attempts."


@dataclass(frozen=True, slots=True)
class ClaimedTask:
    """What a worker needs of the task it claimed."""

    id: str
    document_id: str
    pages: PageRange
    task_type: str
    digest: str
    attempt: int


class TaskQueue:
    def __init__(self, db: Database, *, lease_ms: int = LEASE_MS) -> None:
        self._db = db
        self._lease_ms = lease_ms

    def add(
        self, document_id: str, ranges: Sequence[tuple[PageRange, str]], *, priority: int = 0
    ) -> list[str]:
        """Queue a task per (page range, digest); returns their ids."""
        now = now_ms()
        tasks = [
            Task(
                id=new_id(),
                doc_id=document_id,
                from_page=pages.start,
                to_page=pages.end,
                priority=priority,
                digest=digest,
                create_time=now,
                update_time=now,
            )
            for pages, digest in ranges
        ]
        with self._db.transaction() as s:
            TaskRepo(s).add(tasks)
        return [t.id for t in tasks]

    def claim(self, owner: str) -> ClaimedTask | None:
        """The next task for `owner`, leased to it; None when none is waiting."""
        with self._db.transaction() as s:
            repo = TaskRepo(s)
            while True:
                now = now_ms()
                task = repo.next_claimable(now)
                if task is None:
                    return None
                # As RAGFlow's task loading writes them: no page range, no `[ERROR]` prefix.
                if task.retry_count >= MAX_ATTEMPTS:
                    task.progress = FAILED
                    task.progress_msg = appended(task.progress_msg, ABANDONED)
                    task.update_time = now
                    continue
                task.retry_count += 1
                task.lease_owner, task.lease_until = owner, now + self._lease_ms
                task.begin_at = task.begin_at or now
                task.progress = advanced(task.progress, random.uniform(0.0, 0.1))
                task.progress_msg = appended(task.progress_msg, f"{clock_time(now)} Task has been received.")
                task.update_time = now
                s.flush()
                return ClaimedTask(
                    task.id,
                    task.doc_id,
                    PageRange(task.from_page, task.to_page),
                    task.task_type,
                    task.digest,
                    task.retry_count,
                )

    def report(self, task_id: str, owner: str, progress: float, message: str = "") -> bool:
        """Record progress (and a message line) of a task `owner` holds, renewing its lease.
        False when the worker must stop: the task was cancelled (it then ends failed, with a
        `[Canceled]` line), or its lease went to another worker."""
        with self._db.transaction() as s:
            task = TaskRepo(s).get(task_id, for_update=True)
            if task is None or task.lease_owner != owner:
                return False
            now = now_ms()
            if task.cancelled:
                self._record(task, FAILED, message or "Task has been canceled.", now, cancelled=True)
                task.lease_owner = task.lease_until = None
                return False
            self._record(task, progress, message, now)
            if progress == FAILED or progress >= 1:
                task.lease_owner = task.lease_until = None
            else:
                task.lease_until = now + self._lease_ms
            return True

    def cancel(self, document_id: str) -> int:
        """Cancel the document's unfinished tasks; returns how many."""
        with self._db.transaction() as s:
            return TaskRepo(s).cancel_document(document_id)

    def of_document(self, document_id: str) -> list[Task]:
        with self._db.read() as s:
            return TaskRepo(s).of_document(document_id)

    @staticmethod
    def _record(task: Task, progress: float, message: str, now: int, *, cancelled: bool = False) -> None:
        task.progress = advanced(task.progress, progress)
        if message:
            line = progress_line(
                message,
                progress=progress,
                from_page=task.from_page,
                to_page=task.to_page,
                cancelled=cancelled,
                at_ms=now,
            )
            task.progress_msg = appended(task.progress_msg, line)
        if task.begin_at:
            task.process_duration = (now - task.begin_at) / 1000
        task.update_time = now
