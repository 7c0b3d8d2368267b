"""The rules engine's world, read straight from the encrypted store.

`StoreLedger` implements `app.ports.ProgramLedger` over the SQLCipher connection: every
query the rules ask is one indexed read, so an eligibility preview is a read of the store,
not a copy of it. Writes join the caller's transaction (`Database.transaction()`), so a use
case and the outbox item and audit entry that go with it commit together; every row records
the signed-in account in `created_by`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from app import record_codec
from app.anc import Anc, Population
from app.entered_anc import DEFAULT_UNIT
from app.records import (
    Account,
    AncReport,
    Dispense,
    Interruption,
    Notification,
    Patient,
    Pharmacy,
    Prescriber,
    PsfRecord,
    StatusChange,
)
from app.roles import Role
from app.statuses import (
    AncSource,
    DispenseVia,
    MonitoringFrequency,
    PharmacySetting,
    TreatmentStatus,
)
from local_store.database import Database


def sort_name(name: str) -> str:
    """The roster's sort and filter key: case and accents ignored ("Núñez" files under "nunez")."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _flag(value: bool | None) -> int | None:
    return None if value is None else int(value)


PATIENT_COLUMNS = (
    "id, name, dob, population, hospice, prescriber_id, treatment_status, enrollment_id, "
    "enrolled_on, monitoring, monitoring_clock_start, interruption_since, interruption_severe, "
    "rationale_through"
)
ANC_COLUMNS = (
    "patient_id, per_ul, drawn, reported_on, source, reported_by, seq, entered_value, entered_unit"
)
PSF_COLUMNS = (
    "id, patient_id, dated, monitoring, labs_missing, missing_labs_authorized, submitted_by, "
    "is_enrollment, signed_by, requested_status, treatment_rationale, ben, hospice, adverse_event"
)


# The roster's "latest ANC": this one, unless a later draw, or on the same draw date a later
# report, is already on file (the rules' "most current", rules.md §2).
LATEST_ANC_UPDATE = (
    "UPDATE patients SET latest_anc_seq = ? WHERE id = ? AND (latest_anc_seq IS NULL OR "
    "(SELECT drawn || printf('%020d', seq) FROM anc_results WHERE seq = latest_anc_seq) "
    "< ? || printf('%020d', ?))"
)


def latest_anc_params(seq: int, report: AncReport) -> tuple[int, str, str, int]:
    return (seq, report.patient_id, report.drawn.isoformat(), seq)


PHARMACY_COLUMNS = "id, setting, ar_account_id, name, certified_on, attested_on, deactivated_on"


NOTIFICATION_COLUMNS = "n.patient_id, n.prescriber_id, n.code, n.per_ul, n.drawn, n.on_date"


def notification_from_row(row: Any) -> Notification:
    """A row of NOTIFICATION_COLUMNS, read by the one decoder the feed uses too."""
    fields = ("patient_id", "prescriber_id", "code", "per_ul", "drawn", "on")
    return record_codec.notification_from(dict(zip(fields, row, strict=True)))


def pharmacy_from_row(row: Any) -> Pharmacy:
    return Pharmacy(
        row[0], PharmacySetting(row[1]), row[2], row[3], _d(row[4]), _d(row[5]), _d(row[6])
    )


def patient_from_row(row: Any) -> Patient:
    return Patient(
        id=row[0],
        name=row[1],
        dob=date.fromisoformat(row[2]),
        population=Population(row[3]),
        hospice=bool(row[4]),
        prescriber_id=row[5],
        treatment_status=TreatmentStatus(row[6]),
        enrollment_id=row[7],
        enrolled_on=date.fromisoformat(row[8]),
        monitoring=MonitoringFrequency(row[9]),
        monitoring_clock_start=date.fromisoformat(row[10]),
        interruption=Interruption(date.fromisoformat(row[11]), bool(row[12])) if row[11] else None,
        rationale_through=_d(row[13]),
    )


def anc_from_row(row: Any) -> AncReport:
    return AncReport(
        row[0],
        Anc(row[1]),
        date.fromisoformat(row[2]),
        date.fromisoformat(row[3]),
        AncSource(row[4]),
        row[5],
        row[6],
        row[7],
        row[8],
    )


