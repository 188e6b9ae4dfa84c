"""PasswordTransport: the RSA key file, and reading password fields encrypted or plain (spec §1.4)."""

import base64
import os
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from citeflow.core.errors import CiteflowError, ServerError
from citeflow.services.password_transport import KEY_BITS, PasswordTransport


@pytest.fixture(scope="module")
def transport(tmp_path_factory: pytest.TempPathFactory) -> PasswordTransport:
    return PasswordTransport.load_or_create(tmp_path_factory.mktemp("keys") / "rsa_private.pem")


@pytest.fixture(scope="module")
def foreign_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def client_encrypt(public_key: rsa.RSAPublicKey, password: str) -> str:
    """RAGFlow's web client: base64(RSA-PKCS#1-v1.5(base64(utf8(password))))."""
    inner = base64.b64encode(password.encode("utf-8"))
    return base64.b64encode(public_key.encrypt(inner, padding.PKCS1v15())).decode("ascii")


def server_public_key(transport: PasswordTransport) -> rsa.RSAPublicKey:
    key = serialization.load_pem_public_key(transport.public_key_pem.encode("ascii"))
    assert isinstance(key, rsa.RSAPublicKey)
    return key


# --- the key file --------------------------------------------------------------------------------


def test_load_or_create_makes_a_private_key_file_readable_only_by_its_owner(tmp_path: Path):
    path = tmp_path / "nested" / "keys" / "rsa_private.pem"
    created = PasswordTransport.load_or_create(path)
    assert path.is_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    pem = path.read_bytes()
    assert pem.startswith(b"-----BEGIN PRIVATE KEY-----")
    key = serialization.load_pem_private_key(pem, password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    assert key.key_size == KEY_BITS == 2048
    assert created.public_key_pem.startswith("-----BEGIN PUBLIC KEY-----")


def test_load_or_create_reloads_the_same_key(tmp_path: Path):
    path = tmp_path / "rsa_private.pem"
    first = PasswordTransport.load_or_create(path)
    pem = path.read_bytes()
    second = PasswordTransport.load_or_create(path)
    assert second.public_key_pem == first.public_key_pem
    assert path.read_bytes() == pem, "an existing key file must never be rewritten"
    # What one instance encrypts, the reloaded one decodes.
    assert second.decode(first.encrypt("across restarts")) == "across restarts"


def test_two_key_files_hold_different_keys(tmp_path: Path):
    one = PasswordTransport.load_or_create(tmp_path / "one.pem")
    two = PasswordTransport.load_or_create(tmp_path / "two.pem")
    assert one.public_key_pem != two.public_key_pem
    sealed = one.encrypt("secret")
    assert two.decode(sealed) == sealed


def test_load_or_create_reads_a_passphrase_protected_key(tmp_path: Path, foreign_key: rsa.RSAPrivateKey):
    """RAGFlow ships its private key encrypted with the passphrase `Welcome`."""
    path = tmp_path / "private.pem"
    path.write_bytes(
        foreign_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.BestAvailableEncryption(b"Welcome"),
        )
    )
    loaded = PasswordTransport.load_or_create(path, passphrase="Welcome")
    assert loaded.decode(client_encrypt(foreign_key.public_key(), "123")) == "123"
    with pytest.raises(CiteflowError, match="Cannot load the RSA key"):
        PasswordTransport.load_or_create(path, passphrase="wrong")
    with pytest.raises(CiteflowError, match="Cannot load the RSA key"):
        PasswordTransport.load_or_create(path)


