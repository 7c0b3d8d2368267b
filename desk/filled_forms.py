"""Filled forms from what this workstation knows, built in one place: the CLI writes them,
the window previews and prints them, and the pharmacy's fallback fax sends them.

A form is filled from the program's facts (the store's ledger, or the demo clinic's) and,
from a signed-in session, from the forms saved here: a saved PSF prints with its own
reporting period and its submitter, and every form prints the contact numbers the registry
supplied (kept in the store, so they print offline too).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import TYPE_CHECKING

from app.anc import Population
from app.enrollment_document import enrollment_to_document
from app.entered_anc import EnteredAnc
from app.ports import ProgramFacts, ProgramLedger
from app.psf import reporting_period
from app.psf_document import psf_to_document
from app.records import Patient, Prescriber
from app.roles import Role
from app.statuses import AncSource
from app.use_cases.enrollment import EnrollmentForm
from app.use_cases.psf_draft import draft_next_psf
from local_store.forms import Form, FormKind, FormState
from printing import fill, forms
from printing.render import ProgramContact, render_packet
from printing.spec import FormData
from sync import program_contact

if TYPE_CHECKING:
    from local_store.session import Session

# The names patient forms go by (the CLI's, the same as printing.forms codes with dashes).
PATIENT_FORMS = ("psf", "anc-lab-report", "patient-enrollment")

# The office's own phone and fax: the program's records hold none (left for the office).
NO_OFFICE = fill.Contact()

FALLBACK_MESSAGE = (
    "Our pharmacy could not reach the Clozapine REMS registry. Please record the enclosed ANC "
    "Lab Reporting Form; we are waiting to dispense. Please call us back at the phone number "
    "written in the From box."
)


@dataclass(frozen=True)
class PrintPacket:
    """What one print is: its forms in order (a fax: the cover first), whom the forms go to,
    the title a person sees, and the subject the audit log names."""

    title: str
    subject: str
    forms: tuple[FormData, ...]
    contact: ProgramContact

    def pdf(self) -> bytes:
        return render_packet(self.forms, self.contact)


# From the program's facts (the store's ledger or the demo clinic)
def next_psf(
    facts: ProgramFacts,
    patient_id: str,
    today: date,
    *,
    office: fill.Contact = NO_OFFICE,
    submitter: tuple[str, str] = ("", ""),
) -> FormData:
    """The patient's next PSF, prefilled: this period's ANCs and the monitoring now."""
    patient, prescriber = _patient_and_prescriber(facts, patient_id)
    draft = draft_next_psf(facts, patient_id, today)
    return fill.psf(
        patient,
        prescriber,
        psf_to_document(draft.form),
        period=(draft.period_start, draft.period_end),
        submitted_by=submitter[0],
        submitter_name=submitter[1],
        contact=office,
    )


def anc_lab_report(
    facts: ProgramFacts,
    patient_id: str,
    today: date,
    *,
    office: fill.Contact = NO_OFFICE,
    submitter: tuple[str, str] = ("", ""),
) -> FormData:
    """The ANC Lab Reporting Form with this period's ANCs as they were recorded."""
    patient, prescriber = _patient_and_prescriber(facts, patient_id)
    reports = draft_next_psf(facts, patient_id, today).reports
    return fill.anc_lab_report(
        patient,
        prescriber,
        reports,
        submitted_by=submitter[0],
        submitter_name=submitter[1],
        contact=office,
    )


def patient_enrollment(
    facts: ProgramFacts, patient_id: str, *, office: fill.Contact = NO_OFFICE
) -> FormData:
    """The Patient Enrollment Form as the patient was enrolled (the baseline ANCs)."""
    patient, prescriber = _patient_and_prescriber(facts, patient_id)
    baseline = [r for r in facts.anc_history(patient_id) if r.source is AncSource.ENROLLMENT]
    document = enrollment_to_document(
        EnrollmentForm(
            patient.id,
            patient.name,
            patient.dob,
            patient.population,
            tuple(EnteredAnc.recorded(r) for r in baseline),
            hospice=patient.hospice,
            monitoring=patient.monitoring,
        )
    )
    assert patient.population in (Population.GENERAL, Population.BEN)
    return fill.patient_enrollment(document, prescriber, patient_id=patient.id, contact=office)


def patient_form(
    name: str,
    facts: ProgramFacts,
    patient_id: str,
    today: date,
    *,
    office: fill.Contact = NO_OFFICE,
) -> FormData:
    """A patient form by its CLI name (`PATIENT_FORMS`). `office` is the prescriber's
    phone and fax: the program's records hold none (left for the office to write)."""
    if name == "psf":
        return next_psf(facts, patient_id, today, office=office)
    if name == "anc-lab-report":
        return anc_lab_report(facts, patient_id, today, office=office)
    if name == "patient-enrollment":
        return patient_enrollment(facts, patient_id, office=office)
    raise ValueError(f"{name!r} is not a patient form: one of {', '.join(PATIENT_FORMS)}.")


# From a signed-in session (the store)
def supplied_contact(session: Session) -> ProgramContact:
    """The numbers the registry supplied, as forms print them; none ever supplied, forms
    say to use the fax number of the program the office reports to."""
    found = program_contact.supplied(session.db)
    if found is None:
        return ProgramContact()
    return ProgramContact(label=found.label, phone=found.phone, fax=found.fax)


