"""What the window shows of the sync link: a sync's report and the registry client's type,
re-exported so that `ui/` never imports `sync` itself."""

from __future__ import annotations

from sync.client import RegistryClient
from sync.engine import SyncReport

__all__ = ["RegistryClient", "SyncReport"]
