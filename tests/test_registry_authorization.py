"""Every role against every endpoint: what each may do, and a plain 403 (or 401 without a
sign-in) for the rest, with nothing written by a refused call. Includes a pharmacy reading
another pharmacy's patient and a designee of another prescriber."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from app.roles import Role
from registry import assessment
from sync.client import Answer, RegistryClient, SignInRequired
from tests.support.registry_world import World, enrollment_body, ok

ROLES = ("dr_a", "des_a", "dr_b", "des_b", "ar_rx_x", "staff_rx_x", "ar_rx_y", "ws", "operator")
OFFICE_A = {"dr_a", "des_a"}
PHARMACY_X = {"ar_rx_x", "staff_rx_x"}
EVERYONE = set(ROLES)

Call = Callable[[World, RegistryClient], Answer]


def _psf(world: World) -> dict[str, Any]:
    return {
        "document": {
            "format": "psf/1",
            "patient_id": world.ids["p1"],
            "monitoring": "weekly",
            "ancs": [{"value": "2000", "unit": "/uL", "drawn": "2024-01-03"}],
        }
    }


def _rda(world: World) -> dict[str, Any]:
    return {
        "pharmacy_id": world.ids["rx_x"],
        "patient_id": world.ids["p1"],
        "prescriber_id": world.ids["dr_a"],
        **NAMED,
    }


# The matrix is about roles: requests name the patient, so a pharmacy's scope (a look-up by
# name and date of birth, tests/test_registry_trust.py) is met.
NAMED = {"name": "Rosa Test", "dob": "1980-01-01"}


def _batched_psf(world: World, client: RegistryClient) -> Answer:
    """A PSF sent in a batch: the item's own answer is what counts."""
    item = {"key": str(uuid.uuid4()), "path": "/v1/psfs", "body": _psf(world)}
    answer = client.batch([item])
    if not answer.ok:
        return answer
    result = answer.body["results"][0]
    return Answer(result["status"], result["body"])


