"""Request and response bodies of the registry's HTTP API (they make the OpenAPI document).

Every string has a length and every number a range (registry/limits.py), so nothing a
client sends costs more than its size to read. An ANC value is a JSON number (rules.md §13
R16); the text as typed travels beside it in `as_entered`, for display and print only.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt

from registry import limits

Id = Annotated[str, Field(min_length=1, max_length=limits.ID)]
Name = Annotated[str, Field(max_length=limits.NAME)]
Email = Annotated[str, Field(min_length=3, max_length=limits.EMAIL)]
Password = Annotated[str, Field(min_length=8, max_length=limits.PASSWORD)]
Short = Annotated[str, Field(max_length=limits.SHORT)]
Text = Annotated[str, Field(max_length=limits.TEXT)]
# Numbers only: a string, a boolean, Infinity or NaN is refused before any rule runs.
AncNumber = Annotated[
    StrictInt | StrictFloat,
    Field(
        allow_inf_nan=False,
        ge=-(10**10),
        le=10**10,
        description="The ANC as a JSON number in the given unit (at most 10 significant digits)",
    ),
]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SignIn(Body):
    email: Annotated[str, Field(max_length=limits.EMAIL)]
    password: Annotated[str, Field(max_length=limits.PASSWORD)]


class Refresh(Body):
    refresh_token: Annotated[str, Field(max_length=limits.TOKEN)]


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
    email: Email
    password: Password
    name: Name = ""
    npi: Annotated[str, Field(max_length=20)]


class NewPharmacy(Body):
    email: Email
    password: Password
    name: Name = Field("", description="The Authorized Representative's name")
    pharmacy_name: Name = ""
    setting: Literal["outpatient", "inpatient"]


class AssessmentAnswers(Body):
    answers: dict[Id, Annotated[int, Field(ge=0, le=100)]] = Field(
        description="question id -> index of the chosen answer", max_length=100
    )


class Invitation(Body):
    role: Literal["designee", "pharmacy_staff", "pharmacy_ar"]
    email: Email
    name: Name = ""
    pharmacy_id: Id | None = Field(
        None, description="Operator only: the pharmacy a new Authorized Representative takes over"
    )


class AcceptInvitation(Body):
    code: Annotated[str, Field(max_length=limits.TOKEN)]
    password: Password
    name: Name = ""


class NewWholesaler(Body):
    email: Email
    password: Password
    name: Name = ""


class AncIn(Body):
    """An ANC: a pharmacy reporting one names the patient (`name`, `dob`) unless it has
    looked the patient up already."""

    value: AncNumber
    as_entered: Short | None = Field(
        None, description="The value as typed on the lab report, for display and print only"
    )
    unit: Short = "/uL"
    drawn: Short
    name: Name | None = None
    dob: Short | None = None


class SignatureIn(Body):
    """The prescriber's electronic signature, made on the workstation after the prescriber
    typed the password again. It is accepted only from the prescriber's own session."""

    id: Id | None = None
    signer_id: Id
    printed_name: Name = ""
    signed_at: Short | None = None
    meaning: Text = ""
    content_sha256: Annotated[str, Field(pattern="^[0-9a-f]{64}$")] | None = None


class FormIn(Body):
    """A form as the desktop's outbox carries it: the document, its signature, what it
    replaces. Its Idempotency-Key is the form's own id."""

    document: dict[Annotated[str, Field(max_length=limits.SHORT)], Any] = Field(max_length=100)
    signature: SignatureIn | None = None
    supersedes: Id | None = None


class PatientLookup(Body):
    name: Annotated[str, Field(min_length=1, max_length=limits.NAME)]
    dob: Short


class RdaIn(Body):
    pharmacy_id: Id
    patient_id: Id
    prescriber_id: Id
    anc: AncIn | None = Field(None, description="An inpatient pharmacy's ANC sent with the request")
    name: Name | None = Field(
        None, description="The patient's name, to look the patient up with the request"
    )
    dob: Short | None = Field(None, description="The patient's date of birth, with `name`")


class DispenseRationaleIn(Body):
    pharmacy_id: Id
    patient_id: Id
    npi: Annotated[str, Field(max_length=20)]
    anc: AncIn
    name: Name | None = Field(None, description="The patient's name, as with an RDA")
    dob: Short | None = Field(None, description="The patient's date of birth, with `name`")


class BatchItem(Body):
    key: Id
    path: Annotated[str, Field(max_length=limits.NAME)]
    body: dict[str, Any] | None = None


class BatchIn(Body):
    items: list[BatchItem] = Field(min_length=1, max_length=100)


class ClockIn(Body):
    today: date


class PatientCorrection(Body):
    name: Name | None = None
    dob: Short | None = None
    reason: Annotated[str, Field(min_length=3, max_length=limits.TEXT)] = Field(
        description="Why the Contact Center corrected it"
    )
