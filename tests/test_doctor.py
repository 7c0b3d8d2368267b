"""`clozapine-desk doctor`: the list IT reads after installing a workstation."""

from __future__ import annotations

import keyring
import pytest
from keyring.backends.fail import Keyring as NoKeyring

from bench.memory_keyring import MemoryKeyring
from cli.main import main


def test_a_ready_workstation_gets_every_check_ok(
    memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert "PROBLEM" not in out
    assert "print preview      ok: pdfium renders a blank PSF: 2 pages, 1275x1650 px" in out
    assert "keyring            ok: bench.memory_keyring.MemoryKeyring" in out


def test_no_keyring_is_a_problem_said_in_words_and_the_other_checks_still_run(
    capsys: pytest.CaptureFixture[str],
) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(NoKeyring())  # type: ignore[no-untyped-call]  # keyring is unannotated
    try:
        assert main(["doctor"]) == 1
    finally:
        keyring.set_keyring(previous)
    out = capsys.readouterr().out
    assert "keyring            PROBLEM: This computer has no secure password store" in out
    assert "trust store        ok" in out and "print preview      ok" in out
