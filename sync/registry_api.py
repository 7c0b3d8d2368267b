"""The registry's API as the desk uses it: one method per endpoint, returning `app` types.

This is the one place that knows the registry's paths and JSON shapes. The outbox's queued
acts (`QUEUED_ACT_PATHS`) go out singly or in a batch through the same table, so no act can
be known to one and not the other; the window's calls (look-ups, RDAs, staff lists) and the
conformance target use the methods below. Transport (TLS, tokens, retries) stays in
`sync.client`; reading the answers into the program's types is done here."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from app.entered_anc import EnteredAnc
from app.rda import RdaReason
from app.registry_answers import (
    FoundPatient,
    InvitationMade,
    OpenInvitation,
    RationaleAnswer,
    RdaAnswer,
    StaffListing,
    StaffMember,
)
from sync.client import Answer, RegistryClient

# Where each kind of queued item goes; {patient} is the patient the item is about.
QUEUED_ACT_PATHS: dict[str, str] = {
    "submit_psf": "/v1/psfs",
    "enroll_patient": "/v1/enrollments",
    "report_anc": "/v1/patients/{patient}/ancs",
    "request_rda": "/v1/rda",
    "dispense_rationale": "/v1/dispense-rationales",
}
RDA_PATH = QUEUED_ACT_PATHS["request_rda"]
RATIONALE_PATH = QUEUED_ACT_PATHS["dispense_rationale"]


def queued_act_path(kind: str, patient_id: str) -> str:
    """The registry path of a queued act of this kind about this patient."""
    return QUEUED_ACT_PATHS[kind].format(patient=patient_id)


class RegistryRefused(Exception):
    """The registry answered and refused the request itself: its words say why."""


class StillProcessing(RegistryRefused):
    """409 IN_FLIGHT: the registry has this request (its Idempotency-Key) and has not finished
    it. Asking again with the same key is safe; it gets the first request's answer."""


STILL_PROCESSING = (
    "The registry is still processing the first request. Ask again in a moment: it is the "
    "same request, so the registry acts on it only once."
)


def refusal_words(answer: Answer) -> str:
    """A refused call as the registry put it: its message, and its code for the Contact Center."""
    code = answer.error or f"HTTP {answer.status}"
    if answer.status >= 500:  # not a refusal: the registry itself failed
        return (
            f"The registry answered with an error: {answer.message or 'no reason given'} "
            f"({code}). Try again in a while; if it goes on, call the Contact Center."
        )
    return f"{answer.message or 'The registry refused this.'} ({code})"


def accepted(answer: Answer) -> Any:
    """The body of an answer the registry accepted; a refusal raises `RegistryRefused`."""
    if answer.status == 409 and answer.error == "IN_FLIGHT":
        raise StillProcessing(STILL_PROCESSING)
    if not answer.ok:
        raise RegistryRefused(refusal_words(answer))
    return answer.body


def read_rda(answer: Answer, key: str | None) -> RdaAnswer:
    body = accepted(answer)
    return RdaAnswer(
        bool(body["authorized"]),
        bool(body["first_dispense"]),
        tuple(RdaReason(r) for r in body["reasons"]),
        str(body["as_of"]),
        answer.replayed,
        key,
    )


def read_rationale(answer: Answer, key: str | None) -> RationaleAnswer:
    body = accepted(answer)
    return RationaleAnswer(
        bool(body["authorized"]),
        body.get("refusal"),
        str(body.get("message") or ""),
        int(body.get("rationales_used") or 0),
        answer.replayed,
        key,
    )


def read_listing(body: dict[str, Any]) -> StaffListing:
    """A pharmacy's staff or a prescriber's designees: the registry answers both alike."""
    return StaffListing(
        tuple(
            StaffMember(p["name"] or "", p["email"], p["role"], bool(p["active"]))
            for p in body["people"]
        ),
        tuple(
            OpenInvitation(
                i["name"] or "", i["email"], i["role"], datetime.fromisoformat(i["expires_at"])
            )
            for i in body["invitations"]
        ),
    )


def rda_request(
    pharmacy_id: str,
    patient_id: str,
    prescriber_id: str,
    anc: EnteredAnc | None = None,
) -> dict[str, Any]:
    """An RDA's body: with its path, what makes two clicks "the same request"."""
    request: dict[str, Any] = {
        "pharmacy_id": pharmacy_id,
        "patient_id": patient_id,
        "prescriber_id": prescriber_id,
    }
    if anc is not None:
        request["anc"] = {**anc.to_json(), "value": anc.number()}
    return request


