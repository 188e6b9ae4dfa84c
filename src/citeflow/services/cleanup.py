"""Removes the blobs of deleted documents and datasets, now or after a crash.

Deleting rows and queueing their blobs happen in one transaction; the bytes go afterwards. If the
process dies in between, `finish_pending` (run at start-up) removes what is left, so storage never
keeps files of documents that no longer exist."""

import logging

from citeflow.core.clock import now_ms
from citeflow.core.errors import CiteflowError
from citeflow.core.ids import new_id
from citeflow.db import Database
from citeflow.db.datasets import CleanupRepo
from citeflow.db.models import BlobCleanup
from citeflow.storage import BlobStore

log = logging.getLogger(__name__)


def queue_entry(bucket: str, name: str | None = None) -> BlobCleanup:
    """A clean-up entry for one object, or for a whole bucket when `name` is None."""
    return BlobCleanup(id=new_id(), bucket=bucket, name=name, create_time=now_ms())


class BlobJanitor:
    def __init__(self, db: Database, blobs: BlobStore) -> None:
        self._db = db
        self._blobs = blobs

    def run(self, entries: list[BlobCleanup]) -> None:
        """Remove the blobs of entries just committed; failures stay queued for the next start."""
        for entry in entries:
            try:
                if entry.name is None:
                    self._blobs.remove_bucket(entry.bucket)
                else:
                    self._blobs.delete(entry.bucket, entry.name)
            except CiteflowError as exc:
                log.warning(
                    "blob clean-up of %s/%s postponed: %s", entry.bucket, entry.name or "*", exc.message
                )
                continue
            with self._db.transaction() as s:
                CleanupRepo(s).done(entry.id)

    def finish_pending(self) -> int:
        """Finish clean-ups a crash interrupted; returns how many entries were handled."""
        with self._db.read() as s:
            entries = CleanupRepo(s).pending()
        if entries:
            log.info("finishing %d interrupted blob clean-up(s)", len(entries))
            self.run(entries)
        return len(entries)
