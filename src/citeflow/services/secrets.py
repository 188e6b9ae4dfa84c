"""Credentials: generating, hashing and displaying secrets. Only hashes are ever stored."""

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()

API_KEY_PREFIX = "ragflow-"


def new_token(chars: int = 32) -> str:
    """A URL-safe random string of `chars` characters (6 bits of entropy each)."""
    return secrets.token_urlsafe(chars * 3 // 4)[:chars]


def new_api_key() -> str:
    """`ragflow-` + 32 URL-safe characters: the shape RAGFlow clients expect."""
    return API_KEY_PREFIX + new_token(32)


def display_form(key: str) -> str:
    """The key with its middle hidden, safe to list: `ragflow-AbCd****wxyz`."""
    return f"{key[: len(API_KEY_PREFIX) + 4]}****{key[-4:]}"


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


def hash_password(password: str) -> str:
    return _hasher.hash(password.encode("utf-8", "surrogatepass"))


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password.encode("utf-8", "surrogatepass"))
    except (VerificationError, InvalidHashError):
        return False
