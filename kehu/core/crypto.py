"""Encryption at rest of personal fields (issue 19): AES-256-GCM values, HMAC blind indexes.

A personal column (kehu.core.personal marks which) is an `EncryptedCharField`: the model keeps
the plaintext attribute, the database holds `kx<version>$<base64 nonce|ciphertext|tag>`, bound
to its column (the associated data is "app.model.field", so a value copied into another column
does not decrypt). "" stays "" (whether a value is there is not a secret; `~Q(mobile="")` works).
Values without the prefix are read as they are (rows from before the encryption migration, or
written with KEHU_ENCRYPTION=false).

Ciphertext cannot be searched, so each searchable column has `BlindIndexField` companions:
HMAC-SHA256 under a key of its own of a normalised form (the phone's digits, its last 4 digits,
the lower-cased e-mail, its domain), filled from the source attribute whenever the row is
saved. Exact look-ups, suffix search and duplicate detection compare these tokens; the query
side computes the same token with `blind()`.

Keys: versions of 32-byte AES keys and the blind-index key, from the environment
(KEHU_ENCRYPTION_KEYS, KEHU_BLIND_INDEX_KEY) or a key file (KEHU_ENCRYPTION_KEY_FILE, created at
first use with mode 0600); never in the database. The highest version encrypts; every version
decrypts, so `kehu rotate_keys` adds a version and re-encrypts rows online, in batches.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import models
from django.db.models.lookups import Exact

from .normalize import phone_digits

PREFIX = "kx"
_NONCE = 12
_KEY_BYTES = 32


class DecryptionFailed(Exception):
    """A stored value that no known key opens (a wrong or missing key, or a changed value)."""


@dataclass(frozen=True)
class Keyring:
    keys: dict[int, bytes]
    current: int
    blind_key: bytes
    source: str  # "environment" or the key file's path

    def cipher(self, version: int) -> AESGCM:
        cipher = _CIPHERS.get((version, self.keys[version]))
        if cipher is None:
            cipher = _CIPHERS[(version, self.keys[version])] = AESGCM(self.keys[version])
        return cipher


_CIPHERS: dict[tuple[int, bytes], AESGCM] = {}
_KEYRING: Keyring | None = None


def _b64decode(text: str, what: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))
    except ValueError as exc:
        raise ImproperlyConfigured(f"{what} is not base64") from exc
    if len(raw) != _KEY_BYTES:
        raise ImproperlyConfigured(f"{what} must be {_KEY_BYTES} bytes, not {len(raw)}")
    return raw


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def new_key() -> str:
    """A fresh 32-byte key, base64 (for KEHU_ENCRYPTION_KEYS or the key file)."""
    return _b64encode(secrets.token_bytes(_KEY_BYTES))


def _from_environment(spec: str, blind: str) -> Keyring:
    keys: dict[int, bytes] = {}
    for item in spec.split(","):
        if not item.strip():
            continue
        version, _sep, key = item.strip().partition(":")
        if not version.isdigit() or not key:
            raise ImproperlyConfigured("KEHU_ENCRYPTION_KEYS is '<version>:<base64 key>,...'")
        keys[int(version)] = _b64decode(key, f"KEHU_ENCRYPTION_KEYS version {version}")
    if not blind:
        raise ImproperlyConfigured("KEHU_BLIND_INDEX_KEY is needed with KEHU_ENCRYPTION_KEYS")
    blind_key = _b64decode(blind, "KEHU_BLIND_INDEX_KEY")
    return Keyring(keys=keys, current=max(keys), blind_key=blind_key, source="environment")


def _write_private(path: Path, data: dict[str, Any], *, replace: bool) -> None:
    """Write the key file with mode 0600 from the start (a new file, then renamed over)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = path.with_name(path.name + ".new") if replace else path
    if replace and target.exists():
        target.unlink()
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle, indent=1)
        handle.flush()
        os.fsync(handle.fileno())
    if replace:
        os.replace(target, path)


def _from_file(path: Path) -> Keyring:
    if not path.exists():
        data = {"current": 1, "keys": {"1": new_key()}, "blind": new_key()}
        try:
            _write_private(path, data, replace=False)
        except FileExistsError:  # another process created it first: read theirs
            pass
    data = json.loads(path.read_text())
    keys = {int(v): _b64decode(k, f"{path} key version {v}") for v, k in data["keys"].items()}
    return Keyring(
        keys=keys,
        current=int(data["current"]),
        blind_key=_b64decode(data["blind"], f"{path} blind key"),
        source=str(path),
    )


def keyring() -> Keyring:
    """The keys in use (read once per process; tests changing the settings reset it)."""
    global _KEYRING
    if _KEYRING is None:
        if settings.KEHU_ENCRYPTION_KEYS:
            _KEYRING = _from_environment(
                settings.KEHU_ENCRYPTION_KEYS, settings.KEHU_BLIND_INDEX_KEY
            )
        else:
            _KEYRING = _from_file(Path(settings.KEHU_ENCRYPTION_KEY_FILE))
    return _KEYRING


