"""A small program world on a running registry, built through its HTTP API: two certified
prescribers each with a designee, two certified outpatient pharmacies (AR and staff), a
wholesaler, the Contact Center, and one enrolled patient of prescriber A."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from app.anc import Population
from app.enrollment_document import enrollment_to_document
from app.entered_anc import EnteredAnc
from app.roles import Role
from app.use_cases.enrollment import EnrollmentForm
from registry import assessment
from registry.process import OPERATOR_EMAIL
from sync.client import Answer, RegistryClient

PASSWORD = "registry test password"


def ok(answer: Answer) -> Any:
    assert answer.ok, f"{answer.status}: {answer.body}"
    return answer.body


@dataclass
class World:
    url: str
    operator: RegistryClient
    clients: dict[str, RegistryClient] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)

    def client(self, who: str) -> RegistryClient:
        return self.clients[who]

    def close(self) -> None:
        for c in [self.operator, *self.clients.values()]:
            c.close()


def _email(who: str) -> str:
    return f"{who}-{uuid.uuid4().hex[:8]}@world.test"


def signed_in(url: str, email: str, password: str = PASSWORD) -> RegistryClient:
    client = RegistryClient(url)
    ok(client.sign_in(email, password))
    return client


def enrollment_body(
    patient_id: str, name: str = "Rosa Test", value: int = 2100, drawn: str = "2024-01-02"
) -> dict[str, Any]:
    form = EnrollmentForm(
        patient_id, name, "1980-01-01", Population.GENERAL, (EnteredAnc(value, drawn),)
    )
    return {"document": enrollment_to_document(form)}


def enroll_patients(world: World, count: int, by: str = "dr_a") -> list[str]:
    """More patients of `by`'s office; returns their ids."""
    ids = []
    for n in range(count):
        patient_id = f"patient-{uuid.uuid4()}"
        ok(world.clients[by].post("/v1/enrollments", enrollment_body(patient_id, f"Pat {n}")))
        ids.append(patient_id)
    return ids


def build_world(url: str, operator_password: str, today: str = "2024-01-03") -> World:
    operator = signed_in(url, OPERATOR_EMAIL, operator_password)
    ok(operator.put("/v1/test/clock", {"today": today}))
    world = World(url, operator)
    for who, npi in (("dr_a", "1234567893"), ("dr_b", "1558598797")):
        email = _email(who)
        body = ok(
            operator.post_public(
                "/v1/prescribers", {"email": email, "password": PASSWORD, "npi": npi, "name": who}
            )
        )
        world.ids[who], world.emails[who] = body["prescriber_id"], email
        world.clients[who] = signed_in(url, email)
        ok(
            world.clients[who].post(
                "/v1/assessment", {"answers": assessment.correct_answers(Role.PRESCRIBER)}
            )
        )
        _invite(world, world.clients[who], "designee", f"des_{who[-1]}")
    for rx in ("rx_x", "rx_y"):
        email = _email(f"ar_{rx}")
        body = ok(
            operator.post_public(
                "/v1/pharmacies",
                {
                    "email": email,
                    "password": PASSWORD,
                    "pharmacy_name": rx,
                    "setting": "outpatient",
                },
            )
        )
        world.ids[rx], world.ids[f"ar_{rx}"] = body["pharmacy_id"], body["account_id"]
        world.emails[f"ar_{rx}"] = email
        world.clients[f"ar_{rx}"] = signed_in(url, email)
        ok(
            world.clients[f"ar_{rx}"].post(
                "/v1/assessment", {"answers": assessment.correct_answers(Role.PHARMACY_AR)}
            )
        )
        _invite(world, world.clients[f"ar_{rx}"], "pharmacy_staff", f"staff_{rx}")
    email = _email("ws")
    body = ok(operator.post("/v1/wholesalers", {"email": email, "password": PASSWORD}))
    world.ids["ws"], world.emails["ws"] = body["account_id"], email
    world.clients["ws"] = signed_in(url, email)
    world.ids["p1"] = f"patient-{uuid.uuid4()}"
    ok(world.clients["dr_a"].post("/v1/enrollments", enrollment_body(world.ids["p1"])))
    return world


def _invite(world: World, inviter: RegistryClient, role: str, who: str) -> None:
    email = _email(who)
    code = ok(inviter.post("/v1/invitations", {"role": role, "email": email}))["code"]
    body = ok(
        world.operator.post_public("/v1/invitations/accept", {"code": code, "password": PASSWORD})
    )
    world.ids[who], world.emails[who] = body["account_id"], email
    world.clients[who] = signed_in(world.url, email)
