"""The store's outbox types, as the window names them: the window lists what is not at the
registry yet and acts on refused items, but never imports the store itself."""

from __future__ import annotations

from local_store.outbox import OutboxItem, OutboxKind, OutboxState

__all__ = ["OutboxItem", "OutboxKind", "OutboxState"]
