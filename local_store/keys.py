"""The data key and its per-account wrapping.

One random 256-bit data key opens the database (as a raw SQLCipher key, so opening costs no
key derivation). Each workstation account holds its own wrapped copy: the password goes
through Argon2id, is mixed with the workstation's device secret (HKDF-SHA256), and the
result is an AES-256-GCM key that seals the data key. A wrong password fails the GCM tag
check, which is also how a password is verified: there is no separate password hash to
attack. A password change re-wraps the same data key; nothing is re-encrypted.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.passwords import normalize

DATA_KEY_BYTES = 32


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost. The default is RFC 9106's second choice (64 MiB, 3 passes); tests
    use `FAST` so hundreds of sign-ins stay quick. Stored with each wrap, so it can grow."""

    time_cost: int = 3
    memory_kib: int = 65536
    parallelism: int = 1

    def as_dict(self) -> dict[str, int]:
        return {"t": self.time_cost, "m": self.memory_kib, "p": self.parallelism}

    @classmethod
    def from_dict(cls, data: dict[str, int]) -> KdfParams:
        return cls(time_cost=data["t"], memory_kib=data["m"], parallelism=data["p"])


DEFAULT_KDF = KdfParams()
FAST_KDF = KdfParams(time_cost=1, memory_kib=1024, parallelism=1)


@dataclass(frozen=True)
class WrappedKey:
    salt: bytes
    nonce: bytes
    sealed: bytes
    kdf: KdfParams


def new_data_key() -> bytes:
    return secrets.token_bytes(DATA_KEY_BYTES)


def wrap(
    data_key: bytes, password: str, device_secret: bytes, account_id: str, kdf: KdfParams
) -> WrappedKey:
    salt = secrets.token_bytes(16)
    nonce = secrets.token_bytes(12)
    kek = _kek(password, salt, device_secret, account_id, kdf)
    sealed = AESGCM(kek).encrypt(nonce, data_key, account_id.encode())
    return WrappedKey(salt, nonce, sealed, kdf)


def unwrap(wrapped: WrappedKey, password: str, device_secret: bytes, account_id: str) -> bytes:
    """The data key; `ValueError` when the password is wrong."""
    kek = _kek(password, wrapped.salt, device_secret, account_id, wrapped.kdf)
    try:
        return AESGCM(kek).decrypt(wrapped.nonce, wrapped.sealed, account_id.encode())
    except InvalidTag as exc:
        raise ValueError("wrong password") from exc


def spend_like_unwrap(password: str, kdf: KdfParams) -> None:
    """The cost of an unwrap, with nothing to unwrap (an email with no account)."""
    _kek(password, secrets.token_bytes(16), secrets.token_bytes(32), "", kdf)


def derive(data_key: bytes, purpose: str) -> bytes:
    """A separate key for one purpose (the audit chain's HMAC, the workstation file's MAC)."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode()).derive(
        data_key
    )


def _kek(
    password: str, salt: bytes, device_secret: bytes, account_id: str, kdf: KdfParams
) -> bytes:
    stretched = hash_secret_raw(
        normalize(password).encode("utf-8"),
        salt,
        time_cost=kdf.time_cost,
        memory_cost=kdf.memory_kib,
        parallelism=kdf.parallelism,
        hash_len=32,
        type=Type.ID,
    )
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=device_secret,
        info=f"clozapine-desk kek v1 {account_id}".encode(),
    ).derive(stretched)
