"""The scenario format of conformance/spec/scenarios.md: each act's fields and result keys."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ActSpec:
    required: frozenset[str]
    optional: frozenset[str]
    results: frozenset[str]


def _act(required: str, optional: str, results: str) -> ActSpec:
    return ActSpec(
        frozenset(required.split()), frozenset(optional.split()), frozenset(results.split())
    )


_ANC = "value drawn"
OK = "ok error"

ACTS: dict[str, ActSpec] = {
    "register_prescriber": _act("id npi", "name", OK),
    "certify_prescriber": _act("id npi", "name", OK),
    "add_designee": _act("id prescriber", "name", OK),
    "register_pharmacy": _act("id setting ar", "name", OK),
    "certify_pharmacy": _act("id setting ar", "name", OK),
    "reconfirm_pharmacy": _act("pharmacy", "by", OK),
    "deactivate_pharmacy": _act("pharmacy", "", OK),
    "add_pharmacy_staff": _act("id pharmacy", "name", OK),
    "add_wholesaler": _act("id", "name", OK),
    "enroll_patient": _act(
        "by patient population ancs",
        "hospice monitoring name dob",
        f"{OK} treatment_status notifications",
    ),
    "report_anc": _act(f"by patient {_ANC}", "unit", f"{OK} treatment_status notifications"),
    "submit_psf": _act(
        "by patient monitoring ancs",
        "treatment_status treatment_rationale authorize_missing_labs ben hospice signed_by "
        "adverse_event",
        f"{OK} treatment_status notifications labs_missing",
    ),
    "deactivate_patient": _act("by patient", "", OK),
    # `anc` (an inpatient pharmacy's ANC sent with the request) extends the shared format.
    "request_rda": _act(
        "pharmacy patient prescriber", "by anc", f"{OK} authorized reasons first_dispense"
    ),
    "dispense_rationale": _act(
        f"pharmacy patient npi {_ANC}", "by unit", f"{OK} authorized treatment_status"
    ),
    "check_pharmacy": _act("pharmacy", "by", "certified"),
    "check_patient": _act(
        "patient",
        "",
        "treatment_status population prescriber recommended_monitoring next_anc_due "
        "dispense_rationales_used",
    ),
}

STEP_KEYS = frozenset({"on", "act", "expect"})
ANC_KEYS = frozenset({"value", "unit", "drawn"})
# Compared as sets of codes.
SET_KEYS = frozenset({"notifications", "reasons"})
