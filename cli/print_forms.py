"""`clozapine-desk print FORM [--patient ID | --blank] --out FILE.pdf`: a fax-ready form.

Filled forms come from the demo clinic (the app's embedded default) or, with --email, from
this workstation's encrypted store (after signing in; the print is audited). The renderer
is the one the desktop previews and prints with.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from app.clock import SystemClock
from app.ports import ProgramFacts
from desk import filled_forms
from printing import fill, forms
from printing.render import ProgramContact
from printing.spec import FormData

# The command's names for the forms (the same as printing.forms codes, with dashes).
FORM_NAMES = {spec.code.replace("_", "-"): spec for spec in forms.ALL}
PATIENT_FORMS = set(filled_forms.PATIENT_FORMS)

# The demo office's own details (invented), printed on demo forms.
DEMO_OFFICE = "Okafor Psychiatry (demo)"
DEMO_CONTACT = fill.Contact(
    phone="555-201-3300", fax="555-201-3301", email="okafor@clinic.example", dea="BO1234563"
)


def demo_program_contact() -> ProgramContact:
    """The demo clinic is the training program's: the numbers its training registry sends."""
    from registry.settings import TRAINING_CONTACT

    return ProgramContact(**TRAINING_CONTACT)


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = commands.add_parser(
        "print", help="write a fax-ready program form as a PDF (filled or blank)"
    )
    command.add_argument(
        "form",
        choices=sorted(FORM_NAMES),
        metavar="FORM",
        help="one of: " + ", ".join(sorted(FORM_NAMES)),
    )
    source = command.add_mutually_exclusive_group()
    source.add_argument("--patient", metavar="ID", help="fill the form for this patient")
    source.add_argument("--blank", action="store_true", help="a blank form, for handwriting")
    command.add_argument("--out", required=True, type=Path, metavar="FILE.pdf")
    command.add_argument("--pages", type=int, default=1, help="fax cover: pages in the fax")
    command.add_argument(
        "--enclosed",
        action="append",
        default=[],
        metavar="FORM",
        help="fax cover: a form enclosed, such as 'Patient Status Form' (repeat for each; no "
        "patient names: the forms behind the cover carry them)",
    )
    command.add_argument("--message", default="", help="fax cover: a message to the reader")
    command.add_argument("--email", help="read from this workstation's store, signed in as")
    command.add_argument(
        "--password-stdin",
        action="store_true",
        help="with --email: read the password from standard input",
    )
    command.add_argument("--data-dir", type=Path, help="with --email: the store's folder")
    command.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    spec = FORM_NAMES[args.form]
    if args.form in PATIENT_FORMS and not (args.patient or args.blank):
        print(
            f"print: {args.form} is about a patient: give --patient ID, or --blank for "
            "a form to fill in by hand.",
            file=sys.stderr,
        )
        return 2
    if args.blank:
        return _write(fill.blank(spec), args.out, ProgramContact())
    today = SystemClock().today()
    if args.email:
        return _from_store(args, today)
    from desk.demo.clinic import build_demo_clinic

    clinic = build_demo_clinic(today)
    try:
        form = build(
            args.form,
            clinic.ledger,
            args.patient,
            today,
            args.pages,
            enclosed=args.enclosed,
            message=args.message,
        )
    except LookupError as error:
        print(f"print: {error}", file=sys.stderr)
        return 2
    # Without --email the form is the demo clinic's: never a real office's to fax.
    print(
        "print: filled from the demo clinic (invented patients and office). To print this "
        "workstation's own, give --email (and --data-dir).",
        file=sys.stderr,
    )
    return _write(form, args.out, demo_program_contact())


