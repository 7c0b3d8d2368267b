"""A ledger held in memory: the world of scenarios, tests and benchmarks."""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from app.records import (
    Account,
    AncReport,
    Dispense,
    Notification,
    Patient,
    Pharmacy,
    Prescriber,
    PsfRecord,
    StatusChange,
)
from app.statuses import DispenseVia, PharmacySetting


class InMemoryLedger:
    """Implements `ProgramLedger` with dicts and per-patient lists kept in order."""

    def __init__(self) -> None:
        self._accounts: dict[str, Account] = {}
        self._prescribers: dict[str, Prescriber] = {}
        self._pharmacies: dict[str, Pharmacy] = {}
        self._patients: dict[str, Patient] = {}
        self._ancs: dict[str, list[AncReport]] = defaultdict(list)
        self._psfs: dict[str, list[PsfRecord]] = defaultdict(list)
        self._dispenses: dict[str, list[Dispense]] = defaultdict(list)
        self._dispense_enrollments: set[tuple[str, int]] = set()
        self._notifications: dict[str, list[Notification]] = defaultdict(list)
        self._status_changes: dict[str, list[StatusChange]] = defaultdict(list)
        self._seq = 0

    # Reads (ProgramFacts)
    def account(self, account_id: str) -> Account | None:
        return self._accounts.get(account_id)

    def prescriber(self, prescriber_id: str) -> Prescriber | None:
        return self._prescribers.get(prescriber_id)

    def pharmacy(self, pharmacy_id: str) -> Pharmacy | None:
        return self._pharmacies.get(pharmacy_id)

    def patient(self, patient_id: str) -> Patient | None:
        return self._patients.get(patient_id)

    def anc_history(self, patient_id: str) -> Sequence[AncReport]:
        return tuple(self._ancs.get(patient_id, ()))

    def most_current_anc(self, patient_id: str) -> AncReport | None:
        reports = self._ancs.get(patient_id)
        return reports[-1] if reports else None

    def latest_psf(self, patient_id: str) -> PsfRecord | None:
        psfs = self._psfs.get(patient_id)
        return psfs[-1] if psfs else None

    def has_dispense_in_enrollment(self, patient_id: str, enrollment_id: int) -> bool:
        return (patient_id, enrollment_id) in self._dispense_enrollments

    def outpatient_dispense_rationales_since(self, patient_id: str, since: date) -> int:
        return sum(
            1
            for d in self._dispenses.get(patient_id, ())
            if d.via is DispenseVia.DISPENSE_RATIONALE
            and d.pharmacy_setting is PharmacySetting.OUTPATIENT
            and d.on >= since
        )

    def notifications(self, patient_id: str) -> Sequence[Notification]:
        return tuple(self._notifications.get(patient_id, ()))

    def status_history(self, patient_id: str) -> Sequence[StatusChange]:
        return tuple(self._status_changes.get(patient_id, ()))

    def psfs(self, patient_id: str) -> Sequence[PsfRecord]:
        return tuple(self._psfs.get(patient_id, ()))

    def dispenses(self, patient_id: str) -> Sequence[Dispense]:
        return tuple(self._dispenses.get(patient_id, ()))

    def patients(self) -> Sequence[Patient]:
        return tuple(self._patients.values())

    def pharmacies(self) -> Sequence[Pharmacy]:
        return tuple(self._pharmacies.values())

    # Writes (ProgramLedger)
    def save_account(self, account: Account) -> None:
        self._accounts[account.id] = account

    def save_prescriber(self, prescriber: Prescriber) -> None:
        self._prescribers[prescriber.id] = prescriber

    def save_pharmacy(self, pharmacy: Pharmacy) -> None:
        self._pharmacies[pharmacy.id] = pharmacy

    def save_patient(self, patient: Patient) -> None:
        self._patients[patient.id] = patient

    def add_anc(self, report: AncReport) -> AncReport:
        self._seq += 1
        stored = AncReport(  # built directly: dataclasses.replace is twice as slow here
            report.patient_id,
            report.anc,
            report.drawn,
            report.reported_on,
            report.source,
            report.reported_by,
            self._seq,
            report.entered_value,
            report.entered_unit,
        )
        reports = self._ancs[report.patient_id]
        if not reports or reports[-1].drawn <= stored.drawn:
            reports.append(stored)  # the usual case: results arrive in draw order
        else:
            bisect.insort(reports, stored, key=lambda r: r.order_key)
        return stored

    def add_psf(self, psf: PsfRecord) -> None:
        # PSFs arrive in date order (steps never go back in time), so the last is the latest.
        self._psfs[psf.patient_id].append(psf)

    def add_dispense(self, dispense: Dispense) -> None:
        self._dispenses[dispense.patient_id].append(dispense)
        self._dispense_enrollments.add((dispense.patient_id, dispense.enrollment_id))

    def add_notification(self, notification: Notification) -> None:
        self._notifications[notification.patient_id].append(notification)

    def add_status_change(self, change: StatusChange) -> None:
        self._status_changes[change.patient_id].append(change)
