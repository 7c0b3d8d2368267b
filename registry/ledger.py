"""The rules engine's world in the registry's database: `app.ports.ProgramLedger` in SQL.

Every write also queues a change for the feed. The audiences (which prescriber's office,
which pharmacies) are worked out once, when the unit of work flushes, from the patient's
state at the end of it: a patient moved to a new prescriber sends the old office a tombstone
and the new office the whole chart; a pharmacy that gains access gets the whole chart too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import Connection, and_, func, select

from app import record_codec as codec
from app.anc import Anc, Population
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
    NotificationCode,
    PharmacySetting,
    TreatmentStatus,
)
from registry import tables as t
from registry.sql import insert_ignore, match_name, upsert

PHARMACY_LIST = "pharmacies"  # the certified-pharmacy list: wholesalers, pharmacies, offices
# Prescribers' certification, for pharmacies: an eligibility preview checks the prescriber.
PRESCRIBER_LIST = "prescribers"


def prescriber_audience(prescriber_id: str) -> str:
    return f"prescriber:{prescriber_id}"


def pharmacy_audience(pharmacy_id: str) -> str:
    return f"pharmacy:{pharmacy_id}"


def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


@dataclass
class _Pending:
    kind: str
    key: str
    body: dict[str, Any]
    patient_id: str | None = None
    audiences: tuple[str, ...] = ()


@dataclass
class _Changes:
    items: list[_Pending] = field(default_factory=list)
    moved: dict[str, str | None] = field(default_factory=dict)  # patient -> old prescriber
    granted: list[tuple[str, str]] = field(default_factory=list)  # (pharmacy, patient)


class SqlLedger:
    """Implements `ProgramLedger` over one connection inside the caller's transaction."""

    def __init__(self, conn: Connection, now: str) -> None:
        self.conn = conn
        self._now = now
        self._changes = _Changes()
        # Set by the PSF act before the rules run: the form's id and its signature manifest.
        self.next_psf_id: str | None = None
        self.next_psf_signature: dict[str, Any] | None = None

    # Reads (ProgramFacts)
    def account(self, account_id: str) -> Account | None:
        a = t.accounts.c
        row = self.conn.execute(
            select(a.id, a.role, a.name, a.prescriber_id, a.pharmacy_id, a.active).where(
                a.id == account_id
            )
        ).first()
        return Account(row[0], Role(row[1]), row[2], row[3], row[4], bool(row[5])) if row else None

    def prescriber(self, prescriber_id: str) -> Prescriber | None:
        p = t.prescribers.c
        row = self.conn.execute(
            select(p.id, p.npi, p.certified, p.name).where(p.id == prescriber_id)
        ).first()
        return Prescriber(row[0], row[1], bool(row[2]), row[3]) if row else None

    def pharmacy(self, pharmacy_id: str) -> Pharmacy | None:
        row = self.conn.execute(
            select(t.pharmacies).where(t.pharmacies.c.id == pharmacy_id)
        ).first()
        return _pharmacy(row) if row else None

    def pharmacies(self) -> Sequence[Pharmacy]:
        rows = self.conn.execute(select(t.pharmacies).order_by(t.pharmacies.c.name))
        return [_pharmacy(r) for r in rows]

    def patient(self, patient_id: str) -> Patient | None:
        row = self.conn.execute(select(t.patients).where(t.patients.c.id == patient_id)).first()
        return _patient(row) if row else None

    def find_patients(self, name: str, dob: date) -> Sequence[Patient]:
        p = t.patients.c
        rows = self.conn.execute(
            select(t.patients).where(p.match_name == match_name(name), p.dob == dob.isoformat())
        )
        return [_patient(r) for r in rows]

    def anc_history(self, patient_id: str) -> Sequence[AncReport]:
        a = t.anc_results.c
        rows = self.conn.execute(
            select(t.anc_results).where(a.patient_id == patient_id).order_by(a.drawn, a.seq)
        )
        return [_anc(r) for r in rows]

    def most_current_anc(self, patient_id: str) -> AncReport | None:
        a = t.anc_results.c
        row = self.conn.execute(
            select(t.anc_results)
            .where(a.patient_id == patient_id)
            .order_by(a.drawn.desc(), a.seq.desc())
            .limit(1)
        ).first()
        return _anc(row) if row else None

    def latest_psf(self, patient_id: str) -> PsfRecord | None:
        p = t.psfs.c
        row = self.conn.execute(
            select(t.psfs).where(p.patient_id == patient_id).order_by(p.seq.desc()).limit(1)
        ).first()
        return _psf(row) if row else None

    def psfs(self, patient_id: str) -> Sequence[PsfRecord]:
        p = t.psfs.c
        rows = self.conn.execute(select(t.psfs).where(p.patient_id == patient_id).order_by(p.seq))
        return [_psf(r) for r in rows]

    def has_dispense_in_enrollment(self, patient_id: str, enrollment_id: int) -> bool:
        d = t.dispenses.c
        row = self.conn.execute(
            select(d.seq)
            .where(d.patient_id == patient_id, d.enrollment_id == enrollment_id)
            .limit(1)
        ).first()
        return row is not None

    def outpatient_dispense_rationales_since(self, patient_id: str, since: date) -> int:
        d = t.dispenses.c
        count = self.conn.execute(
            select(func.count()).where(
                d.patient_id == patient_id,
                d.via == DispenseVia.DISPENSE_RATIONALE.value,
                d.pharmacy_setting == PharmacySetting.OUTPATIENT.value,
                d.on_date >= since.isoformat(),
            )
        ).scalar_one()
        return int(count)

    def dispenses(self, patient_id: str) -> Sequence[Dispense]:
        d = t.dispenses.c
        rows = self.conn.execute(
            select(t.dispenses).where(d.patient_id == patient_id).order_by(d.seq)
        )
        return [_dispense(r) for r in rows]

    def notifications(self, patient_id: str) -> Sequence[Notification]:
        n = t.notifications.c
        rows = self.conn.execute(
            select(t.notifications).where(n.patient_id == patient_id).order_by(n.seq)
        )
        return [_notification(r) for r in rows]

    def status_history(self, patient_id: str) -> Sequence[StatusChange]:
        s = t.status_changes.c
        rows = self.conn.execute(
            select(t.status_changes).where(s.patient_id == patient_id).order_by(s.seq)
        )
        return [_status_change(r) for r in rows]

    # Writes (ProgramLedger)
    def save_account(self, account: Account) -> None:
        values = {
            "id": account.id,
            "role": account.role.value,
            "name": account.name,
            "prescriber_id": account.prescriber_id,
            "pharmacy_id": account.pharmacy_id,
            "active": account.active,
        }
        exists = self.conn.execute(
            select(t.accounts.c.id).where(t.accounts.c.id == account.id)
        ).first()
        if exists:
            self.conn.execute(
                t.accounts.update().where(t.accounts.c.id == account.id).values(**values)
            )
        else:
            self.conn.execute(
                t.accounts.insert().values(**values, failed_sign_ins=0, created_at=self._now)
            )

    def save_prescriber(self, prescriber: Prescriber) -> None:
        upsert(
            self.conn,
            t.prescribers,
            {
                "id": prescriber.id,
                "npi": prescriber.npi,
                "certified": prescriber.certified,
                "name": prescriber.name,
            },
            ["id"],
        )
        self._queue(
            "prescriber",
            prescriber.id,
            codec.prescriber_to(prescriber),
            audiences=(prescriber_audience(prescriber.id), PRESCRIBER_LIST),
        )

    def save_pharmacy(self, pharmacy: Pharmacy) -> None:
        body = codec.pharmacy_to(pharmacy)
        upsert(self.conn, t.pharmacies, body, ["id"])
        self._queue(
            "pharmacy",
            pharmacy.id,
            body,
            audiences=(pharmacy_audience(pharmacy.id), PHARMACY_LIST),
        )

    def save_patient(self, patient: Patient) -> None:
        body = codec.patient_to(patient)
        before = self.conn.execute(
            select(t.patients.c.prescriber_id).where(t.patients.c.id == patient.id)
        ).first()
        old = before[0] if before else None
        if (before is None or old != patient.prescriber_id) and patient.id not in (
            self._changes.moved
        ):
            self._changes.moved[patient.id] = old
        row = {
            **{k: v for k, v in body.items()},
            "match_name": match_name(patient.name),
        }
        upsert(self.conn, t.patients, row, ["id"])
        self._queue("patient", patient.id, body, patient_id=patient.id)

    def add_anc(self, report: AncReport) -> AncReport:
        values = codec.anc_to(report)
        del values["seq"]
        seq = self.conn.execute(t.anc_results.insert().values(**values)).inserted_primary_key[0]
        stored = AncReport(
            report.patient_id,
            report.anc,
            report.drawn,
            report.reported_on,
            report.source,
            report.reported_by,
            int(seq),
            report.entered_value,
            report.entered_unit,
        )
        self._queue("anc", str(seq), codec.anc_to(stored), patient_id=report.patient_id)
        return stored

    def add_psf(self, psf: PsfRecord) -> None:
        if self.next_psf_id:  # the desktop form's id, so both sides name the PSF alike
            psf = replace(psf, id=self.next_psf_id)
        body = codec.psf_to(psf)
        self.conn.execute(t.psfs.insert().values(**body, signature=self.next_psf_signature))
        self._queue("psf", psf.id, body, patient_id=psf.patient_id)

    def add_dispense(self, dispense: Dispense) -> None:
        values = codec.dispense_to(dispense)
        values["on_date"] = values.pop("on")
        seq = self.conn.execute(t.dispenses.insert().values(**values)).inserted_primary_key[0]
        self._queue(
            "dispense",
            str(seq),
            {**codec.dispense_to(dispense), "seq": int(seq)},
            patient_id=dispense.patient_id,
        )
        # A pharmacy that dispensed to a patient sees that patient from then on.
        self.grant_pharmacy_access(dispense.pharmacy_id, dispense.patient_id)

    def add_notification(self, notification: Notification) -> None:
        values = codec.notification_to(notification)
        values["on_date"] = values.pop("on")
        seq = self.conn.execute(t.notifications.insert().values(**values)).inserted_primary_key[0]
        self._queue(
            "notification",
            str(seq),
            {**codec.notification_to(notification), "seq": int(seq)},
            patient_id=notification.patient_id,
        )

    def add_status_change(self, change: StatusChange) -> None:
        values = codec.status_change_to(change)
        values["on_date"], values["by_account"] = values.pop("on"), values.pop("by")
        seq = self.conn.execute(t.status_changes.insert().values(**values)).inserted_primary_key[0]
        self._queue(
            "status_change",
            str(seq),
            {**codec.status_change_to(change), "seq": int(seq)},
            patient_id=change.patient_id,
        )

    # Registry-only
    def grant_pharmacy_access(self, pharmacy_id: str, patient_id: str) -> None:
        inserted = insert_ignore(
            self.conn,
            t.pharmacy_patients,
            {"pharmacy_id": pharmacy_id, "patient_id": patient_id, "since": self._now},
            ["pharmacy_id", "patient_id"],
        )
        if inserted:
            self._changes.granted.append((pharmacy_id, patient_id))

    def pharmacy_sees(self, pharmacy_id: str, patient_id: str) -> bool:
        pp = t.pharmacy_patients.c
        row = self.conn.execute(
            select(pp.patient_id).where(
                and_(pp.pharmacy_id == pharmacy_id, pp.patient_id == patient_id)
            )
        ).first()
        return row is not None

    # The feed
    def _queue(
        self,
        kind: str,
        key: str,
        body: dict[str, Any],
        *,
        patient_id: str | None = None,
        audiences: tuple[str, ...] = (),
    ) -> None:
        self._changes.items.append(_Pending(kind, key, body, patient_id, audiences))

    def flush_changes(self) -> None:
        """Write the queued changes to the feed, each to every audience that sees it."""
        pending, self._changes = self._changes, _Changes()
        rows: list[dict[str, Any]] = []
        audiences_of: dict[str, tuple[str | None, list[str]]] = {}
        for patient_id in {p.patient_id for p in pending.items if p.patient_id} | {
            pid for _, pid in pending.granted
        }:
            audiences_of[patient_id] = self._patient_audiences(patient_id)
        whole_chart: set[tuple[str, str]] = set()
        for patient_id, old in pending.moved.items():
            new, _ = audiences_of.get(patient_id, (None, []))
            if old is not None and old != new:
                rows.append(
                    self._row(
                        prescriber_audience(old),
                        "patient",
                        patient_id,
                        "delete",
                        patient_id=patient_id,
                    )
                )
            if new is not None:
                whole_chart.add((prescriber_audience(new), patient_id))
        for pharmacy_id, patient_id in pending.granted:
            whole_chart.add((pharmacy_audience(pharmacy_id), patient_id))
        for item in pending.items:
            targets = list(item.audiences)
            if item.patient_id is not None:
                prescriber, pharmacies = audiences_of[item.patient_id]
                for audience in [
                    *([prescriber_audience(prescriber)] if prescriber else []),
                    *pharmacies,
                ]:
                    if (audience, item.patient_id) not in whole_chart:
                        targets.append(audience)
            for audience in targets:
                rows.append(
                    self._row(audience, item.kind, item.key, "put", item.body, item.patient_id)
                )
        for audience, patient_id in sorted(whole_chart):
            rows.extend(self._whole_chart(audience, patient_id))
        if rows:
            self.conn.execute(t.changes.insert(), rows)

    def _patient_audiences(self, patient_id: str) -> tuple[str | None, list[str]]:
        row = self.conn.execute(
            select(t.patients.c.prescriber_id).where(t.patients.c.id == patient_id)
        ).first()
        pp = t.pharmacy_patients.c
        pharmacies = self.conn.execute(
            select(pp.pharmacy_id).where(pp.patient_id == patient_id).order_by(pp.pharmacy_id)
        ).scalars()
        return (row[0] if row else None), [pharmacy_audience(p) for p in pharmacies]

    def _whole_chart(self, audience: str, patient_id: str) -> list[dict[str, Any]]:
        patient = self.patient(patient_id)
        if patient is None:
            return []
        rows = [
            self._row(audience, "patient", patient_id, "put", codec.patient_to(patient), patient_id)
        ]
        for anc in self.anc_history(patient_id):
            rows.append(
                self._row(audience, "anc", str(anc.seq), "put", codec.anc_to(anc), patient_id)
            )
        for psf in self.psfs(patient_id):
            rows.append(self._row(audience, "psf", psf.id, "put", codec.psf_to(psf), patient_id))
        for kind, table, to_json in (
            ("dispense", t.dispenses, _dispense_json),
            ("notification", t.notifications, _notification_json),
            ("status_change", t.status_changes, _status_change_json),
        ):
            for r in self.conn.execute(
                select(table).where(table.c.patient_id == patient_id).order_by(table.c.seq)
            ):
                rows.append(self._row(audience, kind, str(r.seq), "put", to_json(r), patient_id))
        return rows

    def _row(
        self,
        audience: str,
        kind: str,
        key: str,
        op: str,
        body: dict[str, Any] | None = None,
        patient_id: str | None = None,
    ) -> dict[str, Any]:
        return {
            "patient_id": patient_id,
            "audience": audience,
            "kind": kind,
            "key": key,
            "op": op,
            "body": body,
            "at": self._now,
        }


