"""The store with a real OS keyring: GNOME Keyring's Secret Service on a private D-Bus
session, and `clozapine-desk audit verify` as a user runs it. (Every other test uses an
in-memory keyring; this one shows the real backend works end to end.)"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO

HELPER = REPO / "tests" / "support" / "real_keyring_session.sh"
pytestmark = pytest.mark.skipif(
    not (shutil.which("dbus-run-session") and shutil.which("gnome-keyring-daemon")),
    reason="needs dbus-daemon and gnome-keyring (scripts/system-packages.txt installs them)",
)


def in_keyring_session(script: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        ["dbus-run-session", "--", "bash", str(HELPER), "bash", "-c", script],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_a_store_keyed_in_the_real_keyring_verifies_from_the_command_line(
    tmp_path: Path,
) -> None:
    desk = REPO / ".venv" / "bin" / "clozapine-desk"
    python = REPO / ".venv" / "bin" / "python"
    folder = tmp_path / "desk"
    out = in_keyring_session(
        f"{python} tests/support/make_store_with_real_keyring.py {folder} && "
        f"echo 'lithium carbonate on tuesdays' | {desk} audit verify "
        f"--email a.kim@clinic.example --password-stdin --data-dir {folder} && "
        f"echo 'wrong password' | {desk} audit verify "
        f"--email a.kim@clinic.example --password-stdin --data-dir {folder}; echo rc=$?",
        tmp_path,
    )
    assert "keyring backend: keyring.backends.SecretService" in out.stdout, out.stderr
    assert "Audit log intact: 5 entries" in out.stdout, out.stdout + out.stderr
    assert "The email or password is not right" in out.stderr
    assert out.stdout.strip().endswith("rc=2")
    # The device secret is in the keyring, not in the folder.
    assert sorted(p.name for p in folder.iterdir()) == ["store.db", "workstation.json"]


def test_without_the_keyring_the_command_says_what_to_do(tmp_path: Path) -> None:
    desk = REPO / ".venv" / "bin" / "clozapine-desk"
    python = REPO / ".venv" / "bin" / "python"
    folder = tmp_path / "desk"
    made = in_keyring_session(
        f"{python} tests/support/make_store_with_real_keyring.py {folder}", tmp_path
    )
    assert made.returncode == 0, made.stderr
    # A new session: a different (empty) keyring, as on another user account or computer.
    out = in_keyring_session(
        f"echo 'lithium carbonate on tuesdays' | {desk} audit verify "
        f"--email a.kim@clinic.example --password-stdin --data-dir {folder}",
        tmp_path,
    )
    assert out.returncode == 2
    assert "does not hold the key of this store" in out.stderr
    assert "copied from another computer or user account" in out.stderr
