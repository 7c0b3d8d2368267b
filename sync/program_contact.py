"""The contact numbers the registry supplies in its handshake (`contact: {phone, fax,
label}`), kept in this workstation's encrypted store so forms print them offline too."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from local_store.database import Database
from local_store.sync_state import SyncState

KEY = "program_contact"


@dataclass(frozen=True)
class SuppliedContact:
    """Where the office faxes forms and calls, as its registry said, and whose numbers."""

    phone: str
    fax: str
    label: str


def remember(db: Database, hello: dict[str, Any]) -> None:
    """Keep what the handshake supplied; a registry too old to say anything changes nothing,
    and one that says "none" clears numbers an earlier registry gave."""
    if "contact" not in hello:
        return
    raw = hello["contact"]
    state = SyncState(db)
    if not isinstance(raw, dict):
        if state.get(KEY) not in (None, ""):
            state.put(KEY, "")
        return
    text = json.dumps(
        {k: str(raw.get(k) or "")[:200] for k in ("phone", "fax", "label")}, sort_keys=True
    )
    if state.get(KEY) != text:  # written only when it changes, not on every sync
        state.put(KEY, text)


def supplied(db: Database) -> SuppliedContact | None:
    """The numbers last supplied, or None when no registry ever gave any."""
    text = SyncState(db).get(KEY)
    if not text:
        return None
    raw = json.loads(text)
    return SuppliedContact(str(raw["phone"]), str(raw["fax"]), str(raw["label"]))