def keyring_reset(**_kwargs: Any) -> None:
    global _KEYRING
    _KEYRING = None


setting_changed.connect(keyring_reset)


def key_version_add() -> int:
    """Add a new key version to the key file and make it current; returns the version."""
    ring = keyring()
    if ring.source == "environment":
        raise ImproperlyConfigured(
            "The keys come from KEHU_ENCRYPTION_KEYS: add a version there, restart, then run "
            "`kehu rotate_keys --resume`."
        )
    path = Path(ring.source)
    data = json.loads(path.read_text())
    version = max(int(v) for v in data["keys"]) + 1
    data["keys"][str(version)] = new_key()
    data["current"] = version
    _write_private(path, data, replace=True)
    keyring_reset()
    return version


# --- Values


def is_encrypted(value: str) -> bool:
    return value.startswith(PREFIX) and "$" in value[: len(PREFIX) + 8]


def version_of(value: str) -> int | None:
    """The key version of a stored value, None for plaintext."""
    if not is_encrypted(value):
        return None
    head = value[len(PREFIX) : value.index("$")]
    return int(head) if head.isdigit() else None


def encrypt(plaintext: str, aad: str) -> str:
    if not plaintext:
        return plaintext
    ring = keyring()
    nonce = os.urandom(_NONCE)
    sealed = ring.cipher(ring.current).encrypt(nonce, plaintext.encode(), aad.encode())
    return f"{PREFIX}{ring.current}${_b64encode(nonce + sealed)}"


def decrypt(stored: str, aad: str) -> str:
    version = version_of(stored) if stored else None
    if version is None:
        return stored
    ring = keyring()
    if version not in ring.keys and ring.source != "environment":
        keyring_reset()  # `kehu rotate_keys` added a version since this process read the file
        ring = keyring()
    if version not in ring.keys:
        raise DecryptionFailed(f"no key version {version} for {aad}")
    raw = base64.urlsafe_b64decode(stored[stored.index("$") + 1 :] + "==")
    try:
        opened = ring.cipher(version).decrypt(raw[:_NONCE], raw[_NONCE:], aad.encode())
    except Exception as exc:  # cryptography's InvalidTag
        raise DecryptionFailed(f"{aad}: the value does not open with key {version}") from exc
    return opened.decode()


# --- Blind indexes


@functools.lru_cache(maxsize=4096)  # a number's "phone" and "tail" tokens follow each other
def _phone_base(value: str) -> str:
    return phone_digits(value.split(";", 1)[0])


def _phone_tail(value: str) -> str:
    digits = _phone_base(value)
    return digits[-4:] if len(digits) >= 4 else ""


def _email(value: str) -> str:
    return value.strip().lower()


BLIND_KINDS: dict[str, Callable[[str], str]] = {
    "phone": _phone_base,  # the number's digits, its extension aside
    "tail": _phone_tail,  # last 4 digits
    "email": _email,
    "domain": lambda v: _email(v).rsplit("@", 1)[1] if "@" in v else "",
    "exact": lambda v: v.strip(),
}


def blind(kind: str, value: str | None) -> str:
    """The blind-index token of value for kind ('' when the value has no such form)."""
    normal = BLIND_KINDS[kind](value or "") if value else ""
    if not normal:
        return ""
    digest = hmac.digest(keyring().blind_key, f"{kind}\0{normal}".encode(), "sha256")
    return _b64encode(digest[:16])  # hmac.digest: HMAC-SHA256 in one call (as hmac.new gives)


def blind_many(kind: str, values: Iterable[str]) -> list[str]:
    return sorted({token for token in (blind(kind, v) for v in values) if token})


_TERM_BASES: dict[tuple[bytes, str], Any] = {}
# Short values' words, remembered per key and form: an address's bigrams, a phone's first 3-5
# and last 4-5 digits, an e-mail's first letters repeat from record to record (a bulk load's
# documents: half their words). Longer values rarely repeat and are not kept.
_TERM_MEMO: dict[tuple[bytes, str], dict[str, str]] = {}
_MEMO_LONGEST, _MEMO_SIZE = 5, 100_000


