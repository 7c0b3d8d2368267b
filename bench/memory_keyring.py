"""An OS keyring held in memory, for tests and the benchmark only: the real keyrings (Windows
Credential Manager, macOS Keychain, Secret Service) do not run on a headless test machine."""

from __future__ import annotations

import os

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # keyring's base is unannotated
        self.secrets: dict[tuple[str, str], str] = {}
        # A child process of the start-up benchmark gets its parent's secrets this way
        # (keyring makes this backend from PYTHON_KEYRING_BACKEND when first used).
        for line in filter(None, os.environ.get("BENCH_KEYRING", "").split("\x1e")):
            names, value = line.split("=", 1)
            service, username = names.split("\t")
            self.secrets[(service, username)] = value

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.secrets:
            raise PasswordDeleteError(username)
        del self.secrets[(service, username)]
