"""`clozapine-desk`: run the app, the conformance scenarios and the benchmarks."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conformance.runner import RunReport


def _scenarios(args: argparse.Namespace) -> int:
    from conformance.local_target import LocalTarget
    from conformance.runner import run
    from conformance.scenario import ScenarioFileError

    if args.db and args.against != "registry":
        print("scenarios: --db applies only to --against registry.", file=sys.stderr)
        return 2
    try:
        if args.against == "registry":
            from conformance.registry_target import RegistryTarget

            report = run([Path(p) for p in args.paths], lambda: RegistryTarget(args.db))
        elif args.against == "store":
            from conformance.store_target import StoreTarget

            report = run([Path(p) for p in args.paths], StoreTarget)
        else:
            report = run([Path(p) for p in args.paths], LocalTarget)
    except ScenarioFileError as error:
        print(f"scenarios: {error}", file=sys.stderr)
        return 2
    if args.pending:
        return _judge_pending(report, Path(args.pending), args.against)
    for line in report.failures:
        print(line)
    print(report.summary)
    return 0 if report.failed == 0 else 1


def _judge_pending(report: RunReport, listing: Path, target: str) -> int:
    from conformance.pending import judge, load_pending

    verdict = judge(report, load_pending(listing), target)
    for line in report.failures:
        name = Path(line.split(":", 1)[0]).name
        print(("pending: " if name in verdict.still_pending else "") + line)
    for name in verdict.now_passing:
        print(f"{name} passes on {target} now: take it off {listing} for {target}.")
    print(f"{report.summary} ({len(verdict.still_pending)} of the failures listed as pending)")
    return 0 if verdict.ok else 1


def _bench(args: argparse.Namespace) -> int:
    from registry import installed

    # The benchmarks run the registry and read PDFs back: tools of a development install.
    missing = installed.missing(("pypdf", *installed.REGISTRY_MODULES))
    if missing:
        print(
            f"bench: needs the development tools ({', '.join(missing)} missing). From the "
            "source folder: pip install -e '.[dev]' (scripts/bootstrap does it).",
            file=sys.stderr,
        )
        return 2
    from bench.harness import format_table, run_benchmarks, write_json

    metrics = run_benchmarks(quick=args.quick, only=args.only)
    print(format_table(metrics))
    if args.json:
        write_json(metrics, Path(args.json))
        print(f"wrote {args.json}")
    return 0


def _app(args: argparse.Namespace) -> int:
    import os

    from local_store.file_modes import make_data_folder_private, start_private_process
    from local_store.paths import data_folder

    if getattr(args, "demo", None):
        from desk.shell import embedded_registry_problem

        problem = embedded_registry_problem()
        if problem:
            print(f"clozapine-desk: {problem}", file=sys.stderr)
            return 2
    # Before anything is read or written: private files, no core dumps (the data key).
    start_private_process()
    make_data_folder_private(getattr(args, "data_dir", None) or data_folder())

    from ui.main import run

    # The start-up benchmark's hook: say "shown" and stop once the first window is up.
    shown = os.environ.get("CLOZAPINE_EXIT_WHEN_SHOWN") == "1"
    return run(
        demo=getattr(args, "demo", None),
        data_dir=getattr(args, "data_dir", None),
        on_shown=(lambda: print("shown", flush=True)) if shown else None,
    )


def _demo_roster(args: argparse.Namespace) -> int:
    from cli import demo_roster

    return demo_roster.show()


def build_parser(*, app_only: bool = False) -> argparse.ArgumentParser:
    """Every command; `app_only` leaves out the others' modules (the window starts sooner)."""
    from app.version import VERSION
    from desk.demo.accounts import DEMO_KINDS  # plain data, no Qt

    parser = argparse.ArgumentParser(
        prog="clozapine-desk",
        description=(
            "Clozapine REMS Desk: ANC tracking, Patient Status Forms and dispense eligibility "
            "for prescriber offices and pharmacies. With no command, starts the app."
        ),
    )
    parser.add_argument("--version", action="version", version=f"clozapine-desk {VERSION}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    app = commands.add_parser("app", help="start the desktop app (the default command)")
    app.add_argument(
        "--demo",
        nargs="?",
        const="clinic",
        choices=DEMO_KINDS,
        help="open a demo workstation on an embedded training registry with invented "
        "patients (made on the first start): the clinic (the default), or Main Street "
        "Pharmacy or a wholesaler beside it",
    )
    app.add_argument("--data-dir", type=Path, help="the workstation's folder (default: yours)")
    app.set_defaults(func=_app)

    roster = commands.add_parser(
        "demo-roster", help="print the demo clinic's roster and eligibility in the terminal"
    )
    roster.set_defaults(func=_demo_roster)

    scenarios = commands.add_parser(
        "scenarios", help="run conformance scenarios (conformance/spec/scenarios.md)"
    )
    scenarios.add_argument("paths", nargs="+", metavar="PATH", help="a *.json file or a folder")
    scenarios.add_argument(
        "--against",
        choices=["local", "store", "registry"],
        default="local",
        help="local: the rules engine in process (default); store: the same engine over the "
        "encrypted local store; registry: the reference registry",
    )
    scenarios.add_argument("--db", help="with --against registry: a SQLAlchemy database URL")
    scenarios.add_argument(
        "--pending",
        metavar="FILE",
        help="a JSON list of scenarios this target does not pass yet (conformance/pending.py): "
        "they may fail; any other failure, or a listed scenario that passes, fails the run",
    )
    scenarios.set_defaults(func=_scenarios)

    bench = commands.add_parser("bench", help="run the benchmarks and print a table")
    bench.add_argument("--quick", action="store_true", help="a short run (fewer repetitions)")
    bench.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    bench.add_argument("--only", metavar="PREFIX", help="only metrics whose name starts so")
    bench.set_defaults(func=_bench)

    if app_only:
        return parser
    from cli import audit, doctor, import_labs, print_forms, registry_cmd

    audit.add_parser(commands)
    doctor.add_parser(commands)
    import_labs.add_parser(commands)
    print_forms.add_parser(commands)
    registry_cmd.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(app_only=not words or words[0] == "app")
    args = parser.parse_args(words)
    try:
        result: int = _app(args) if args.command is None else args.func(args)
    except BrokenPipeError:
        # The reader went away (`clozapine-desk | head`): stop quietly, as Unix tools do.
        sys.stderr.close()
        return 0
    return result


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
