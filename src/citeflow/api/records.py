"""Wire shapes of records: domain objects in, RAGFlow field names and formats out."""

import re
from typing import Any

from citeflow.core.clock import http_date, stamps
from citeflow.llm import CatalogModel, Factory
from citeflow.search import ScoredChunk
from citeflow.services.accounts import Account, TenantInfo
from citeflow.services.api_keys import ApiKey
from citeflow.services.chunks import ChunkView
from citeflow.services.datasets import DatasetView
from citeflow.services.documents import RUN_NAMES, DocumentView


def user_record(account: Account, access_token: str) -> dict[str, Any]:
    """RAGFlow's User record. The password hash is never sent; `access_token` names the session
    (it is not a credential: the credential is the `Authorization` header)."""
    return {
        "id": account.id,
        "access_token": access_token,
        "nickname": account.nickname,
        "email": account.email,
        "avatar": account.avatar,
        "language": account.language,
        "color_schema": account.color_schema,
        "timezone": account.timezone,
        "last_login_time": None if account.last_login_time is None else http_date(account.last_login_time),
        "is_authenticated": "1",
        "is_active": "1",
        "is_anonymous": "0",
        "login_channel": account.login_channel,
        "status": account.status,
        "is_superuser": account.is_superuser,
        **stamps(account.create_time),
        "update_time": account.update_time,
        "update_date": http_date(account.update_time),
    }


def tenant_record(info: TenantInfo) -> dict[str, Any]:
    return {
        "tenant_id": info.tenant_id,
        "name": info.name,
        "llm_id": info.llm_id,
        "embd_id": info.embd_id,
        "rerank_id": info.rerank_id,
        "asr_id": info.asr_id,
        "img2txt_id": info.img2txt_id,
        "tts_id": info.tts_id,
        "parser_ids": info.parser_ids,
        "role": info.role,
    }


def new_token_record(key: ApiKey) -> dict[str, Any]:
    """The `/v1/system/new_token` answer: the only place the full key and beta appear."""
    return {
        "tenant_id": key.tenant_id,
        "token": key.token,
        "beta": key.beta,
        "create_time": key.create_time,
        "create_date": http_date(key.create_time),
        "update_time": None,
        "update_date": None,
    }


def token_record(key: ApiKey) -> dict[str, Any]:
    return {
        "tenant_id": key.tenant_id,
        "token": key.token,
        "beta": key.beta,
        "dialog_id": key.dialog_id,
        "source": key.source,
        **stamps(key.create_time),
        "update_time": key.update_time,
        "update_date": http_date(key.update_time),
    }


def factory_record(factory: Factory) -> dict[str, Any]:
    return {
        "name": factory.name,
        "logo": "",
        "tags": factory.tags,
        "status": "1",
        "model_types": factory.model_types(),
    }


def catalog_record(factory: Factory, model: CatalogModel, available: bool) -> dict[str, Any]:
    return {
        "llm_name": model.llm_name,
        "model_type": model.model_type,
        "fid": factory.name,
        "max_tokens": model.max_tokens,
        "tags": model.tags,
        "is_tools": model.is_tools,
        "status": "1",
        "available": available,
    }


#: The only keys the SDK renames in dataset rows (SDK spec §3.1).
DATASET_RENAMES = {
    "chunk_num": "chunk_count",
    "doc_num": "document_count",
    "parser_id": "chunk_method",
    "embd_id": "embedding_model",
}
#: … and in document rows (SDK spec §3.2).
DOCUMENT_RENAMES = {
    "chunk_num": "chunk_count",
    "token_num": "token_count",
    "kb_id": "dataset_id",
    "parser_id": "chunk_method",
}


def dataset_record(view: DatasetView) -> dict[str, Any]:
    """The SDK dataset object: the row with four keys renamed."""
    return {DATASET_RENAMES.get(k, k): v for k, v in kb_record(view).items()}


def kb_record(view: DatasetView) -> dict[str, Any]:
    """The Knowledgebase row as `/v1/kb/update` answers it, before the request body is laid over it."""
    return {
        "id": view.id,
        "avatar": view.avatar,
        "tenant_id": view.tenant_id,
        "name": view.name,
        "language": view.language,
        "description": view.description,
        "embd_id": view.embd_id,
        "permission": view.permission,
        "created_by": view.created_by,
        "doc_num": view.doc_num,
        "token_num": view.token_num,
        "chunk_num": view.chunk_num,
        "similarity_threshold": view.similarity_threshold,
        "vector_similarity_weight": view.vector_similarity_weight,
        "parser_id": view.parser_id,
        "parser_config": view.parser_config,
        "pagerank": view.pagerank,
        "status": view.status,
        **_times(view.create_time, view.update_time),
    }