def search_terms(label: str, normals: Iterable[str]) -> list[str]:
    """The search index's keyed words for already normalised values of one form (`label`,
    kehu.core.search_index.tokens): 'h' and 16 hex digits of keyed BLAKE2b under a key derived
    from the blind-index key, so they differ from the *_bidx tokens of the same value. One word
    for FTS5's unicode61 and PostgreSQL's 'simple' parser (letters and digits only). BLAKE2b
    rather than HMAC, from a keyed state kept per form and copied per value: a contact has ~45
    terms and the reindex computes tens of millions."""
    slot = (keyring().blind_key, label)
    memo = _TERM_MEMO.get(slot)
    if memo is None:
        key = hmac.new(slot[0], b"search-index-terms", hashlib.sha256).digest()
        base = hashlib.blake2b(key=key, digest_size=8)
        base.update(f"{label}\0".encode())
        _TERM_BASES[slot] = base
        memo = _TERM_MEMO[slot] = {}
    copy = _TERM_BASES[slot].copy
    out = []
    for normal in normals:
        if len(normal) > _MEMO_LONGEST:
            digest = copy()
            digest.update(normal.encode())
            out.append("h" + digest.hexdigest())
            continue
        term = memo.get(normal)
        if term is None:
            digest = copy()
            digest.update(normal.encode())
            term = "h" + digest.hexdigest()
            if len(memo) < _MEMO_SIZE:
                memo[normal] = term
        out.append(term)
    return out


def search_term(label: str, normal: str) -> str:
    return search_terms(label, (normal,))[0]


# --- Model fields


class _EmptyOnlyExact(Exact):
    """`field=""` (no value) works on an encrypted column; any other value cannot match."""

    def get_prep_lookup(self) -> Any:
        if self.rhs not in ("", None):
            raise FieldError(
                f"{self.lhs.target.name} is encrypted: filter on its blind index "
                "(kehu.core.crypto.blind) instead"
            )
        return super().get_prep_lookup()


class EncryptedCharField(models.CharField):
    """A CharField stored encrypted (text column); max_length applies to the plaintext."""

    encrypted = True

    def db_type(self, connection: Any) -> str:
        return "text"

    def aad(self) -> str:
        return f"{self.model._meta.label_lower}.{self.name}"

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if not value or not settings.KEHU_ENCRYPTION or is_encrypted(value):
            return value
        return encrypt(value, self.aad())

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return decrypt(value, self.aad()) if value else value

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "exact":
            return _EmptyOnlyExact
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        return None  # Django raises FieldError: "Unsupported lookup ..."


def encrypted_prep(field: EncryptedCharField, prep: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """field.get_db_prep_save for a bulk insert (`prep`: that method, bound to the connection):
    a plain str goes straight to what get_prep_value does with it ("" and sealed values kept,
    the rest encrypted under the field's associated data) without Django's call chain; any
    other value through prep (kehu/intake/tests/test_bulk_rows.py compares the two)."""
    aad = field.aad()

    def convert(value: Any) -> Any:
        if type(value) is not str:
            return prep(value)
        if not value or not settings.KEHU_ENCRYPTION or is_encrypted(value):
            return value
        return encrypt(value, aad)

    return convert


class BlindIndexField(models.CharField):
    """The keyed token of another field's value (`source`), refreshed whenever the row is saved."""

    def __init__(self, *args: Any, source: str = "", kind: str = "", **kwargs: Any) -> None:
        self.source, self.kind = source, kind
        kwargs.setdefault("max_length", 24)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"], kwargs["kind"] = self.source, self.kind
        for key, default in (("max_length", 24), ("blank", True), ("default", "")):
            if kwargs.get(key) == default:
                kwargs.pop(key)
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    def token_of(self, instance: models.Model) -> str:
        return blind(self.kind, getattr(instance, self.source, ""))

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        token = self.token_of(model_instance)
        setattr(model_instance, self.attname, token)
        return token


def blind_fields(model: type[models.Model]) -> list[BlindIndexField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, BlindIndexField)]


def encrypted_fields(model: type[models.Model]) -> list[EncryptedCharField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedCharField)]


_BLIND_OF: dict[type[models.Model], list[tuple[str, str, str]]] = {}


def blind_fill(objects: Iterable[models.Model]) -> None:
    """Set the blind-index attributes of unsaved objects (paths that insert without save()):
    each field's token_of, its (attname, kind, source) listed once per model."""
    for obj in objects:
        model = type(obj)
        fields = _BLIND_OF.get(model)
        if fields is None:
            fields = _BLIND_OF[model] = [(f.attname, f.kind, f.source) for f in blind_fields(model)]
        for attname, kind, source in fields:
            setattr(obj, attname, blind(kind, getattr(obj, source, "")))


def blind_update_fields(model: type[models.Model], update_fields: Iterable[str]) -> list[str]:
    """update_fields with the blind indexes of any source among them."""
    names = list(update_fields)
    extra = [f.name for f in blind_fields(model) if f.source in names and f.name not in names]
    return names + extra


def blind_values(model: type[models.Model], values: dict[str, Any]) -> dict[str, Any]:
    """values for a queryset's update(), with the blind indexes of any source among them."""
    extra = {
        f.name: blind(f.kind, values[f.source]) for f in blind_fields(model) if f.source in values
    }
    return {**values, **extra}


class BlindIndexed(models.Model):
    """Base of models with blind indexes: save(update_fields=[source]) saves the tokens too."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = blind_update_fields(type(self), kwargs["update_fields"])
        super().save(*args, **kwargs)
