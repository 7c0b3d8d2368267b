"""Remake the golden PDFs after an intended change to the forms, then look at them:

.venv/bin/python -m tests.golden.make    # then open tests/golden/*.pdf in a PDF viewer
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from cli.print_forms import build, demo_program_contact
from desk.demo.clinic import build_demo_clinic
from printing import fill, forms
from printing.render import render

FOLDER = Path(__file__).parent
TODAY = date(2026, 11, 25)


def golden_forms() -> dict[str, bytes]:
    clinic = build_demo_clinic(TODAY)
    demo = demo_program_contact()  # the training registry's numbers, as the demo prints them
    return {
        # No numbers supplied: the form says in words which fax to use.
        "psf-blank.pdf": render(fill.blank(forms.PSF)),
        "psf-filled.pdf": render(build("psf", clinic.ledger, "p-bello", TODAY), demo),
        "fax-cover.pdf": render(build("fax-cover", clinic.ledger, None, TODAY, pages=2), demo),
    }


if __name__ == "__main__":
    for name, data in golden_forms().items():
        (FOLDER / name).write_bytes(data)
        print(FOLDER / name)
