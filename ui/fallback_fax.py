"""The pharmacy's offline fallback: when the registry cannot be reached, the ANC Lab Reporting
Form prefilled from this workstation (the patient, their prescriber, the period's ANCs, the
pharmacy as submitter) behind a fax cover sheet, in one PDF for Qt's print preview. The
cover names no patient (minimum necessary): the form behind it does."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from app.use_cases.psf_draft import draft_next_psf
from local_store.session import Session
from printing import fill
from printing.render import pages_of, render_packet
from ui.print_preview import PrintJob, page_count, page_images

COVER_MESSAGE = (
    "Our pharmacy could not reach the Clozapine REMS registry. Please record the enclosed ANC "
    "Lab Reporting Form; we are waiting to dispense. Call us at the number above."
)


def fallback_job(session: Session, pharmacy_id: str, patient_id: str, today: date) -> PrintJob:
    ledger = session.ledger
    patient = ledger.patient(patient_id)
    if patient is None:
        raise LookupError("This patient is not on this workstation: look them up first.")
    pharmacy = ledger.pharmacy(pharmacy_id)
    pharmacy_name = pharmacy.name if pharmacy and pharmacy.name else pharmacy_id
    prescriber = ledger.prescriber(patient.prescriber_id) if patient.prescriber_id else None
    reports = draft_next_psf(ledger, patient_id, today).reports
    form = replace(
        fill.anc_lab_report(
            patient,
            prescriber,
            reports,
            submitted_by="pharmacy",
            submitter_name=session.account.name,
        ),
        sign_by_hand=True,  # the pharmacist signs the paper before faxing it
    )
    cover = fill.fax_cover(
        from_office=pharmacy_name,
        from_contact=session.account.name,
        on=today,
        pages=1 + pages_of(form),
        enclosed=["ANC Lab Reporting Form"],
        message=COVER_MESSAGE,
        urgent=True,
    )
    pdf = render_packet([cover, form])
    return PrintJob(
        f"Fallback fax: ANC Lab Reporting Form for {patient.name}",
        f"patient:{patient_id}",
        pdf,
        page_images(pdf, page_count(pdf)),
    )
