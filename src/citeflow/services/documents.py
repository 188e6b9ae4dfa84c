"""Documents of datasets: uploads, listing, changes, downloads and deletion, for both API surfaces.

An upload reserves its blob name in the database before writing the bytes and records the
document after, so a crash in between leaves a reservation that start-up clean-up removes, never an
orphan file or a document without bytes.
"""

import json
import logging
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from sqlalchemy.orm import Session

from citeflow.core.clock import now_ms
from citeflow.core.errors import (
    OMIT,
    AuthenticationFailed,
    CiteflowError,
    DataError,
    InvalidArgument,
    NotFound,
    OperatingError,
)
from citeflow.core.ids import new_id
from citeflow.db import Database
from citeflow.db.chunks import ChunkRepo
from citeflow.db.datasets import CleanupRepo, DatasetRepo
from citeflow.db.documents import DOCUMENT_COLUMNS, DocumentRepo
from citeflow.db.models import BlobCleanup, Dataset, Document
from citeflow.ingest.thumbnails import thumbnail_png
from citeflow.search.analysis import title_fields
from citeflow.services._rows import view_of
from citeflow.services.access import NO_AUTHORIZATION, ONLY_OWNER, tenant_roles
from citeflow.services.caller import Caller
from citeflow.services.cleanup import BlobJanitor, queue_entry
from citeflow.services.files import MAX_NAME_BYTES, auto_parser, dedupe_name, detect_type
from citeflow.services.files import suffix as file_suffix
from citeflow.services.parser_config import DOCUMENT_METHODS, deep_merge, method_default
from citeflow.services.validation import is_storable
from citeflow.storage import BlobStore

log = logging.getLogger(__name__)

RUN_NAMES = {"0": "UNSTART", "1": "RUNNING", "2": "CANCEL", "3": "DONE", "4": "FAIL"}
FILE_TYPES = frozenset({"pdf", "doc", "visual", "aural", "virtual", "folder", "other"})
UNSUPPORTED = "This type of file has not been supported yet!"
NAME_TOO_LONG = "File name must be 255 bytes or less."
PRESENTATION_SUFFIXES = (".ppt", ".pptx", ".pages")
_IMAGE_OBJECT = re.compile(r"[0-9a-f]{16}|thumbnail_[0-9a-f]{32}\.png")


@dataclass(frozen=True, slots=True)
class Upload:
    """One file part of a multipart upload, spooled by the web framework."""

    filename: str
    file: BinaryIO
    size: int | None = None


@dataclass(frozen=True, slots=True)
class Limits:
    max_file_size: int
    max_files_per_tenant: int


@dataclass(frozen=True, slots=True)
class DocumentView:
    id: str
    dataset_id: str
    created_by: str
    name: str
    thumbnail: str
    parser_id: str
    parser_config: dict[str, Any]
    source_type: str
    type: str
    location: str
    size: int
    suffix: str
    token_num: int
    chunk_num: int
    progress: float
    progress_msg: str
    process_begin_at: int | None
    process_duration: float
    meta_fields: dict[str, Any]
    run: str
    status: str
    create_time: int
    update_time: int


@dataclass(slots=True)
class UploadResult:
    documents: list[DocumentView] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ListQuery:
    """What a document list asks for; `page` or `page_size` 0 means no paging on the web app."""

    page: int
    page_size: int
    orderby: str = "create_time"
    desc: bool = True
    keywords: str = ""
    time_from: int = 0
    time_to: int = 0
    document_id: str | None = None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class DocumentPage:
    documents: list[DocumentView]
    total: int


def document_view(row: Document) -> DocumentView:
    return view_of(DocumentView, row, json_columns=("parser_config", "meta_fields"))


