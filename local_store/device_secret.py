"""The workstation's device secret, kept in the OS keyring.

The secret is mixed into every key-encryption key, so a copy of the store's files alone
(a stolen backup, a disk image) cannot be attacked by guessing passwords offline: the
attacker also needs this user's keyring. Where no keyring backend exists we stop and say so:
never a plaintext file, never keyrings.alt.
"""

from __future__ import annotations

import logging
import secrets

import keyring
import keyring.errors

from local_store.errors import DeviceSecretMissing, KeyringUnavailable

SERVICE = "Clozapine REMS Desk"

# The keyring's own words stay in the log: they name backend classes and, for no backend,
# advise installing keyrings.alt (a plaintext file), which a person must not be told to do.
_log = logging.getLogger("clozapine.keyring")


def _unavailable(detail: str) -> KeyringUnavailable:
    _log.warning("no usable OS keyring: %s", detail)
    return KeyringUnavailable()


def device_secret_name(store_id: str) -> str:
    return f"device-secret:{store_id}"


def create_device_secret(store_id: str) -> bytes:
    secret = secrets.token_bytes(32)
    _set(device_secret_name(store_id), secret.hex())
    return secret


def load_device_secret(store_id: str) -> bytes:
    value = _get(device_secret_name(store_id))
    if value is None:
        raise DeviceSecretMissing()
    return bytes.fromhex(value)


def save_secret(name: str, value: str) -> None:
    """Other workstation secrets (registry tokens) go through here too."""
    _set(name, value)


def load_secret(name: str) -> str | None:
    return _get(name)


def delete_secret(name: str) -> None:
    try:
        keyring.delete_password(SERVICE, name)
    except keyring.errors.PasswordDeleteError:
        pass
    except keyring.errors.KeyringError as exc:
        raise _unavailable(f"{type(exc).__name__}: {exc}") from exc


def _set(name: str, value: str) -> None:
    _refuse_insecure_backend()
    try:
        keyring.set_password(SERVICE, name, value)
    except keyring.errors.KeyringError as exc:
        raise _unavailable(f"{type(exc).__name__}: {exc}") from exc


def _get(name: str) -> str | None:
    _refuse_insecure_backend()
    try:
        return keyring.get_password(SERVICE, name)
    except keyring.errors.KeyringError as exc:
        raise _unavailable(f"{type(exc).__name__}: {exc}") from exc


def check_keyring() -> None:
    """Raises `KeyringUnavailable` when this computer has no secure OS keyring."""
    _refuse_insecure_backend()


def _refuse_insecure_backend() -> None:
    backend = keyring.get_keyring()
    module = type(backend).__module__
    if module.startswith("keyrings.alt") or module.startswith("keyring.backends.fail"):
        raise _unavailable(f"backend {module}.{type(backend).__name__} is refused (not secure)")