def build(
    name: str,
    facts: ProgramFacts,
    patient_id: str | None,
    today: date,
    pages: int = 1,
    *,
    enclosed: Sequence[str] = (),
    message: str = "",
) -> FormData:
    """The form `name`, filled from `facts` (a patient form for `patient_id`)."""
    if name == "fax-cover":
        return fill.fax_cover(
            from_office=DEMO_OFFICE,
            from_contact="Sam Rivera",
            from_phone=DEMO_CONTACT.phone,
            from_fax=DEMO_CONTACT.fax,
            on=today,
            pages=pages,
            enclosed=enclosed,
            message=message,
        )
    if name in PATIENT_FORMS:
        assert patient_id is not None
        return filled_forms.patient_form(name, facts, patient_id, today, office=DEMO_CONTACT)
    return _participant_form(name, facts)


def _participant_form(name: str, facts: ProgramFacts) -> FormData:
    from desk.demo.clinic import DESIGNEE, INPATIENT_PHARMACY, OUTPATIENT_PHARMACY, PRESCRIBER

    prescriber = facts.prescriber(PRESCRIBER)
    if prescriber is None:
        raise LookupError("the demo prescriber is missing.")
    if name == "prescriber-enrollment":
        return fill.prescriber_enrollment(
            prescriber,
            {
                "credentials": "MD",
                "specialty": "Psychiatry",
                "practice_name": DEMO_OFFICE,
                "practice_address": "12 Elm Street, Suite 4",
                "practice_city": "Springfield",
                "practice_state": "IL",
                "practice_zip": "62704",
            },
            DEMO_CONTACT,
        )
    if name == "designee-enrollment":
        designee = facts.account(DESIGNEE)
        if designee is None:
            raise LookupError("the demo designee is missing.")
        return fill.designee_enrollment(
            designee,
            prescriber,
            {
                "designee_title": "Nurse care coordinator",
                "designee_phone": DEMO_CONTACT.phone,
                "designee_email": "sam.rivera@clinic.example",
            },
        )
    pharmacy_id = INPATIENT_PHARMACY if name.startswith("inpatient") else OUTPATIENT_PHARMACY
    pharmacy = facts.pharmacy(pharmacy_id)
    if pharmacy is None:
        raise LookupError(f"the demo pharmacy {pharmacy_id} is missing.")
    return fill.pharmacy_enrollment(
        pharmacy,
        "Jordan Lee",
        {
            "pharmacy_ncpdp": "1234567",
            "pharmacy_npi": "1003000126",
            "pharmacy_address": "200 Main Street",
            "pharmacy_city": "Springfield",
            "pharmacy_state": "IL",
            "pharmacy_zip": "62701",
            "pharmacy_phone": "555-300-1000",
            "ar_title": "Pharmacist in charge",
            "ar_email": "jlee@pharmacy.example",
        },
    )


def _from_store(args: argparse.Namespace, today: date) -> int:
    from cli.store_sign_in import signed_in

    if args.form not in PATIENT_FORMS:
        print(
            "print: --email prints patient forms from the store; the store holds no "
            "enrollment details for participants yet.",
            file=sys.stderr,
        )
        return 2
    session = signed_in(args, "print")
    if session is None:
        return 2
    try:
        form = filled_forms.patient_form(args.form, session.ledger, args.patient, today)
        contact = filled_forms.supplied_contact(session)
        session.record_print(f"patient:{args.patient}", f"{form.spec.title} to {args.out.name}")
    except LookupError as error:
        print(f"print: {error}", file=sys.stderr)
        return 2
    finally:
        session.sign_out()
    return _write(form, args.out, contact)


def _write(form: FormData, out: Path, contact: ProgramContact) -> int:
    import os

    from printing.render import render

    data = render(form, contact)
    try:
        # Readable by this user only, as the app saves them: a filled form holds a patient.
        descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
    except OSError as error:
        print(
            f"print: cannot write {out}: {error.strerror}. Choose a folder you can write to.",
            file=sys.stderr,
        )
        return 1
    pages = len(re.findall(rb"/Type /Page\b(?!s)", data))
    what = (
        "blank"
        if form.blank
        else "signed"
        if form.signature
        else "draft, not signed"
        if form.spec.signed
        else "filled"
    )
    print(f"Wrote {out} ({form.spec.title}, {what}, {pages} page{'s' if pages != 1 else ''}).")
    return 0
