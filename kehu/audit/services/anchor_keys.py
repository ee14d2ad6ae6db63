"""The audit anchor's Ed25519 key: never in the database.

The private key comes from KEHU_AUDIT_SIGNING_KEY (a PEM text, or base64 of the 32 raw bytes),
else from the file KEHU_AUDIT_SIGNING_KEY_FILE (PEM, PKCS#8), which the first checkpoint creates
with mode 0600 and which is refused when others may read it. Whoever can write the database but
not read this file cannot sign a checkpoint, so cannot hide a rewrite of the log.

A verifier trusts a public key: the one given (`--public-key FILE`, PEM or base64 of the raw
32 bytes), else the signing key's own.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import stat
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings


class KeyProblem(Exception):
    """The key is missing, unreadable or unsafe; the message says which and what to do."""


def _parse_private(text: str, where: str) -> Ed25519PrivateKey:
    text = text.strip()
    try:
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_private_key(text.encode(), password=None)
        else:
            key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(text, validate=True))
    except (ValueError, TypeError, binascii.Error) as exc:
        raise KeyProblem(f"{where} is not an Ed25519 private key ({exc}).") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyProblem(f"{where} is not an Ed25519 key.")
    return key


def _parse_public(text: str, where: str) -> Ed25519PublicKey:
    text = text.strip()
    try:
        if text.startswith("-----BEGIN PRIVATE"):
            return _parse_private(text, where).public_key()
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_public_key(text.encode())
        else:
            key = Ed25519PublicKey.from_public_bytes(base64.b64decode(text, validate=True))
    except (ValueError, TypeError, binascii.Error) as exc:
        raise KeyProblem(f"{where} is not an Ed25519 public key ({exc}).") from None
    if not isinstance(key, Ed25519PublicKey):
        raise KeyProblem(f"{where} is not an Ed25519 key.")
    return key


def key_file() -> Path:
    return Path(settings.KEHU_AUDIT_SIGNING_KEY_FILE)


def signing_key(*, create: bool = False) -> Ed25519PrivateKey:
    """The private key from the environment or the key file; with `create`, a new key file
    (0600) when there is neither."""
    if settings.KEHU_AUDIT_SIGNING_KEY:
        return _parse_private(settings.KEHU_AUDIT_SIGNING_KEY, "KEHU_AUDIT_SIGNING_KEY")
    path = key_file()
    if path.exists():
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            raise KeyProblem(f"{path} may be read by others (mode {mode:o}); run: chmod 600 {path}")
        return _parse_private(path.read_text(), str(path))
    if not create:
        raise KeyProblem(
            f"No audit signing key: set KEHU_AUDIT_SIGNING_KEY or create {path} "
            "(`kehu audit_checkpoint` creates it)."
        )
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # 0600 from the start: never readable by others, not even for a moment.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    return key


def public_key_from_file(path: str | Path) -> Ed25519PublicKey:
    source = Path(path)
    try:
        text = source.read_text()
    except OSError as exc:
        raise KeyProblem(f"Cannot read {source}: {exc.strerror}.") from None
    return _parse_public(text, str(source))


def trusted_public_key(path: str | Path | None = None) -> Ed25519PublicKey:
    """The key a checkpoint must be signed with: the given file's, else the signing key's."""
    if path:
        return public_key_from_file(path)
    return signing_key().public_key()


def public_raw(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_text(key: Ed25519PublicKey) -> str:
    """Base64 of the 32 raw bytes: what `--public-key` reads, and what a checkpoint carries."""
    return base64.b64encode(public_raw(key)).decode()


def fingerprint(key: Ed25519PublicKey) -> str:
    """SHA-256 of the raw public key, hex."""
    return hashlib.sha256(public_raw(key)).hexdigest()
