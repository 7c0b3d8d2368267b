"""Plays scenario steps against the rules engine in process, over an in-memory ledger."""

from __future__ import annotations

import contextlib
import uuid
from datetime import date
from enum import StrEnum
from typing import Any, TypeVar

from app.anc import Population
from app.clock import FixedClock
from app.entered_anc import EnteredAnc
from app.errors import RemsError
from app.in_memory import InMemoryLedger
from app.ports import ProgramLedger
from app.program import Program
from app.psf import PsfSubmission
from app.roles import Role
from app.statuses import MonitoringFrequency, PharmacySetting, TreatmentStatus
from app.use_cases.enrollment import EnrollmentForm
from conformance.scenario import Scenario, ScenarioFileError, Step

E = TypeVar("E", bound=StrEnum)
_OPERATOR = "program-operator"


class LocalTarget:
    """A fresh in-memory world per scenario; scenario ids map to generated record ids."""

    name = "local"

    def start(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.clock = FixedClock(date(2000, 1, 1))
        self.ledger = self.new_ledger()
        self.program = Program(self.ledger, self.clock)
        self.program.add_account(_OPERATOR, Role.PROGRAM_OPERATOR, "Contact Center")
        self._ids: dict[str, str] = {}
        self._names: dict[str, str] = {}

    def new_ledger(self) -> ProgramLedger:
        return InMemoryLedger()

    def close(self) -> None:
        pass

    def _id(self, scenario_id: object) -> str:
        key = str(scenario_id)
        if key not in self._ids:
            real = f"{key}-{uuid.uuid4().hex[:12]}"
            self._ids[key] = real
            self._names[real] = key
        return self._ids[key]

    def _scenario_id(self, real_id: str | None) -> str | None:
        return None if real_id is None else self._names.get(real_id, real_id)

    def _enum(self, step: Step, enum: type[E], value: object) -> E:
        # A scenario's value is whatever the file held; only a string can name a member.
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                return enum(value)
        allowed = ", ".join(e.value for e in enum)
        raise ScenarioFileError(
            f"{self.scenario.path}: step {step.number} ({step.act}): {value!r} is not one "
            f"of {allowed}"
        )

    def play(self, step: Step) -> dict[str, Any]:
        self.clock.set(step.on)
        handler = getattr(self, f"_{step.act}")
        try:
            with self.step_transaction():
                result: dict[str, Any] = handler(step, step.fields)
        except RemsError as error:
            result = {"ok": False, "error": error.code.value}
            if step.act == "dispense_rationale":
                result.update(self._after_refused_rationale(step.fields))
        return result

    def step_transaction(self) -> contextlib.AbstractContextManager[object]:
        """Each step is one transaction where the ledger has them (the store does)."""
        return contextlib.nullcontext()

    # Participants
    def _register_prescriber(self, step: Step, f: dict[str, Any]) -> dict[str, Any]:
        self.program.register_prescriber(self._id(f["id"]), f["npi"], f.get("name", ""))
        return {"ok": True}

    def _certify_prescriber(self, step: Step, f: dict[str, Any]) -> dict[str, Any]:
        self.program.certify_prescriber(self._id(f["id"]), f["npi"], f.get("name", ""))
        return {"ok": True}

    def _add_designee(self, step: Step, f: dict[str, Any]) -> dict[str, Any]:
        self.program.add_designee(self._id(f["prescriber"]), self._id(f["id"]), f.get("name", ""))
        return {"ok": True}

    def _register_pharmacy(self, step: Step, f: dict[str, Any]) -> dict[str, Any]:
        setting = self._enum(step, PharmacySetting, f["setting"])
        self.program.register_pharmacy(self._id(f["id"]), setting, self._id(f["ar"]))
        return {"ok": True}

    def _certify_pharmacy(self, step: Step, f: dict[str, Any]) -> dict[str, Any]:
        setting = self._enum(step, PharmacySetting, f["setting"])
        self.program.certify_pharmacy(self._id(f["id"]), setting, self._id(f["ar"]))
        return {"ok": True}

    def _pharmacy_ar(self, scenario_pharmacy: object) -> str:
        pharmacy = self.ledger.pharmacy(self._id(scenario_pharmacy))
        return pharmacy.ar_account_id if pharmacy else self._id(f"{scenario_pharmacy}-ar")

    def _by_or_ar(self, f: dict[str, Any]) -> str:
        return self._id(f["by"]) if "by" in f else self._pharmacy_ar(f["pharmacy"])

    def _reconfirm_pharmacy(self, step: Step, f: dict[str, Any]) -> dict[str, Any]:
        self.program.reconfirm_pharmacy(self._id(f["pharmacy"]), self._by_or_ar(f))
        return {"ok": True}

    def _deactivate_pharmacy(self, step: Step, f: dict[str, Any]) -> dict[str, Any]:
        self.program.deactivate_pharmacy(self._id(f["pharmacy"]), _OPERATOR)
        return {"ok": True}

    def _add_pharmacy_staff(self, step: Step, f: dict[str, Any]) -> dict[str, Any]:
        pharmacy = self._id(f["pharmacy"])
        self.program.add_pharmacy_staff(
            pharmacy, self._id(f["id"]), self._pharmacy_ar(f["pharmacy"]), f.get("name", "")
        )
        return {"ok": True}

    def _add_wholesaler(self, step: Step, f: dict[str, Any]) -> dict[str, Any]:
        self.program.add_account(self._id(f["id"]), Role.WHOLESALER, f.get("name", ""))
        return {"ok": True}

    def _check_pharmacy(self, step: Step, f: dict[str, Any]) -> dict[str, Any]:
        actor = self._id(f["by"]) if "by" in f else None
        return {"certified": self.program.check_pharmacy(self._id(f["pharmacy"]), actor)}

    # Patients
    @staticmethod
    def _anc(raw: dict[str, Any]) -> EnteredAnc:
        return EnteredAnc.from_json(raw)

    def _enrollment_form(self, step: Step, f: dict[str, Any]) -> EnrollmentForm:
        return EnrollmentForm(
            patient_id=self._id(f["patient"]),
            name=f.get("name", f"Test Patient {f['patient']}"),
            dob=f.get("dob", "1980-01-01"),
            population=self._enum(step, Population, f["population"]),
            ancs=tuple(self._anc(a) for a in f["ancs"]),
            hospice=bool(f.get("hospice", False)),
            monitoring=self._enum(step, MonitoringFrequency, f.get("monitoring", "weekly")),
        )

    def _enroll_patient(self, step: Step, f: dict[str, Any]) -> dict[str, Any]:
        form = self._enrollment_form(step, f)
        result = self.program.enroll_patient(self._id(f["by"]), form)
        return {
            "ok": True,
            "treatment_status": result.patient.treatment_status.value,
            "notifications": [n.value for n in result.notifications],
        }

    def _report_anc(self, step: Step, f: dict[str, Any]) -> dict[str, Any]:
        result = self.program.report_anc(self._id(f["by"]), self._id(f["patient"]), self._anc(f))
        return {
            "ok": True,
            "treatment_status": result.treatment_status.value,
            "notifications": [n.value for n in result.notifications],
        }

    def _psf_form(self, step: Step, f: dict[str, Any]) -> PsfSubmission:
        status = f.get("treatment_status")
        return PsfSubmission(
            patient_id=self._id(f["patient"]),
            monitoring=self._enum(step, MonitoringFrequency, f["monitoring"]),
            ancs=tuple(self._anc(a) for a in f["ancs"]),
            treatment_status=None if status is None else self._enum(step, TreatmentStatus, status),
            treatment_rationale=f.get("treatment_rationale"),
            authorize_missing_labs=bool(f.get("authorize_missing_labs", False)),
            ben=f.get("ben"),
            hospice=f.get("hospice"),
            adverse_event=f.get("adverse_event"),
            signed_by=self._id(f["signed_by"]) if "signed_by" in f else None,
        )

    def _submit_psf(self, step: Step, f: dict[str, Any]) -> dict[str, Any]:
        result = self.program.submit_psf(self._id(f["by"]), self._psf_form(step, f))
        return {
            "ok": True,
            "treatment_status": result.treatment_status.value,
            "notifications": [n.value for n in result.notifications],
            "labs_missing": result.labs_missing,
        }

    def _deactivate_patient(self, step: Step, f: dict[str, Any]) -> dict[str, Any]:
        self.program.deactivate_patient(self._id(f["by"]), self._id(f["patient"]))
        return {"ok": True}

    def _check_patient(self, step: Step, f: dict[str, Any]) -> dict[str, Any]:
        summary = self.program.patient_summary(self._id(f["patient"]))
        return {
            "treatment_status": summary.treatment_status.value,
            "population": summary.population.value,
            "prescriber": self._scenario_id(summary.prescriber_id),
            "recommended_monitoring": summary.recommended_monitoring.value,
            "next_anc_due": summary.next_anc_due.isoformat() if summary.next_anc_due else None,
            "dispense_rationales_used": summary.dispense_rationales_used,
        }

    # Dispensing
    def _request_rda(self, step: Step, f: dict[str, Any]) -> dict[str, Any]:
        decision = self.program.request_rda(
            self._by_or_ar(f),
            self._id(f["pharmacy"]),
            self._id(f["patient"]),
            self._id(f["prescriber"]),
            self._anc(f["anc"]) if "anc" in f else None,
        )
        return {
            "ok": True,
            "authorized": decision.authorized,
            "reasons": [r.value for r in decision.reasons],
            "first_dispense": decision.first_dispense,
        }

    def _dispense_rationale(self, step: Step, f: dict[str, Any]) -> dict[str, Any]:
        result = self.program.submit_dispense_rationale(
            self._by_or_ar(f), self._id(f["pharmacy"]), self._id(f["patient"]), f["npi"],
            self._anc(f),
        )  # fmt: skip
        return {
            "ok": result.authorized,
            "error": result.refusal.value if result.refusal else None,
            "authorized": result.authorized,
            "treatment_status": result.treatment_status.value if result.treatment_status else None,
        }

    def _after_refused_rationale(self, f: dict[str, Any]) -> dict[str, Any]:
        patient = self.ledger.patient(self._id(f["patient"]))
        return {
            "authorized": False,
            "treatment_status": patient.treatment_status.value if patient else None,
        }