MATRIX: dict[str, tuple[Call, set[str]]] = {
    "submit PSF in a batch": (_batched_psf, OFFICE_A),
    "who am I": (lambda w, c: c.get("/v1/me"), EVERYONE),
    "notifications": (lambda w, c: c.get("/v1/notifications"), {"dr_a", "des_a", "dr_b", "des_b"}),
    "assessment questions": (lambda w, c: c.get("/v1/assessment"), EVERYONE),
    "view patient": (lambda w, c: c.get(f"/v1/patients/{w.ids['p1']}"), OFFICE_A | {"operator"}),
    "add ANC": (
        lambda w, c: c.post(
            f"/v1/patients/{w.ids['p1']}/ancs", {"value": 2000, "drawn": "2024-01-03"}
        ),
        OFFICE_A,
    ),
    "submit PSF": (lambda w, c: c.post("/v1/psfs", _psf(w)), OFFICE_A),
    "enroll a new patient": (
        lambda w, c: c.post("/v1/enrollments", enrollment_body(f"patient-{uuid.uuid4()}")),
        {"dr_a", "des_a", "dr_b", "des_b"},
    ),
    "deactivate patient": (lambda w, c: c.post(f"/v1/patients/{w.ids['p1']}/deactivate"), {"dr_a"}),
    "look up a patient": (
        lambda w, c: c.post("/v1/patients/lookup", {"name": "Rosa Test", "dob": "1980-01-01"}),
        {"ar_rx_x", "staff_rx_x", "ar_rx_y", "operator"},
    ),
    "request an RDA": (lambda w, c: c.post("/v1/rda", _rda(w)), PHARMACY_X),
    "Dispense Rationale": (
        lambda w, c: c.post(
            "/v1/dispense-rationales",
            {
                "pharmacy_id": w.ids["rx_x"],
                "patient_id": w.ids["p1"],
                "npi": "1234567893",
                "anc": {"value": 2000, "drawn": "2024-01-03"},
                **NAMED,
            },
        ),
        PHARMACY_X,
    ),
    "reconfirm pharmacy": (
        lambda w, c: c.post(f"/v1/pharmacies/{w.ids['rx_x']}/reconfirm"),
        {"ar_rx_x"},
    ),
    "deactivate pharmacy": (
        lambda w, c: c.post(f"/v1/pharmacies/{w.ids['rx_y']}/deactivate"),
        {"operator"},
    ),
    "invite a designee": (
        lambda w, c: c.post(
            "/v1/invitations", {"role": "designee", "email": f"{uuid.uuid4().hex}@x.test"}
        ),
        {"dr_a", "dr_b"},
    ),
    "invite pharmacy staff": (
        lambda w, c: c.post(
            "/v1/invitations", {"role": "pharmacy_staff", "email": f"{uuid.uuid4().hex}@x.test"}
        ),
        {"ar_rx_x", "ar_rx_y"},
    ),
    "invite a new AR": (
        lambda w, c: c.post(
            "/v1/invitations",
            {
                "role": "pharmacy_ar",
                "email": f"{uuid.uuid4().hex}@x.test",
                "pharmacy_id": w.ids["rx_y"],
            },
        ),
        {"operator"},
    ),
    "add a wholesaler": (
        lambda w, c: c.post(
            "/v1/wholesalers",
            {"email": f"{uuid.uuid4().hex}@x.test", "password": "wholesale password"},
        ),
        {"operator"},
    ),
    "knowledge assessment": (
        lambda w, c: c.post("/v1/assessment", {"answers": {}}),
        {"dr_a", "dr_b", "ar_rx_x", "ar_rx_y"},
    ),
    "certified-pharmacy list": (lambda w, c: c.get("/v1/pharmacies"), EVERYONE),
    "pharmacy certification": (
        lambda w, c: c.get(f"/v1/pharmacies/{w.ids['rx_x']}/certification"),
        EVERYONE,
    ),
    "pharmacy staff and invitations": (
        lambda w, c: c.get(f"/v1/pharmacies/{w.ids['rx_x']}/staff"),
        {"ar_rx_x"},
    ),
    "change feed": (lambda w, c: c.changes(0), EVERYONE),
    "operator audit trail": (lambda w, c: c.get("/v1/operator/audit"), {"operator"}),
    "correct a patient": (
        lambda w, c: c._authorized(
            "PATCH",
            f"/v1/operator/patients/{w.ids['p1']}",
            json={"name": "Rosa Test", "reason": "typo at enrollment"},
            headers={"Idempotency-Key": str(uuid.uuid4())},
        ),
        {"operator"},
    ),
}


def _client(world: World, role: str) -> RegistryClient:
    return world.operator if role == "operator" else world.client(role)


@pytest.mark.parametrize("endpoint", list(MATRIX))
def test_each_role_may_do_only_what_its_role_allows(world: World, endpoint: str) -> None:
    call, allowed = MATRIX[endpoint]
    wrong = []
    for role in ROLES:
        answer = call(world, _client(world, role))
        # Allowed: the role got past authorization (the rules may still refuse on the
        # merits, e.g. a Dispense Rationale when the PSF is current: 422). Not allowed: 403.
        expected = {200, 201, 422} if role in allowed else {403}
        if answer.status not in expected:
            wrong.append(f"{role}: {answer.status} {answer.body}")
    assert not wrong, f"{endpoint}: " + "; ".join(wrong)


@pytest.mark.parametrize("endpoint", list(MATRIX))
def test_without_a_sign_in_every_endpoint_answers_401(world: World, endpoint: str) -> None:
    call, _ = MATRIX[endpoint]
    with pytest.raises(SignInRequired):  # the client asks the person to sign in
        call(world, RegistryClient(world.url))


