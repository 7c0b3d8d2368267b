"""The program's acts in one place, over a ledger and the injected clock.

The desktop, the registry and the conformance runner all drive the rules through this
facade; each method is one use case from `app.use_cases`.
"""

from __future__ import annotations

from app.clock import Clock
from app.entered_anc import EnteredAnc
from app.ports import ProgramLedger
from app.psf import PsfSubmission
from app.rda import RdaDecision, evaluate_rda
from app.records import Account, Patient, Pharmacy, Prescriber
from app.roles import Role
from app.statuses import PharmacySetting
from app.use_cases import (
    anc_reporting,
    dispense_rationale,
    dispensing,
    enrollment,
    participants,
    patient_list,
    patient_status_form,
    patient_summary,
)


class Program:
    """The Clozapine REMS program's rules, acting on `ledger` on the clock's date."""

    def __init__(self, ledger: ProgramLedger, clock: Clock) -> None:
        self.ledger = ledger
        self.clock = clock

    # Participants
    def register_prescriber(self, prescriber_id: str, npi: str, name: str = "") -> Prescriber:
        return participants.register_prescriber(self.ledger, prescriber_id, npi, name)

    def certify_prescriber(self, prescriber_id: str, npi: str, name: str = "") -> Prescriber:
        return participants.certify_prescriber(self.ledger, prescriber_id, npi, name)

    def add_designee(self, prescriber_id: str, designee_id: str, name: str = "") -> Account:
        return participants.add_designee(self.ledger, prescriber_id, designee_id, name)

    def register_pharmacy(
        self, pharmacy_id: str, setting: PharmacySetting, ar_id: str, name: str = ""
    ) -> Pharmacy:
        return participants.register_pharmacy(self.ledger, pharmacy_id, setting, ar_id, name)

    def certify_pharmacy(
        self, pharmacy_id: str, setting: PharmacySetting, ar_id: str, name: str = ""
    ) -> Pharmacy:
        return participants.certify_pharmacy(
            self.ledger, self.clock.today(), pharmacy_id, setting, ar_id, name
        )

    def certify_as_representative(self, ar_id: str, pharmacy_id: str) -> Pharmacy:
        return participants.certify_as_representative(
            self.ledger, self.clock.today(), ar_id, pharmacy_id
        )

    def certify_by_assessment(
        self, account_id: str, pharmacy_id: str | None = None
    ) -> Prescriber | Pharmacy:
        return participants.certify_by_assessment(
            self.ledger, self.clock.today(), account_id, pharmacy_id
        )

    def check_may_invite(
        self, inviter_id: str, invited: Role, pharmacy_id: str | None = None
    ) -> participants.InvitationFor:
        return participants.check_may_invite(self.ledger, inviter_id, invited, pharmacy_id)

    def join_by_invitation(
        self,
        invited: Role,
        account_id: str,
        name: str,
        invitation: participants.InvitationFor,
        invited_by: str,
    ) -> Account:
        return participants.join_by_invitation(
            self.ledger, invited, account_id, name, invitation, invited_by
        )

    def reconfirm_pharmacy(self, pharmacy_id: str, actor_id: str) -> Pharmacy:
        return participants.reconfirm_pharmacy(
            self.ledger, self.clock.today(), pharmacy_id, actor_id
        )

    def deactivate_pharmacy(self, pharmacy_id: str, actor_id: str) -> Pharmacy:
        return participants.deactivate_pharmacy(
            self.ledger, self.clock.today(), pharmacy_id, actor_id
        )

    def add_pharmacy_staff(
        self, pharmacy_id: str, staff_id: str, actor_id: str, name: str = ""
    ) -> Account:
        return participants.add_pharmacy_staff(self.ledger, pharmacy_id, staff_id, actor_id, name)

    def add_account(self, account_id: str, role: Role, name: str = "") -> Account:
        return participants.add_account(self.ledger, account_id, role, name)

    def check_pharmacy(self, pharmacy_id: str, actor_id: str | None = None) -> bool:
        return participants.check_pharmacy(self.ledger, self.clock.today(), pharmacy_id, actor_id)

    # Patients
    def enroll_patient(
        self, actor_id: str, form: enrollment.EnrollmentForm
    ) -> enrollment.EnrollmentResult:
        return enrollment.enroll_patient(self.ledger, self.clock.today(), actor_id, form)

    def report_anc(
        self, actor_id: str, patient_id: str, entry: EnteredAnc
    ) -> anc_reporting.AncReportResult:
        return anc_reporting.report_anc(
            self.ledger, self.clock.today(), actor_id, patient_id, entry
        )

    def submit_psf(self, actor_id: str, form: PsfSubmission) -> patient_status_form.PsfResult:
        return patient_status_form.submit_psf(self.ledger, self.clock.today(), actor_id, form)

    def deactivate_patient(self, actor_id: str, patient_id: str) -> Patient:
        return patient_list.deactivate_patient(
            self.ledger, self.clock.today(), actor_id, patient_id
        )

    def patient_summary(self, patient_id: str) -> patient_summary.PatientSummary:
        return patient_summary.summarize_patient(self.ledger, patient_id, self.clock.today())

    # Dispensing
    def preview_rda(self, pharmacy_id: str, patient_id: str, prescriber_id: str) -> RdaDecision:
        """The checks as they stand, recording nothing: a preview, never an authorization."""
        return evaluate_rda(self.ledger, pharmacy_id, patient_id, prescriber_id, self.clock.today())

    def request_rda(
        self,
        actor_id: str,
        pharmacy_id: str,
        patient_id: str,
        prescriber_id: str,
        anc: EnteredAnc | None = None,
    ) -> RdaDecision:
        return dispensing.request_rda(
            self.ledger, self.clock.today(), actor_id, pharmacy_id, patient_id, prescriber_id, anc
        )

    def submit_dispense_rationale(
        self, actor_id: str, pharmacy_id: str, patient_id: str, npi: str, anc: EnteredAnc
    ) -> dispense_rationale.DispenseRationaleResult:
        return dispense_rationale.submit_dispense_rationale(
            self.ledger, self.clock.today(), actor_id, pharmacy_id, patient_id, npi, anc
        )
