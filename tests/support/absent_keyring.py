"""A computer with no OS keyring, as keyring itself says it: its `fail` backend, which
local_store.device_secret recognises by its module and will not store a secret in."""

from __future__ import annotations

import keyring.core
from keyring.backend import KeyringBackend


def absent_keyring() -> KeyringBackend:
    # Loaded by name: keyring's loader is annotated, the fail backend's constructor is not.
    return keyring.core.load_keyring("keyring.backends.fail.Keyring")
