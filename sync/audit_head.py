"""At each sync, show the registry the head of this workstation's audit log, so a log
rewritten here (even by someone holding the data key, who can re-key the whole chain) shows
there too: the registry answers with the entry number it saw last, and this workstation
sends its last entry with the MAC it now holds at that number (registry/chain_heads.py).

Only numbers and HMAC values leave, under the store's random id: nothing about a patient.
"""

from __future__ import annotations

from local_store import audit
from local_store.database import Database
from sync.client import RegistryClient

PATH = "/v1/workstations/{store}/audit-head"
REWOUND = "AUDIT_CHAIN_REWOUND"
NO_SUCH_ENTRY = "0" * 64  # what is sent for an entry the log no longer holds


def show_audit_head(db: Database, client: RegistryClient) -> str | None:
    """The registry's words when it finds the log rewritten; None when it kept the head,
    or there is nothing to show (a log not begun, a registry from before anchoring)."""
    store = audit.store_id(db)
    seq, mac = audit.chain_end(db)
    if not store or seq == 0:
        return None
    path = PATH.format(store=store)
    seen = client.get(path)
    if not seen.ok:
        return None  # 404 from an older registry, or trouble: shown at the next sync
    body: dict[str, object] = {"seq": seq, "mac": mac}
    known = int(seen.body["seq"])
    if known:
        body["at_seen"] = {"seq": known, "mac": audit.mac_at(db, known) or NO_SUCH_ENTRY}
    answer = client.put(path, body)
    if answer.status == 409 and answer.error == REWOUND:
        return f"The registry found this workstation's audit log damaged: {answer.message}"
    return None
