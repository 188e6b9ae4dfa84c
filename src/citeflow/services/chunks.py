"""Chunks written, changed, switched, listed and removed by hand, for both API surfaces (SDK spec
§6, web spec §7).

Every change re-tokenizes and re-embeds what it touches and moves the document's and the
dataset's counters by exactly what changed, in the transaction that writes the rows.
"""

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from citeflow.core.clock import now_ms
from citeflow.core.errors import CiteflowError, DataError
from citeflow.db import Database
from citeflow.db.chunks import ChunkRepo, Removed
from citeflow.db.datasets import DatasetRepo
from citeflow.db.documents import DocumentRepo
from citeflow.db.models import Chunk, Dataset, Document
from citeflow.search import SearchBackend
from citeflow.search.analysis import chunk_fields, chunk_id, content_tokens
from citeflow.search.highlight import Highlighter
from citeflow.search.query import parse
from citeflow.search.tokenizer import tokenize
from citeflow.services.access import owned_datasets, tenant_roles
from citeflow.services.caller import Caller
from citeflow.services.cleanup import BlobJanitor, queue_entry
from citeflow.services.documents import DocumentView, document_view
from citeflow.services.embedding import Embedder

ENGINE_DEFAULT_SIZE = 10
NEGATIVE_SLICING = repr(ValueError("Search does not support negative slicing."))
QA_SEPARATOR = "Q&A must be separated by TAB/ENTER key."
_QA_PREFIX = re.compile("^(问题|问|Q|Question|答案|答|A|Answer)[:\uff1a]\\s*", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ChunkView:
    id: str
    dataset_id: str
    document_id: str
    content: str
    available: bool
    image_id: str
    fields: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ChunkPage:
    total: int
    chunks: list[ChunkView]


def view_of(row: Chunk, content: str | None = None) -> ChunkView:
    fields = json.loads(row.fields)
    return ChunkView(
        row.id, row.dataset_id, row.document_id, content or row.content, row.available, row.image_id, fields
    )


@dataclass(frozen=True, slots=True)
class Edit:
    """A change to a chunk; None leaves that part as it is."""

    content: str | None = None
    important: list[str] | None = None
    questions: list[str] | None = None
    available: bool | None = None
    tag_feas: Any = None


def string_list(value: object) -> list[str]:
    """The list's items, which must all be strings: RAGFlow joins them, failing like this."""
    items = list(value)  # type: ignore[call-overload]
    for i, item in enumerate(items):
        if not isinstance(item, str):
            raise CiteflowError(
                repr(TypeError(f"sequence item {i}: expected str instance, {type(item).__name__} found"))
            )
    return items


def trimmed(questions: Sequence[str]) -> list[str]:
    return [q.strip() for q in questions if q.strip()]


def content_hash_error(content: object) -> CiteflowError:
    """RAGFlow hashes `content + document_id` before anything else checks the content."""
    return CiteflowError(
        repr(TypeError(f"unsupported operand type(s) for +: '{type(content).__name__}' and 'str'"))
    )


class ChunkService:
    def __init__(
        self, db: Database, indexes: SearchBackend, embedder: Embedder, janitor: BlobJanitor
    ) -> None:
        self._db = db
        self._indexes = indexes
        self._embedder = embedder
        self._janitor = janitor

    # access ------------------------------------------------------------------------------------
    def sdk_dataset(self, caller: Caller, dataset_id: str) -> Dataset:
        """The dataset if one of the caller's tenants owns it, else the SDK's refusal."""
        with self._db.read() as s:
            return owned_datasets(s, caller, [dataset_id])[0]

    def sdk_document(self, caller: Caller, dataset_id: str, document_id: str) -> tuple[Dataset, Document]:
        """The dataset (team access) and its document, with the SDK's refusals."""
        dataset = self.sdk_dataset(caller, dataset_id)
        document = self.any_document(document_id)
        if document is None or document.dataset_id != dataset_id:
            raise DataError(f"You don't own the document {document_id}.")
        return dataset, document

    def any_document(self, document_id: str) -> Document | None:
        """The document with that id, whoever owns it (callers check ownership)."""
        with self._db.read() as s:
            return DocumentRepo(s).get(document_id)

    def web_document(
        self, caller: Caller, doc_id: object, *, missing_tenant: bool = True
    ) -> tuple[Dataset, Document]:
        """The document and its dataset when the caller belongs to the dataset's tenant. Anything
        else reads as RAGFlow's unknown document: `Tenant not found!` (`Document not found!`
        where RAGFlow looks the document up first)."""
        with self._db.read() as s:
            document = DocumentRepo(s).get(doc_id) if isinstance(doc_id, str) else None
            dataset = DatasetRepo(s).get(document.dataset_id) if document else None
            roles = tenant_roles(s, caller)
        if document is None or dataset is None or dataset.tenant_id not in roles:
            raise DataError("Tenant not found!" if missing_tenant else "Document not found!")
        return dataset, document

    def caller_datasets(self, caller: Caller) -> list[str]:
        """Ids of the datasets of every tenant the caller belongs to."""
        with self._db.read() as s:
            return [
                d.id for tenant_id in tenant_roles(s, caller) for d in DatasetRepo(s).of_tenant(tenant_id)
            ]

    # reading -----------------------------------------------------------------------------------
    def get(self, dataset_id: str, chunk_id: str) -> ChunkView | None:
        with self._db.read() as s:
            row = ChunkRepo(s).get(dataset_id, chunk_id)
        return None if row is None else view_of(row)

    def get_any(self, dataset_ids: Sequence[str], chunk_id: str) -> ChunkView | None:
        with self._db.read() as s:
            row = ChunkRepo(s).get_any(dataset_ids, chunk_id)
        return None if row is None else view_of(row)

    def page(
        self,
        dataset: Dataset,
        document: Document,
        *,
        page: int,
        size: int,
        keywords: str = "",
        available: bool | None = None,
    ) -> ChunkPage:
        """A page of the document's chunks: in list order, or the ones matching `keywords` by
        relevance with the matched words marked in their content."""
        if size == 0:
            size = ENGINE_DEFAULT_SIZE
        if page <= 0 or size < 0:
            raise CiteflowError(NEGATIVE_SLICING)
        offset = (page - 1) * size
        if not keywords:
            with self._db.read() as s:
                rows, total = ChunkRepo(s).of_document(
                    document.id, available=available, offset=offset, limit=size
                )
            return ChunkPage(total, [view_of(r) for r in rows])
        parsed = parse(keywords)
        self._indexes.catch_up(dataset.id)
        hits = self._indexes.text_search(dataset.id, parsed.terms, 10_000, [document.id], include_off=True)
        order = {f"{key:016x}": rank for rank, (key, _) in enumerate(hits)}
        with self._db.read() as s:
            rows, _ = ChunkRepo(s).of_document(document.id, available=available, chunk_ids=list(order))
        rows.sort(key=lambda r: order[r.id])
        mark = Highlighter([t.token for t in parsed.terms])
        chunks = [view_of(r, mark(r.content)) for r in rows[offset : offset + size]]
        return ChunkPage(len(rows), chunks)

    # writing -----------------------------------------------------------------------------------
    def add(
        self, dataset: Dataset, document: Document, content: str, important: list[str], questions: list[str]
    ) -> ChunkView:
        """Write a chunk by hand: tokenized, embedded, counted. The same content twice in one
        document is one chunk (its id is a hash of both), counted once."""
        new_id = chunk_id(content, document.id)
        embedded = "\n".join(questions) if questions else content
        vector, tokens = self._embedder.chunk_vector(
            dataset.tenant_id, dataset.embd_id, document.name, embedded
        )
        fields = chunk_fields(content, document.name, important, questions)
        now = now_ms()
        with self._db.transaction() as s:
            chunks = ChunkRepo(s)
            previous = chunks.token_count(dataset.id, new_id)
            chunks.upsert(
                [
                    {
                        "id": new_id,
                        "dataset_id": dataset.id,
                        "document_id": document.id,
                        "content": content,
                        "available": True,
                        "image_id": "",
                        "fields": json.dumps(fields),
                        "vector": vector,
                        "token_count": tokens,
                        "page_num": None,
                        "top": None,
                        "create_time": now,
                        "update_time": now,
                    }
                ]
            )
            if previous is None:
                _count(s, document, chunks=1, tokens=tokens)
            else:
                _count(s, document, chunks=0, tokens=tokens - previous)
        added = self.get(dataset.id, new_id)
        assert added is not None
        return added

    def edit(self, dataset: Dataset, document: Document, chunk_id_: str, edit: Edit) -> None:
        """Change a chunk's content, keywords, questions or availability; what the search sees of
        it is rebuilt. Q&A documents keep their question/answer shape."""
        with self._db.read() as s:
            row = ChunkRepo(s).get(dataset.id, chunk_id_)
        if row is None:
            raise CiteflowError(repr(Exception("Chunk not found")), data=None)
        fields = json.loads(row.fields)
        content = row.content if edit.content is None else edit.content
        important = fields.get("important_kwd", []) if edit.important is None else edit.important
        questions = fields.get("question_kwd", []) if edit.questions is None else edit.questions
        qa = document.parser_id == "qa"
        if qa and edit.content is not None:
            content = _qa_content(content)
        changed = edit.content is not None or edit.important is not None or edit.questions is not None
        vector, tokens = row.vector, row.token_count
        if changed:
            embedded = "\n".join(questions) if questions else content
            vector, tokens = self._embedder.chunk_vector(
                dataset.tenant_id, dataset.embd_id, document.name, embedded, with_title=not qa
            )
            fields.update(content_tokens(content))
            fields.update(
                important_kwd=important,
                important_tks=tokenize(" ".join(important)),
                question_kwd=questions,
                question_tks=tokenize("\n".join(questions)),
            )
        if edit.tag_feas is not None:
            fields["tag_feas"] = edit.tag_feas
        with self._db.transaction() as s:
            ChunkRepo(s).upsert(
                [
                    {
                        "id": row.id,
                        "dataset_id": row.dataset_id,
                        "document_id": row.document_id,
                        "content": content,
                        "available": row.available if edit.available is None else edit.available,
                        "image_id": row.image_id,
                        "fields": json.dumps(fields),
                        "vector": vector,
                        "token_count": tokens,
                        "page_num": row.page_num,
                        "top": row.top,
                        "create_time": row.create_time,
                        "update_time": now_ms(),
                    }
                ]
            )
            _count(s, document, chunks=0, tokens=tokens - row.token_count)

    def switch(self, document: Document, chunk_ids: Sequence[str], available: bool) -> int:
        with self._db.transaction() as s:
            return ChunkRepo(s).set_available(document.id, available, list(dict.fromkeys(chunk_ids)))

    def remove(self, document: Document, chunk_ids: Sequence[str] | None) -> Removed:
        """Delete those chunks of the document (all of them when None); counters drop by what was
        really deleted, and the chunks' images are cleaned up."""
        with self._db.transaction() as s:
            removed = ChunkRepo(s).delete(document.id, None if chunk_ids is None else set(chunk_ids))
            if removed.chunks:
                _count(s, document, chunks=-removed.chunks, tokens=-removed.tokens)
            entries = [queue_entry(bucket, name) for bucket, name in removed.images]
            s.add_all(entries)
        self._janitor.run(entries)
        return removed

    def document(self, document_id: str) -> DocumentView | None:
        """The document as it is now (its counters moved since it was read)."""
        with self._db.read() as s:
            row = DocumentRepo(s).get(document_id)
        return None if row is None else document_view(row)


def _count(session: Any, document: Document, *, chunks: int, tokens: int) -> None:
    if not chunks and not tokens:
        return
    DocumentRepo(session).add_counts(document.id, chunks=chunks, tokens=tokens)
    DatasetRepo(session).add_counts(document.dataset_id, chunks=chunks, tokens=tokens)


def _qa_content(content: str) -> str:
    """RAGFlow's Q&A chunk: question and answer, each on their own line after a prefix."""
    pieces = [p for p in re.split(r"[\n\t]", content) if len(p) > 1]
    if len(pieces) != 2:
        raise DataError(QA_SEPARATOR)
    question, answer = (_QA_PREFIX.sub("", p) for p in pieces)
    return f"Question: {question}\tAnswer: {answer}"