#: The Knowledgebase columns `/v1/kb/detail` and `/v1/kb/list` answer with.
KB_DETAIL_KEYS = (
    "id", "embd_id", "avatar", "name", "language", "description", "permission", "doc_num",
    "token_num", "chunk_num", "parser_id", "parser_config", "pagerank", "create_time", "update_time",
)  # fmt: skip
KB_LIST_KEYS = (
    "id", "avatar", "name", "language", "description", "tenant_id", "permission", "doc_num",
    "token_num", "chunk_num", "parser_id", "embd_id", "update_time",
)  # fmt: skip


def kb_detail_record(view: DatasetView) -> dict[str, Any]:
    """`/v1/kb/detail`: a fixed subset plus `size`, the sum of its documents' bytes."""
    record = kb_record(view)
    return {**{k: record[k] for k in KB_DETAIL_KEYS}, "size": view.size}


def kb_list_record(view: DatasetView) -> dict[str, Any]:
    """A `/v1/kb/list` item, with its owner's nickname and avatar."""
    record = kb_record(view)
    return {
        **{k: record[k] for k in KB_LIST_KEYS},
        "nickname": view.owner_nickname,
        "tenant_avatar": view.owner_avatar,
    }


def _times(create_time: int, update_time: int) -> dict[str, Any]:
    return {
        "create_time": create_time,
        "create_date": http_date(create_time),
        "update_time": update_time,
        "update_date": http_date(update_time),
    }


def document_record(view: DocumentView) -> dict[str, Any]:
    """The SDK document object: the row with four keys renamed and `run` by name."""
    record = {DOCUMENT_RENAMES.get(k, k): v for k, v in _document_row(view).items()}
    record["run"] = RUN_NAMES.get(view.run, view.run)
    return record


def sdk_upload_record(view: DocumentView) -> dict[str, Any]:
    """An element of the SDK upload answer: the web app's, renamed, with `run` always `UNSTART`."""
    renamed = {DOCUMENT_RENAMES.get(k, k): v for k, v in web_upload_record(view).items()}
    return {**renamed, "run": "UNSTART"}


def web_upload_record(view: DocumentView) -> dict[str, Any]:
    """An element of the `/v1/document/upload` answer."""
    return {
        "id": view.id,
        "kb_id": view.dataset_id,
        "parser_id": view.parser_id,
        "parser_config": view.parser_config,
        "created_by": view.created_by,
        "type": view.type,
        "name": view.name,
        "suffix": view.suffix,
        "location": view.location,
        "size": view.size,
        "thumbnail": view.thumbnail,
    }


def web_created_record(view: DocumentView) -> dict[str, Any]:
    """`/v1/document/create`: the inserted fields and the column defaults, without timestamps."""
    record = {k: v for k, v in web_upload_record(view).items() if k != "thumbnail"}
    return {
        **record,
        "source_type": view.source_type,
        "token_num": view.token_num,
        "chunk_num": view.chunk_num,
        "progress": view.progress,
        "progress_msg": view.progress_msg,
        "process_duration": view.process_duration,
        "meta_fields": view.meta_fields,
        "run": view.run,
        "status": view.status,
    }


def web_document_record(view: DocumentView, *, thumbnail_link: bool = False) -> dict[str, Any]:
    """A full Document row; `/v1/document/list` turns the thumbnail into its image URL."""
    row = _document_row(view)
    return {**row, "thumbnail": thumbnail_url(view)} if thumbnail_link else row


def _document_row(view: DocumentView) -> dict[str, Any]:
    return {
        **web_created_record(view),
        "thumbnail": view.thumbnail,
        "process_begin_at": _optional_date(view.process_begin_at),
        **_times(view.create_time, view.update_time),
    }


def thumbnail_url(view: DocumentView) -> str:
    """Stored thumbnails are served through `/v1/document/image/<dataset>-<name>`."""
    if not view.thumbnail or view.thumbnail.startswith("data:image/png;base64,"):
        return view.thumbnail
    return f"/v1/document/image/{view.dataset_id}-{view.thumbnail}"


