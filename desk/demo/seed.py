"""Plays the demo clinic (desk.demo.clinic) into a registry over its HTTP API, as real people
would: the prescriber enrolls and passes the assessment, invites the designee, pharmacies
certify, patients are enrolled and their PSFs sent, day by day on the registry's test clock.

Only for the desktop's embedded demo registry (loopback, test clock). Returns the accounts
the workstation needs, with the registry's own ids, so a form signed on the desk names a
signer the registry knows. No Qt here: the first-run screen runs it on a worker thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from app.enrollment_document import enrollment_to_document
from app.entered_anc import EnteredAnc
from app.psf import PsfSubmission
from app.psf_document import psf_to_document
from app.roles import Role
from app.signatures import content_hash
from app.statuses import PharmacySetting
from app.use_cases.enrollment import EnrollmentForm
from desk.demo.accounts import DEMO_ACCOUNTS, DEMO_AR_NAMES
from desk.demo.clinic import DESIGNEE, PRESCRIBER, play_demo_clinic
from registry import assessment
from registry.process import OPERATOR_EMAIL
from sync.client import Answer, RegistryClient


@dataclass(frozen=True)
class DemoAccount:
    registry_id: str
    prescriber_id: str
    email: str
    password: str
    name: str
    role: Role


def demo_credentials(demo_id: str) -> tuple[str, str]:
    """A demo registry account's email and password (the workstation's own are listed on the
    sign-in screen; the pharmacies' and the wholesaler's follow one pattern)."""
    return DEMO_ACCOUNTS.get(demo_id, (f"{demo_id}@demo.clinic", "demo account password"))


class SeedFailed(RuntimeError):
    pass


def _ok(answer: Answer, what: str) -> Any:
    if not answer.ok:
        raise SeedFailed(f"{what}: {answer.status} {answer.body}")
    return answer.body


class RegistrySeeder:
    """`desk.demo.clinic.DemoActions` over HTTP."""

    def __init__(self, url: str, operator_password: str) -> None:
        self.url = url
        self.operator = RegistryClient(url)
        _ok(self.operator.sign_in(OPERATOR_EMAIL, operator_password), "operator sign-in")
        self.clients: dict[str, RegistryClient] = {}
        self.ids: dict[str, str] = {}  # demo id -> the registry's id
        self.accounts: dict[str, DemoAccount] = {}
        self.patients: dict[str, tuple[str, str]] = {}  # id -> (name, date of birth)

    def _email(self, demo_id: str) -> tuple[str, str]:
        return demo_credentials(demo_id)

    def _sign_in(self, demo_id: str) -> RegistryClient:
        email, password = self._email(demo_id)
        client = RegistryClient(self.url)
        _ok(client.sign_in(email, password), f"sign-in {demo_id}")
        self.clients[demo_id] = client
        return client

    def on_day(self, day: date) -> None:
        _ok(self.operator.put("/v1/test/clock", {"today": day.isoformat()}), "clock")

    def certify_prescriber(self, prescriber_id: str, npi: str, name: str) -> None:
        email, password = self._email(prescriber_id)
        body = {"email": email, "password": password, "npi": npi, "name": name}
        made = _ok(self.operator.post_public("/v1/prescribers", body), "prescriber")
        self.ids[prescriber_id] = made["prescriber_id"]
        client = self._sign_in(prescriber_id)
        answers = {"answers": assessment.correct_answers(Role.PRESCRIBER)}
        _ok(client.post("/v1/assessment", answers), "prescriber assessment")
        self.accounts[prescriber_id] = DemoAccount(
            made["account_id"], made["prescriber_id"], email, password, name, Role.PRESCRIBER
        )

    def add_designee(self, prescriber_id: str, designee_id: str, name: str) -> None:
        email, password = self._email(designee_id)
        invite = {"role": "designee", "email": email, "name": name}
        code = _ok(self.clients[prescriber_id].post("/v1/invitations", invite), "invite")["code"]
        accept = {"code": code, "password": password, "name": name}
        made = _ok(self.operator.post_public("/v1/invitations/accept", accept), "accept")
        self.ids[designee_id] = made["account_id"]
        self._sign_in(designee_id)
        self.accounts[designee_id] = DemoAccount(
            made["account_id"], self.ids[prescriber_id], email, password, name, Role.DESIGNEE
        )

    def _pharmacy(
        self, pharmacy_id: str, setting: PharmacySetting, ar_id: str, name: str, certify: bool
    ) -> None:
        email, password = self._email(ar_id)
        body = {
            "email": email,
            "password": password,
            "name": DEMO_AR_NAMES.get(ar_id, ""),
            "pharmacy_name": name,
            "setting": setting.value,
        }
        made = _ok(self.operator.post_public("/v1/pharmacies", body), "pharmacy")
        self.ids[pharmacy_id], self.ids[ar_id] = made["pharmacy_id"], made["account_id"]
        client = self._sign_in(ar_id)
        if certify:
            answers = {"answers": assessment.correct_answers(Role.PHARMACY_AR)}
            _ok(client.post("/v1/assessment", answers), "pharmacy assessment")

    def certify_pharmacy(
        self, pharmacy_id: str, setting: PharmacySetting, ar_id: str, name: str
    ) -> None:
        self._pharmacy(pharmacy_id, setting, ar_id, name, certify=True)

    def register_pharmacy(
        self, pharmacy_id: str, setting: PharmacySetting, ar_id: str, name: str
    ) -> None:
        self._pharmacy(pharmacy_id, setting, ar_id, name, certify=False)

    def add_wholesaler(self, account_id: str, name: str) -> None:
        email, password = self._email(account_id)
        body = {"email": email, "password": password}
        self.ids[account_id] = _ok(self.operator.post("/v1/wholesalers", body), "wholesaler")[
            "account_id"
        ]

    def enroll_patient(self, actor_id: str, form: EnrollmentForm) -> None:
        self.patients[form.patient_id] = (form.name, str(form.dob))
        body = {"document": enrollment_to_document(form)}
        _ok(self.clients[actor_id].post("/v1/enrollments", body), f"enroll {form.patient_id}")

    def request_rda(
        self, ar_id: str, pharmacy_id: str, patient_id: str, prescriber_id: str
    ) -> None:
        name, dob = self.patients[patient_id]
        body = {
            "pharmacy_id": self.ids[pharmacy_id],
            "patient_id": patient_id,
            "prescriber_id": self.ids[prescriber_id],
            "name": name,  # a pharmacy names the patient it has not looked up yet
            "dob": dob,
        }
        _ok(self.clients[ar_id].post("/v1/rda", body), f"RDA {patient_id}")

    def submit_psf(self, actor_id: str, form: PsfSubmission) -> None:
        signature: dict[str, str] | None = None
        document = psf_to_document(form)
        if actor_id in self.accounts and self.accounts[actor_id].role is Role.PRESCRIBER:
            signature = {"signer_id": self.ids[actor_id], "meaning": "Approved and signed"}
        if signature is not None:  # the prescriber's own session names what she signed
            signature["content_sha256"] = content_hash(document)
        body = {"document": document, "signature": signature}
        _ok(self.clients[actor_id].post("/v1/psfs", body), f"PSF {form.patient_id}")

    def report_anc(self, actor_id: str, patient_id: str, entry: EnteredAnc) -> None:
        body = EnteredAnc.typed(str(entry.value), entry.unit, entry.drawn).to_json()
        _ok(
            self.clients[actor_id].post(f"/v1/patients/{patient_id}/ancs", body),
            f"ANC {patient_id}",
        )

    def close(self) -> None:
        for client in [self.operator, *self.clients.values()]:
            client.close()


def seed_demo_registry(url: str, operator_password: str, today: date) -> list[DemoAccount]:
    """Fill a fresh demo registry; returns the office's accounts (prescriber, designee)."""
    seeder = RegistrySeeder(url, operator_password)
    try:
        play_demo_clinic(seeder, today)
        _ok(seeder.operator.delete("/v1/test/clock"), "clock back to the real date")
        return [seeder.accounts[PRESCRIBER], seeder.accounts[DESIGNEE]]
    finally:
        seeder.close()