def test_enrollment_and_invitations_need_no_sign_in_but_a_key(world: World) -> None:
    anonymous = RegistryClient(world.url)
    assert anonymous.handshake()["protocol"] == 1
    body = {
        "email": f"{uuid.uuid4().hex}@x.test",
        "password": "a long password",
        "npi": "1234567893",
    }
    assert anonymous.post_public("/v1/prescribers", body).status == 201
    bad = anonymous.post_public(
        "/v1/invitations/accept", {"code": "not-a-code", "password": "a long password"}
    )
    assert (bad.status, bad.error) == (403, "NOT_PERMITTED")
    keyless = anonymous._send("POST", "/v1/prescribers", json=body | {"email": "x@y.test"})
    assert (keyless.status, keyless.error) == (400, "IDEMPOTENCY_KEY_REQUIRED")


def _anc_count(world: World) -> int:
    feed = ok(world.operator.changes(0, 10_000))["changes"]
    return len({c["key"] for c in feed if c["kind"] == "anc"})


def test_a_designee_of_another_prescriber_reads_and_writes_nothing(world: World) -> None:
    before = _anc_count(world)
    des_b = world.client("des_b")
    assert des_b.get(f"/v1/patients/{world.ids['p1']}").status == 403
    answer = des_b.post(
        f"/v1/patients/{world.ids['p1']}/ancs", {"value": 400, "drawn": "2024-01-03"}
    )
    assert (answer.status, answer.error) == (403, "NOT_PERMITTED")
    assert _anc_count(world) == before
    feed = ok(des_b.changes(0))["changes"]
    assert not [
        c
        for c in feed
        if c["kind"] in ("patient", "anc")
        and world.ids["p1"] in (c["key"], (c["body"] or {}).get("patient_id"))
    ]


def test_a_pharmacy_sees_a_patient_only_after_looking_them_up(world: World) -> None:
    ar_x, ar_y = world.client("ar_rx_x"), world.client("ar_rx_y")
    path = f"/v1/patients/{world.ids['p1']}"
    assert ar_x.get(path).status == 403
    found = ok(ar_x.post("/v1/patients/lookup", {"name": "rosa TEST", "dob": "1980-01-01"}))
    assert [p["patient_id"] for p in found["patients"]] == [world.ids["p1"]]
    assert ok(ar_x.get(path))["treatment_status"] == "enrolled"
    # Another pharmacy's look-up is its own: pharmacy Y still cannot read the patient.
    assert ar_y.get(path).status == 403
    feed_y = ok(ar_y.changes(0))["changes"]
    assert not [c for c in feed_y if c["kind"] == "patient"]
    feed_x = ok(ar_x.changes(0))["changes"]
    assert [c["key"] for c in feed_x if c["kind"] == "patient"] == [world.ids["p1"]]
    assert any(c["kind"] == "anc" for c in feed_x), "the chart came with the look-up"


def test_a_low_anc_notifies_its_own_office_only(world: World) -> None:
    ok(
        world.client("des_a").post(
            f"/v1/patients/{world.ids['p1']}/ancs", {"value": 800, "drawn": "2024-01-03"}
        )
    )
    listed = ok(world.client("dr_a").get("/v1/notifications"))["notifications"]
    assert [(n["patient_id"], n["code"], n["per_ul"]) for n in listed] == [
        (world.ids["p1"], "MODERATE_NEUTROPENIA", 800)
    ]
    assert ok(world.client("dr_b").get("/v1/notifications"))["notifications"] == []


def test_a_wholesaler_reads_the_certified_list_and_nothing_about_patients(world: World) -> None:
    ws = world.client("ws")
    names = {p["name"] for p in ok(ws.get("/v1/pharmacies"))["pharmacies"]}
    assert names == {"rx_x", "rx_y"}
    kinds = {c["kind"] for c in ok(ws.changes(0))["changes"]}
    assert kinds == {"pharmacy"}


