"""A small demo clinic built through the program's own use cases, so every fact in it
obeys the rules. Dates are relative to the clock's today; names are invented."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from app.anc import Population
from app.clock import FixedClock
from app.entered_anc import EnteredAnc
from app.in_memory import InMemoryLedger
from app.program import Program
from app.psf import PsfSubmission
from app.roles import Role
from app.statuses import MonitoringFrequency, PharmacySetting, TreatmentStatus
from app.use_cases.enrollment import EnrollmentForm

PRESCRIBER = "dr-okafor"
DESIGNEE = "sam-rivera"
OUTPATIENT_PHARMACY = "main-street-pharmacy"
INPATIENT_PHARMACY = "st-lukes-inpatient"
UNCERTIFIED_PHARMACY = "corner-drug"


@dataclass(frozen=True)
class DemoClinic:
    program: Program
    ledger: InMemoryLedger
    today: date
    patient_ids: tuple[str, ...]


class DemoActions(Protocol):
    """What the demo clinic does, in order: played into memory here, or into a registry
    over HTTP by the desktop's embedded demo (so both hold the same invented clinic)."""

    def on_day(self, day: date) -> None: ...
    def certify_prescriber(self, prescriber_id: str, npi: str, name: str) -> None: ...
    def add_designee(self, prescriber_id: str, designee_id: str, name: str) -> None: ...
    def certify_pharmacy(
        self, pharmacy_id: str, setting: PharmacySetting, ar_id: str, name: str
    ) -> None: ...
    def register_pharmacy(
        self, pharmacy_id: str, setting: PharmacySetting, ar_id: str, name: str
    ) -> None: ...
    def add_wholesaler(self, account_id: str, name: str) -> None: ...
    def enroll_patient(self, actor_id: str, form: EnrollmentForm) -> None: ...
    def request_rda(
        self, ar_id: str, pharmacy_id: str, patient_id: str, prescriber_id: str
    ) -> None: ...
    def submit_psf(self, actor_id: str, form: PsfSubmission) -> None: ...
    def report_anc(self, actor_id: str, patient_id: str, entry: EnteredAnc) -> None: ...


class _InMemory:
    def __init__(self, program: Program, clock: FixedClock) -> None:
        self.program, self.clock = program, clock

    def on_day(self, day: date) -> None:
        self.clock.set(day)

    def certify_prescriber(self, prescriber_id: str, npi: str, name: str) -> None:
        self.program.certify_prescriber(prescriber_id, npi, name)

    def add_designee(self, prescriber_id: str, designee_id: str, name: str) -> None:
        self.program.add_designee(prescriber_id, designee_id, name)

    def certify_pharmacy(
        self, pharmacy_id: str, setting: PharmacySetting, ar_id: str, name: str
    ) -> None:
        self.program.certify_pharmacy(pharmacy_id, setting, ar_id, name)

    def register_pharmacy(
        self, pharmacy_id: str, setting: PharmacySetting, ar_id: str, name: str
    ) -> None:
        self.program.register_pharmacy(pharmacy_id, setting, ar_id, name)

    def add_wholesaler(self, account_id: str, name: str) -> None:
        self.program.add_account(account_id, Role.WHOLESALER, name)

    def enroll_patient(self, actor_id: str, form: EnrollmentForm) -> None:
        self.program.enroll_patient(actor_id, form)

    def request_rda(
        self, ar_id: str, pharmacy_id: str, patient_id: str, prescriber_id: str
    ) -> None:
        self.program.request_rda(ar_id, pharmacy_id, patient_id, prescriber_id)

    def submit_psf(self, actor_id: str, form: PsfSubmission) -> None:
        self.program.submit_psf(actor_id, form)

    def report_anc(self, actor_id: str, patient_id: str, entry: EnteredAnc) -> None:
        self.program.report_anc(actor_id, patient_id, entry)


def build_demo_clinic(today: date) -> DemoClinic:
    clock = FixedClock(today)
    ledger = InMemoryLedger()
    program = Program(ledger, clock)
    play_demo_clinic(_InMemory(program, clock), today)
    ids = tuple(p.id for p in ledger.patients())
    return DemoClinic(program, ledger, today, ids)


