"""The check that conformance/spec is still ../shared/spec: it names every file that is not."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conformance.spec_copy import main
from tests.conftest import REPO


def spec(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return folder


SPEC = {
    "rules.md": "# Rules\n",
    "scenarios/01_first_dispense.json": "{}\n",
    "v2/scenarios/01_first_dispense.json": "{}\n",
}


def test_a_copy_equal_to_the_original_passes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy, original = spec(tmp_path / "copy", SPEC), spec(tmp_path / "original", SPEC)
    assert main([str(copy), str(original)]) == 0
    assert "equals" in capsys.readouterr().out


def test_each_file_that_differs_or_is_on_one_side_only_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = spec(
        tmp_path / "copy",
        {**SPEC, "v2/scenarios/01_first_dispense.json": "{ }\n", "notes.txt": "mine\n"},
    )
    original = spec(tmp_path / "original", {**SPEC, "v2/scenarios/02_new.json": "{}\n"})
    assert main([str(copy), str(original)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "only in the copy: notes.txt",
        "differs: v2/scenarios/01_first_dispense.json",
        "missing from the copy: v2/scenarios/02_new.json",
        f"{copy} differs from {original} in 3 file(s)",
    ]


def test_with_no_original_beside_the_clone_there_is_nothing_to_compare(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = spec(tmp_path / "copy", SPEC)
    assert main([str(copy), str(tmp_path / "shared" / "spec")]) == 0
    assert "nothing to compare" in capsys.readouterr().out


def test_the_script_fails_on_a_copy_that_lost_a_file(tmp_path: Path) -> None:
    copy = spec(tmp_path / "copy", {"rules.md": SPEC["rules.md"]})
    original = spec(tmp_path / "original", SPEC)
    done = subprocess.run(
        [REPO / "scripts" / "check-spec-copy", copy, original],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert "missing from the copy: scenarios/01_first_dispense.json" in done.stdout
