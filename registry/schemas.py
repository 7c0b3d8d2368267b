"""Request and response bodies of the registry's HTTP API (they make the OpenAPI document).

Every string has a length and every number a range (registry/limits.py), so nothing a
client sends costs more than its size to read. No string holds a NUL character, a form's
document included: PostgreSQL's text columns cannot store one, so it is refused here (400)
rather than failing in the database (it was a 500). An ANC value is a JSON number (rules.md
§13 R16); the text as typed travels beside it in `as_entered`, for display and print only.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    field_validator,
)
from pydantic.fields import FieldInfo

from app.entered_anc import DEFAULT_UNIT
from registry import limits

# Any character but NUL: the OpenAPI document says so, and `NoNul` checks it.
NO_NUL_PATTERN = "^[^\\x00]*$"
NO_NUL_SCHEMA: dict[str, Any] = {"pattern": NO_NUL_PATTERN}
NUL_REFUSED = "must not contain a NUL character (\\u0000)"


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError(NUL_REFUSED)
    return value


NoNul = AfterValidator(_no_nul)


def _chars(max_length: int, min_length: int = 0) -> FieldInfo:
    field: FieldInfo = Field(
        min_length=min_length, max_length=max_length, json_schema_extra=NO_NUL_SCHEMA
    )
    return field


Id = Annotated[str, _chars(limits.ID, 1), NoNul]
Name = Annotated[str, _chars(limits.NAME), NoNul]
Email = Annotated[str, _chars(limits.EMAIL, 3), NoNul]
Password = Annotated[str, _chars(limits.PASSWORD, 8), NoNul]
Short = Annotated[str, _chars(limits.SHORT), NoNul]
Text = Annotated[str, _chars(limits.TEXT), NoNul]
Token = Annotated[str, _chars(limits.TOKEN), NoNul]
# An NPI is text, but whatever else arrives (a number, a boolean) is read here and refused
# by app/'s rules as INVALID_NPI (rules.md §13 R20, R21), in the engine's order.
Npi = Annotated[
    StrictInt | StrictFloat | StrictBool | Short | None,
    Field(description="The NPI as text: 10 digits; spaces and dashes are ignored"),
]
# An ANC is a JSON number (rules.md §13 R16), but whatever else arrives in its place (a
# string, a boolean, null, Infinity) is read here and refused by app/'s rules as INVALID_ANC,
# after who may act and the patient (R13), so the registry refuses in the engine's order.
AncValue = Annotated[
    Any,
    Field(
        description="The ANC as a JSON number in the given unit (at most 10 significant "
        "digits); anything else is 422 INVALID_ANC"
    ),
]
# The same for the unit and the draw date: any JSON is read, app/ refuses in its order.
AncUnitText = Annotated[
    Any, Field(description="A unit of rules.md §13 R15; anything else is 422 INVALID_ANC")
]
DrawDate = Annotated[
    Any, Field(description="The blood draw date, YYYY-MM-DD; anything else is 422 INVALID_DATE")
]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NoBody(Body):
    """An act whose path says everything (a patient's removal from the list): no fields;
    the body may be left out, or be {}."""


class SignIn(Body):
    email: Annotated[str, _chars(limits.EMAIL), NoNul]
    password: Annotated[str, _chars(limits.PASSWORD), NoNul]


class Refresh(Body):
    refresh_token: Token


class TokensOut(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
    account: dict[str, Any]


class ProgramContact(BaseModel):
    """Where offices fax forms and call: this deployment's numbers, and whose they are."""

    phone: str
    fax: str
    label: str


class Handshake(BaseModel):
    protocol: int
    server_time: str
    min_client_version: str
    test_clock: bool
    program_date: str
    # None: this registry was given no numbers (forms then say to use the program's own).
    contact: ProgramContact | None = None


class ErrorOut(BaseModel):
    error: str
    message: str


class NewPrescriber(Body):
    email: Email
    password: Password
    name: Name = ""
    npi: Npi


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
    pharmacy_id: Id | None = Field(
        None,
        description="An Authorized Representative of several pharmacies: the one this "
        "assessment certifies (default: their own)",
    )


class AnotherPharmacy(Body):
    pharmacy_name: Name = ""
    setting: Literal["outpatient", "inpatient"]


class Invitation(Body):
    role: Literal["designee", "pharmacy_staff", "pharmacy_ar"]
    email: Email
    name: Name = ""
    pharmacy_id: Id | None = Field(
        None, description="Operator only: the pharmacy a new Authorized Representative takes over"
    )


class AcceptInvitation(Body):
    code: Token
    password: Password
    name: Name = ""


class NewWholesaler(Body):
    email: Email
    password: Password
    name: Name = ""


class AncIn(Body):
    """An ANC: a pharmacy reporting one names the patient (`name`, `dob`) unless it has
    looked the patient up already."""

    value: AncValue
    as_entered: Short | None = Field(
        None, description="The value as typed on the lab report, for display and print only"
    )
    unit: AncUnitText = DEFAULT_UNIT
    drawn: DrawDate
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


def _without_nul(value: Any, where: str = "document") -> None:
    """Every string in a free-form document, its keys too, is NUL-free (raises ValueError)."""
    if isinstance(value, str):
        _no_nul(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and "\x00" in key:
                raise ValueError(f"a key in the {where} {NUL_REFUSED}")
            _without_nul(item, where)
    elif isinstance(value, list):
        for item in value:
            _without_nul(item, where)


class FormIn(Body):
    """A form as the desktop's outbox carries it: the document, its signature, what it
    replaces. Its Idempotency-Key is the form's own id."""

    document: dict[Short, Any] = Field(
        max_length=100, description="The form's data; no string in it holds a NUL character"
    )
    signature: SignatureIn | None = None
    supersedes: Id | None = None

    @field_validator("document")
    @classmethod
    def _document_text(cls, document: dict[str, Any]) -> dict[str, Any]:
        _without_nul(document)
        return document


class PatientLookup(Body):
    name: Annotated[str, _chars(limits.NAME, 1), NoNul]
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
    npi: Npi
    anc: AncIn
    name: Name | None = Field(None, description="The patient's name, as with an RDA")
    dob: Short | None = Field(None, description="The patient's date of birth, with `name`")


class BatchItem(Body):
    key: Id
    path: Name
    body: dict[str, Any] | None = None  # checked by the model of `path` (service.py)


class BatchIn(Body):
    items: list[BatchItem] = Field(min_length=1, max_length=100)


class ClockIn(Body):
    today: date


class PatientCorrection(Body):
    name: Name | None = None
    dob: Short | None = None
    reason: Annotated[str, _chars(limits.TEXT, 3), NoNul] = Field(
        description="Why the Contact Center corrected it"
    )