# Row mappers
def _pharmacy(r: Any) -> Pharmacy:
    return Pharmacy(
        r.id,
        PharmacySetting(r.setting),
        r.ar_account_id,
        r.name,
        _d(r.certified_on),
        _d(r.attested_on),
        _d(r.deactivated_on),
    )


def _patient(r: Any) -> Patient:
    since = _d(r.interruption_since)
    return Patient(
        id=r.id,
        name=r.name,
        dob=date.fromisoformat(r.dob),
        population=Population(r.population),
        hospice=bool(r.hospice),
        prescriber_id=r.prescriber_id,
        treatment_status=TreatmentStatus(r.treatment_status),
        enrollment_id=int(r.enrollment_id),
        enrolled_on=date.fromisoformat(r.enrolled_on),
        monitoring=MonitoringFrequency(r.monitoring),
        monitoring_clock_start=date.fromisoformat(r.monitoring_clock_start),
        interruption=Interruption(since, bool(r.interruption_severe)) if since else None,
        rationale_through=_d(r.rationale_through),
    )


def _anc(r: Any) -> AncReport:
    return AncReport(
        r.patient_id,
        Anc(int(r.per_ul)),
        date.fromisoformat(r.drawn),
        date.fromisoformat(r.reported_on),
        AncSource(r.source),
        r.reported_by,
        int(r.seq),
        r.entered_value,
        r.entered_unit,
    )