def _optional_date(ms: int | None) -> str | None:
    return None if ms is None else http_date(ms)


# chunks --------------------------------------------------------------------------------------
_HIDDEN_CHUNK_FIELD = re.compile(r"_vec$|_sm_|_tks$|_ltks$")
RETRIEVAL_RENAMES = {
    "chunk_id": "id",
    "content_with_weight": "content",
    "doc_id": "document_id",
    "important_kwd": "important_keywords",
    "docnm_kwd": "document_keyword",
    "kb_id": "dataset_id",
}


LIST_RENAMES = {
    "chunk_id": "id",
    "content_with_weight": "content",
    "doc_id": "document_id",
    "important_kwd": "important_keywords",
    "question_kwd": "questions",
    "available_int": "available",
}


def web_chunk_item(chunk: ChunkView) -> dict[str, Any]:
    """An item of `/v1/chunk/list`."""
    return {
        "chunk_id": chunk.id,
        "content_with_weight": chunk.content,
        "doc_id": chunk.document_id,
        "docnm_kwd": chunk.fields.get("docnm_kwd", ""),
        "important_kwd": chunk.fields.get("important_kwd", []),
        "question_kwd": chunk.fields.get("question_kwd", []),
        "image_id": chunk.image_id,
        "available_int": int(chunk.available),
        "positions": chunk.fields.get("position_int", []),
    }


def sdk_chunk_item(chunk: ChunkView) -> dict[str, Any]:
    """An item of the SDK chunk list (SDK spec §3.3a): the web app's, renamed."""
    item = {LIST_RENAMES.get(k, k): v for k, v in web_chunk_item(chunk).items()}
    return {**item, "available": chunk.available, "dataset_id": chunk.dataset_id}


def sdk_added_chunk(chunk: ChunkView) -> dict[str, Any]:
    """The SDK's add-chunk answer (SDK spec §3.3b)."""
    return {
        "id": chunk.id,
        "content": chunk.content,
        "document_id": chunk.document_id,
        "dataset_id": chunk.dataset_id,
        "important_keywords": chunk.fields.get("important_kwd", []),
        "questions": chunk.fields.get("question_kwd", []),
        "create_time": chunk.fields.get("create_time", ""),
        "create_timestamp": chunk.fields.get("create_timestamp_flt", 0.0),
    }


def stored_chunk(chunk: ChunkView) -> dict[str, Any]:
    """`/v1/chunk/get`: the chunk as RAGFlow's index stores it, less vectors and token fields."""
    document = {
        **chunk.fields,
        "id": chunk.id,
        "doc_id": chunk.document_id,
        "kb_id": chunk.dataset_id,
        "content_with_weight": chunk.content,
        "img_id": chunk.image_id,
        "available_int": int(chunk.available),
    }
    return {k: v for k, v in document.items() if not _HIDDEN_CHUNK_FIELD.search(k)}


def web_retrieval_chunk(scored: ScoredChunk) -> dict[str, Any]:
    """A chunk of `/v1/chunk/retrieval_test` (pipeline spec §6.5)."""
    fields = scored.fields
    record = {
        "chunk_id": scored.chunk.id,
        "content_ltks": fields.get("content_ltks", ""),
        "content_with_weight": scored.chunk.content,
        "doc_id": scored.chunk.document_id,
        "docnm_kwd": fields.get("docnm_kwd", ""),
        "kb_id": scored.chunk.dataset_id,
        "important_kwd": fields.get("important_kwd", []),
        "image_id": scored.chunk.image_id,
        "similarity": scored.similarity,
        "vector_similarity": scored.vector_similarity,
        "term_similarity": scored.term_similarity,
        "positions": fields.get("position_int", []),
        "doc_type_kwd": fields.get("doc_type_kwd", ""),
    }
    if scored.highlight is not None:
        record["highlight"] = scored.highlight
    return record


def sdk_retrieval_chunk(scored: ScoredChunk) -> dict[str, Any]:
    """A chunk of `POST /api/v1/retrieval` (SDK spec §3.3c): the web app's, renamed."""
    return {RETRIEVAL_RENAMES.get(k, k): v for k, v in web_retrieval_chunk(scored).items()}