def rationale_request(
    pharmacy_id: str, patient_id: str, npi: str, anc: EnteredAnc
) -> dict[str, Any]:
    """A Dispense Rationale's body: the NPI as validated, the ANC as typed with its unit and
    draw date; with its path, what makes two sends "the same Rationale"."""
    return {
        "pharmacy_id": pharmacy_id,
        "patient_id": patient_id,
        "npi": npi,
        "anc": {**anc.to_json(), "value": anc.number()},
    }


class RegistryApi:
    """The registry's endpoints over one signed-in client."""

    def __init__(self, client: RegistryClient) -> None:
        self.client = client

    # Queued acts (the outbox)
    def send_queued(self, kind: str, patient_id: str, payload: Any, key: str) -> Answer:
        return self.client.post(queued_act_path(kind, patient_id), payload, key=key)

    def send_queued_batch(self, items: list[tuple[str, str, str, Any]]) -> Answer:
        """Several queued acts, each (key, kind, patient id, payload), in one request."""
        return self.client.batch(
            [
                {"key": key, "path": queued_act_path(kind, patient), "body": payload}
                for key, kind, patient, payload in items
            ]
        )

    # The registry itself
    def handshake(self) -> dict[str, Any]:
        """The registry's version, its rules' version and its contact numbers."""
        return self.client.handshake()

    # Who is signed in
    def me(self) -> dict[str, Any]:
        body: dict[str, Any] = accepted(self.client.get("/v1/me"))
        return body

    # Patients
    def look_up_patient(self, name: str, dob: date) -> list[FoundPatient]:
        body = accepted(
            self.client.post("/v1/patients/lookup", {"name": name, "dob": dob.isoformat()})
        )
        return [
            FoundPatient(
                p["patient_id"],
                p["name"],
                date.fromisoformat(p["dob"]),
                p["prescriber_id"],
                on_workstation=False,
            )
            for p in body["patients"]
        ]

    def rationales_used(self, patient_id: str) -> int:
        """Outpatient Dispense Rationales the patient has had in the rolling window."""
        body = accepted(self.client.get(f"/v1/patients/{patient_id}"))
        return int(body["dispense_rationales_used"])

    # Dispensing
    def request_rda(self, body: dict[str, Any], key: str) -> RdaAnswer:
        return read_rda(self.client.post(RDA_PATH, body, key=key), key)

    def send_dispense_rationale(self, body: dict[str, Any], key: str) -> RationaleAnswer:
        return read_rationale(self.client.post(RATIONALE_PATH, body, key=key), key)

    # Pharmacies
    def pharmacy_certified(self, pharmacy_id: str) -> bool:
        body = accepted(self.client.get(f"/v1/pharmacies/{pharmacy_id}/certification"))
        return bool(body["certified"])

    def reconfirm_pharmacy(self, pharmacy_id: str) -> date:
        body = accepted(self.client.post(f"/v1/pharmacies/{pharmacy_id}/reconfirm"))
        return date.fromisoformat(str(body["attested_on"]))

    def pharmacy_staff(self, pharmacy_id: str) -> StaffListing:
        return read_listing(accepted(self.client.get(f"/v1/pharmacies/{pharmacy_id}/staff")))

    # People
    def invite(self, role: str, email: str, name: str) -> InvitationMade:
        body = accepted(
            self.client.post("/v1/invitations", {"role": role, "email": email, "name": name})
        )
        return InvitationMade(str(body["code"]), int(body["expires_in_days"]))

    # office: people and passwords
    def designees(self) -> StaffListing:
        """The prescriber's designees and the invitations not accepted yet."""
        return read_listing(accepted(self.client.get("/v1/designees")))

    def invite_designee(self, email: str, name: str) -> InvitationMade:
        return self.invite("designee", email, name)

    def change_password(self, current: str, new: str) -> dict[str, Any]:
        """This person's registry password; the registry ends their other sign-ins."""
        body = {"current_password": current, "new_password": new}
        changed: dict[str, Any] = accepted(self.client.post("/v1/me/password", body))
        return changed
