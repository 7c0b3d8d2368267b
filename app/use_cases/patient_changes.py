"""Changes to one patient, worked out in memory and written only once all checks pass."""

from __future__ import annotations

import bisect
from datetime import date

from app.notifications import notification_for
from app.ports import ProgramLedger
from app.records import AncReport, Notification, Patient, StatusChange
from app.statuses import AncSource, NotificationCode
from app.treatment import Transition, after_reported_anc
from app.use_cases.entries import ValidAnc

# Pending reports sort after every stored one with the same draw date (they are reported later).
_PENDING_SEQ_BASE = 1 << 62


class PatientChanges:
    """Accumulates reported ANCs, status transitions and the new patient record.

    Nothing touches the ledger until `commit`, so a refused action records nothing.
    """

    def __init__(self, ledger: ProgramLedger, patient: Patient, today: date, by: str) -> None:
        self._ledger = ledger
        self.patient = patient
        self.today = today
        self.by = by
        self.history: list[AncReport] = list(ledger.anc_history(patient.id))
        self._new: list[AncReport] = []
        self._notified: list[tuple[AncReport, NotificationCode]] = []
        self._transitions: list[Transition] = []

    def report_anc(
        self, entry: ValidAnc, source: AncSource, *, affects_status: bool = True
    ) -> None:
        """Record an ANC: it may notify the prescriber and may interrupt treatment (§3, §5)."""
        report = AncReport(
            patient_id=self.patient.id,
            anc=entry.anc,
            drawn=entry.drawn,
            reported_on=self.today,
            source=source,
            reported_by=self.by,
            seq=_PENDING_SEQ_BASE + len(self._new),
            entered_value=entry.entered_value,
            entered_unit=entry.entered_unit,
        )
        self._new.append(report)
        bisect.insort(self.history, report, key=lambda r: r.order_key)
        code = notification_for(entry.anc, self.patient.population)
        if code is not None:
            self._notified.append((report, code))
        if affects_status:
            self.patient, transition = after_reported_anc(self.patient, report, self.today)
            if transition is not None:
                self._transitions.append(transition)

    def apply(self, patient: Patient, transition: Transition | None = None) -> None:
        self.patient = patient
        if transition is not None:
            self._transitions.append(transition)

    @property
    def most_current(self) -> AncReport | None:
        return self.history[-1] if self.history else None

    @property
    def notification_codes(self) -> tuple[NotificationCode, ...]:
        return tuple(code for _, code in self._notified)

    def commit(self) -> None:
        ledger = self._ledger
        ledger.save_patient(self.patient)
        for report in self._new:
            ledger.add_anc(report)
        for report, code in self._notified:
            ledger.add_notification(
                Notification(
                    patient_id=self.patient.id,
                    prescriber_id=self.patient.prescriber_id,
                    code=code,
                    anc=report.anc,
                    drawn=report.drawn,
                    on=self.today,
                )
            )
        for transition in self._transitions:
            ledger.add_status_change(
                StatusChange(
                    patient_id=self.patient.id,
                    on=self.today,
                    from_status=transition.from_status,
                    to_status=transition.to_status,
                    reason=transition.reason,
                    by=self.by,
                )
            )
