"""Credentials: generating, hashing and displaying secrets. Only hashes are ever stored."""

import hashlib
import os
import secrets
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.fernet import Fernet, InvalidToken

from citeflow.core.errors import CiteflowError

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


class SecretBox:
    """Encrypts secrets kept in the database (provider API keys) with a key from the data directory."""

    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)

    @classmethod
    def load_or_create(cls, path: Path) -> "SecretBox":
        """Load the key file, or create it (mode 0600) on first start."""
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(Fernet.generate_key())
        try:
            return cls(path.read_bytes().strip())
        except ValueError as exc:
            raise CiteflowError(f"{path} does not hold a valid secret key.") from exc

    def seal(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode("utf-8")).decode("ascii")

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode("ascii")).decode("utf-8")
        except (InvalidToken, ValueError) as exc:
            raise CiteflowError(
                "A stored secret cannot be decrypted: was the data directory's key replaced?"
            ) from exc
