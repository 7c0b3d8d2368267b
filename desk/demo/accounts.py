"""The demo clinic's office accounts (invented people), shown on the demo's sign-in screen.
Keyed by the ids in `desk.demo.clinic` (PRESCRIBER, DESIGNEE); kept apart from the seeding code
so the sign-in window shows them without loading the registry's modules."""

from __future__ import annotations

DEMO_ACCOUNTS = {
    "dr-okafor": ("ada.okafor@demo.clinic", "maple river lantern"),
    "sam-rivera": ("sam.rivera@demo.clinic", "copper kite meadow"),
    # Main Street Pharmacy's Authorized Representative and the wholesaler: the demo pharmacy's
    # and the demo wholesaler's workstations (`clozapine-desk app --demo pharmacy`).
    "ar-main": ("ari.shah@mainstreet.example", "amber lighthouse ninety"),
    "wholesaler-demo": ("orders@demo-wholesale.example", "granite harbor seventeen"),
}

# (name, email, password) as the demo's sign-in screen shows them.
DEMO_PEOPLE = [
    ("Dr. Ada Okafor (prescriber)", *DEMO_ACCOUNTS["dr-okafor"]),
    ("Sam Rivera (designee)", *DEMO_ACCOUNTS["sam-rivera"]),
]

# The demo registry's other people: each pharmacy's Authorized Representative, by demo id
# (their email and password follow `desk.demo.seed.demo_credentials`).
DEMO_AR_NAMES = {"ar-main": "Ari Shah", "ar-stlukes": "Lena Brooks", "ar-corner": "Cory Dunn"}

# The demo workstations besides the clinic: which demo account each is set up for, and how
# its sign-in screen names that account.
DEMO_WORKSTATIONS = {
    "pharmacy": ("ar-main", "Ari Shah (Main Street Pharmacy, authorized representative)"),
    "wholesaler": ("wholesaler-demo", "Demo Wholesale (wholesaler)"),
}


DEMO_KINDS = ("clinic", *DEMO_WORKSTATIONS)  # `app --demo KIND`


def demo_people(kind: str) -> list[tuple[str, str, str]]:
    """(label, email, password) for the demo workstation of this kind, as sign-in shows them."""
    if kind not in DEMO_WORKSTATIONS:
        return DEMO_PEOPLE
    who, label = DEMO_WORKSTATIONS[kind]
    return [(label, *DEMO_ACCOUNTS[who])]