def test_every_operator_action_is_audited(world: World) -> None:
    op = world.operator
    ok(op.get(f"/v1/patients/{world.ids['p1']}"))
    ok(op.post("/v1/patients/lookup", {"name": "Rosa Test", "dob": "1980-01-01"}))
    ok(op.post(f"/v1/pharmacies/{world.ids['rx_y']}/deactivate"))
    actions = [e["action"] for e in ok(op.get("/v1/operator/audit"))["entries"]]
    assert actions[-3:] == ["view_patient", "look_up_patient", "deactivate_pharmacy"]
    assert "add_wholesaler" in actions


def test_a_failed_assessment_does_not_certify(world: World, served_registry: Any) -> None:
    answers = assessment.correct_answers(Role.PRESCRIBER)
    first = next(iter(answers))
    answers[first] = (answers[first] + 1) % 4
    email = f"{uuid.uuid4().hex}@x.test"
    body = ok(
        world.operator.post_public(
            "/v1/prescribers", {"email": email, "password": "a long password", "npi": "1234567893"}
        )
    )
    client = RegistryClient(world.url)
    ok(client.sign_in(email, "a long password"))
    result = ok(client.post("/v1/assessment", {"answers": answers}))
    assert (result["passed"], result["certified"]) == (False, False)
    assert [r["id"] for r in result["review"]] == [first]
    feed = ok(client.changes(0))["changes"]
    assert [c["body"]["certified"] for c in feed if c["key"] == body["prescriber_id"]] == [False]


def test_the_authorized_representative_sees_staff_and_open_invitations(world: World) -> None:
    ar = world.client("ar_rx_x")
    ok(ar.post("/v1/invitations", {"role": "pharmacy_staff", "email": "new.tech@rx.test",
                                   "name": "Nia Tech"}))  # fmt: skip
    listing = ok(ar.get(f"/v1/pharmacies/{world.ids['rx_x']}/staff"))
    people = {p["account_id"]: p["role"] for p in listing["people"]}
    assert people == {
        world.ids["ar_rx_x"]: "pharmacy_ar",
        world.ids["staff_rx_x"]: "pharmacy_staff",
    }
    assert [(i["email"], i["name"]) for i in listing["invitations"]] == [
        ("new.tech@rx.test", "Nia Tech")
    ]


def test_the_authorized_representative_keeps_the_name_given_at_enrollment(world: World) -> None:
    body = {"email": "lena@ward.test", "password": "a long password", "name": "Lena Brooks",
            "pharmacy_name": "Ward 4", "setting": "inpatient"}  # fmt: skip
    made = ok(world.operator.post_public("/v1/pharmacies", body))
    ar = RegistryClient(world.url)
    ok(ar.sign_in("lena@ward.test", "a long password"))
    ok(ar.post("/v1/assessment", {"answers": assessment.correct_answers(Role.PHARMACY_AR)}))
    people = ok(ar.get(f"/v1/pharmacies/{made['pharmacy_id']}/staff"))["people"]
    assert [(p["name"], p["role"]) for p in people] == [("Lena Brooks", "pharmacy_ar")]


def test_a_chains_authorized_representative_sees_each_pharmacys_staff(world: World) -> None:
    # One AR may represent several pharmacies (rules.md §13 R19): the staff list follows
    # app.use_cases.access.represents, not the AR's home pharmacy only.
    ar = world.client("ar_rx_x")
    second = ok(ar.post("/v1/pharmacies/represented", {"setting": "outpatient",
                                                        "pharmacy_name": "Chain #2"}))  # fmt: skip
    answers = assessment.correct_answers(Role.PHARMACY_AR)
    ok(ar.post("/v1/assessment", {"answers": answers, "pharmacy_id": second["pharmacy_id"]}))
    people = ok(ar.get(f"/v1/pharmacies/{second['pharmacy_id']}/staff"))["people"]
    assert [p["account_id"] for p in people] == []  # the AR's account belongs to the first
    # Another pharmacy's AR still reads neither.
    other = world.client("ar_rx_y").get(f"/v1/pharmacies/{second['pharmacy_id']}/staff")
    assert (other.status, other.error) == (403, "NOT_PERMITTED")