def psf_from_row(row: Any) -> PsfRecord:
    return PsfRecord(
        id=row[0],
        patient_id=row[1],
        dated=date.fromisoformat(row[2]),
        monitoring=MonitoringFrequency(row[3]),
        labs_missing=bool(row[4]),
        missing_labs_authorized=bool(row[5]),
        submitted_by=row[6],
        is_enrollment=bool(row[7]),
        signed_by=row[8],
        requested_status=TreatmentStatus(row[9]) if row[9] else None,
        treatment_rationale=row[10],
        ben=None if row[11] is None else bool(row[11]),
        hospice=None if row[12] is None else bool(row[12]),
        adverse_event=row[13],
    )


class StoreLedger:
    """`ProgramLedger` over the store."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # Reads (ProgramFacts)
    def account(self, account_id: str) -> Account | None:
        row = self.db.one(
            "SELECT id, role, name, prescriber_id, pharmacy_id, active FROM accounts WHERE id = ?",
            (account_id,),
        )
        if row is None:
            return None
        return Account(row[0], Role(row[1]), row[2], row[3], row[4], bool(row[5]))

    def prescriber(self, prescriber_id: str) -> Prescriber | None:
        row = self.db.one(
            "SELECT id, npi, certified, name FROM prescribers WHERE id = ?", (prescriber_id,)
        )
        return Prescriber(row[0], row[1], bool(row[2]), row[3]) if row else None

    def pharmacy(self, pharmacy_id: str) -> Pharmacy | None:
        row = self.db.one(f"SELECT {PHARMACY_COLUMNS} FROM pharmacies WHERE id = ?", (pharmacy_id,))
        return pharmacy_from_row(row) if row else None

    def patient(self, patient_id: str) -> Patient | None:
        row = self.db.one(f"SELECT {PATIENT_COLUMNS} FROM patients WHERE id = ?", (patient_id,))
        return patient_from_row(row) if row else None

    def anc_history(self, patient_id: str) -> Sequence[AncReport]:
        rows = self.db.execute(
            f"SELECT {ANC_COLUMNS} FROM anc_results WHERE patient_id = ? ORDER BY drawn, seq",
            (patient_id,),
        )
        return tuple(anc_from_row(row) for row in rows)

    def most_current_anc(self, patient_id: str) -> AncReport | None:
        row = self.db.one(
            f"SELECT {ANC_COLUMNS} FROM anc_results WHERE patient_id = ? "
            "ORDER BY drawn DESC, seq DESC LIMIT 1",
            (patient_id,),
        )
        return anc_from_row(row) if row else None

    def latest_psf(self, patient_id: str) -> PsfRecord | None:
        row = self.db.one(
            f"SELECT {PSF_COLUMNS} FROM psfs WHERE patient_id = ? ORDER BY seq DESC LIMIT 1",
            (patient_id,),
        )
        return psf_from_row(row) if row else None

    def has_dispense_in_enrollment(self, patient_id: str, enrollment_id: int) -> bool:
        row = self.db.one(
            "SELECT 1 FROM dispenses WHERE patient_id = ? AND enrollment_id = ? LIMIT 1",
            (patient_id, enrollment_id),
        )
        return row is not None

    def outpatient_dispense_rationales_since(self, patient_id: str, since: date) -> int:
        row = self.db.one(
            "SELECT count(*) FROM dispenses WHERE patient_id = ? AND via = ? "
            "AND pharmacy_setting = ? AND on_date >= ?",
            (
                patient_id,
                DispenseVia.DISPENSE_RATIONALE.value,
                PharmacySetting.OUTPATIENT.value,
                since.isoformat(),
            ),
        )
        return int(row[0])

    def notifications(self, patient_id: str) -> Sequence[Notification]:
        rows = self.db.execute(
            f"SELECT {NOTIFICATION_COLUMNS} FROM notifications n WHERE patient_id = ? ORDER BY seq",
            (patient_id,),
        )
        return tuple(notification_from_row(r) for r in rows)

    def prescribers(self) -> Sequence[Prescriber]:
        """Every prescriber in the store, by name (a pharmacist picks the one on a script)."""
        rows = self.db.execute("SELECT id, npi, certified, name FROM prescribers ORDER BY name, id")
        return tuple(Prescriber(r[0], r[1], bool(r[2]), r[3]) for r in rows)

    def status_history(self, patient_id: str) -> Sequence[StatusChange]:
        rows = self.db.execute(
            "SELECT patient_id, on_date, from_status, to_status, reason, by FROM status_changes "
            "WHERE patient_id = ? ORDER BY seq",
            (patient_id,),
        )
        return tuple(
            StatusChange(
                r[0],
                date.fromisoformat(r[1]),
                TreatmentStatus(r[2]) if r[2] else None,
                TreatmentStatus(r[3]),
                r[4],
                r[5],
            )
            for r in rows
        )

    def psfs(self, patient_id: str) -> Sequence[PsfRecord]:
        rows = self.db.execute(
            f"SELECT {PSF_COLUMNS} FROM psfs WHERE patient_id = ? ORDER BY seq", (patient_id,)
        )
        return tuple(psf_from_row(row) for row in rows)

    def dispenses(self, patient_id: str) -> Sequence[Dispense]:
        rows = self.db.execute(
            "SELECT patient_id, pharmacy_id, pharmacy_setting, on_date, enrollment_id, via, "
            "requested_by, prescriber_npi FROM dispenses WHERE patient_id = ? ORDER BY seq",
            (patient_id,),
        )
        return tuple(
            Dispense(
                r[0],
                r[1],
                PharmacySetting(r[2]),
                date.fromisoformat(r[3]),
                r[4],
                DispenseVia(r[5]),
                r[6],
                r[7],
            )
            for r in rows
        )

    def patients(self) -> Sequence[Patient]:
        rows = self.db.execute(f"SELECT {PATIENT_COLUMNS} FROM patients ORDER BY sort_name, id")
        return tuple(patient_from_row(row) for row in rows)

    def pharmacies(self) -> Sequence[Pharmacy]:
        rows = self.db.execute(f"SELECT {PHARMACY_COLUMNS} FROM pharmacies ORDER BY id")
        return tuple(pharmacy_from_row(row) for row in rows)

    # Writes (ProgramLedger): each joins the caller's transaction.
    def save_account(self, account: Account) -> None:
        with self.db.transaction():
            self.db.execute(
                "INSERT INTO accounts (id, role, name, prescriber_id, pharmacy_id, active, "
                "created_by) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                "role = excluded.role, name = excluded.name, "
                "prescriber_id = excluded.prescriber_id, pharmacy_id = excluded.pharmacy_id, "
                "active = excluded.active",
                (
                    account.id,
                    account.role.value,
                    account.name,
                    account.prescriber_id,
                    account.pharmacy_id,
                    int(account.active),
                    self.db.actor_id,
                ),
            )

    def save_prescriber(self, prescriber: Prescriber) -> None:
        with self.db.transaction():
            self.db.execute(
                "INSERT INTO prescribers (id, npi, certified, name, created_by) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET npi = excluded.npi, "
                "certified = excluded.certified, name = excluded.name",
                (
                    prescriber.id,
                    prescriber.npi,
                    int(prescriber.certified),
                    prescriber.name,
                    self.db.actor_id,
                ),
            )

    def save_pharmacy(self, pharmacy: Pharmacy) -> None:
        with self.db.transaction():
            self.db.execute(
                "INSERT INTO pharmacies (id, setting, ar_account_id, name, certified_on, "
                "attested_on, deactivated_on, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET setting = excluded.setting, "
                "ar_account_id = excluded.ar_account_id, name = excluded.name, "
                "certified_on = excluded.certified_on, attested_on = excluded.attested_on, "
                "deactivated_on = excluded.deactivated_on",
                (
                    pharmacy.id,
                    pharmacy.setting.value,
                    pharmacy.ar_account_id,
                    pharmacy.name,
                    _iso(pharmacy.certified_on),
                    _iso(pharmacy.attested_on),
                    _iso(pharmacy.deactivated_on),
                    self.db.actor_id,
                ),
            )

    def save_patient(self, patient: Patient) -> None:
        interruption = patient.interruption
        with self.db.transaction():
            self.db.execute(
                "INSERT INTO patients (id, name, sort_name, dob, population, hospice, "
                "prescriber_id, treatment_status, enrollment_id, enrolled_on, monitoring, "
                "monitoring_clock_start, interruption_since, interruption_severe, "
                "rationale_through, created_by, updated_by) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET name = excluded.name, "
                "sort_name = excluded.sort_name, dob = excluded.dob, "
                "population = excluded.population, hospice = excluded.hospice, "
                "prescriber_id = excluded.prescriber_id, "
                "treatment_status = excluded.treatment_status, "
                "enrollment_id = excluded.enrollment_id, enrolled_on = excluded.enrolled_on, "
                "monitoring = excluded.monitoring, "
                "monitoring_clock_start = excluded.monitoring_clock_start, "
                "interruption_since = excluded.interruption_since, "
                "interruption_severe = excluded.interruption_severe, "
                "rationale_through = excluded.rationale_through, "
                "updated_by = excluded.updated_by",
                (
                    patient.id,
                    patient.name,
                    sort_name(patient.name),
                    patient.dob.isoformat(),
                    patient.population.value,
                    int(patient.hospice),
                    patient.prescriber_id,
                    patient.treatment_status.value,
                    patient.enrollment_id,
                    patient.enrolled_on.isoformat(),
                    patient.monitoring.value,
                    patient.monitoring_clock_start.isoformat(),
                    _iso(interruption.since) if interruption else None,
                    int(interruption.severe) if interruption else None,
                    _iso(patient.rationale_through),
                    self.db.actor_id,
                    self.db.actor_id,
                ),
            )

    def add_anc(self, report: AncReport) -> AncReport:
        with self.db.transaction():
            cursor = self.db.execute(
                "INSERT INTO anc_results (patient_id, per_ul, entered_value, entered_unit, drawn, "
                "reported_on, source, reported_by, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    report.patient_id,
                    report.anc.per_ul,
                    report.entered_value or str(report.anc.per_ul),
                    report.entered_unit or DEFAULT_UNIT,
                    report.drawn.isoformat(),
                    report.reported_on.isoformat(),
                    report.source.value,
                    report.reported_by,
                    self.db.actor_id,
                ),
            )
            seq = int(cursor.lastrowid)
            self.db.execute(LATEST_ANC_UPDATE, latest_anc_params(seq, report))
        return replace(report, seq=seq)

    def add_psf(self, psf: PsfRecord) -> None:
        with self.db.transaction():
            self.db.execute(
                f"INSERT INTO psfs ({PSF_COLUMNS}, created_by) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    psf.id,
                    psf.patient_id,
                    psf.dated.isoformat(),
                    psf.monitoring.value,
                    int(psf.labs_missing),
                    int(psf.missing_labs_authorized),
                    psf.submitted_by,
                    int(psf.is_enrollment),
                    psf.signed_by,
                    psf.requested_status.value if psf.requested_status else None,
                    psf.treatment_rationale,
                    _flag(psf.ben),
                    _flag(psf.hospice),
                    psf.adverse_event,
                    self.db.actor_id,
                ),
            )

    def add_dispense(self, dispense: Dispense) -> None:
        with self.db.transaction():
            self.db.execute(
                "INSERT INTO dispenses (patient_id, pharmacy_id, pharmacy_setting, on_date, "
                "enrollment_id, via, requested_by, prescriber_npi, created_by) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    dispense.patient_id,
                    dispense.pharmacy_id,
                    dispense.pharmacy_setting.value,
                    dispense.on.isoformat(),
                    dispense.enrollment_id,
                    dispense.via.value,
                    dispense.requested_by,
                    dispense.prescriber_npi,
                    self.db.actor_id,
                ),
            )

    def add_notification(self, notification: Notification) -> None:
        with self.db.transaction():
            self.db.execute(
                "INSERT INTO notifications (patient_id, prescriber_id, code, per_ul, drawn, "
                "on_date, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    notification.patient_id,
                    notification.prescriber_id,
                    notification.code.value,
                    notification.anc.per_ul,
                    notification.drawn.isoformat(),
                    notification.on.isoformat(),
                    self.db.actor_id,
                ),
            )

    def add_status_change(self, change: StatusChange) -> None:
        with self.db.transaction():
            self.db.execute(
                "INSERT INTO status_changes (patient_id, on_date, from_status, to_status, "
                "reason, by, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    change.patient_id,
                    change.on.isoformat(),
                    change.from_status.value if change.from_status else None,
                    change.to_status.value,
                    change.reason,
                    change.by,
                    self.db.actor_id,
                ),
            )