def play_demo_clinic(act: DemoActions, today: date) -> None:
    """The demo clinic's last 400 days (its pharmacy's certification began 700 days ago),
    ending on `today`."""

    def at(days_ago: int) -> None:
        act.on_day(today - timedelta(days=days_ago))

    # Main Street certified 700 days ago: its AR's 30-day reconfirmation reminder is showing.
    at(700)
    act.certify_pharmacy(
        OUTPATIENT_PHARMACY, PharmacySetting.OUTPATIENT, "ar-main", "Main Street Pharmacy"
    )
    at(400)
    act.certify_prescriber(PRESCRIBER, "1234567893", "Dr. Ada Okafor")
    act.add_designee(PRESCRIBER, DESIGNEE, "Sam Rivera")
    act.certify_pharmacy(
        INPATIENT_PHARMACY, PharmacySetting.INPATIENT, "ar-stlukes", "St. Luke's Inpatient"
    )
    act.register_pharmacy(
        UNCERTIFIED_PHARMACY, PharmacySetting.OUTPATIENT, "ar-corner", "Corner Drug"
    )
    act.add_wholesaler("wholesaler-demo", "Demo Wholesale")

    def enroll(pid: str, name: str, dob: str, days_ago: int, ancs: list[int], **kw: object) -> None:
        at(days_ago)
        population = Population.BEN if kw.get("ben") else Population.GENERAL
        entries = tuple(
            EnteredAnc(v, (today - timedelta(days=days_ago + len(ancs) - 1 - i)).isoformat())
            for i, v in enumerate(ancs)
        )
        act.enroll_patient(
            PRESCRIBER,
            EnrollmentForm(pid, name, dob, population, entries, hospice=bool(kw.get("hospice"))),
        )
        act.request_rda("ar-main", OUTPATIENT_PHARMACY, pid, PRESCRIBER)

    def weekly(pid: str, start_ago: int, end_ago: int, value: int = 2400) -> None:
        """Weekly ANCs with a PSF every four weeks, as a well-run office sends them."""
        entries: list[EnteredAnc] = []
        for days_ago in range(start_ago, end_ago - 1, -7):
            entries.append(EnteredAnc(value + (days_ago % 5) * 40, _iso(today, days_ago)))
            if len(entries) == 4:
                at(days_ago)
                act.submit_psf(
                    DESIGNEE, PsfSubmission(pid, MonitoringFrequency.WEEKLY, tuple(entries))
                )
                entries = []

    enroll("p-nunez", "María José Núñez-Ölçer", "1979-04-12", 120, [2300])
    weekly("p-nunez", 113, 3)
    enroll("p-oconnor", "James O'Connor", "1990-09-30", 90, [2100])
    weekly("p-oconnor", 83, 6)
    at(2)
    act.report_anc(DESIGNEE, "p-oconnor", EnteredAnc(1250, _iso(today, 2)))
    enroll("p-bello", "Aisha Bello", "1985-01-22", 60, [1150, 1100], ben=True)
    weekly("p-bello", 53, 4, value=1300)
    at(1)
    act.report_anc(DESIGNEE, "p-bello", EnteredAnc(0.82, _iso(today, 1), "K/uL"))
    enroll("p-kowalski", "Tomasz Kowalski", "1972-06-03", 150, [2600])
    weekly("p-kowalski", 143, 10)
    at(2)
    act.report_anc(DESIGNEE, "p-kowalski", EnteredAnc(780, _iso(today, 2)))
    enroll("p-tran", "Linh Tran", "1968-11-15", 80, [1900])
    weekly("p-tran", 73, 45)
    enroll("p-miller", "Robert Miller", "1995-02-08", 70, [2000])
    at(20)
    act.submit_psf(
        DESIGNEE,
        PsfSubmission("p-miller", MonitoringFrequency.WEEKLY, (EnteredAnc(2100, _iso(today, 60)),)),
    )
    enroll("p-kim", "Grace Kim", "1941-03-27", 45, [1800], hospice=True)
    at(15)
    act.submit_psf(DESIGNEE, PsfSubmission("p-kim", MonitoringFrequency.MONTHLY, ()))
    enroll("p-novak", "Peter Novak", "1988-08-19", 100, [2200])
    weekly("p-novak", 93, 38)
    at(30)
    act.submit_psf(
        PRESCRIBER,
        PsfSubmission(
            "p-novak",
            MonitoringFrequency.WEEKLY,
            (EnteredAnc(2050, _iso(today, 31)),),
            treatment_status=TreatmentStatus.DISCONTINUED,
        ),
    )
    # A severe ANC 20 days ago interrupted him; he has recovered, and resuming treatment is
    # a rechallenge, the prescriber's alone (rules.md §13 R12).
    enroll("p-haddad", "Samir Haddad", "1983-05-14", 54, [2200])
    weekly("p-haddad", 47, 26, value=2100)
    for days_ago, value in ((20, 420), (13, 1100), (3, 1650)):
        at(days_ago)
        act.report_anc(DESIGNEE, "p-haddad", EnteredAnc(value, _iso(today, days_ago)))
    at(0)
    act.enroll_patient(
        DESIGNEE,
        EnrollmentForm(
            "p-adeyemi", "Chidi Adeyemi", "2001-12-01", Population.GENERAL,
            (EnteredAnc(1900, _iso(today, 1)),),
        ),
    )  # fmt: skip


def _iso(today: date, days_ago: int) -> str:
    return (today - timedelta(days=days_ago)).isoformat()
