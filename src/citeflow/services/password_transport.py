"""RAGFlow's password transport: the web client sends base64(RSA-PKCS#1-v1.5(base64(password))).

The server's key pair is generated on first start and kept in the data directory (or configured).
A field that is not such a ciphertext under our key is taken as the plain password, so scripts
may send passwords as they are. Either way the result is the user's real password.
"""

import base64
import binascii
import logging
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from citeflow.core.errors import CiteflowError, ServerError

log = logging.getLogger(__name__)

KEY_BITS = 2048


class PasswordTransport:
    def __init__(self, private_key: rsa.RSAPrivateKey) -> None:
        self._key = private_key
        self.public_key_pem = (
            private_key.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode("ascii")
        )

    @classmethod
    def load_or_create(cls, path: Path, passphrase: str | None = None) -> "PasswordTransport":
        """Load the PEM key at `path`, generating and saving a new one (mode 0600) if absent."""
        if path.exists():
            secret = passphrase.encode() if passphrase else None
            try:
                key = serialization.load_pem_private_key(path.read_bytes(), password=secret)
            except (ValueError, TypeError) as exc:
                raise CiteflowError(f"Cannot load the RSA key {path}: {exc}") from exc
            if not isinstance(key, rsa.RSAPrivateKey):
                raise CiteflowError(f"{path} does not hold an RSA private key.")
            return cls(key)
        key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(pem)
        log.info("generated the password transport key at %s", path)
        return cls(key)

    def encrypt(self, password: str) -> str:
        """What RAGFlow's web client sends for `password` (used by the CLI and the tests)."""
        inner = base64.b64encode(password.encode("utf-8"))
        sealed = self._key.public_key().encrypt(inner, padding.PKCS1v15())
        return base64.b64encode(sealed).decode("ascii")

    def decode(self, field: object) -> str:
        """The real password carried by a request field, encrypted or plain."""
        if not isinstance(field, str):
            raise ServerError("Fail to crypt password", data=False)
        decrypted = self._decrypt(field)
        return field if decrypted is None else decrypted

    def _decrypt(self, field: str) -> str | None:
        compact = "".join(field.split())
        try:
            sealed = base64.b64decode(compact, validate=True)
        except (binascii.Error, ValueError):
            return None
        if len(sealed) != self._key.key_size // 8:
            return None
        try:
            inner = self._key.decrypt(sealed, padding.PKCS1v15())
            return base64.b64decode(inner, validate=True).decode("utf-8")
        except (ValueError, binascii.Error, UnicodeDecodeError):
            return None
