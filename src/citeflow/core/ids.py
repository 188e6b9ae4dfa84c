"""The one id generator: RAGFlow ids are uuid1 hex strings (32 lowercase chars, version 1)."""

import uuid


def new_id() -> str:
    """A fresh 32-char uuid1 hex id, the format every RAGFlow primary key uses."""
    return uuid.uuid1().hex


def is_uuid1_hex(value: str) -> bool:
    """True for a 32-char lowercase hex string whose UUID version is 1."""
    if len(value) != 32:
        return False
    try:
        parsed = uuid.UUID(hex=value)
    except ValueError:
        return False
    return parsed.hex == value and parsed.version == 1
