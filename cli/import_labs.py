"""`clozapine-desk import FILE... [--dry-run] [--json]`: lab results from HL7 v2, FHIR or
CSV files, told apart by their content.

For each result it says the patient it names, its value in cells/µL and what happens:
record, record a correction, skip a duplicate, hold a preliminary, refuse (with the reason),
or wait for a person to choose the patient. `--dry-run` records nothing; it matches against
the demo clinic's invented patients, or this workstation's with --email. Without it, the
person signed in with --email accepts the rows the desk would record (as ticking them on the
review screen does): they are queued as Add ANC queues an ANC and the import is audited;
rows waiting for a patient stay in the file, for the review screen. A CSV is read with the
column mapping saved for its lab on this workstation (chosen once on the review screen)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from app.clock import SystemClock
from app.lab_results import LabResult
from app.use_cases.lab_import import ImportPlanner, PlannedRow, plan_import


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = commands.add_parser(
        "import", help="import lab results (HL7 v2, FHIR, CSV), or show what it would do"
    )
    command.add_argument("files", nargs="+", type=Path, metavar="FILE", help="lab result files")
    command.add_argument(
        "--dry-run", action="store_true", help="say what would happen and record nothing"
    )
    command.add_argument("--json", action="store_true", help="one JSON object per result")
    command.add_argument("--email", help="this workstation's account (needed to record)")
    command.add_argument(
        "--password-stdin", action="store_true", help="with --email: the password on stdin"
    )
    command.add_argument("--data-dir", type=Path, help="with --email: the store's folder")
    command.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not args.dry_run and not args.email:
        print(
            "import: recording needs the person who accepts the results: give --email (and "
            "the password), or --dry-run to see what would happen.",
            file=sys.stderr,
        )
        return 2
    files = _read(args)
    if files is None:
        return 1
    if not args.email:
        from desk.demo.clinic import build_demo_clinic

        print("import: matched against the demo clinic's invented patients; give --email "
              "for this workstation's.", file=sys.stderr)  # fmt: skip
        clinic = build_demo_clinic(SystemClock().today())
        results = [r for _name, found in files for r in found]
        _show(args, plan_import(results, clinic.ledger.patients(), clinic.ledger.anc_history))
        return 0
    from cli.store_sign_in import signed_in

    session = signed_in(args, "import")
    if session is None:
        return 2
    try:
        planner: ImportPlanner = session.lab_import_planner()
        for name, found in files:
            rows = [planner.plan(r) for r in found]
            _show(args, rows)
            if not args.dry_run:
                accepted = [r for r in rows if r.action.records]
                done = session.record_lab_results(name, rows, accepted)
                print(f"import: {name}: {done.counts.words()}.", file=sys.stderr)
    finally:
        session.sign_out()
    return 0


def _read(args: argparse.Namespace) -> list[tuple[str, list[LabResult]]] | None:
    from lab_import.files import (
        NeedsMapping,
        UnreadableLabFile,
        read_file,
        read_lab_file,
        saved_mappings,
    )
    from local_store.paths import data_folder

    mappings = saved_mappings(args.data_dir or data_folder())
    today = SystemClock().today()
    files = []
    for path in args.files:
        try:
            data = read_file(path)
            files.append((path.name, read_lab_file(data, path.name, mappings, today)))
        except OSError as error:
            print(f"import: cannot read {path}: {error.strerror}", file=sys.stderr)
            return None
        except NeedsMapping as error:
            print(f"import: {path.name}: {error} Open it once on the review screen (File > "
                  "Import lab results), which saves the lab's columns.",
                  file=sys.stderr)  # fmt: skip
            return None
        except UnreadableLabFile as error:
            print(f"import: {error}", file=sys.stderr)
            return None
    return files


def _show(args: argparse.Namespace, rows: list[PlannedRow]) -> None:
    for row in rows:
        print(json.dumps(row.to_json(), ensure_ascii=False) if args.json else _line(row))


def _line(row: PlannedRow) -> str:
    who = row.patient.name if row.patient else "?"
    value = f"{row.assessment.anc.per_ul:,}/µL" if row.assessment.anc else "-"
    return f"{row.result.source}: {row.action.value}: {who}, {value}. {row.reason}"
