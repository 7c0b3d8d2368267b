"""`clozapine-desk registry serve|create-operator|compact`: the reference registry."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any


def _installed(action: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """The registry runs on the `registry` extra (and PostgreSQL on `postgres`): without it,
    say how to install it rather than fail on an import."""

    def checked(args: argparse.Namespace) -> int:
        from registry import installed

        db = str(getattr(args, "db", "") or "")
        if db and not db.startswith(installed.DATABASE_URL_PREFIXES):
            print(
                "registry: --db must be sqlite:///PATH or postgresql://USER@HOST/NAME, "
                f"not {db!r}.",
                file=sys.stderr,
            )
            return 2
        missing = installed.missing()
        if missing:
            print(
                f"registry: this installation has no registry ({', '.join(missing)} missing). "
                "Install it with: pip install 'clozapine-desk[registry]'",
                file=sys.stderr,
            )
            return 2
        if db.startswith("postgresql") and installed.missing(installed.POSTGRES_MODULES):
            how = (
                "The installed app runs the registry on SQLite (--db sqlite:///PATH); on a "
                "server, install it with: pip install 'clozapine-desk[postgres]'"
                if getattr(sys, "frozen", False)
                else "Install it with: pip install 'clozapine-desk[postgres]'"
            )
            print(
                f"registry: PostgreSQL support (psycopg) is not installed. {how}", file=sys.stderr
            )
            return 2
        return action(args)

    return checked


def _db(args: argparse.Namespace) -> str:
    from registry.server import default_db_url

    return str(args.db or default_db_url())


def _serve(args: argparse.Namespace) -> int:
    from app.loopback import is_loopback
    from local_store.file_modes import start_private_process
    from registry.server import serve
    from registry.settings import Settings, UnsafeTestClock, check_test_clock

    if (args.certfile is None) != (args.keyfile is None):
        print("registry: give both --certfile and --keyfile, or neither.", file=sys.stderr)
        return 2
    try:
        check_test_clock(Settings(db_url="", test_clock=args.test_clock, host=args.host))
    except UnsafeTestClock as error:
        print(f"registry: {error}", file=sys.stderr)
        return 2
    if not is_loopback(args.host) and args.certfile is None and not args.behind_tls_proxy:
        print(
            f"registry: refusing to serve patient information without TLS on {args.host}. "
            "Give --certfile and --keyfile, or --behind-tls-proxy when a proxy on this "
            "machine terminates TLS.",
            file=sys.stderr,
        )
        return 2
    # Private files and no core dumps (they would hold patients), in every worker too.
    start_private_process()
    if args.exit_with_parent:
        from registry.process import exit_when_parent_goes

        exit_when_parent_goes()
    serve(
        _db(args),
        args.host,
        args.port,
        test_clock=args.test_clock,
        fast_hash=args.test_clock and args.fast_hash,
        workers=args.workers,
        act_threads=args.act_threads,
        certfile=args.certfile,
        keyfile=args.keyfile,
        contact={
            "contact_phone": args.contact_phone,
            "contact_fax": args.contact_fax,
            "contact_label": args.contact_label,
        },
    )
    return 0


def _create_operator(args: argparse.Namespace) -> int:
    from app.passwords import password_problem
    from registry.database import shown_url
    from registry.server import create_operator, prepare
    from registry.settings import Settings

    password = sys.stdin.readline().rstrip("\n")
    problem = password_problem(password, email=args.email)  # the policy every account meets
    if problem:
        print(f"registry: {problem}", file=sys.stderr)
        return 2
    settings = Settings(db_url=_db(args))
    new = _missing_sqlite_file(settings.db_url)
    engine = prepare(settings)
    account_id = create_operator(engine, settings, args.email, password)
    where = shown_url(settings.db_url)
    # Said, because a mistyped --db makes a registry of its own (the first set-up does too).
    made = " (a new, empty registry database)" if new is not None else ""
    print(f"operator account {account_id} ready in {where}{made}")
    return 0


def _missing_sqlite_file(url: str) -> Path | None:
    """The SQLite file `url` names when there is none: opening it would make an empty one."""
    from registry.database import sqlite_file

    path = sqlite_file(url)
    return path if path is not None and not path.exists() else None


def _compact(args: argparse.Namespace) -> int:
    from registry import feed, idempotency
    from registry.database import run_in_transaction
    from registry.server import prepare
    from registry.settings import Settings

    settings = Settings(db_url=_db(args))
    missing = _missing_sqlite_file(settings.db_url)
    if missing is not None:
        print(
            f"registry: there is no registry database at {missing}. Check --db: compact "
            "works on the database a registry serves (sqlite:///PATH to its file).",
            file=sys.stderr,
        )
        return 2
    engine = prepare(settings)
    now = settings.now()

    def run(conn: Any) -> tuple[int, int]:
        dropped = feed.compact(conn, now - timedelta(days=settings.feed_tombstone_days))
        keys = idempotency.prune(conn, now - timedelta(days=settings.idempotency_days))
        return dropped, keys

    dropped, keys = run_in_transaction(engine, run)
    print(
        f"dropped {dropped} superseded changes and {keys} idempotency keys older than "
        f"{settings.idempotency_days} days"
    )
    return 0


def add_parser(commands: Any) -> None:
    registry = commands.add_parser("registry", help="the reference central registry")
    sub = registry.add_subparsers(dest="registry_command", metavar="ACTION", required=True)

    serve = sub.add_parser("serve", help="serve the registry over HTTP(S)")
    serve.add_argument("--db", help="SQLAlchemy URL (default: registry.db in the data folder)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8443)
    serve.add_argument("--workers", type=int, default=1, help="worker processes (stateless)")
    serve.add_argument(
        "--act-threads",
        type=int,
        default=1,
        choices=range(1, 17),
        metavar="N",
        help="threads per worker for writes (default 1; 2 with the database across a network)",
    )
    serve.add_argument("--certfile", type=Path, help="TLS certificate (PEM)")
    serve.add_argument("--keyfile", type=Path, help="TLS private key (PEM)")
    serve.add_argument(
        "--behind-tls-proxy",
        action="store_true",
        help="serve plain HTTP on a non-loopback address because a TLS proxy fronts it",
    )
    serve.add_argument("--contact-phone", default="", help="the phone number forms print")
    serve.add_argument("--contact-fax", default="", help="the fax number forms are sent to")
    serve.add_argument(
        "--contact-label",
        default="",
        help="whose numbers they are (default: Clozapine REMS Contact Center)",
    )
    serve.add_argument(
        "--test-clock",
        action="store_true",
        help="let callers set the program's date (PUT /v1/test/clock); loopback only",
    )
    serve.add_argument(
        "--fast-hash", action="store_true", help="with --test-clock: cheap password hashing"
    )
    serve.add_argument(
        "--exit-with-parent",
        action="store_true",
        help="stop when standard input closes (a parent app's embedded registry ends with it)",
    )
    serve.set_defaults(func=_installed(_serve))

    operator = sub.add_parser(
        "create-operator", help="make a program operator account (password on stdin)"
    )
    operator.add_argument("--email", required=True)
    operator.add_argument("--db")
    operator.set_defaults(func=_installed(_create_operator))

    compact = sub.add_parser("compact", help="drop superseded feed entries and old keys")
    compact.add_argument("--db")
    compact.set_defaults(func=_installed(_compact))