def _psf(r: Any) -> PsfRecord:
    return PsfRecord(
        id=r.id,
        patient_id=r.patient_id,
        dated=date.fromisoformat(r.dated),
        monitoring=MonitoringFrequency(r.monitoring),
        labs_missing=bool(r.labs_missing),
        missing_labs_authorized=bool(r.missing_labs_authorized),
        submitted_by=r.submitted_by,
        is_enrollment=bool(r.is_enrollment),
        signed_by=r.signed_by,
        requested_status=TreatmentStatus(r.requested_status) if r.requested_status else None,
        treatment_rationale=r.treatment_rationale,
        ben=r.ben,
        hospice=r.hospice,
        adverse_event=r.adverse_event,
    )


def _dispense(r: Any) -> Dispense:
    return Dispense(
        r.patient_id,
        r.pharmacy_id,
        PharmacySetting(r.pharmacy_setting),
        date.fromisoformat(r.on_date),
        int(r.enrollment_id),
        DispenseVia(r.via),
        r.requested_by,
        r.prescriber_npi,
    )


def _notification(r: Any) -> Notification:
    return Notification(
        r.patient_id,
        r.prescriber_id,
        NotificationCode(r.code),
        Anc(int(r.per_ul)),
        date.fromisoformat(r.drawn),
        date.fromisoformat(r.on_date),
    )


def _status_change(r: Any) -> StatusChange:
    return StatusChange(
        r.patient_id,
        date.fromisoformat(r.on_date),
        TreatmentStatus(r.from_status) if r.from_status else None,
        TreatmentStatus(r.to_status),
        r.reason,
        r.by_account,
    )


def _dispense_json(r: Any) -> dict[str, Any]:
    return {**codec.dispense_to(_dispense(r)), "seq": int(r.seq)}


def _notification_json(r: Any) -> dict[str, Any]:
    return {**codec.notification_to(_notification(r)), "seq": int(r.seq)}


def _status_change_json(r: Any) -> dict[str, Any]:
    return {**codec.status_change_to(_status_change(r)), "seq": int(r.seq)}
