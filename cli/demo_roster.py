"""`clozapine-desk demo-roster`: the demo clinic's roster and an eligibility preview for each
patient, computed by the rules engine, in the terminal."""

from __future__ import annotations

from app.clock import SystemClock
from app.follow_up import CONFIRM_MARK
from desk.demo.clinic import OUTPATIENT_PHARMACY, PRESCRIBER, build_demo_clinic

COMING = [
    "the pharmacy side: eligibility preview, Dispense Rationale, wholesaler list (issue #7)",
]


def show() -> int:
    today = SystemClock().today()
    clinic = build_demo_clinic(today)
    print(f"Clozapine REMS Desk - demo clinic (in memory), as of {today.isoformat()}")
    print("Prescriber: Dr. Ada Okafor; designee: Sam Rivera. All names are invented.\n")
    header = (
        f"{'Patient':<24} {'Status':<12} {'Latest ANC':<29} {'Recommended':<19} "
        f"{'Next ANC due':<29} {'PSF due':<11} Preview at Main Street Pharmacy"
    )
    print(header)
    print("-" * len(header))
    for patient_id in clinic.patient_ids:
        s = clinic.program.patient_summary(patient_id)
        latest = (
            f"{s.latest_anc.anc.per_ul:>6,} {s.latest_category.label if s.latest_category else ''}"
            if s.latest_anc
            else "none"
        )
        due = s.next_anc_due.isoformat() if s.next_anc_due else "-"
        if s.anc_overdue:
            due += " OVERDUE"
        if s.confirm_low_anc:  # rules.md §13 R14, as the roster's cell says it
            due += f" · {CONFIRM_MARK}"
        decision = clinic.program.preview_rda(OUTPATIENT_PHARMACY, patient_id, PRESCRIBER)
        verdict = (
            "would pass"
            if decision.authorized
            else "would be denied: " + ", ".join(r.failure for r in decision.reasons)
        )
        print(
            f"{s.name[:24]:<24} {s.treatment_status.label:<12} {latest[:29]:<29} "
            f"{s.recommended_monitoring.label:<19} {due:<29} "
            f"{s.psf_due.isoformat() if s.psf_due else '-':<11} {verdict}"
        )
    print("\nPreview - not an authorization. Only the registry's answer authorizes a dispense.")
    print("\nWhat works today: the program rules engine, the conformance runner")
    print("(clozapine-desk scenarios PATH), the encrypted local store with its audit log")
    print("(clozapine-desk audit verify), fax-ready forms (clozapine-desk print FORM --out F.pdf)")
    print("and the benchmarks (clozapine-desk bench).")
    print("Coming next:")
    for item in COMING:
        print(f"  - {item}")
    return 0
