"""Repository for parse tasks."""

from collections.abc import Sequence

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from citeflow.db.models import Task


class TaskRepo:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, tasks: Sequence[Task]) -> None:
        self._s.add_all(tasks)

    def get(self, task_id: str, *, for_update: bool = False) -> Task | None:
        query = select(Task).where(Task.id == task_id)
        if for_update:
            query = query.with_for_update()
        return self._s.scalar(query)

    def of_document(self, document_id: str) -> list[Task]:
        query = select(Task).where(Task.doc_id == document_id).order_by(Task.create_time, Task.id)
        return list(self._s.scalars(query))

    def next_claimable(self, now_ms: int) -> Task | None:
        """The unfinished, not cancelled task that waited longest (highest priority first) and that
        no live lease holds; locked for this transaction, skipping rows other claims hold."""
        query = (
            select(Task)
            .where(
                Task.progress >= 0,
                Task.progress < 1,
                Task.cancelled.is_(False),
                or_(Task.lease_until.is_(None), Task.lease_until < now_ms),
            )
            .order_by(Task.priority.desc(), Task.create_time, Task.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        return self._s.scalar(query)

    def cancel_document(self, document_id: str) -> int:
        """Mark the document's unfinished tasks cancelled; their workers stop at their next check."""
        result = self._s.execute(
            update(Task)
            .where(Task.doc_id == document_id, Task.progress >= 0, Task.progress < 1)
            .values(cancelled=True)
        )
        return int(getattr(result, "rowcount", 0) or 0)
