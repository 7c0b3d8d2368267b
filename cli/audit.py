"""`clozapine-desk audit verify`: check the audit log's hash chain and its keyed head, and
report the first bad entry and any damage found and recorded earlier. Reading the log needs
the store open, so it asks for a workstation account's email and password (a prompt, or
--password-stdin for scripts); that sign-in checks the head first, as every sign-in does."""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from app.clock import SystemClock

if TYPE_CHECKING:
    from local_store.audit import AuditReport


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit = commands.add_parser("audit", help="the tamper-evident audit log")
    actions = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    verify = actions.add_parser(
        "verify", help="check every entry of the audit log's hash chain; exit 1 if one is bad"
    )
    verify.add_argument("--email", required=True, help="your workstation account's email")
    verify.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    verify.add_argument(
        "--data-dir", type=Path, help="the store's folder (default: the user's data folder)"
    )
    verify.set_defaults(func=run_verify)


def run_verify(args: argparse.Namespace) -> int:
    from local_store.errors import StoreError
    from local_store.paths import data_folder
    from local_store.workstation import Workstation

    folder = args.data_dir or data_folder()
    password = (
        sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass("Password: ")
    )
    try:
        session = Workstation(folder, SystemClock()).sign_in(args.email, password)
    except StoreError as error:
        print(f"audit verify: {error}", file=sys.stderr)
        return 2
    try:
        report = session.audit.verify()
    finally:
        session.sign_out()
    if report.intact:
        print(f"Audit log intact: {report.entries} entries, every link checked.")
        return 0
    print("\n".join(damage_words(report)))
    return 1


def damage_words(report: AuditReport) -> list[str]:
    """The damage in plain words: a broken link or head now, and each finding recorded
    earlier (at a sign-in, say), which stays in the log for whoever checks it next."""
    lines = []
    if report.first_bad is not None:
        lines.append(
            f"Audit log DAMAGED at entry #{report.first_bad}: {report.problem}. Entries "
            "before it are intact."
        )
    for finding in report.findings:
        lines.append(
            f"Audit log DAMAGED: found on {_local(finding.at)} and recorded as entry "
            f"#{finding.seq}: {finding.detail}"
        )
    lines.append("Keep this computer as it is and tell your privacy officer.")
    return lines


def _local(stamp: str) -> str:
    return datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M %Z")
