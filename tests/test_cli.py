"""The `clozapine-desk` command as a user runs it: the installed console script."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.pending import load_pending, pending_for
from tests.conftest import REPO, SHARED_SCENARIOS, V2_PENDING, V2_SCENARIOS

EXE = shutil.which("clozapine-desk", path=str(Path(sys.executable).parent))


def desk(*args: str) -> subprocess.CompletedProcess[str]:
    assert EXE, "the clozapine-desk console script is not installed in this environment"
    return subprocess.run([EXE, *args], cwd=REPO, capture_output=True, text=True, timeout=300)


def test_help_lists_the_commands() -> None:
    out = desk("--help")
    assert out.returncode == 0
    for command in ("app", "scenarios", "bench"):
        assert command in out.stdout


def test_the_v2_scenarios_pass_but_those_still_pending() -> None:
    out = desk("scenarios", "--pending", str(V2_PENDING), str(V2_SCENARIOS))
    files = {p.name for p in V2_SCENARIOS.glob("*.json")}
    count = len(files)
    # The list also names our own scenarios (tests/scenarios), which this run does not play.
    pending = len(pending_for(load_pending(V2_PENDING), "local") & files)
    last = out.stdout.strip().splitlines()[-1]
    assert last == (
        f"{count - pending} passed, {pending} failed ({pending} of the failures listed as pending)"
    )
    assert out.returncode == 0


def test_a_failing_expectation_names_file_step_and_values(tmp_path: Path) -> None:
    scenario = json.loads((SHARED_SCENARIOS / "01_first_dispense.json").read_text())
    scenario["steps"][3]["expect"]["authorized"] = False
    path = tmp_path / "wrong.json"
    path.write_text(json.dumps(scenario))
    out = desk("scenarios", str(path))
    assert out.returncode == 1
    assert f"{path}: step 4 (request_rda): expected authorized=False; got authorized=True" in (
        out.stdout
    )
    assert out.stdout.strip().splitlines()[-1] == "0 passed, 1 failed"


def test_an_unknown_act_exits_2_naming_the_file_and_step(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(
        json.dumps(
            {
                "steps": [
                    {
                        "on": "2024-01-02",
                        "act": "certify_prescriber",
                        "id": "a",
                        "npi": "1234567893",
                    },
                    {"on": "2024-01-03", "act": "teleport_patient", "patient": "p1"},
                ]
            }
        )
    )
    out = desk("scenarios", str(path))
    assert out.returncode == 2
    assert str(path) in out.stderr and "step 2" in out.stderr and "teleport_patient" in out.stderr


def test_an_unknown_field_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "field.json"
    step = {"on": "2024-01-02", "act": "certify_prescriber", "id": "a", "npi": "1", "color": "x"}
    path.write_text(json.dumps({"steps": [step]}))
    out = desk("scenarios", str(path))
    assert out.returncode == 2 and "step 1" in out.stderr and "color" in out.stderr


def test_against_registry_a_wrong_expectation_fails_with_its_step(tmp_path: Path) -> None:
    """The registry run reports what the registry answered, so it can fail."""
    steps = [
        {"on": "2024-01-02", "act": "certify_prescriber", "id": "dr", "npi": "1234567893"},
        {
            "on": "2024-01-03",
            "act": "enroll_patient",
            "by": "dr",
            "patient": "p",
            "population": "general",
            "ancs": [{"value": 900, "drawn": "2024-01-02"}],
            "expect": {"ok": True},
        },
    ]
    path = tmp_path / "wrong.json"
    path.write_text(json.dumps({"steps": steps}))
    out = desk("scenarios", "--against", "registry", str(path))
    assert out.returncode == 1, out.stderr
    assert "step 2 (enroll_patient)" in out.stdout
    assert "(error=ENROLLMENT_ANC_NOT_ACCEPTABLE)" in out.stdout
    assert out.stdout.strip().endswith("0 passed, 1 failed")


def test_the_demo_roster_command_shows_the_roster_and_what_is_coming() -> None:
    out = desk("demo-roster")
    assert out.returncode == 0
    assert "María José Núñez-Ölçer" in out.stdout
    assert "would be denied: treatment interrupted" in out.stdout
    assert "Preview - not an authorization" in out.stdout
    assert "Coming next" in out.stdout


def test_bench_quick_prints_every_metric_with_its_goal_and_writes_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "bench.json"
    # No frozen bundle here (tests/test_frozen_bundle.py benches a built one): said, skipped.
    monkeypatch.setenv("CLOZAPINE_BUNDLE", str(tmp_path / "no-bundle"))
    out = desk("bench", "--quick", "--json", str(path))
    assert out.returncode == 0
    assert "no frozen bundle at" in out.stdout
    goals = {
        "rules.rda_preview_us": ("us", 100.0),
        "store.unlock_ms": ("ms", 500.0),
        "store.roster_page_ms": ("ms", 30.0),
        "store.roster_filter_ms": ("ms", 30.0),
        "store.patient_history_ms": ("ms", 10.0),
        "rules.roster_sweep_ms": ("ms", 2000.0),
        "store.encrypted_over_plain": ("ratio", 1.25),
        "pdf.psf_ms": ("ms", 50.0),
        "pdf.batch_100_s": ("s", 3.0),
        "pdf.psf_over_floor": ("ratio", 2.0),
        "sync.push_1000_over_floor": ("ratio", 1.0),
        "sync.noop_ms": ("ms", 100.0),
        "sync.pull_initial_s": ("s", 60.0),
        "registry.rda_p99_ms.sqlite": ("ms", 50.0),
        "registry.rda_per_s.sqlite": ("per s", None),
        "registry.rda_p99_ms.postgresql": ("ms", 50.0),
        "registry.rda_per_s.postgresql": ("per s", None),
        "registry.sign_in_flood.rda_p99_ratio": ("ratio", 2.0),
        "registry.sign_in_flood.rda_p99_ms_quiet": ("ms", None),
        "registry.rda_p99_under_signin_flood_ms": ("ms", 100.0),
        "registry.rda_cpu_ms": ("ms", 2.0),
        "registry.floor_cpu_ms": ("ms", None),
        "registry.rda_cpu_over_floor": ("ratio", 3.0),
        "registry.scale_2_over_1": ("ratio", 1.6),
        "registry.scale_db_cpu_share": ("share", None),
        "ui.startup_over_floor": ("ratio", 2.0),
        "ui.startup_s": ("s", None),
        "ui.roster_ms": ("ms", 700.0),
        "ui.filter_ms": ("ms", 50.0),
        "ui.preview_ms": ("ms", 100.0),
        "import.parse_match_10k_s": ("s", 2.0),
    }
    metrics = {m["name"]: m for m in json.loads(path.read_text())["metrics"]}
    assert set(metrics) == set(goals)
    for name, (unit, goal) in goals.items():
        assert name in out.stdout
        assert metrics[name]["unit"] == unit and metrics[name]["goal"] == goal
        assert metrics[name]["value"] > 0


def test_bench_only_runs_the_benchmarks_it_names(tmp_path: Path) -> None:
    path = tmp_path / "bench.json"
    out = desk("bench", "--quick", "--only", "rules.rda", "--json", str(path))
    assert out.returncode == 0
    assert [m["name"] for m in json.loads(path.read_text())["metrics"]] == ["rules.rda_preview_us"]


def test_app_opens_the_demo_clinic_by_default_or_the_pharmacy_or_wholesaler_beside_it() -> None:
    from cli.main import build_parser

    parser = build_parser(app_only=True)
    assert parser.parse_args(["app", "--demo"]).demo == "clinic"
    assert parser.parse_args(["app", "--demo", "pharmacy"]).demo == "pharmacy"
    assert parser.parse_args(["app", "--demo", "wholesaler"]).demo == "wholesaler"
    assert parser.parse_args(["app"]).demo is None  # this computer's own workstation
    out = desk("app", "--demo", "pharmacist")
    assert out.returncode == 2 and "invalid choice: 'pharmacist'" in out.stderr


def test_registry_commands_name_the_database_urls_they_take() -> None:
    for wrong in ("garbage", "mysql://x@127.0.0.1/y", "registry.db"):
        out = desk("registry", "serve", "--db", wrong)
        assert out.returncode == 2
        assert "--db must be sqlite:///PATH or postgresql://USER@HOST/NAME" in out.stderr
        assert "Traceback" not in out.stderr
