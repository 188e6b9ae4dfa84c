"""From a chunk's text to the fields RAGFlow stores and searches (pipeline spec §1.3)."""

import time
from collections.abc import Mapping, Sequence
from typing import Any

import xxhash

from citeflow.search.text_index import FIELD_BOOSTS
from citeflow.search.tokenizer import fine_grained_tokenize, identifiers, tokenize

_HEX_DIGITS = frozenset("0123456789abcdef")


def chunk_id(content: str, document_id: str) -> str:
    """RAGFlow's chunk id: xxHash64 of the content followed by the document id, 16 hex digits."""
    return xxhash.xxh64((content + document_id).encode("utf-8", "surrogatepass")).hexdigest()


def chunk_key(chunk_id: str) -> int:
    """The 64-bit key indexes know a chunk by: its id, 16 hex digits, read as a number."""
    if len(chunk_id) != 16 or not _HEX_DIGITS.issuperset(chunk_id):
        raise ValueError(f"chunk id {chunk_id!r} is not 16 lower-case hex digits")
    return int(chunk_id, 16)


def chunk_id_of(key: int) -> str:
    return f"{key:016x}"


def title_of(document_name: str) -> str:
    """The document name without its extension, as RAGFlow tokenizes it for `title_tks`."""
    stem, dot, _ = document_name.rpartition(".")
    return stem if dot and stem else document_name


def title_fields(document_name: str) -> dict[str, str]:
    """The fields a chunk takes from its document's name."""
    title = tokenize(title_of(document_name))
    return {"docnm_kwd": document_name, "title_tks": title, "title_sm_tks": fine_grained_tokenize(title)}


def content_tokens(content: str) -> dict[str, str]:
    """`content_ltks` and `content_sm_ltks`; identifiers such as `ppr-9087` are also kept whole
    in the fine-grained field, so they match whole as well as by their parts."""
    tokens = tokenize(content)
    fine = fine_grained_tokenize(tokens)
    whole = identifiers(content)
    return {"content_ltks": tokens, "content_sm_ltks": " ".join([fine, *whole]) if whole else fine}


def chunk_fields(
    content: str,
    document_name: str,
    important_keywords: Sequence[str] = (),
    questions: Sequence[str] = (),
    *,
    created: float | None = None,
) -> dict[str, Any]:
    """The stored fields of a chunk written by hand or by a chunker."""
    stamp = time.time() if created is None else created
    return {
        **token_fields(content, document_name, important_keywords, questions),
        "important_kwd": list(important_keywords),
        "question_kwd": list(questions),
        "create_time": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(stamp)),
        "create_timestamp_flt": stamp,
    }


def token_fields(
    content: str, document_name: str, important_keywords: Sequence[str] = (), questions: Sequence[str] = ()
) -> dict[str, str]:
    """The tokenized fields of a chunk, made from its texts."""
    return {
        **title_fields(document_name),
        **content_tokens(content),
        "important_tks": tokenize(" ".join(important_keywords)),
        "question_tks": tokenize("\n".join(questions)),
    }


def retokenized(fields: Mapping[str, Any], content: str) -> dict[str, Any]:
    """Stored chunk fields with their tokenized fields made again by this version's tokenizer."""
    keywords = [str(k) for k in fields.get("important_kwd") or []]
    questions = [str(q) for q in fields.get("question_kwd") or []]
    return {**fields, **token_fields(content, str(fields.get("docnm_kwd", "")), keywords, questions)}


def text_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The searched fields of stored chunk fields."""
    return {name: fields[name] for name in FIELD_BOOSTS if fields.get(name)}
