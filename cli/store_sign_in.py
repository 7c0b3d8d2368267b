"""Signing in to this workstation's store from the command line (`print --email`, `import
--email`): the password from standard input or asked without echo; a refusal is said in the
command's name and None returned."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from local_store.session import Session


def signed_in(args: argparse.Namespace, command: str) -> Session | None:
    from app.clock import SystemClock
    from local_store.errors import StoreError
    from local_store.paths import data_folder
    from local_store.workstation import Workstation

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        import getpass

        password = getpass.getpass("Password: ")
    try:
        return Workstation(args.data_dir or data_folder(), SystemClock()).sign_in(
            args.email, password
        )
    except StoreError as error:
        print(f"{command}: {error}", file=sys.stderr)
        return None
