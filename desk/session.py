"""The signed-in person's session, as the window holds it.

`local_store.session.Session` is the use-case boundary of the encrypted store: every read of a
patient and every act is checked against the person's role and audited there. The window
holds one and calls its methods, or the reads in this package built on them; it never opens
the store's parts (ledger, outbox, forms) itself."""

from __future__ import annotations

from local_store.errors import AccountLocked, SessionLocked, StoreError
from local_store.session import Session

__all__ = ["AccountLocked", "Session", "SessionLocked", "StoreError"]
