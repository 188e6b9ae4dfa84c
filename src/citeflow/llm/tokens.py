"""Token counting that works offline: the cl100k_base encoding RAGFlow counts with (tiktoken's
tables, shipped compiled inside the `bpe-openai` package, so nothing is downloaded)."""

from functools import cache
from typing import Any


@cache
def _encoding() -> Any:
    import bpe_openai

    return bpe_openai.get_encoding("cl100k_base")


def count_tokens(text: str) -> int:
    """How many cl100k_base tokens `text` has."""
    if not text:
        return 0
    return len(_encoding().encode_ordinary(text))


def truncate_tokens(text: str, limit: int) -> str:
    """`text` cut to its first `limit` tokens (whole tokens, decoded back to text)."""
    encoding = _encoding()
    ids = encoding.encode_ordinary(text)
    if len(ids) <= limit:
        return text
    return str(encoding.decode(ids[:limit]))
