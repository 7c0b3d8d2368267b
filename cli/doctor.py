"""`clozapine-desk doctor`: what IT checks on a workstation after installing, in one list:
the version, where the data lives, the OS keyring, the trust store, the print preview's
renderer and the embedded training registry. Reads nothing of a patient's and changes
nothing; exit status 1 when something needs fixing."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

Check = tuple[str, Callable[[], str]]


def _version() -> str:
    from app.version import VERSION

    frozen = (
        "installed program" if getattr(sys, "frozen", False) else f"Python {sys.version.split()[0]}"
    )
    return f"clozapine-desk {VERSION} ({frozen})"


def _data_folder() -> str:
    from local_store.paths import data_folder

    return str(data_folder())


def _keyring() -> str:
    import keyring

    from local_store.device_secret import check_keyring

    check_keyring()
    backend = keyring.get_keyring()
    return f"{type(backend).__module__}.{type(backend).__name__}"


def _trust_store() -> str:
    import ssl

    import truststore

    truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    return "the operating system's (truststore)"


def _print_preview() -> str:
    from printing import fill, forms
    from printing.page_images import page_pixels
    from printing.render import ProgramContact, render

    pages = page_pixels(render(fill.blank(forms.PSF), ProgramContact()), 150)
    first = pages[0]
    return f"pdfium renders a blank PSF: {len(pages)} pages, {first.width}x{first.height} px"


def _embedded_registry() -> str:
    from desk.shell import embedded_registry_problem

    problem = embedded_registry_problem()
    if problem:
        raise RuntimeError(problem)
    return "available (the demo can run)"


CHECKS: list[Check] = [
    ("version", _version),
    ("data folder", _data_folder),
    ("keyring", _keyring),
    ("trust store", _trust_store),
    ("print preview", _print_preview),
    ("training registry", _embedded_registry),
]


def _doctor(_: argparse.Namespace) -> int:
    problems = 0
    for name, check in CHECKS:
        try:
            print(f"{name:18} ok: {check()}")
        except Exception as error:  # each check reports its own failure and the list goes on
            problems += 1
            print(f"{name:18} PROBLEM: {error}")
    return 1 if problems else 0


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = commands.add_parser(
        "doctor", help="check this workstation: keyring, trust store, print preview, registry"
    )
    command.set_defaults(func=_doctor)
