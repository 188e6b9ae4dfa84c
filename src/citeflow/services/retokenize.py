"""Chunks' search tokens made again by this version's tokenizer, for data written by a version
that tokenized differently. Rows are rewritten in batches; the search indexes follow them by
watermark (a running server at once, otherwise at its next start)."""

import json
from collections.abc import Sequence

from citeflow.db import Database
from citeflow.db.chunks import ChunkRepo
from citeflow.search.analysis import retokenized

BATCH = 1000


def retokenize(db: Database, dataset_ids: Sequence[str] = (), batch: int = BATCH) -> int:
    """Retokenize the chunks of those datasets (all datasets with chunks when none are named);
    returns how many chunks were rewritten."""
    with db.read() as s:
        chosen = list(dataset_ids) or ChunkRepo(s).datasets_with_chunks()
    rewritten = 0
    for dataset_id in chosen:
        after = ""
        while True:
            with db.transaction() as s:
                repo = ChunkRepo(s)
                rows = repo.texts_after(dataset_id, after, batch)
                repo.set_fields(
                    dataset_id,
                    {
                        chunk_id: json.dumps(retokenized(json.loads(fields), content))
                        for chunk_id, content, fields in rows
                    },
                )
            if not rows:
                break
            after = rows[-1][0]
            rewritten += len(rows)
    return rewritten
