"""`clozapine-desk import FILE... --dry-run [--json]`: what importing lab results would do.

Reads HL7 v2 ORU^R01 files (FHIR and CSV come next) and says, for each result, the patient
it names, its value in cells/µL and what would happen: record, skip a duplicate, hold a
preliminary, refuse (with the reason), or wait for a person to choose the patient. Nothing
is recorded yet: recording goes through the review screen, where a person accepts the rows.
Patients are the demo clinic's (invented), or this workstation's with --email."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from app.clock import SystemClock
from app.lab_results import LabResult
from app.use_cases.lab_import import PlannedRow, plan_import


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = commands.add_parser(
        "import", help="show what importing lab results (HL7 v2) would do (--dry-run)"
    )
    command.add_argument("files", nargs="+", type=Path, metavar="FILE", help="HL7 v2 files")
    command.add_argument(
        "--dry-run", action="store_true", help="say what would happen and record nothing"
    )
    command.add_argument("--json", action="store_true", help="one JSON object per result")
    command.add_argument("--email", help="match against this workstation's patients")
    command.add_argument(
        "--password-stdin", action="store_true", help="with --email: the password on stdin"
    )
    command.add_argument("--data-dir", type=Path, help="with --email: the store's folder")
    command.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not args.dry_run:
        print(
            "import: only --dry-run for now. Recording imported results goes through the "
            "desk's review screen, where a person accepts each row.",
            file=sys.stderr,
        )
        return 2
    from lab_import.hl7v2 import NotHl7, read_hl7

    results = []
    for path in args.files:
        try:
            results += read_hl7(path.read_bytes(), path.name)
        except OSError as error:
            print(f"import: cannot read {path}: {error.strerror}", file=sys.stderr)
            return 1
        except NotHl7 as error:
            print(f"import: {path.name}: {error}", file=sys.stderr)
            return 1
    rows = _planned(args, results)
    if rows is None:
        return 2
    for row in rows:
        print(json.dumps(row.to_json(), ensure_ascii=False) if args.json else _line(row))
    return 0


def _planned(args: argparse.Namespace, results: list[LabResult]) -> list[PlannedRow] | None:
    if not args.email:
        from desk.demo.clinic import build_demo_clinic

        print("import: matched against the demo clinic's invented patients; give --email "
              "for this workstation's.", file=sys.stderr)  # fmt: skip
        clinic = build_demo_clinic(SystemClock().today())
        return plan_import(results, clinic.ledger.patients(), clinic.ledger.anc_history)
    from cli.store_sign_in import signed_in

    session = signed_in(args, "import")
    if session is None:
        return None
    try:
        ledger = session.ledger
        return plan_import(results, ledger.patients(), ledger.anc_history)
    finally:
        session.sign_out()


def _line(row: PlannedRow) -> str:
    who = row.match.patient.name if row.match and row.match.patient else "?"
    value = f"{row.assessment.anc.per_ul:,}/µL" if row.assessment.anc else "-"
    return f"{row.result.source}: {row.action.value}: {who}, {value}. {row.reason}"