def test_load_or_create_refuses_a_non_rsa_key(tmp_path: Path):
    path = tmp_path / "ec.pem"
    path.write_bytes(
        ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    with pytest.raises(CiteflowError, match="does not hold an RSA private key"):
        PasswordTransport.load_or_create(path)


def test_public_key_pem_is_the_private_keys_public_half(transport: PasswordTransport):
    public = server_public_key(transport)
    assert public.key_size == 2048
    sealed = client_encrypt(public, "matches")
    assert transport.decode(sealed) == "matches"


# --- decode: encrypted fields --------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    [
        "123",
        "s3cret!",
        "correct horse battery staple",
        "Pässwörd",
        "пароль-🔑-密码",
        " spaced ",
        "a\x00b",
        "x" * 180,
    ],
)
def test_encrypt_decode_roundtrip(transport: PasswordTransport, password: str):
    sealed = transport.encrypt(password)
    assert sealed != password
    assert transport.decode(sealed) == password


def test_encrypt_is_randomised_like_pkcs1v15(transport: PasswordTransport):
    first, second = transport.encrypt("same"), transport.encrypt("same")
    assert first != second
    assert transport.decode(first) == transport.decode(second) == "same"


def test_encrypt_matches_the_web_client(transport: PasswordTransport):
    """`encrypt` and an independent client implementation agree on the format."""
    sealed = transport.encrypt("123")
    assert len(base64.b64decode(sealed)) == 256
    assert transport.decode(client_encrypt(server_public_key(transport), "123")) == "123"


@pytest.mark.parametrize("separator", ["\n", "\r\n", " ", "\t"])
def test_decode_ignores_whitespace_inside_the_ciphertext(transport: PasswordTransport, separator: str):
    sealed = transport.encrypt("wrapped")
    broken = separator.join(sealed[i : i + 64] for i in range(0, len(sealed), 64)) + separator
    assert transport.decode(broken) == "wrapped"


# --- decode: plain fields ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field",
    [
        "hunter2",
        "",
        "MTIz",  # base64, but not a ciphertext: what RAGFlow's constant decrypts to
        "p" * 512,  # valid base64 of the wrong length
        "not base64 at all!",
        "пароль",
        "\ud800",  # a lone surrogate passes through; accounts refuse it as a password
    ],
)
def test_plain_fields_pass_through(transport: PasswordTransport, field: str):
    assert transport.decode(field) == field


def test_foreign_ciphertext_is_a_plain_password(transport: PasswordTransport, foreign_key: rsa.RSAPrivateKey):
    """RAGFlow's test-suite constant is encrypted under RAGFlow's key: for us it is a plain string."""
    sealed = client_encrypt(foreign_key.public_key(), "123")
    constant = "\n".join(sealed[i : i + 64] for i in range(0, len(sealed), 64)) + "\n"
    assert transport.decode(constant) == constant
    assert transport.decode(sealed) == sealed
    # Deterministic: the same string always reads the same, so it can serve as a password.
    assert transport.decode(constant) == transport.decode(constant)


def test_random_bytes_of_ciphertext_length_pass_through(transport: PasswordTransport):
    field = base64.b64encode(os.urandom(256)).decode("ascii")
    assert transport.decode(field) == field


@pytest.mark.parametrize(
    "inner",
    [b"\xff\xfe not base64", base64.b64encode(b"\xff\xfe\xfd")],
    ids=["inner-not-base64", "inner-not-utf8"],
)
def test_ciphertext_with_a_malformed_inner_layer_passes_through(transport: PasswordTransport, inner: bytes):
    sealed = base64.b64encode(server_public_key(transport).encrypt(inner, padding.PKCS1v15())).decode("ascii")
    assert transport.decode(sealed) == sealed


def test_encrypted_empty_password_decodes_to_empty(transport: PasswordTransport):
    """The web client's form of "" is a real ciphertext; it reads as "" (accounts refuse that)."""
    assert transport.decode(transport.encrypt("")) == ""


# --- decode: non-strings -------------------------------------------------------------------------


@pytest.mark.parametrize("field", [None, 123, 1.5, True, b"bytes", ["pw"], {"pw": 1}])
def test_non_string_fields_fail_to_crypt(transport: PasswordTransport, field: object):
    with pytest.raises(ServerError) as caught:
        transport.decode(field)
    assert caught.value.code == 500
    assert caught.value.message == "Fail to crypt password"
    assert caught.value.data is False
