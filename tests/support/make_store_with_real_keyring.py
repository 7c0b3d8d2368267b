"""Creates a store in the folder given, with its device secret in the session's real OS
keyring, and a little audited activity. Run by tests/test_real_keyring.py."""

from __future__ import annotations

import sys
from pathlib import Path

import keyring

from app.clock import SystemClock
from app.roles import Role
from local_store.keys import FAST_KDF
from local_store.workstation import NewAccount, Workstation

print(f"keyring backend: {type(keyring.get_keyring()).__module__}")
workstation = Workstation(Path(sys.argv[1]), SystemClock(), kdf=FAST_KDF)
session = workstation.create(
    NewAccount("a.kim@clinic.example", "Ana Kim", Role.PRESCRIBER), "lithium carbonate on tuesdays"
)
session.roster()
session.record_print("roster", "blank PSF")
session.sign_out()