def psf_packet(
    session: Session,
    today: date | None = None,
    *,
    patient_id: str | None = None,
    form_id: str | None = None,
) -> PrintPacket:
    """A PSF to print: the saved form `form_id`; or for `patient_id`, the PSF of this
    period saved here (the one just signed, or the draft in progress), else the next one
    prefilled. `today` is the window's day (the workstation's clock when not given)."""
    today = today or session.workstation.clock.today()
    if form_id is None:
        assert patient_id is not None
        form_id = current_psf(session, patient_id, today)
    if form_id is not None:
        data = saved_psf(session, form_id, today)
        state = "signed" if data.signature else "draft"
    else:
        assert patient_id is not None
        data = next_psf(session.ledger, patient_id, today, submitter=_me(session))
        state = "draft"
    patient = data.values.get("patient_id", patient_id)
    return PrintPacket(
        f"Patient Status Form: {data.subject_name} ({state})",
        f"patient:{patient}",
        (data,),
        supplied_contact(session),
    )


def blank_psf(session: Session) -> PrintPacket:
    return PrintPacket(
        "Blank Patient Status Form",
        "form:psf:blank",
        (fill.blank(forms.PSF),),
        supplied_contact(session),
    )


def current_psf(session: Session, patient_id: str, today: date) -> str | None:
    """The patient's PSF of this period saved here, if any: a draft, or one signed (or sent
    without a signature) since the period began or today (the registry may have taken it
    already, and then the next period starts tomorrow)."""
    saved = [f for f in session.forms.for_patient(patient_id) if f.kind is FormKind.PSF]
    if not saved:
        return None
    latest = max(saved, key=lambda f: f.updated_at)
    if latest.state is FormState.DRAFT:
        return latest.id
    start = draft_next_psf(session.ledger, patient_id, today).period_start
    return latest.id if _dated(latest) >= min(start, today) else None


def saved_psf(session: Session, form_id: str, today: date) -> FormData:
    """A PSF saved here, as it is: a draft, or signed with its signature; with its reporting
    period and who submits it."""
    form = session.form(form_id)
    if form.kind is not FormKind.PSF:
        raise ValueError("Only Patient Status Forms print from here.")
    facts = session.ledger
    patient, prescriber = _patient_and_prescriber(facts, form.patient_id)
    return fill.psf(
        patient,
        prescriber,
        form.document,
        period=_period(facts, form, patient, today),
        submitted_by=_submitter(facts, form)[0],
        submitter_name=_submitter(facts, form)[1],
        signature=form.signature,
    )


def fallback_fax(session: Session, pharmacy_id: str, patient_id: str, today: date) -> PrintPacket:
    """The pharmacy's fallback when the registry cannot be reached: the ANC Lab Reporting
    Form prefilled (the pharmacy as submitter), to sign by hand, behind a cover sheet that
    names no patient (minimum necessary) and counts the fax's pages."""
    facts = session.ledger
    patient = facts.patient(patient_id)
    if patient is None:
        raise LookupError("This patient is not on this workstation: look them up first.")
    pharmacy = facts.pharmacy(pharmacy_id)
    pharmacy_name = pharmacy.name if pharmacy and pharmacy.name else pharmacy_id
    form = replace(
        anc_lab_report(facts, patient_id, today, submitter=("pharmacy", session.account.name)),
        sign_by_hand=True,  # the pharmacist signs the paper before faxing it
    )
    cover = fill.fax_cover(
        from_office=pharmacy_name,
        from_contact=session.account.name,
        on=today,
        enclosed=["ANC Lab Reporting Form"],
        message=FALLBACK_MESSAGE,
        urgent=True,
    )
    return PrintPacket(
        f"Fallback fax: ANC Lab Reporting Form for {patient.name}",
        f"patient:{patient_id}",
        (cover, form),
        supplied_contact(session),
    )


def _patient_and_prescriber(
    facts: ProgramFacts, patient_id: str
) -> tuple[Patient, Prescriber | None]:
    patient = facts.patient(patient_id)
    if patient is None:
        raise LookupError(f"there is no patient {patient_id!r} here.")
    prescriber = facts.prescriber(patient.prescriber_id) if patient.prescriber_id else None
    return patient, prescriber


def _dated(form: Form) -> date:
    """The day a form was signed (or sent without a signature), on this computer's clock."""
    if form.signature is not None:
        return form.signature.signed_at.astimezone().date()
    return datetime.fromisoformat(form.updated_at).astimezone().date()


def _period(facts: ProgramLedger, form: Form, patient: Patient, today: date) -> tuple[date, date]:
    """A draft's period is the next PSF's; a signed form's runs from the day after the PSF
    before it (the enrollment counts as one) to the day it was signed."""
    if form.state is FormState.DRAFT:
        draft = draft_next_psf(facts, patient.id, today)
        return draft.period_start, draft.period_end
    on = _dated(form)
    earlier = [p.dated for p in facts.psfs(patient.id) if p.dated < on]
    start, end = reporting_period(max(earlier, default=patient.enrolled_on), on)
    return min(start, end), end


def _submitter(facts: ProgramFacts, form: Form) -> tuple[str, str]:
    """Who submits the form: its signer once signed, else the person who prepared it."""
    if form.signature is not None:
        return "prescriber", form.signature.printed_name
    account = facts.account(form.created_by)
    if account is None:
        return "", ""
    return _role_word(account.role), account.name


def _me(session: Session) -> tuple[str, str]:
    return _role_word(session.account.role), session.account.name


def _role_word(role: Role) -> str:
    """The PSF's "Submitted by" choices are the prescriber and the designee."""
    return role.value if role in (Role.PRESCRIBER, Role.DESIGNEE) else ""
