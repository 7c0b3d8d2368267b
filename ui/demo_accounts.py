"""The demo clinic's office accounts (invented people), shown on the demo's sign-in screen.
Keyed by the ids in `app.demo_data` (PRESCRIBER, DESIGNEE); kept apart from the seeding code
so the sign-in window shows them without loading the registry's modules."""

from __future__ import annotations

DEMO_ACCOUNTS = {
    "dr-okafor": ("ada.okafor@demo.clinic", "maple river lantern"),
    "sam-rivera": ("sam.rivera@demo.clinic", "copper kite meadow"),
}

# (name, email, password) as the demo's sign-in screen shows them.
DEMO_PEOPLE = [
    ("Dr. Ada Okafor (prescriber)", *DEMO_ACCOUNTS["dr-okafor"]),
    ("Sam Rivera (designee)", *DEMO_ACCOUNTS["sam-rivera"]),
]

# The demo registry's other people: each pharmacy's Authorized Representative, by demo id
# (their email and password follow `ui.demo_seed.demo_credentials`).
DEMO_AR_NAMES = {"ar-main": "Ari Shah", "ar-stlukes": "Lena Brooks", "ar-corner": "Cory Dunn"}