class DocumentService:
    def __init__(self, db: Database, blobs: BlobStore, janitor: BlobJanitor, limits: Limits) -> None:
        self._db = db
        self._blobs = blobs
        self._janitor = janitor
        self._limits = limits

    # access ------------------------------------------------------------------------------------
    def _dataset(
        self,
        caller: Caller,
        dataset_id: str,
        refusal: CiteflowError,
        *,
        owner: bool = False,
        missing: CiteflowError | None = None,
    ) -> Dataset:
        """The dataset if the caller may use it (its tenant's member; its owner when `owner`).
        An unknown id gets `missing` when given, else the same `refusal` as someone else's."""
        with self._db.read() as s:
            row = DatasetRepo(s).get(dataset_id)
            roles = tenant_roles(s, caller)
        if row is None and missing is not None:
            raise missing
        if row is None or (row.tenant_id != caller.tenant_id if owner else row.tenant_id not in roles):
            raise refusal
        return row

    def _accessible_documents(
        self, caller: Caller, ids: Sequence[object], *, delete: bool = False
    ) -> list[Document]:
        """Documents of datasets the caller belongs to (as owner or normal member to delete);
        any other id, unknown ones included, is `No authorization.` (code 109)."""
        wanted = [i for i in ids if isinstance(i, str)]
        with self._db.read() as s:
            rows = {d.id: d for d in DocumentRepo(s).with_ids(wanted)}
            datasets = {d.id: d for d in DatasetRepo(s).with_ids({r.dataset_id for r in rows.values()})}
            roles = tenant_roles(s, caller)
        allowed = {"owner", "normal"} if delete else None
        found = []
        for doc_id in ids:
            row = rows.get(doc_id) if isinstance(doc_id, str) else None
            dataset = datasets.get(row.dataset_id) if row else None
            role = roles.get(dataset.tenant_id) if dataset else None
            if row is None or role is None or (allowed is not None and role not in allowed):
                raise AuthenticationFailed(NO_AUTHORIZATION, data=False)
            found.append(row)
        return found

    # uploads -----------------------------------------------------------------------------------
    def upload_sdk(self, caller: Caller, dataset_id: str, uploads: Sequence[Upload]) -> UploadResult:
        dataset = self._dataset(
            caller,
            dataset_id,
            DataError(f"You don't own the dataset {dataset_id}."),
            missing=_lookup_error(f"Can't find the dataset with ID {dataset_id}!"),
        )
        return self._store(caller, dataset, uploads)

    def upload_web(self, caller: Caller, kb_id: str, uploads: Sequence[Upload]) -> UploadResult:
        dataset = self._dataset(
            caller,
            kb_id,
            AuthenticationFailed(NO_AUTHORIZATION, data=False),
            missing=_lookup_error("Can't find this knowledgebase!"),
        )
        return self._store(caller, dataset, uploads)

    def _store(self, caller: Caller, dataset: Dataset, uploads: Sequence[Upload]) -> UploadResult:
        result = UploadResult()
        for upload in uploads:
            try:
                result.documents.append(self._store_one(caller, dataset, upload))
            except CiteflowError as exc:
                result.errors.append(f"{upload.filename}: {exc.message}")
        return result

    def _store_one(self, caller: Caller, dataset: Dataset, upload: Upload) -> DocumentView:
        limit = self._limits
        if limit.max_files_per_tenant:
            with self._db.read() as s:
                if DocumentRepo(s).count_for_tenant(dataset.tenant_id) >= limit.max_files_per_tenant:
                    raise DataError("Exceed the maximum file number of a free user!")
        if len(upload.filename.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
            raise DataError("Exceed the maximum length of file name!")
        if not is_storable(upload.filename):
            raise DataError("The file name has characters that cannot be stored (NUL or lone surrogates).")
        kind, extension = detect_type(upload.filename, _head(upload.file))
        if kind == "other":
            raise DataError(UNSUPPORTED)
        if upload.size is not None and upload.size > limit.max_file_size:
            raise _too_big(limit.max_file_size)
        doc_id = new_id()
        reservations, name = self._reserve(dataset.id, upload.filename, doc_id)
        location, preview = (r.name or "" for r in reservations)
        try:
            size = self._blobs.put_stream(dataset.id, location, upload.file)
            if size > limit.max_file_size:
                raise _too_big(limit.max_file_size)
            png = thumbnail_png(kind, extension, upload.file)
            if png is not None:
                self._blobs.put(dataset.id, preview, png)
            row = _new_document(
                dataset,
                caller.tenant_id,
                name,
                doc_id=doc_id,
                kind=kind,
                parser_id=auto_parser(name, kind, dataset.parser_id),
                location=location,
                size=size,
                suffix=extension,
                thumbnail=preview if png is not None else "",
            )
            with self._db.transaction() as s:
                DocumentRepo(s).add(row)
                DatasetRepo(s).add_counts(dataset.id, documents=1)
                for reservation in reservations:
                    CleanupRepo(s).done(reservation.id)
        except CiteflowError:
            self._janitor.run(reservations)
            with self._db.read() as s:
                if DatasetRepo(s).get(dataset.id) is None:
                    raise NotFound("The dataset was deleted during the upload.") from None
            raise
        return document_view(row)

    def _reserve(self, dataset_id: str, filename: str, doc_id: str) -> tuple[list[BlobCleanup], str]:
        """Pick the document name and a free blob name, and reserve it and the thumbnail's name:
        the reservations double as clean-up entries if the upload never completes."""
        with self._db.transaction() as s:
            if DatasetRepo(s).get_for_update(dataset_id) is None:
                raise NotFound("The dataset was deleted during the upload.")
            repo = DocumentRepo(s)
            name = dedupe_name(
                filename, lambda n: repo.name_taken(dataset_id, n) or repo.name_reserved(dataset_id, n)
            )
            location = name
            while repo.location_taken(dataset_id, location):
                location += "_"
            reservations = [
                queue_entry(dataset_id, location),
                queue_entry(dataset_id, thumbnail_name(doc_id)),
            ]
            for reservation in reservations:
                CleanupRepo(s).add(reservation)
        return reservations, name

    def create_virtual(self, caller: Caller, kb_id: object, name: object) -> DocumentView:
        """`/v1/document/create`: an empty document without bytes."""
        if not kb_id:
            raise InvalidArgument('Lack of "KB ID"', data=False)
        if not isinstance(name, str):
            raise InvalidArgument("File name must be a string.", data=False)
        if len(name.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
            raise InvalidArgument(NAME_TOO_LONG, data=False)
        if not name.strip():
            raise InvalidArgument("File name can't be empty.", data=False)
        if not is_storable(name):
            raise InvalidArgument("File name has characters that cannot be stored.", data=False)
        name = name.strip()
        with self._db.transaction() as s:
            dataset = DatasetRepo(s).get_for_update(str(kb_id))
            roles = tenant_roles(s, caller)
            if dataset is None:
                raise DataError("Can't find this knowledgebase!")
            if dataset.tenant_id not in roles:
                raise AuthenticationFailed(NO_AUTHORIZATION, data=False)
            repo = DocumentRepo(s)
            if repo.name_taken(dataset.id, name):
                raise DataError("Duplicated document name in the same knowledgebase.")
            row = _new_document(dataset, caller.user_id, name, kind="virtual", parser_id=dataset.parser_id)
            repo.add(row)
            DatasetRepo(s).add_counts(dataset.id, documents=1)
        return document_view(row)

    # listing -----------------------------------------------------------------------------------
    def list_sdk(self, caller: Caller, dataset_id: str, query: ListQuery) -> DocumentPage:
        """SDK spec §5-L: page 0 counts as 1, and the time window is applied after paging."""
        self._dataset(caller, dataset_id, DataError(f"You don't own the dataset {dataset_id}. "))
        _no_negative(query.page, query.page_size)
        orderby = _orderby(query.orderby)
        with self._db.read() as s:
            repo = DocumentRepo(s)
            if query.document_id and not repo.page(dataset_id, document_id=query.document_id)[1]:
                raise DataError(f"You don't own the document {query.document_id}.")
            if query.name and not repo.page(dataset_id, name=query.name)[1]:
                raise DataError(f"You don't own the document {query.name}.")
            rows, total = repo.page(
                dataset_id,
                document_id=query.document_id or None,
                name=query.name or None,
                keywords=query.keywords,
                orderby=orderby,
                desc=query.desc,
                offset=(max(query.page, 1) - 1) * query.page_size,
                limit=query.page_size,
            )
        rows = [r for r in rows if _in_window(r.create_time, query.time_from, query.time_to)]
        return DocumentPage([document_view(r) for r in rows], total)

    def list_web(self, caller: Caller, kb_id: str, query: ListQuery, body: dict[str, Any]) -> DocumentPage:
        """`/v1/document/list`: pages only when both `page` and `page_size` are non-zero."""
        if not kb_id:
            raise InvalidArgument('Lack of "KB ID"', data=False)
        self._dataset(caller, kb_id, OperatingError(ONLY_OWNER, data=False))
        _no_negative(query.page, query.page_size)
        run_status, types, suffixes = _web_filters(body)
        paged = bool(query.page and query.page_size)
        with self._db.read() as s:
            rows, total = DocumentRepo(s).page(
                kb_id,
                keywords=query.keywords,
                run_status=run_status,
                types=types,
                suffixes=suffixes,
                orderby=_orderby(query.orderby),
                desc=query.desc,
                offset=(query.page - 1) * query.page_size if paged else 0,
                limit=query.page_size if paged else None,
            )
        rows = [r for r in rows if _in_window(r.create_time, query.time_from, query.time_to)]
        return DocumentPage([document_view(r) for r in rows], total)

    def filter_web(
        self, caller: Caller, kb_id: str, body: dict[str, Any]
    ) -> tuple[int, dict[str, dict[str, int]]]:
        """How many of the dataset's documents match, with their counts by suffix and run status."""
        if not kb_id:
            raise InvalidArgument('Lack of "KB ID"', data=False)
        self._dataset(caller, kb_id, OperatingError(ONLY_OWNER, data=False))
        run_status, types, suffixes = _web_filters(body)
        keywords = body.get("keywords", "") if isinstance(body.get("keywords", ""), str) else ""
        with self._db.read() as s:
            total, by_suffix, by_run = DocumentRepo(s).facets(kb_id, keywords, run_status, types, suffixes)
        return total, {"suffix": by_suffix, "run_status": by_run}

    def infos(self, caller: Caller, doc_ids: Sequence[object]) -> list[DocumentView]:
        return [document_view(r) for r in self._accessible_documents(caller, doc_ids)]

    def by_ids(self, doc_ids: Sequence[str]) -> list[DocumentView]:
        """Documents by id, without an access check (RAGFlow's thumbnail route needs none)."""
        with self._db.read() as s:
            return [document_view(r) for r in DocumentRepo(s).with_ids(doc_ids)]

    # changes -----------------------------------------------------------------------------------
    def update_sdk(
        self, caller: Caller, dataset_id: str, document_id: str, body: object
    ) -> DocumentView | None:
        """SDK spec §5-U. Returns None when `enabled` changed the status (RAGFlow then answers `true`)."""
        self._dataset(caller, dataset_id, DataError("You don't own the dataset."), owner=True)
        with self._db.transaction() as s:
            repo = DocumentRepo(s)
            row = repo.get_for_update(document_id)
            if row is None or row.dataset_id != dataset_id:
                raise DataError("The dataset doesn't own the document.")
            if not isinstance(body, dict):
                raise CiteflowError(repr(TypeError("argument of type 'NoneType' is not iterable")), data=None)
            for key, column in (
                ("chunk_count", "chunk_num"),
                ("token_count", "token_num"),
                ("progress", "progress"),
            ):
                if key in body and body[key] != getattr(row, column):
                    raise DataError(f"Can't change `{key}`.")
            if "meta_fields" in body:
                if not isinstance(body["meta_fields"], dict):
                    raise DataError("meta_fields must be a dictionary")
                row.meta_fields = json.dumps(body["meta_fields"])
            if "name" in body and body["name"] != row.name:
                self._rename(s, row, body["name"], "Duplicated document name in the same dataset.", data=OMIT)
            if "parser_config" in body:
                row.parser_config = json.dumps(
                    _merge_document_config(json.loads(row.parser_config), body["parser_config"])
                )
            entries = []
            if "chunk_method" in body:
                entries = self._change_method(
                    s, row, body["chunk_method"], body.get("parser_config"), sdk=True
                )
            row.update_time = now_ms()
            result: DocumentView | None = document_view(row)
            if "enabled" in body and body["enabled"] != row.status:
                try:
                    row.status = str(int(body["enabled"]))
                except (TypeError, ValueError) as exc:
                    raise CiteflowError(repr(exc), data=None) from exc
                ChunkRepo(s).set_available(row.id, row.status == "1")
                result = None
        self._janitor.run(entries)
        return result

    def rename(self, caller: Caller, doc_id: object, name: object) -> None:
        (row,) = self._accessible_documents(caller, [doc_id])
        with self._db.transaction() as s:
            repo = DocumentRepo(s)
            current = repo.get_for_update(row.id)
            if current is None:
                raise DataError("Document not found!")
            if not isinstance(name, str):
                raise InvalidArgument("The name must be a string.", data=False)
            if _extension(name) != _extension(current.name):
                raise InvalidArgument("The extension of file can't be changed", data=False)
            self._rename(s, current, name, "Duplicated document name in the same knowledgebase.", data=False)
            current.update_time = now_ms()

    def _rename(self, session: Session, row: Document, name: object, duplicate: str, data: Any) -> None:
        """Rename in place, retitling the chunks. `data` goes with 101 refusals: RAGFlow's SDK sends
        none, its web app `false`."""
        if not isinstance(name, str):
            type_name = "NoneType" if name is None else type(name).__name__
            raise CiteflowError(
                repr(AttributeError(f"'{type_name}' object has no attribute 'encode'")), data=None
            )
        if len(name.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
            raise InvalidArgument(NAME_TOO_LONG, data=data)
        if _extension(name) != _extension(row.name):
            raise InvalidArgument("The extension of file can't be changed", data=data)
        if not is_storable(name):
            raise InvalidArgument("The name has characters that cannot be stored.", data=data)
        if DocumentRepo(session).name_taken(row.dataset_id, name, exact=True):
            raise DataError(duplicate)
        row.name, row.name_key = name, name.lower()
        ChunkRepo(session).merge_fields(row.id, title_fields(name))

    def change_parser(self, caller: Caller, doc_id: object, parser_id: object, parser_config: object) -> None:
        (row,) = self._accessible_documents(caller, [doc_id])
        with self._db.transaction() as s:
            current = DocumentRepo(s).get_for_update(row.id)
            if current is None:
                raise DataError("Document not found!")
            stored = json.loads(current.parser_config)
            same_method = isinstance(parser_id, str) and parser_id.lower() == current.parser_id.lower()
            if same_method and (not parser_config or parser_config == stored):
                return
            entries = self._change_method(s, current, parser_id, parser_config, sdk=False)
            if parser_config:
                current.parser_config = json.dumps(_merge_document_config(stored, parser_config))
            current.update_time = now_ms()
        self._janitor.run(entries)

    def _change_method(
        self, session: Session, row: Document, method: object, sent_config: object, *, sdk: bool
    ) -> list[BlobCleanup]:
        """Switch the chunk method. The SDK refuses any change for images and slides; the web app
        lets images use `picture` and slides `presentation`."""
        if not isinstance(method, str) or method not in DOCUMENT_METHODS:
            name = "chunk_method" if sdk else "parser_id"
            raise DataError(f"`{name}` {method} doesn't exist")
        slides = row.name.endswith(PRESENTATION_SUFFIXES)
        fitting = (row.type == "visual" and method == "picture") or (slides and method == "presentation")
        if (row.type == "visual" or slides) and (sdk or not fitting):
            raise DataError("Not supported yet!")
        if method.lower() != row.parser_id.lower():
            row.parser_id, row.progress, row.progress_msg, row.run = method, 0.0, "", "0"
        if sdk and not sent_config:
            row.parser_config = json.dumps(deep_merge(json.loads(row.parser_config), method_default(method)))
        if row.token_num > 0 or row.chunk_num > 0:
            return _forget_chunks(session, row)
        return []

    def change_status(
        self, caller: Caller, doc_ids: Sequence[object], status: object
    ) -> dict[str, dict[str, str]]:
        if str(status) not in ("0", "1") or isinstance(status, bool):
            raise InvalidArgument('"Status" must be either 0 or 1!', data=False)
        result: dict[str, dict[str, str]] = {}
        for doc_id in doc_ids:
            try:
                (row,) = self._accessible_documents(caller, [doc_id])
            except AuthenticationFailed:
                result[str(doc_id)] = {"error": NO_AUTHORIZATION}
                continue
            with self._db.transaction() as s:
                current = DocumentRepo(s).get_for_update(row.id)
                if current is not None:
                    current.status = str(status)
                    current.update_time = now_ms()
                    ChunkRepo(s).set_available(current.id, current.status == "1")
            result[row.id] = {"status": str(status)}
        return result

    def set_meta(self, caller: Caller, doc_id: object, meta: object) -> None:
        (row,) = self._accessible_documents(caller, [doc_id])
        try:
            parsed = json.loads(meta) if isinstance(meta, str) else meta
        except ValueError as exc:
            raise InvalidArgument(f"Json syntax error: {exc}", data=False) from exc
        if not isinstance(parsed, dict):
            raise InvalidArgument("Only dictionary type supported.", data=False)
        for value in parsed.values():
            if not isinstance(value, str | int | float):
                raise InvalidArgument(f"The type is not supported: {value}", data=False)
        with self._db.transaction() as s:
            current = DocumentRepo(s).get_for_update(row.id)
            if current is None:
                raise DataError("Document not found!")
            current.meta_fields = json.dumps(parsed)
            current.update_time = now_ms()

    # bytes -------------------------------------------------------------------------------------
    def download_sdk(
        self, caller: Caller, dataset_id: str, document_id: str
    ) -> tuple[DocumentView, Iterator[bytes]]:
        self._dataset(caller, dataset_id, DataError(f"You do not own the dataset {dataset_id}."), owner=True)
        with self._db.read() as s:
            row = DocumentRepo(s).get(document_id)
        if row is None or row.dataset_id != dataset_id:
            raise DataError(f"The dataset not own the document {document_id}.")
        if not row.size:
            raise DataError("This file is empty.")
        return document_view(row), self._bytes(row, DataError("This file is empty."))

    def content(self, doc_id: str) -> tuple[DocumentView, Iterator[bytes]]:
        """`/v1/document/get/<id>`: the bytes of any document by id (RAGFlow asks for no login)."""
        with self._db.read() as s:
            row = DocumentRepo(s).get(doc_id)
        if row is None:
            raise DataError("Document not found!")
        if not row.location:
            return document_view(row), iter(())
        return document_view(row), self._bytes(row, DataError("Document not found!"))

    def _bytes(self, row: Document, missing: CiteflowError) -> Iterator[bytes]:
        if not row.location:
            raise missing
        try:
            return self._blobs.stream(row.dataset_id, row.location)
        except NotFound as exc:
            raise missing from exc

    def image(self, image_id: str) -> Iterator[bytes]:
        """A chunk image or thumbnail by `<dataset id>-<object>`. Only those objects are served:
        the route needs no login, and a document's own file must not be reachable through it."""
        parts = image_id.split("-")
        if len(parts) != 2 or not _IMAGE_OBJECT.fullmatch(parts[1]):
            raise DataError("Image not found.")
        try:
            return self._blobs.stream(parts[0], parts[1])
        except (NotFound, InvalidArgument) as exc:
            raise DataError("Image not found.") from exc

    # deletion ----------------------------------------------------------------------------------
    def delete_sdk(self, caller: Caller, dataset_id: str, ids: object) -> tuple[int, list[str]]:
        """Delete documents of the dataset (all of them for no ids); returns how many were deleted
        and the duplicate-id errors.
        Unknown ids, and ids of other datasets, are reported after the others are deleted."""
        self._dataset(caller, dataset_id, DataError(f"You don't own the dataset {dataset_id}. "))
        with self._db.read() as s:
            repo = DocumentRepo(s)
            if not ids:
                targets = repo.page(dataset_id)[0]
                wanted: list[str] = [d.id for d in targets]
            else:
                if not isinstance(ids, list):
                    raise CiteflowError(f"`ids` must be a list, got {type(ids).__name__}.", data=None)
                wanted = [str(i) for i in ids]
                targets = [d for d in repo.with_ids(set(wanted)) if d.dataset_id == dataset_id]
        duplicates = [f"Duplicate document ids: {i}" for i, n in Counter(wanted).items() if n > 1]
        self._remove(targets)
        found = {d.id for d in targets}
        missing = [i for i in dict.fromkeys(wanted) if i not in found]
        if missing:
            raise DataError(f"Documents not found: {missing!r}")
        if duplicates and not targets:
            raise DataError(";".join(duplicates))
        return len(targets), duplicates

    def delete_web(self, caller: Caller, doc_ids: Sequence[object]) -> None:
        targets = self._accessible_documents(caller, doc_ids, delete=True)
        self._remove(list({d.id: d for d in targets}.values()))

    def _remove(self, documents: list[Document]) -> None:
        if not documents:
            return
        entries = [
            queue_entry(d.dataset_id, blob) for d in documents for blob in (d.location, d.thumbnail) if blob
        ]
        with self._db.transaction() as s:
            fresh = DocumentRepo(s).with_ids([d.id for d in documents])
            for entry in entries:
                CleanupRepo(s).add(entry)
            entries += _chunk_images(s, [d.id for d in fresh])
            ChunkRepo(s).delete_documents([d.id for d in fresh])
            for doc in fresh:
                DatasetRepo(s).add_counts(
                    doc.dataset_id, documents=-1, chunks=-doc.chunk_num, tokens=-doc.token_num
                )
            DocumentRepo(s).remove([d.id for d in fresh])
        self._janitor.run(entries)


def _lookup_error(message: str) -> CiteflowError:
    """RAGFlow's answer for an unknown dataset on upload: its LookupError repr, code 100."""
    return CiteflowError(repr(LookupError(message)), data=None)


def _too_big(limit: int) -> DataError:
    return DataError(f"The file is larger than the {limit}-byte limit (documents.max_file_size).")


def _head(file: BinaryIO) -> bytes:
    """The first bytes of an upload, for content detection; the file is left at its start."""
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    return head


def thumbnail_name(doc_id: str) -> str:
    return f"thumbnail_{doc_id}.png"


def _new_document(
    dataset: Dataset,
    created_by: str,
    name: str,
    *,
    kind: str,
    parser_id: str,
    doc_id: str | None = None,
    location: str = "",
    size: int = 0,
    suffix: str | None = None,
    thumbnail: str = "",
) -> Document:
    """A new, never parsed document of `dataset`, with the dataset's parser settings."""
    now = now_ms()
    return Document(
        id=doc_id or new_id(),
        dataset_id=dataset.id,
        created_by=created_by,
        name=name,
        name_key=name.lower(),
        thumbnail=thumbnail,
        parser_id=parser_id,
        parser_config=dataset.parser_config,
        source_type="local",
        type=kind,
        location=location,
        size=size,
        suffix=file_suffix(name) if suffix is None else suffix,
        token_num=0,
        chunk_num=0,
        progress=0.0,
        progress_msg="",
        process_begin_at=None,
        process_duration=0.0,
        meta_fields="{}",
        run="0",
        status="1",
        create_time=now,
        update_time=now,
    )


def _no_negative(page: int, page_size: int) -> None:
    """RAGFlow hands negative paging to the database, which fails (code 100); so does this."""
    if page < 0 or page_size < 0:
        raise CiteflowError("`page` and `page_size` cannot be negative.", data=None)


def _forget_chunks(session: Session, row: Document) -> list[BlobCleanup]:
    """Delete the document's chunks, take them out of the dataset's counters, and queue their
    images for removal (the caller runs the returned entries once the transaction commits)."""
    entries = _chunk_images(session, [row.id])
    ChunkRepo(session).delete_documents([row.id])
    DatasetRepo(session).add_counts(row.dataset_id, chunks=-row.chunk_num, tokens=-row.token_num)
    row.chunk_num, row.token_num, row.process_duration = 0, 0, 0.0
    return entries


def _chunk_images(session: Session, document_ids: list[str]) -> list[BlobCleanup]:
    """Clean-up entries, added to the session, for the images of the documents' chunks."""
    entries = [queue_entry(bucket, name) for bucket, name in ChunkRepo(session).image_names(document_ids)]
    for entry in entries:
        CleanupRepo(session).add(entry)
    return entries


def _orderby(column: str) -> str:
    if column not in DOCUMENT_COLUMNS:
        raise CiteflowError(
            repr(AttributeError(f"type object 'Document' has no attribute '{column}'")), data=None
        )
    return column


def _in_window(create_time: int, time_from: int, time_to: int) -> bool:
    return (not time_from or create_time >= time_from) and (not time_to or create_time <= time_to)


def _web_filters(body: dict[str, Any]) -> tuple[list[str], list[str], list[str]]:
    """`run_status`, `types` and `suffix` lists of `/v1/document/list` and `/filter`, checked."""
    run_status = [str(r) for r in body.get("run_status") or []]
    bad_runs = [r for r in run_status if r not in RUN_NAMES]
    if bad_runs:
        raise DataError(f"Invalid filter run status conditions: {', '.join(bad_runs)}")
    types = [str(t) for t in body.get("types") or []]
    bad_types = [t for t in types if t not in FILE_TYPES]
    if bad_types:
        word = "types" if len(bad_types) > 1 else "type"
        raise DataError(f"Invalid filter conditions: {', '.join(bad_types)} {word}")
    suffixes = [str(x) for x in body.get("suffix") or []]
    return run_status, types, suffixes


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _merge_document_config(stored: dict[str, Any], sent: object) -> dict[str, Any]:
    """RAGFlow's document config update: merged in, and a stored `raptor` dropped unless sent (QUIRK)."""
    if not isinstance(sent, dict):
        raise DataError("`parser_config` must be an object.")
    merged = deep_merge(stored, sent)
    if not sent.get("raptor"):
        merged.pop("raptor", None)
    return merged
