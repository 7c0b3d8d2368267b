"""Request and response bodies of the registry's HTTP API (they make the OpenAPI document)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SignIn(Body):
    email: str
    password: str


class Refresh(Body):
    refresh_token: str


class TokensOut(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
    account: dict[str, Any]


class Handshake(BaseModel):
    protocol: int
    server_time: str
    min_client_version: str
    test_clock: bool
    program_date: str


class ErrorOut(BaseModel):
    error: str
    message: str


class NewPrescriber(Body):
    email: str
    password: str = Field(min_length=8, max_length=256)
    name: str = ""
    npi: str


class NewPharmacy(Body):
    email: str
    password: str = Field(min_length=8, max_length=256)
    name: str = Field("", description="The Authorized Representative's name")
    pharmacy_name: str = ""
    setting: Literal["outpatient", "inpatient"]


class AssessmentAnswers(Body):
    answers: dict[str, int] = Field(description="question id -> index of the chosen answer")


class Invitation(Body):
    role: Literal["designee", "pharmacy_staff", "pharmacy_ar"]
    email: str
    name: str = ""
    pharmacy_id: str | None = Field(
        None, description="Operator only: the pharmacy a new Authorized Representative takes over"
    )


class AcceptInvitation(Body):
    code: str
    password: str = Field(min_length=8, max_length=256)
    name: str = ""


class NewWholesaler(Body):
    email: str
    password: str = Field(min_length=8, max_length=256)
    name: str = ""


class AncIn(Body):
    value: Any = Field(description="As typed: a number, or the text from the form")
    unit: str = "/uL"
    drawn: str


class SignatureIn(Body):
    """The prescriber's electronic signature as the workstation made it (re-authenticated)."""

    id: str | None = None
    signer_id: str
    printed_name: str = ""
    signed_at: str | None = None
    meaning: str = ""
    content_sha256: str | None = None


class FormIn(Body):
    """A form as the desktop's outbox carries it: the document, its signature, what it
    replaces. Its Idempotency-Key is the form's own id."""

    document: dict[str, Any]
    signature: SignatureIn | None = None
    supersedes: str | None = None


class PatientLookup(Body):
    name: str
    dob: str


class RdaIn(Body):
    pharmacy_id: str
    patient_id: str
    prescriber_id: str
    anc: AncIn | None = Field(None, description="An inpatient pharmacy's ANC sent with the request")


class DispenseRationaleIn(Body):
    pharmacy_id: str
    patient_id: str
    npi: str
    anc: AncIn


class ClockIn(Body):
    today: str


class PatientCorrection(Body):
    name: str | None = None
    dob: str | None = None
    reason: str = Field(min_length=3, description="Why the Contact Center corrected it")
