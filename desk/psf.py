"""What the PSF editor opens: the form asked for, or for "New PSF" the patient's open draft
(one draft per patient), else a new form prefilled for the reporting period; with what the
label recommends today."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.psf_document import psf_to_document
from app.records import Patient
from app.use_cases.patient_summary import follow_up_words, summarize_patient
from app.use_cases.psf_draft import PsfDraft, draft_next_psf
from desk.forms import Form, FormState
from desk.session import Session


@dataclass(frozen=True)
class PsfFacts:
    """What the PSF editor shows for a patient's form."""

    patient: Patient
    form_id: str
    document: dict[str, Any]
    form: Form | None  # None for a new form
    draft: PsfDraft | None  # the reporting period, for a draft; None for a signed form
    recommended: str  # what the label recommends now, e.g. "Three times weekly"
    # Beyond the routine, for the one who opens it: the first low ANC to confirm within 24
    # hours (R14), who may resume after a severe ANC (R12); the chart's own sentences.
    follow_up: tuple[str, ...] = ()


def psf_facts(
    session: Session, patient_id: str | None, form_id: str | None, today: date
) -> PsfFacts:
    """A form to show: the one asked for, or for "New PSF" the patient's open draft if there
    is one (one draft per patient), else a new form prefilled for the reporting period."""
    form = session.form(form_id) if form_id is not None else None
    if form is None:
        assert patient_id is not None
        form = session.psf_draft_for(patient_id)
    patient = session.ledger.patient(form.patient_id if form else str(patient_id))
    if patient is None:
        raise LookupError("This form's patient is not on this workstation.")
    summary = summarize_patient(session.ledger, patient.id, today)
    recommended = summary.recommended_monitoring
    follow_up = tuple(follow_up_words(summary, session.account.role))
    if form is not None and form.state is not FormState.DRAFT:
        return PsfFacts(patient, form.id, form.document, form, None, recommended.label)
    draft = draft_next_psf(session.ledger, patient.id, today, session.psf_sent_on(patient.id))
    return PsfFacts(
        patient,
        form.id if form else str(uuid.uuid4()),
        form.document if form else psf_to_document(draft.form),
        form,
        draft,
        recommended.label,
        follow_up,
    )
